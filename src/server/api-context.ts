// What every route shares: the request's principal, the opened project, the run launcher, payload parsing.
import type { Context } from 'hono';
import type { z } from 'zod';
import type { AutomationDaemon } from '../automation/daemon.js';
import type { Sluice } from '../runtime/sluice.js';
import { HttpError, invalidRequest } from './api-errors.js';
import { authorize, mayRead, type Action, type Principal, type Resource } from '../access/principal.js';
import { AssetNotFoundError } from '../errors.js';
import type { RunLauncher } from './run-launcher.js';
import type { GovernedAuditSink } from '../access/governed-query/governed-reader.js';

/** Hono environment of the API: per-request variables set by the principal middleware. */
export interface ApiEnv {
  Variables: {
    principal: Principal;
    /** Set by `guard`; a response from a route that never called it is refused. */
    authorized: boolean;
    /** What the route asked permission for (set by `guard`, read by the audit log). */
    action: Action;
    resource: Resource;
    /** Set when `guard` answered "not found" for an asset the principal may not read (an audited denial). */
    concealed: boolean;
  };
}

/** Long-lived things the routes use. */
export interface ApiDeps {
  sluice: Sluice;
  launcher: RunLauncher;
  /** The automation daemon running beside the server, if any (the event routes land events through its sensors). */
  automation: () => AutomationDaemon | undefined;
  /** Milliseconds between SSE heartbeats. */
  heartbeatMs: number;
  /** Aborted when the server shuts down: open streams end so the server can close. */
  shutdown: AbortSignal;
  /** Where governed reads record what they answered or refused, with the policies applied (`sluice serve`'s audit log). */
  readAudit?: GovernedAuditSink;
}

/**
 * Authorizes the request's principal for `action` on `resource`; every route calls it before doing anything.
 * An asset the principal may not read is answered as not found, exactly like an asset that does not exist.
 * @example guard(c, 'run:launch', { kind: 'project' });
 */
export function guard(c: Context<ApiEnv>, action: Action, resource: Resource): Principal {
  const principal = c.get('principal');
  c.set('action', action);
  c.set('resource', resource);
  if (resource.kind === 'asset' && resource.id !== undefined && !mayRead(principal, resource.id)) {
    c.set('concealed', true);
    throw new AssetNotFoundError(resource.id);
  }
  authorize(principal, action, resource);
  c.set('authorized', true);
  return principal;
}

/**
 * Validates the JSON body of a request; an empty body counts as `{}`.
 * @example const body = await jsonBody(c, LaunchRunSchema, 'run request');
 */
export async function jsonBody<S extends z.ZodType>(c: Context<ApiEnv>, schema: S, what: string): Promise<z.output<S>> {
  const text = await c.req.text();
  let value: unknown = {};
  if (text.trim() !== '') {
    try {
      value = JSON.parse(text);
    } catch {
      throw new HttpError(400, 'INVALID_REQUEST', `invalid ${what}: the body is not JSON; send e.g. {"select": "*"} with content-type application/json`);
    }
  }
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw invalidRequest(what, parsed.error);
  return parsed.data;
}

/**
 * Validates query-string parameters.
 * @example const { limit } = queryParams(c, z.object({ limit: z.coerce.number().int().default(50) }), 'preview');
 */
export function queryParams<S extends z.ZodType>(c: Context<ApiEnv>, schema: S, what: string): z.output<S> {
  const parsed = schema.safeParse(c.req.query());
  if (!parsed.success) throw invalidRequest(`${what} parameters`, parsed.error);
  return parsed.data;
}
