// `sluice materialize`: build the selected assets with a live progress display, here or on the running `sluice dev`.
import type { Command } from 'commander';
import type { MaterializeResult } from '../../runtime/sluice.js';
import { CommandFailed } from '../cli-errors.js';
import { withClient, type ProjectOptions } from '../open-project.js';
import { showProgress } from '../progress-display.js';

interface MaterializeCommandOptions extends ProjectOptions {
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
    throw new CommandFailed(
      `run ${result.runId} ${result.status}; see \`sluice run ${result.runId}\`, fix the cause, then \`sluice materialize --retry-failed ${result.runId}\``,
    );
  }
  return result;
}

/**
 * Runs a materialization, here or on the `sluice dev` that owns the warehouse, with the same progress display
 * and outcome; Ctrl-C cancels the run cleanly.
 * @example const result = await materializeCommand({ project: 'examples/flights', select: 'gold/region_monthly_summary' });
 */
async function materializeCommand(options: MaterializeCommandOptions, out: NodeJS.WriteStream = process.stdout): Promise<MaterializeResult> {
  return withClient(options, async (client) => {
    const run = await client.submit({
      ...(options.retryFailed ? { retryOf: options.retryFailed } : { select: options.select ?? '*' }),
      ...(options.concurrency ? { concurrency: Number(options.concurrency) } : {}),
      ...(options.partition ? { partition: options.partition } : {}),
    });
    if (run.server) out.write(`run ${run.runId} submitted to ${run.server}\n`);
    const display = showProgress(run.assetKeys, out);
    const stopListening = onCtrlC(() => void run.cancel());
    try {
      const result = await run.follow(display.onEvent);
      display.stop();
      return report(result, out);
    } finally {
      display.stop();
      stopListening();
    }
  });
}

export function configureMaterializeCommand(program: Command): void {
  program
    .command('materialize')
    .option('-s, --select <selection>', 'assets: keys, +key (with upstream), key+ (with downstream), group:NAME, tag:K=V, stale, comma-separated', '*')
    .option('-c, --concurrency <n>', 'how many assets build at once')
    .option('--retry-failed <runId>', 're-run what did not succeed in a failed or canceled run')
    .option('--partition <key>', 'the partition to build for partitioned assets, e.g. 2001-03-15 (see also `sluice backfill`)')
    .action(async (options: MaterializeCommandOptions, command: Command) => {
      await materializeCommand({ ...command.optsWithGlobals(), ...options });
    });
}
