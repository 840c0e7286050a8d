// The PostgreSQL wire protocol over TCP: pg-gateway runs start-up and authentication, PgSession the queries.
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { fromNodeSocket } from 'pg-gateway/node';
import { BackendError, type PostgresConnection, type PostgresConnectionOptions } from 'pg-gateway';
import type { Principal } from '../../access/principal.js';
import { SluiceError } from '../../errors.js';
import { SETTINGS } from './pg-catalog.js';
import { backend, decodeFrontendMessage } from './pg-messages.js';
import { PgSession } from './pg-session.js';
import type { PgWireBackend } from './wire-result.js';

/** Where and how to listen. */
export interface PgWireServerConfig {
  /** 0 picks a free port. */
  port: number;
  host: string;
  /** `trust`: no password (sluice dev on a laptop); `password`: the password is checked by `backend.authenticate`. */
  auth: 'trust' | 'password';
  backend: PgWireBackend;
  /** Problems worth a line (never a password). */
  log?: (line: string) => void;
}

/** A listening wire-protocol server. */
export interface PgWireServer {
  port: number;
  host: string;
  close(): Promise<void>;
}

/** Parameters PostgreSQL reports at sign-in, which drivers read (encoding, date style, integer timestamps). */
const STARTUP_PARAMETERS = ['server_encoding', 'client_encoding', 'DateStyle', 'IntervalStyle', 'TimeZone', 'integer_datetimes', 'standard_conforming_strings'];

function serve(socket: Socket, config: PgWireServerConfig, sessions: Set<PgSession>): void {
  let principal: Principal | undefined;
  let session: PgSession | undefined;
  let connection: PostgresConnection | undefined;
  const signIn = async (user: string, password: string | undefined): Promise<boolean> => {
    principal = await config.backend.authenticate(user, password);
    return principal !== undefined;
  };
  const options: PostgresConnectionOptions = {
    serverVersion: `${SETTINGS.server_version} (Sluice)`,
    auth:
      config.auth === 'trust'
        ? { method: 'trust' }
        : {
            method: 'password',
            // The client's password is the credential itself (an API token): it is verified, never compared to a stored one.
            getClearTextPassword: () => '',
            validateCredentials: ({ username, password }) => signIn(username, password),
          },
    async onAuthenticated(state) {
      const user = state.clientParams?.user ?? 'unknown';
      if (config.auth === 'trust' && !(await signIn(user, undefined))) {
        // pg-gateway sends a thrown BackendError to the client and closes the connection.
        throw BackendError.create({ severity: 'FATAL', code: '28000', message: `user "${user}" may not connect` });
      }
      session = new PgSession(config.backend, principal!, user);
      sessions.add(session);
      // Sent between AuthenticationOk and ReadyForQuery, where clients expect them.
      for (const name of STARTUP_PARAMETERS) await connection?.streamWriter?.write(backend.parameterStatus(name, SETTINGS[name]!));
    },
    async onMessage(data, state) {
      // Start-up, TLS and authentication are pg-gateway's; so is Terminate.
      if (!state.isAuthenticated || !session) return undefined;
      const message = decodeFrontendMessage(data);
      if (message.type === 'terminate') return undefined;
      const replies = await session.handle(message);
      // An empty answer would hand the message back to pg-gateway (which refuses it): Flush and skipped messages send nothing.
      return replies.length > 0 ? replies : [new Uint8Array(0)];
    },
  };
  fromNodeSocket(socket, options).then(
    (c) => (connection = c),
    (error: unknown) => config.log?.(`pg-wire: connection failed: ${error instanceof Error ? error.message : String(error)}`),
  );
  socket.once('close', () => {
    if (session) {
      sessions.delete(session);
      void session.close();
    }
  });
  socket.on('error', () => socket.destroy());
}

/**
 * Starts the wire-protocol server; rejects with a readable error when the port is taken.
 * @example const pg = await startPgWireServer({ port: 5433, host: '127.0.0.1', auth: 'trust', backend }); await pg.close();
 */
export function startPgWireServer(config: PgWireServerConfig): Promise<PgWireServer> {
  const sessions = new Set<PgSession>();
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    serve(socket, config, sessions);
  });
  return new Promise((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException): void => {
      const hint = error.code === 'EADDRINUSE' ? '; pick another with --pg-port, or stop what uses it' : '';
      reject(
        new SluiceError('INVALID_CONFIG', `cannot listen for PostgreSQL clients on ${config.host}:${config.port}: ${error.message}${hint}`, { cause: error }),
      );
    };
    server.once('error', onError);
    server.listen(config.port, config.host, () => {
      server.off('error', onError);
      resolve({
        port: (server.address() as AddressInfo).port,
        host: config.host,
        close: () =>
          new Promise<void>((done) => {
            server.close(() => done());
            for (const socket of sockets) socket.destroy();
            for (const session of sessions) void session.close();
          }),
      });
    });
  });
}
