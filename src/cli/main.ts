// The `sluice` command line: one module per command, imported only when that command runs; maps errors to exit codes.
import { readFileSync } from 'node:fs';
import { Command } from 'commander';
import type { SluiceClient } from '../api/sluice-client.js';
import { EXIT, reportError } from './cli-errors.js';

/** Adds a command (and its subcommands and options) to the program; each command module exports one. */
type ConfigureCommand = (program: Command) => void;

/** A top-level command: what `sluice --help` lists, and the module(s) that configure it. */
interface CommandEntry {
  name: string;
  /** The one place the command's description is written: the help lists it without importing the module. */
  description: string;
  /** Imports the command's module(s); entries sharing one module share this function. */
  load: () => Promise<ConfigureCommand[]>;
}

const loadRuns = async (): Promise<ConfigureCommand[]> => [(await import('./commands/runs.js')).configureRunsCommands];

/** Every command, in the order the help lists them. */
const COMMANDS: readonly CommandEntry[] = [
  {
    name: 'init',
    description: 'create a new project: config, bronze/silver/gold SQL over a sample CSV, checks, .gitignore',
    load: async () => [(await import('./commands/init.js')).configureInitCommand],
  },
  {
    name: 'list',
    description: 'list assets with group, kind, dependencies and last materialization',
    load: async () => [(await import('./commands/list.js')).configureListCommand],
  },
  {
    name: 'materialize',
    description: 'build the selected assets in dependency order',
    load: async () => [(await import('./commands/materialize.js')).configureMaterializeCommand],
  },
  { name: 'runs', description: 'list recent runs', load: loadRuns },
  { name: 'run', description: "show a run's status and event log", load: loadRuns },
  {
    name: 'lineage',
    description: 'show asset lineage (all assets, or one asset up- and downstream), or column lineage with --columns or ASSET.COLUMN',
    load: async () => [(await import('./commands/lineage.js')).configureLineageCommand],
  },
  {
    name: 'show',
    description: 'describe an asset: owners, tags, columns with their upstream columns, status and latest materializations',
    load: async () => [(await import('./commands/show.js')).configureShowCommand],
  },
  {
    name: 'history',
    description: "an asset's materializations over time: rows, duration, code and data versions, and what changed each time",
    load: async () => [(await import('./commands/history.js')).configureHistoryCommand],
  },
  {
    name: 'check',
    description: 'run data-quality checks on the published tables (no rebuild)',
    load: async () => [(await import('./commands/check.js')).configureCheckCommand],
  },
  {
    name: 'query',
    description: 'run one read-only SQL statement through the governed reader (assets, their quarantine tables, landing tables for admins)',
    load: async () => [(await import('./commands/query.js')).configureQueryCommand],
  },
  {
    name: 'exec',
    description: 'change the warehouse by hand as an admin (INSERT/UPDATE/DELETE, scratch tables); never drops or replaces a published asset',
    load: async () => [(await import('./commands/query.js')).configureExecCommand],
  },
  {
    name: 'dev',
    description: 'serve the web UI and HTTP API; while it runs, other commands in this project go through it',
    load: async () => [(await import('./commands/dev.js')).configureDevCommand],
  },
  {
    name: 'serve',
    description: 'serve the web UI, HTTP API and automation to a team: every request authenticates (see docs/sharing-with-a-team.md)',
    load: async () => [(await import('./commands/serve.js')).configureServeCommand],
  },
  {
    name: 'tokens',
    description: 'API tokens for `sluice serve` (sent as Authorization: Bearer)',
    load: async () => [(await import('./commands/tokens.js')).configureTokensCommand],
  },
  {
    name: 'audit',
    description: 'show the audit log of `sluice serve`: sign-ins, failures, denials, data reads and changes',
    load: async () => [(await import('./commands/audit.js')).configureAuditCommand],
  },
  {
    name: 'access',
    description: 'policies: check them, compile them for other engines',
    load: async () => [
      (await import('./commands/access.js')).configureAccessCommand,
      (await import('./commands/access-compile.js')).configureAccessCompileCommand,
    ],
  },
  {
    name: 'daemon',
    description: 'run schedules, sensors and asset conditions (without the web server; `sluice dev` runs them too)',
    load: async () => [(await import('./commands/daemon.js')).configureDaemonCommand],
  },
  {
    name: 'worker',
    description: 'build the steps of queued runs (SLUICE_EXECUTOR=queue); start any number, on any machine',
    load: async () => [(await import('./commands/worker.js')).configureWorkerCommand],
  },
  {
    name: 'automation',
    description: 'schedules, sensors and asset conditions: list, switch on/off, history',
    load: async () => [(await import('./commands/automation.js')).configureAutomationCommand],
  },
  {
    name: 'backfill',
    description: 'build partitions FROM..TO of the selected partitioned assets, one run each; re-run after a kill to resume',
    load: async () => [(await import('./commands/backfill.js')).configureBackfillCommand],
  },
  { name: 'events', description: 'send events to a running `sluice dev`', load: async () => [(await import('./commands/events.js')).configureEventsCommand] },
  {
    name: 'export',
    description: 'write selected assets as Hive-partitioned Parquet with a manifest (atomically; only what you may read)',
    load: async () => [(await import('./commands/export.js')).configureExportCommand],
  },
  {
    name: 'ddl',
    description: 'print external-table DDL over the Parquet/Hive layout `sluice export` wrote',
    load: async () => [(await import('./commands/ddl.js')).configureDdlCommand],
  },
];

