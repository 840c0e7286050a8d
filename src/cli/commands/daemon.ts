// `sluice daemon`: runs a project's schedules, sensors and asset conditions without the web server, until Ctrl-C.
import { dirname } from 'node:path';
import type { Command } from 'commander';
import { AutomationDaemon } from '../../automation/daemon.js';
import { findProjectFile } from '../../runtime/project-loader.js';
import { Sluice } from '../../runtime/sluice.js';
import { readDevServerFile } from '../api-client.js';
import { CommandFailed } from '../cli-errors.js';
import type { ProjectOptions } from '../open-project.js';
import { runUntilSignal } from '../run-until-signal.js';

/** Options of `sluice daemon`. */
interface DaemonCommandOptions extends ProjectOptions {
  /** Milliseconds between evaluations of schedules and conditions (default 1000). */
  intervalMs?: number;
}

/** A running headless daemon. */
interface RunningDaemon {
  daemon: AutomationDaemon;
  /** Stops the daemon (waiting for its runs) and closes the project. */
  stop(): Promise<void>;
}

/**
 * Opens the project and starts its automation daemon. Refuses when `sluice dev` runs for the project:
 * it already runs the daemon, and owns the warehouse.
 * @example const running = await startDaemon({ project: 'examples/flights/events' }); await running.stop();
 */
async function startDaemon(options: DaemonCommandOptions, log: (line: string) => void = (l) => process.stderr.write(`${l}\n`)): Promise<RunningDaemon> {
  const dir = options.project ?? process.cwd();
  const dev = readDevServerFile(dirname(findProjectFile(dir)));
  if (dev)
    throw new CommandFailed(
      `sluice dev runs for this project at ${dev.url} (pid ${dev.pid}) and already runs the automation daemon; stop it first to run the daemon alone`,
    );
  const sluice = await Sluice.open({ dir });
  let daemon: AutomationDaemon;
  try {
    daemon = await AutomationDaemon.start(sluice, { log, ...(options.intervalMs ? { intervalMs: options.intervalMs } : {}) });
  } catch (error) {
    await sluice.close();
    throw error;
  }
  const { schedules = [], sensors = [] } = sluice.project.definition;
  log(
    `sluice daemon: project "${sluice.project.definition.name}": ${daemon.entries.length} automation(s) (${schedules.length} schedule(s), ${sensors.length} sensor(s), ${daemon.entries.filter((e) => e.kind === 'asset').length} asset condition(s))`,
  );
  for (const entry of daemon.entries) log(`  ${entry.name} [${entry.kind}${daemon.isEnabled(entry.name) ? '' : ', off'}]: ${entry.detail}`);
  if (sensors.some((s) => s.type === 'events')) log('  note: HTTP events (POST /api/events/SOURCE) need the API: run `sluice dev` instead to receive them');
  log('  decisions are recorded: `sluice automation history`; press Ctrl-C to stop');
  return {
    daemon,
    stop: async () => {
      await daemon.stop();
      await sluice.close();
    },
  };
}

function parseInterval(value: string): number {
  const ms = Number(value);
  if (!Number.isInteger(ms) || ms < 50) throw new CommandFailed('--interval-ms must be a whole number of milliseconds, at least 50');
  return ms;
}

export function configureDaemonCommand(program: Command): void {
  program
    .command('daemon')
    .option('--interval-ms <ms>', 'how often schedules and conditions are evaluated', parseInterval, 1000)
    .action(async (options: { intervalMs: number }, command: Command) => {
      const running = await startDaemon({ ...command.optsWithGlobals<ProjectOptions>(), ...options });
      await runUntilSignal(running.stop, 'stopping the daemon', 'canceling its runs');
    });
}
