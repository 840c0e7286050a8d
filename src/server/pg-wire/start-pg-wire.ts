// `--pg-port`: the wire-protocol server of `sluice dev` and `sluice serve`, wired to the project's governed reads.
import type { AuditLog } from '../../access/audit/audit-log.js';
import type { AccessControl } from '../../access/grants/access-control.js';
import type { GovernedAuditEntry } from '../../access/governed-query/governed-reader.js';
import { verifyApiToken } from '../../access/identity/api-tokens.js';
import { LOCAL_DEV_PRINCIPAL, type Principal } from '../../access/principal.js';
import { SluiceError } from '../../errors.js';
import type { Sluice } from '../../runtime/sluice.js';
import type { AccessStore } from '../../store/access-store.js';
import { governedReads } from '../governed-reads.js';
import { governedWireDescribe, governedWireQuery } from './governed-wire-query.js';
import { startPgWireServer, type PgWireServer } from './pg-wire-server.js';
import { sluiceWireBackend } from './sluice-wire-backend.js';

/** The access layer of a shared server: tokens to check, users to build principals for, the audit log. */
export interface PgWireAccess {
  access: AccessControl;
  store: AccessStore;
  audit: AuditLog;
}

/** Where to listen and who may connect. */
export interface SluicePgWireOptions {
  /** 0 picks a free port. */
  port: number;
  host: string;
  /**
   * With it, each connection signs in as a configured user whose password is one of their API tokens, and every
   * query is audited. Without it (`sluice dev` on a loopback address) the local developer connects without one.
   */
  access?: PgWireAccess;
  /** Rows a statement returns at most (default 100,000); a cut result comes with a notice. */
  maxRows?: number;
  log?: (line: string) => void;
}

const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost']);

function auditSink(access: PgWireAccess | undefined): (entry: GovernedAuditEntry) => Promise<void> {
  return async (entry) => {
    await access?.audit.record({
      principal: entry.principal.id,
      action: 'query:sql',
      resource: `pg-wire ${entry.assets.join(', ') || '(no assets)'}`,
      query: entry.sql,
      rows: entry.rows ?? null,
      allowed: entry.allowed,
      status: entry.allowed ? 200 : 403,
      client: 'pg-wire',
      detail: entry.reason ?? entry.policies?.join('; ') ?? null,
    });
  };
}

/**
 * Serves the project over the PostgreSQL protocol: every query through the governed read path, the catalog
 * narrowed to what the connecting principal may read.
 * @example const pg = await startSluicePgWire(sluice, { port: 5433, host: '127.0.0.1' }); // psql -h 127.0.0.1 -p 5433
 */
export async function startSluicePgWire(sluice: Sluice, options: SluicePgWireOptions): Promise<PgWireServer> {
  const { access } = options;
  if (!access && !LOOPBACK.has(options.host)) {
    throw new SluiceError(
      'INVALID_CONFIG',
      `the PostgreSQL port would accept anyone on ${options.host} without a password; bind 127.0.0.1, or declare access users and connect with an API token`,
    );
  }
  const reads = governedReads(sluice, auditSink(access));
  const query = async (principal: Principal, sql: string, params: readonly unknown[]) =>
    governedWireQuery(await reads.reader(), sluice.warehouse, options.maxRows)(principal, sql, params);
  const describe = async (principal: Principal, sql: string) => governedWireDescribe(await reads.reader(), sluice.warehouse)(principal, sql);
  const authenticate = async (user: string, password: string | undefined): Promise<Principal | undefined> => {
    if (!access) return LOCAL_DEV_PRINCIPAL;
    const check = password === undefined ? undefined : await verifyApiToken(access.store, password);
    const principal = check?.ok && check.token.user === user ? access.access.principalFor(user) : undefined;
    if (!principal) {
      // The reason names the token's id at most, never its secret.
      const reason = !check ? 'no password' : check.ok ? `the token belongs to another user than "${user}"` : check.reason;
      await access.audit.record({ principal: user, action: 'sign-in', resource: 'pg-wire', allowed: false, status: 401, client: 'pg-wire', detail: reason });
    }
    return principal;
  };
  const server = await startPgWireServer({
    port: options.port,
    host: options.host,
    auth: access ? 'password' : 'trust',
    backend: sluiceWireBackend({ sluice, query, describe, authenticate }),
    ...(options.log ? { log: options.log } : {}),
  });
  options.log?.(
    `  PostgreSQL: psql -h ${options.host} -p ${server.port} -U ${access ? 'USER (password: an API token of USER)' : 'local'} -d ${sluice.project.definition.name}`,
  );
  return server;
}
