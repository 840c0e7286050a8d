// `sluice check`: evaluate data-quality checks on the published tables, without rebuilding anything.
import type { Command } from 'commander';
import type { CheckResult } from '../../checks/run-check.js';
import { CommandFailed } from '../cli-errors.js';
import { withSluice, type ProjectOptions } from '../open-project.js';
import { textTable } from '../text-table.js';

function outcome(result: CheckResult): string {
  if (result.passed) return 'passed';
  return result.severity === 'warn' ? 'WARN' : 'FAILED';
}

/** Renders check results as a table with sample failing rows below. */
export function formatCheckResults(results: readonly CheckResult[]): string {
  if (results.length === 0) return 'no checks are defined for the selected assets; add `checks` to an asset or to defineProject({ checks })';
  const rows = results.map((r) => [r.assetKey, r.checkName, outcome(r), r.severity, r.error ? 'error' : `${r.failingCount}/${r.totalCount}`, `${r.failingPercent.toFixed(2)} %`]);
  const lines = [textTable(['asset', 'check', 'result', 'severity', 'failing', 'percent'], rows)];
  for (const r of results.filter((x) => !x.passed)) {
    lines.push('', `${r.assetKey} ${r.checkName}: ${r.error ? r.error.message : `${r.failingCount} failing row(s); sample:`}`);
    for (const sample of r.sampleFailing.slice(0, 5)) lines.push(`  ${JSON.stringify(sample)}`);
  }
  return lines.join('\n');
}

export function configureCheckCommand(program: Command): void {
  program
    .command('check')
    .description('run data-quality checks on the published tables (no rebuild)')
    .option('-s, --select <selection>', 'assets to check (same syntax as materialize)', '*')
    .option('--json', 'print JSON')
    .action(async (options: { select: string; json?: boolean }, command: Command) => {
      const result = await withSluice(command.optsWithGlobals<ProjectOptions>(), (sluice) => sluice.check({ select: options.select }));
      process.stdout.write(options.json ? `${JSON.stringify(result, null, 2)}\n` : `${formatCheckResults(result.results)}\n`);
      if (result.status !== 'succeeded') throw new CommandFailed(`checks failed in run ${result.runId}; fix the data (or the check) and run \`sluice check\` again`);
    });
}
