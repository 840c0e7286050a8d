// `sluice dev`: one process that owns the warehouse and serves the HTTP API and the web UI until Ctrl-C.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { InvalidArgumentError, type Command } from 'commander';
import { findProjectFile } from '../../runtime/project-loader.js';
import type { DevAutomation } from '../../automation/dev-automation.js';
import { Sluice } from '../../runtime/sluice.js';
import type { ProjectAccess } from '../../server/auth/project-access.js';
import type { PgWireServer } from '../../server/pg-wire/pg-wire-server.js';
import { readDevServerFile, removeDevServerFile, writeDevServerFile } from '../api-client.js';
import { CommandFailed } from '../cli-errors.js';
import type { ProjectOptions } from '../open-project.js';
import { runUntilSignal } from '../run-until-signal.js';

export interface DevCommandOptions extends ProjectOptions {
  port?: number;
  host?: string;
  /** The built UI to serve (default: the package's ui/dist). */
  uiDir?: string;
  /** Authenticate every request against the project's access configuration (`sluice serve`); implied by a non-loopback host. */
  authenticate?: boolean;
  /** The command named in messages (default `sluice dev`). */
  name?: string;
  /** Also speak the PostgreSQL protocol on this port (0 picks a free one); queries go through the governed read path. */
  pgPort?: number;
}

/** A running dev server. */
export interface DevServer {
  url: string;
  /** The PostgreSQL protocol's port, when `pgPort` was given. */
  pgPort?: number;
  /** Cancels active runs, waits for them, closes the server and the project, removes data/sluice-dev.json. */
  stop(): Promise<void>;
}

/**
 * Opens the project, starts its automation, then serves it; resolves once it listens with every event sensor up.
 * @example const dev = await startDevServer({ project: 'examples/flights', port: 0 }); await dev.stop();
 */
export async function startDevServer(options: DevCommandOptions, log: (line: string) => void = (l) => process.stderr.write(`${l}\n`)): Promise<DevServer> {
  const host = options.host ?? '127.0.0.1';
  const dir = options.project ?? process.cwd();
  // Checked before opening: the warehouse is locked by the running server, and this message says more.
  const running = readDevServerFile(dirname(findProjectFile(dir)));
  if (running && running.pid !== process.pid) {
    throw new CommandFailed(`sluice dev already runs for this project at ${running.url} (pid ${running.pid}); use it, or stop it first`);
  }
  // Loaded here, not at the top: every other command starts faster without the server's modules.
  const [{ createApp, LOOPBACK_HOSTS }, { listen }, { RunLauncher }, { DEFAULT_UI_DIR }] = await Promise.all([
    import('../../server/app.js'),
    import('../../server/http-server.js'),
    import('../../server/run-launcher.js'),
    import('../../server/static-ui.js'),
  ]);
  const sluice = await Sluice.open({ dir });
  const projectDir = sluice.project.dir;
  const launcher = new RunLauncher(sluice);
  const shutdown = new AbortController();
  const loopback = LOOPBACK_HOSTS.includes(host);
  const uiDir = options.uiDir ?? DEFAULT_UI_DIR;
  const name = options.name ?? 'sluice dev';
  // Beyond this machine nobody is the local admin: every request authenticates against the project's access configuration.
  let access: ProjectAccess | undefined;
  try {
    const why = loopback ? `${name} authenticates every request` : `${name} --host ${host} would let anyone who reaches it act as the local admin`;
    if (options.authenticate || !loopback) access = await (await import('../../server/auth/project-access.js')).openProjectAccess(sluice, why);
  } catch (error) {
    await sluice.close();
    throw error;
  }
  // Ready before open: schedules, sensors and conditions start before the server listens, so no producer meets an
  // event route whose sensor is not up yet. Their lines are printed after the URL, in the order a reader expects.
  const early: string[] = [];
  let opened = false;
  const automationLog = (line: string): void => void (opened ? log(line) : early.push(line));
  let automation: DevAutomation;
  try {
    automation = await (await import('../../automation/dev-automation.js')).startDevAutomation(sluice, { log: automationLog });
  } catch (error) {
    await access?.close();
    await sluice.close();
    throw error;
  }
  const app = createApp(sluice, {
    launcher,
    automation: () => automation.daemon,
    shutdown: shutdown.signal,
    uiDir,
    log,
    ...(loopback ? {} : { allowedHosts: 'any' as const }),
    ...(access ? { access: access.shared } : {}),
  });
  let server;
  try {
    server = await listen(app, { port: options.port ?? 3000, host });
  } catch (error) {
    await automation.stop();
    await access?.close();
    await sluice.close();
    throw error;
  }
  let pgWire: PgWireServer | undefined;
  try {
    const wireAccess = access ? { access: { access: access.access, store: access.store, audit: access.shared.audit } } : {};
    if (options.pgPort !== undefined)
      pgWire = await (
        await import('../../server/pg-wire/start-pg-wire.js')
      ).startSluicePgWire(sluice, { port: options.pgPort, host, log: automationLog, ...wireAccess });
  } catch (error) {
    await server.close();
    await automation.stop();
    await access?.close();
    await sluice.close();
    throw error;
  }
  writeDevServerFile(projectDir, { url: server.url, pid: process.pid, startedAt: new Date().toISOString() });
  // Should the process die some other way, a stale file is still ignored (its pid is dead); this removes it sooner.
  const removeFile = (): void => removeDevServerFile(projectDir);
  process.once('exit', removeFile);

  log(`${name}: project "${sluice.project.definition.name}" (${sluice.project.graph.size} assets) in ${projectDir}`);
  log(`  UI and API: ${server.url}`);
  if (!existsSync(join(uiDir, 'index.html'))) log('  (the web UI is not built: run `npm run build:ui` in the Sluice checkout; the API works meanwhile)');
  if (access)
    log(
      `  access: every request authenticates (${Object.keys(access.access.config.users).length} users; \`sluice tokens create --user NAME\`), and is audited (\`sluice audit\`)`,
    );
  log('  other sluice commands in this project now go through this server; press Ctrl-C to stop');
  opened = true;
  for (const line of early.splice(0)) log(line);

  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> =>
    (stopping ??= (async () => {
      // The daemon first: it stops launching, then cancels and awaits its own runs.
      await automation.stop();
      // Runs first, so followers (the UI, `sluice materialize`) see them end as canceled before streams close.
      await launcher.cancelAll();
      shutdown.abort();
      await server.close();
      await pgWire?.close();
      await sluice.close();
      await access?.close();
      removeFile();
      process.off('exit', removeFile);
    })());
  return { url: server.url, ...(pgWire ? { pgPort: pgWire.port } : {}), stop };
}

function parsePort(value: string): number {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new InvalidArgumentError('expected a port number from 0 to 65535 (0 picks a free one)');
  return port;
}

export function configureDevCommand(program: Command): void {
  program
    .command('dev')
    .option('--port <n>', 'port to listen on (0 picks a free one)', parsePort, 3000)
    .option('--host <address>', 'address to bind; keep the default unless you know who can reach it', '127.0.0.1')
    .option('--pg-port <n>', 'also serve the PostgreSQL protocol on this port, for psql and BI tools (0 picks a free one)', parsePort)
    .action(async (options: { port: number; host: string; pgPort?: number }, command: Command) => {
      const dev = await startDevServer({ ...command.optsWithGlobals<ProjectOptions>(), ...options });
      await runUntilSignal(dev.stop, 'stopping', 'canceling active runs');
    });
}