/**
 * The program with `entry`'s command(s) configured by their module, and every other command as a stand-in that
 * only knows its name and description. A stand-in that commander dispatches to (its arguments, `--help` or
 * `sluice help NAME` included) loads its module and parses the same command line again with it, so commander alone
 * decides which command runs, and each run imports one command module (the runtime, DuckDB, the server... only
 * when that command needs them).
 * @example await (await buildProgram(process.argv, {})).parseAsync(process.argv);
 */
async function buildProgram(argv: readonly string[], context: MainContext, entry?: CommandEntry): Promise<Command> {
  const program = new Command('sluice')
    .description('Software-defined data assets on DuckDB: plan, materialize, check and trace them.')
    .option('-p, --project <dir>', 'project folder (default: the current folder or its nearest parent with sluice.config.ts)')
    .version(packageVersion(), '-V, --version', 'print the Sluice version')
    .option('--url <url>', 'send the command to the Sluice server at URL (default: the `sluice dev` running for this project, if any)')
    .exitOverride()
    .showHelpAfterError('(run `sluice --help` for usage)');
  // Seen by every command in its options (`optsWithGlobals`), like a global flag no command line can set.
  if (context.client) program.setOptionValue('client', context.client);
  const configure = entry ? await entry.load() : [];
  for (const command of COMMANDS) {
    if (command.load === entry?.load && !program.commands.some((c) => c.name() === command.name)) for (const add of configure) add(program);
    const configured = program.commands.find((c) => c.name() === command.name);
    if (configured) configured.description(command.description);
    else addStandIn(program, command, argv, context);
  }
  addHelpCommand(program, argv, context);
  return program;
}

/** A command known by name only: passes everything after its name on, and runs the real command when invoked. */
function addStandIn(program: Command, entry: CommandEntry, argv: readonly string[], context: MainContext): void {
  program
    .command(entry.name)
    .description(entry.description)
    .helpOption(false)
    .allowUnknownOption()
    .allowExcessArguments()
    .action(async () => {
      await (await buildProgram(argv, context, entry)).parseAsync([...argv]);
    });
}

/** `sluice help NAME`: commander's own would print a stand-in's help, so this one loads the command first. */
function addHelpCommand(program: Command, argv: readonly string[], context: MainContext): void {
  program
    .command('help [command]')
    .description('display help for command')
    .allowExcessArguments()
    .action(async (name: string | undefined) => {
      const entry = COMMANDS.find((c) => c.name === name);
      if (!entry) program.help({ error: name !== undefined });
      await (await buildProgram(argv, context, entry)).parseAsync([...argv.slice(0, 2), entry.name, '--help']);
    });
}

/** The version in Sluice's package.json (src/cli and dist/cli are both two levels below it). */
function packageVersion(): string {
  return (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
}

/** What a caller running several commands in one process can share between them. */
export interface MainContext {
  /** A client of the project (see `openClient`), used by every command instead of opening the project again; the caller closes it. */
  client?: SluiceClient;
}

/**
 * Runs the CLI with `argv` (as in process.argv) and returns the exit code.
 * @example const code = await main(['node', 'sluice', 'query', 'SELECT 1'], { client });
 */
export async function main(argv: readonly string[], context: MainContext = {}): Promise<number> {
  try {
    await (await buildProgram(argv, context)).parseAsync([...argv]);
    return EXIT.ok;
  } catch (error) {
    return reportError(error);
  }
}
