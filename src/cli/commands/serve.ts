// `sluice serve`: the shared server (API, web UI, automation daemon), with every request authenticated and audited.
import { InvalidArgumentError, type Command } from 'commander';
import type { ProjectOptions } from '../open-project.js';
import { runUntilSignal } from '../run-until-signal.js';
import { startDevServer, type DevCommandOptions, type DevServer } from './dev.js';

/**
 * Starts the same server as `sluice dev`, but refusing to start without `access` in the project and
 * authenticating every request (API tokens, OIDC bearer tokens, UI sessions).
 * @example const server = await startServeServer({ project: 'examples/flights', port: 0 }); await server.stop();
 */
export function startServeServer(options: DevCommandOptions, log?: (line: string) => void): Promise<DevServer> {
  return startDevServer({ ...options, authenticate: true, name: 'sluice serve' }, log);
}

function parsePort(value: string): number {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new InvalidArgumentError('expected a port number from 0 to 65535 (0 picks a free one)');
  return port;
}

export function configureServeCommand(program: Command): void {
  program
    .command('serve')
    .option('--port <n>', 'port to listen on (0 picks a free one)', parsePort, 3000)
    .option('--host <address>', 'address to bind, e.g. 0.0.0.0 to serve the network', '127.0.0.1')
    .option('--pg-port <n>', 'also serve the PostgreSQL protocol on this port (user: an access user, password: one of their API tokens)', parsePort)
    .action(async (options: { port: number; host: string; pgPort?: number }, command: Command) => {
      const server = await startServeServer({ ...command.optsWithGlobals<ProjectOptions>(), ...options });
      await runUntilSignal(server.stop, 'stopping', 'canceling active runs');
    });
}
