// The `sluice` command line: builds the program from one module per command and maps errors to exit codes.
import { readFileSync } from 'node:fs';
import { Command } from 'commander';
import { EXIT, reportError } from './cli-errors.js';
import { configureAccessCompileCommand } from './commands/access-compile.js';
import { configureAccessCommand } from './commands/access.js';
import { configureAuditCommand } from './commands/audit.js';
import { configureAutomationCommand } from './commands/automation.js';
import { configureBackfillCommand } from './commands/backfill.js';
import { configureDaemonCommand } from './commands/daemon.js';
import { configureWorkerCommand } from './commands/worker.js';
import { configureDdlCommand } from './commands/ddl.js';
import { configureEventsCommand } from './commands/events.js';
import { configureExportCommand } from './commands/export.js';
import { configureCheckCommand } from './commands/check.js';
import { configureDevCommand } from './commands/dev.js';
import { configureHistoryCommand } from './commands/history.js';
import { configureInitCommand } from './commands/init.js';
import { configureLineageCommand } from './commands/lineage.js';
import { configureListCommand } from './commands/list.js';
import { configureMaterializeCommand } from './commands/materialize.js';
import { configureQueryCommand } from './commands/query.js';
import { configureRunsCommands } from './commands/runs.js';
import { configureServeCommand } from './commands/serve.js';
import { configureShowCommand } from './commands/show.js';
import { configureTokensCommand } from './commands/tokens.js';

/** The configured program (exported for tests). */
export function buildProgram(): Command {
  const program = new Command('sluice')
    .description('Software-defined data assets on DuckDB: plan, materialize, check and trace them.')
    .option('-p, --project <dir>', 'project folder (default: the current folder or its nearest parent with sluice.config.ts)')
    .version(packageVersion(), '-V, --version', 'print the Sluice version')
    .option('--url <url>', 'send the command to the Sluice server at URL (default: the `sluice dev` running for this project, if any)')
    .exitOverride()
    .showHelpAfterError('(run `sluice --help` for usage)');
  configureInitCommand(program);
  configureListCommand(program);
  configureMaterializeCommand(program);
  configureRunsCommands(program);
  configureLineageCommand(program);
  configureShowCommand(program);
  configureHistoryCommand(program);
  configureCheckCommand(program);
  configureQueryCommand(program);
  configureDevCommand(program);
  configureServeCommand(program);
  configureTokensCommand(program);
  configureAuditCommand(program);
  configureAccessCommand(program);
  configureDaemonCommand(program);
  configureWorkerCommand(program);
  configureAutomationCommand(program);
  configureBackfillCommand(program);
  configureEventsCommand(program);
  configureExportCommand(program);
  configureDdlCommand(program);
  configureAccessCompileCommand(program);
  return program;
}

/** The version in Sluice's package.json (src/cli and dist/cli are both two levels below it). */
function packageVersion(): string {
  return (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
}

/** Runs the CLI with `argv` (as in process.argv) and returns the exit code. */
export async function main(argv: readonly string[]): Promise<number> {
  try {
    await buildProgram().parseAsync([...argv]);
    return EXIT.ok;
  } catch (error) {
    return reportError(error);
  }
}
