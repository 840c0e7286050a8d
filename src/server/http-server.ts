// Serves a Hono app over HTTP with @hono/node-server and closes it without waiting on idle or streaming connections.
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { serve } from '@hono/node-server';
import { SluiceError } from '../errors.js';

/** Anything with a fetch handler, such as a Hono app. */
export interface FetchApp {
  fetch: Parameters<typeof serve>[0]['fetch'];
}

/** Where to listen. */
export interface HttpServerOptions {
  /** 0 picks a free port. */
  port: number;
  host: string;
}

/** A listening server. */
export interface RunningHttpServer {
  /** e.g. `http://127.0.0.1:3000` */
  url: string;
  port: number;
  /** Stops accepting connections, lets open responses finish for up to `graceMs` (default 1 s), then cuts them. */
  close(graceMs?: number): Promise<void>;
}

/**
 * Starts listening; rejects with a readable error when the port is taken.
 * @example const server = await listen(createApp(sluice), { port: 3000, host: '127.0.0.1' });
 */
export function listen(app: FetchApp, options: HttpServerOptions): Promise<RunningHttpServer> {
  return new Promise((resolve, reject) => {
    const server = serve({ fetch: app.fetch, port: options.port, hostname: options.host }) as Server;
    const onError = (error: NodeJS.ErrnoException): void => {
      const hint = error.code === 'EADDRINUSE' ? `; pick another with --port, or stop what uses it` : '';
      reject(new SluiceError('INVALID_CONFIG', `cannot listen on ${options.host}:${options.port}: ${error.message}${hint}`, { cause: error }));
    };
    server.once('error', onError);
    server.once('listening', () => {
      server.off('error', onError);
      const { port } = server.address() as AddressInfo;
      const host = options.host.includes(':') ? `[${options.host}]` : options.host;
      resolve({
        url: `http://${host}:${port}`,
        port,
        close: (graceMs = 1000) =>
          new Promise<void>((done) => {
            const force = setTimeout(() => server.closeAllConnections(), graceMs);
            server.close(() => {
              clearTimeout(force);
              done();
            });
            // Idle keep-alive sockets go now; busy ones (a stream writing its last events) get the grace period.
            server.closeIdleConnections();
          }),
      });
    });
  });
}
