// `sluice check`: evaluate data-quality checks on the published tables, without rebuilding anything.
import type { Command } from 'commander';
import type { CheckResult } from '../../checks/run-check.js';
import type { RunChecksResponse } from '../../server/api-types.js';
import { CommandFailed } from '../cli-errors.js';
import { withClient, type ProjectOptions } from '../open-project.js';
import { textTable } from '../text-table.js';

/** What the report needs of a check result: the same whether this process ran it or a `sluice dev` did. */
type ReportedCheckResult = Pick<
  CheckResult,
  'assetKey' | 'checkName' | 'passed' | 'severity' | 'failingCount' | 'totalCount' | 'failingPercent' | 'sampleFailing'
> & {
  error?: { message: string };
};

function outcome(result: ReportedCheckResult): string {
  if (result.passed) return 'passed';
  return result.severity === 'warn' ? 'WARN' : 'FAILED';
}

/** Renders check results as a table with sample failing rows below. */
function formatCheckResults(results: readonly ReportedCheckResult[]): string {
  if (results.length === 0) return 'no checks are defined for the selected assets; add `checks` to an asset or to defineProject({ checks })';
  const rows = results.map((r) => [
    r.assetKey,
    r.checkName,
    outcome(r),
    r.severity,
    r.error ? 'error' : `${r.failingCount}/${r.totalCount}`,
    `${r.failingPercent.toFixed(2)} %`,
  ]);
  const lines = [textTable(['asset', 'check', 'result', 'severity', 'failing', 'percent'], rows)];
  for (const r of results.filter((x) => !x.passed)) {
    lines.push('', `${r.assetKey} ${r.checkName}: ${r.error ? r.error.message : `${r.failingCount} failing row(s); sample:`}`);
    for (const sample of r.sampleFailing.slice(0, 5)) lines.push(`  ${JSON.stringify(sample)}`);
  }
  return lines.join('\n');
}

/**
 * Runs the checks of a selection: through the `sluice dev` that owns the warehouse when one runs (or `--url`),
 * else on the project opened here. Both give the same result.
 * @example const { status, results } = await runChecks({ project: 'examples/flights' }, 'silver/flights');
 */
async function runChecks(options: ProjectOptions, select: string): Promise<RunChecksResponse> {
  return withClient(options, (client) => client.checks(select));
}

export function configureCheckCommand(program: Command): void {
  program
    .command('check')
    .option('-s, --select <selection>', 'assets to check (same syntax as materialize)', '*')
    .option('--json', 'print JSON')
    .action(async (options: { select: string; json?: boolean }, command: Command) => {
      const result = await runChecks(command.optsWithGlobals<ProjectOptions>(), options.select);
      process.stdout.write(options.json ? `${JSON.stringify(result, null, 2)}\n` : `${formatCheckResults(result.results)}\n`);
      if (result.status !== 'succeeded')
        throw new CommandFailed(`checks failed in run ${result.runId}; fix the data (or the check) and run \`sluice check\` again`);
    });
}
