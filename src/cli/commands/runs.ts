// `sluice runs` and `sluice run RUN_ID`: recent runs, and one run's event log.
import type { Command } from 'commander';
import { formatMs } from '../../runtime/sluice.js';
import type { RunEvent, RunSummary } from '../../server/api-types.js';
import { withClient, type ProjectOptions } from '../open-project.js';
import { textTable } from '../text-table.js';

function duration(run: RunSummary): string {
  if (!run.startedAt) return '-';
  const end = run.endedAt ? Date.parse(run.endedAt) : Date.now();
  return formatMs(end - Date.parse(run.startedAt));
}

export function configureRunsCommands(program: Command): void {
  program
    .command('runs')
    .option('-n, --limit <n>', 'how many', '20')
    .option('--json', 'print JSON')
    .action(async (options: { limit: string; json?: boolean }, command: Command) => {
      const runs = await withClient(command.optsWithGlobals<ProjectOptions>(), (client) => client.runs(Number(options.limit)));
      if (options.json) return void process.stdout.write(`${JSON.stringify(runs, null, 2)}\n`);
      if (runs.length === 0) return void process.stdout.write('no runs yet; start one with `sluice materialize`\n');
      const rows = runs.map((r) => [r.id, r.status, r.createdAt.replace('T', ' ').slice(0, 19), duration(r), String(r.assetKeys.length), r.selection]);
      process.stdout.write(`${textTable(['run', 'status', 'created', 'duration', 'assets', 'selection'], rows)}\n`);
    });

  program
    .command('run')
    .argument('<runId>', 'run id (see `sluice runs`)')
    .option('--json', 'print JSON')
    .action(async (runId: string, options: { json?: boolean }, command: Command) => {
      const { run, events } = await withClient(command.optsWithGlobals<ProjectOptions>(), (client) => client.run(runId));
      printRun(run, events, options.json === true);
    });
}

function printRun(run: RunSummary, events: readonly RunEvent[], json: boolean): void {
  if (json) return void process.stdout.write(`${JSON.stringify({ run, events }, null, 2)}\n`);
  process.stdout.write(`run ${run.id}: ${run.status} (${duration(run)}), selection ${run.selection}\n`);
  if (run.error) process.stdout.write(`error: ${run.error.message}\n`);
  for (const e of events) process.stdout.write(`${e.ts}  ${e.level.padEnd(5)}  ${(e.assetKey ?? 'run').padEnd(28)}  ${e.type.padEnd(18)}  ${e.message}\n`);
}
