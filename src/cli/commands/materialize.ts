// `sluice materialize`: build the selected assets with a live progress display, here or on the running `sluice dev`.
import type { Command } from 'commander';
import type { StepOutcome } from '../../runtime/executor.js';
import { RunEventBus } from '../../runtime/run-events.js';
import type { MaterializeResult } from '../../runtime/sluice.js';
import type { LaunchRunResponse, RunDetailResponse, RunEvent, RunStep } from '../../server/api-types.js';
import { deriveSteps } from '../../runtime/run-state.js';
import type { ApiClient } from '../api-client.js';
import { CommandFailed } from '../cli-errors.js';
import { devServerFor, withSluice, type ProjectOptions } from '../open-project.js';
import { showProgress } from '../progress-display.js';

export interface MaterializeCommandOptions extends ProjectOptions {
  select?: string;
  concurrency?: string;
  retryFailed?: string;
  partition?: string;
}

/** Calls `onCancel` on the first Ctrl-C; returns the function that stops listening. */
function onCtrlC(onCancel: () => void): () => void {
  const handler = (): void => {
    process.stderr.write('\ncanceling: waiting for running assets to stop (published tables stay as they were)...\n');
    onCancel();
  };
  process.once('SIGINT', handler);
  return () => process.off('SIGINT', handler);
}

/** Prints the outcome line (and each failure); throws CommandFailed (exit 1) unless the run succeeded. */
function report(result: MaterializeResult, out: NodeJS.WriteStream): MaterializeResult {
  const counts = new Map<string, number>();
  for (const a of result.assets) counts.set(a.status, (counts.get(a.status) ?? 0) + 1);
  out.write(`run ${result.runId} ${result.status}: ${[...counts].map(([s, n]) => `${n} ${s}`).join(', ')}\n`);
  if (result.status !== 'succeeded') {
    for (const a of result.assets.filter((x) => x.status === 'failed')) out.write(`\n✖ ${a.key}: ${a.error?.message}\n`);
    throw new CommandFailed(`run ${result.runId} ${result.status}; see \`sluice run ${result.runId}\`, fix the cause, then \`sluice materialize --retry-failed ${result.runId}\``);
  }
  return result;
}

/** Runs a materialization and returns its result; Ctrl-C cancels the run cleanly. */
export async function materializeCommand(options: MaterializeCommandOptions, out: NodeJS.WriteStream = process.stdout): Promise<MaterializeResult> {
  const server = devServerFor(options);
  if (server) return materializeOnServer(server, options, out);
  return withSluice(options, async (sluice) => {
    const controller = new AbortController();
    const stopListening = onCtrlC(() => controller.abort());
    const concurrency = options.concurrency ? Number(options.concurrency) : undefined;
    const select = options.select ?? '*';
    const context = /\bstale\b/.test(select) ? await sluice.selectionContext() : {};
    const keys = options.retryFailed ? undefined : sluice.plan(select, context).steps.map((s) => s.key);
    const stop = showProgress(sluice.bus, keys ?? [], out);
    try {
      const runOptions = { signal: controller.signal, ...(concurrency ? { concurrency } : {}), ...(options.partition ? { partition: options.partition } : {}) };
      const result = options.retryFailed
        ? await sluice.retryFailed(options.retryFailed, runOptions)
        : await sluice.materialize({ ...runOptions, select });
      stop();
      return report(result, out);
    } finally {
      stop();
      stopListening();
    }
  });
}

/**
 * Submits the run to the server that owns the warehouse and follows its events with the same progress
 * display; Ctrl-C asks the server to cancel it.
 */
export async function materializeOnServer(server: ApiClient, options: MaterializeCommandOptions, out: NodeJS.WriteStream = process.stdout): Promise<MaterializeResult> {
  const concurrency = options.concurrency ? { concurrency: Number(options.concurrency) } : {};
  const partition = options.partition ? { partition: options.partition } : {};
  const { runId } = options.retryFailed
    ? await server.post<LaunchRunResponse>(`/api/runs/${encodeURIComponent(options.retryFailed)}/reexecute`, concurrency)
    : await server.post<LaunchRunResponse>('/api/runs', { select: options.select ?? '*', ...concurrency, ...partition });
  const runPath = `/api/runs/${encodeURIComponent(runId)}`;
  const { run } = await server.get<RunDetailResponse>(runPath);
  out.write(`run ${runId} submitted to ${server.baseUrl}\n`);
  // The progress display listens to a bus; here the bus is fed by the server's stream.
  const bus = new RunEventBus();
  const stop = showProgress(bus, run.assetKeys, out);
  const stopListening = onCtrlC(() => void server.post(`${runPath}/cancel`).catch(() => undefined));
  const events: RunEvent[] = [];
  try {
    const ended = await server.followRun(runId, (event) => {
      events.push(event);
      bus.emit('event', event);
    });
    stop();
    // Steps are folded from the events already received: the server may be gone by now (stopped with Ctrl-C).
    return report({ runId, status: ended.status, assets: deriveSteps(ended, events).map(toOutcome) }, out);
  } finally {
    stop();
    stopListening();
  }
}

/** A run step as the executor would have reported it. */
function toOutcome(step: RunStep): StepOutcome {
  const durationMs = step.startedAt && step.endedAt ? Date.parse(step.endedAt) - Date.parse(step.startedAt) : 0;
  const status: StepOutcome['status'] = step.status === 'pending' || step.status === 'running' ? 'not_executed' : step.status;
  return { key: step.assetKey, status, attempts: step.attempts, durationMs, ...(step.error ? { error: { name: 'Error', message: step.error } } : {}) };
}

export function configureMaterializeCommand(program: Command): void {
  program
    .command('materialize')
    .description('build the selected assets in dependency order')
    .option('-s, --select <selection>', 'assets: keys, +key (with upstream), key+ (with downstream), group:NAME, tag:K=V, stale, comma-separated', '*')
    .option('-c, --concurrency <n>', 'how many assets build at once')
    .option('--retry-failed <runId>', 're-run what did not succeed in a failed or canceled run')
    .option('--partition <key>', 'the partition to build for partitioned assets, e.g. 2001-03-15 (see also `sluice backfill`)')
    .action(async (options: MaterializeCommandOptions, command: Command) => {
      await materializeCommand({ ...command.optsWithGlobals(), ...options });
    });
}
