// The HTTP API and the web UI of one opened project, as a Hono app (served by `sluice dev`, tested with app.request()).
import { Hono } from 'hono';
import type { AutomationDaemon } from '../automation/daemon.js';
import type { Sluice } from '../runtime/sluice.js';
import type { ApiDeps, ApiEnv } from './api-context.js';
import { errorResponse, HttpError } from './api-errors.js';
import type { SharedAccess } from './auth/shared-access.js';
import { localDevPrincipal, type PrincipalResolver } from '../access/principal.js';
import { assetRoutes } from './routes/asset-routes.js';
import { automationRoutes } from './routes/automation.js';
import { automationTicksRoutes } from './routes/automation-ticks-routes.js';
import { backfillRoutes } from './routes/backfill-routes.js';
import { checkRoutes } from './routes/check-routes.js';
import { checksListRoutes } from './routes/checks-list-routes.js';
import { columnLineageRoutes } from './routes/column-lineage-routes.js';
import { partitionRoutes } from './routes/partition-routes.js';
import { quarantineRoutes } from './routes/quarantine-routes.js';
import { queryRoutes } from './routes/query-routes.js';
import { warehouseChangeRoutes } from './routes/warehouse-change-routes.js';
import { governedAuditSink } from './governed-reads.js';
import { exportRoutes } from './routes/export-routes.js';
import { runRoutes } from './routes/run-routes.js';
import { streamRoutes } from './routes/stream-routes.js';
import { RunLauncher } from './run-launcher.js';
import { DEFAULT_UI_DIR, serveUi } from './static-ui.js';

/** How to build the app. */
export interface AppConfig {
  /** The built UI (default: the package's ui/dist). */
  uiDir?: string;
  /** Who is calling (default: the local developer, an admin). */
  resolvePrincipal?: PrincipalResolver;
  /** Launches and tracks runs (default: a new one; pass your own to cancel and drain runs on shutdown). */
  launcher?: RunLauncher;
  /** The automation daemon running beside the server, once it runs (default: none). */
  automation?: () => AutomationDaemon | undefined;
  /** Milliseconds between SSE heartbeats (default 15 s). */
  heartbeatMs?: number;
  /** Abort to end every open stream, so the HTTP server can close. */
  shutdown?: AbortSignal;
  /**
   * Host names the server answers to (default: loopback names), or 'any' when it listens beyond this machine.
   * A page on another site cannot reach the API through DNS rebinding, since its requests carry that site's host name.
   */
  allowedHosts?: readonly string[] | 'any';
  /** Where unexpected server errors are written (default: the project's logger). */
  log?: (line: string) => void;
  /** Authentication, CSRF checks, sign-in and the audit log of a shared server (`sluice serve`); replaces `resolvePrincipal`. */
  access?: SharedAccess;
}

/** Host names of the machine itself; `app.request()` uses `localhost`. */
export const LOOPBACK_HOSTS: readonly string[] = ['127.0.0.1', 'localhost', '[::1]', '::1'];

/**
 * Builds the API (`/api/...`) and the UI (everything else) for an opened project.
 * @example
 * const sluice = await Sluice.open({ dir: 'examples/flights' });
 * const app = createApp(sluice);
 * const { assets } = await (await app.request('/api/assets')).json();
 */
export function createApp(sluice: Sluice, config: AppConfig = {}): Hono<ApiEnv> {
  const log = config.log ?? ((line: string) => sluice.logger.error(line));
  const deps: ApiDeps = {
    sluice,
    launcher: config.launcher ?? new RunLauncher(sluice),
    automation: config.automation ?? (() => undefined),
    heartbeatMs: config.heartbeatMs ?? 15_000,
    shutdown: config.shutdown ?? new AbortController().signal,
    ...(config.access ? { readAudit: governedAuditSink(config.access.audit) } : {}),
  };
  const resolvePrincipal = config.resolvePrincipal ?? localDevPrincipal;
  const allowedHosts = config.allowedHosts === 'any' ? undefined : new Set((config.allowedHosts ?? LOOPBACK_HOSTS).map((h) => h.toLowerCase()));
  const app = new Hono<ApiEnv>();

  app.onError((error, c) => {
    const { status, body } = errorResponse(error);
    if (status === 500) log(`${c.req.method} ${c.req.path} failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    return c.json(body, status);
  });

  app.use('*', async (c, next) => {
    const host = hostName(c.req.header('host') ?? new URL(c.req.url).host);
    if (allowedHosts && !allowedHosts.has(host))
      throw new HttpError(
        403,
        'FORBIDDEN_HOST',
        `this server answers to ${[...allowedHosts].join(', ')}, not "${host}"; open it by the URL \`sluice dev\` printed`,
      );
    await next();
  });

  if (config.access) {
    app.use('/api/*', config.access.middleware);
    app.route('/auth', config.access.authRoutes);
  }

  // The one authorization point: a principal per request, and no API answer unless the route authorized it.
  app.use('/api/*', async (c, next) => {
    // A JSON content type cannot be sent cross-site without a CORS preflight, which this API never grants.
    if (c.req.method === 'POST' && !(c.req.header('content-type') ?? '').toLowerCase().startsWith('application/json')) {
      throw new HttpError(400, 'INVALID_REQUEST', `${c.req.path} takes a JSON body: send content-type application/json`);
    }
    if (!config.access) c.set('principal', await resolvePrincipal(c.req.raw));
    c.set('authorized', false);
    await next();
    if (c.res.status < 400 && !c.get('authorized')) {
      log(`${c.req.method} ${c.req.path} answered without calling guard(); refused`);
      const { status, body } = errorResponse(new Error(`route ${c.req.path} did not authorize the request`));
      c.res = c.json(body, status);
    }
  });

  app.route('/api', assetRoutes(deps));
  app.route('/api', runRoutes(deps));
  app.route('/api', streamRoutes(deps));
  app.route('/api', queryRoutes(deps));
  app.route('/api', warehouseChangeRoutes(deps));
  app.route('/api', exportRoutes(deps));
  app.route('/api', checkRoutes(deps));
  app.route('/api', automationRoutes(deps));
  if (config.access) app.route('/api', config.access.apiRoutes);
  app.route('/api', partitionRoutes(deps));
  app.route('/api', backfillRoutes(deps));
  app.route('/api', checksListRoutes(deps));
  app.route('/api', quarantineRoutes(deps));
  app.route('/api', columnLineageRoutes(deps));
  app.route('/api', automationTicksRoutes(deps));
  app.all('/api/*', (c) => {
    throw new HttpError(404, 'NOT_FOUND', `no API route ${c.req.method} ${c.req.path}; see src/server/api-types.ts for the routes`);
  });

  app.get('*', serveUi(config.uiDir ?? DEFAULT_UI_DIR));
  return app;
}

/** `localhost:3000` -> `localhost`, `[::1]:3000` -> `[::1]`. */
function hostName(host: string): string {
  const lower = host.toLowerCase();
  if (lower.startsWith('[')) return lower.slice(0, lower.indexOf(']') + 1);
  const colon = lower.lastIndexOf(':');
  return colon === -1 ? lower : lower.slice(0, colon);
}
