// `sluice worker [--concurrency N]`: executes the steps that queued runs (SLUICE_EXECUTOR=queue) put on the queue.
import type { Command } from 'commander';
import { Sluice } from '../../runtime/sluice.js';
import { queueUrl } from '../../runtime/queue/queue-executor.js';
import { StepWorker } from '../../runtime/queue/step-worker.js';
import { CommandFailed } from '../cli-errors.js';
import type { ProjectOptions } from '../open-project.js';
import { runUntilSignal } from '../run-until-signal.js';

/** Options of `sluice worker`. */
export interface WorkerCommandOptions extends ProjectOptions {
  /** Steps this process builds at once (default 1). */
  concurrency?: number;
  /** Where the worker says it lost its queue connection and reconnects (the CLI: stderr). */
  log?: (line: string) => void;
}

/** A running worker process. */
export interface RunningWorker {
  worker: StepWorker;
  /** Finishes the steps in hand, leaves the queue and closes the project. */
  stop(): Promise<void>;
}

/**
 * Opens the project (its PostgreSQL warehouse and store) and takes step jobs from the queue until stopped.
 * @example const running = await startWorker({ project: '.', concurrency: 4 }); await running.stop();
 */
export async function startWorker(options: WorkerCommandOptions, env: Readonly<Record<string, string | undefined>> = process.env): Promise<RunningWorker> {
  // A worker runs steps itself: it never sends them on to the queue.
  const sluice = await Sluice.open({ dir: options.project ?? process.cwd(), env, executor: 'in-process' });
  try {
    if (sluice.warehouse.dialect !== 'postgres') {
      throw new CommandFailed(
        'sluice worker builds assets in a warehouse every worker shares: set SLUICE_WAREHOUSE_URL to a PostgreSQL database (docs/production.md)',
      );
    }
    const worker = await StepWorker.start({
      url: queueUrl(env, sluice.project),
      concurrency: options.concurrency ?? 1,
      // Must stay well below the submitters' SLUICE_QUEUE_STALE_MS (default 5 s).
      heartbeatMs: Number(env.SLUICE_WORKER_HEARTBEAT_MS ?? 1000),
      build: (runId, key, signal, partition) => sluice.buildStep(runId, key, signal, partition),
      onReconnect: (error, delayMs) =>
        options.log?.(`sluice worker: lost the queue (${error instanceof Error ? error.message : String(error)}); reconnecting in ${delayMs / 1000} s`),
    });
    return {
      worker,
      stop: async () => {
        await worker.stop();
        await sluice.close();
      },
    };
  } catch (error) {
    await sluice.close();
    throw error;
  }
}

function parseConcurrency(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 256) throw new CommandFailed('--concurrency must be a whole number from 1 to 256');
  return n;
}

export function configureWorkerCommand(program: Command): void {
  program
    .command('worker')
    .option('--concurrency <n>', 'steps this process builds at once', parseConcurrency, 1)
    .action(async (options: { concurrency: number }, command: Command) => {
      const log = (line: string): void => void process.stderr.write(`${line}\n`);
      const running = await startWorker({ ...command.optsWithGlobals<ProjectOptions>(), ...options, log });
      log(`sluice worker ${running.worker.id}: taking steps from the queue (concurrency ${options.concurrency}); press Ctrl-C to stop`);
      await runUntilSignal(running.stop, 'finishing the steps in hand', 'abandoning them (another worker will retry them)');
    });
}
