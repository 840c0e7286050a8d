// `sluice materialize`: build the selected assets with a live progress display.
import type { Command } from 'commander';
import type { MaterializeResult } from '../../runtime/sluice.js';
import { CommandFailed } from '../cli-errors.js';
import { withSluice, type ProjectOptions } from '../open-project.js';
import { showProgress } from '../progress-display.js';

export interface MaterializeCommandOptions extends ProjectOptions {
  select?: string;
  concurrency?: string;
  retryFailed?: string;
}

/** Runs a materialization and returns its result; Ctrl-C cancels the run cleanly. */
export async function materializeCommand(options: MaterializeCommandOptions, out: NodeJS.WriteStream = process.stdout): Promise<MaterializeResult> {
  return withSluice(options, async (sluice) => {
    const controller = new AbortController();
    const onSigint = (): void => {
      process.stderr.write('\ncanceling: waiting for running assets to stop (published tables stay as they were)...\n');
      controller.abort();
    };
    process.once('SIGINT', onSigint);
    const concurrency = options.concurrency ? Number(options.concurrency) : undefined;
    const select = options.select ?? '*';
    const context = /\bstale\b/.test(select) ? await sluice.selectionContext() : {};
    const keys = options.retryFailed ? undefined : sluice.plan(select, context).steps.map((s) => s.key);
    const stop = showProgress(sluice.bus, keys ?? [], out);
    try {
      const runOptions = { signal: controller.signal, ...(concurrency ? { concurrency } : {}) };
      const result = options.retryFailed
        ? await sluice.retryFailed(options.retryFailed, runOptions)
        : await sluice.materialize({ ...runOptions, select: options.select ?? '*' });
      stop();
      const counts = new Map<string, number>();
      for (const a of result.assets) counts.set(a.status, (counts.get(a.status) ?? 0) + 1);
      out.write(`run ${result.runId} ${result.status}: ${[...counts].map(([s, n]) => `${n} ${s}`).join(', ')}\n`);
      if (result.status !== 'succeeded') {
        for (const a of result.assets.filter((x) => x.status === 'failed')) out.write(`\n✖ ${a.key}: ${a.error?.message}\n`);
        throw new CommandFailed(`run ${result.runId} ${result.status}; see \`sluice run ${result.runId}\`, fix the cause, then \`sluice materialize --retry-failed ${result.runId}\``);
      }
      return result;
    } finally {
      stop();
      process.off('SIGINT', onSigint);
    }
  });
}

export function configureMaterializeCommand(program: Command): void {
  program
    .command('materialize')
    .description('build the selected assets in dependency order')
    .option('-s, --select <selection>', 'assets: keys, +key (with upstream), key+ (with downstream), group:NAME, tag:K=V, stale, comma-separated', '*')
    .option('-c, --concurrency <n>', 'how many assets build at once')
    .option('--retry-failed <runId>', 're-run what did not succeed in a failed or canceled run')
    .action(async (options: MaterializeCommandOptions, command: Command) => {
      await materializeCommand({ ...command.optsWithGlobals(), ...options });
    });
}
