// Opens a pooled PostgreSQL connection for one role (metadata, warehouse, queue), with errors that say what to fix.
import pg from 'pg';
import { SluiceError } from '../errors.js';
import { redactUrl } from './redact-url.js';

/** What a pool is for, so a message can name the setting that points at it. */
export type PostgresRole = 'metadata' | 'warehouse' | 'queue';

/** Construction options of a pool. */
export interface PostgresPoolConfig {
  /** `postgres://user:password@host:port/database` */
  url: string;
  role: PostgresRole;
  /** Most connections the pool opens (default 10). */
  max?: number;
  /** Creates the database when it does not exist yet (connecting to the server's `postgres` database to do so). */
  createDatabase?: boolean;
  /** Server settings for every connection, e.g. `-c search_path=...`. */
  options?: string;
  /** Per-pool type parsers (never the global ones, which other libraries in the process rely on). */
  types?: pg.CustomTypesConfig;
}

const SETTING: Record<PostgresRole, string> = {
  metadata: 'SLUICE_METADATA_URL (or `metadata` in sluice.config.ts)',
  warehouse: 'SLUICE_WAREHOUSE_URL (or `warehouse` in sluice.config.ts)',
  queue: 'SLUICE_QUEUE_URL (default: the metadata URL)',
};

/** The database could not be reached or refused us; `url` has no password. */
export class DatabaseUnavailableError extends SluiceError {
  constructor(
    readonly url: string,
    readonly role: PostgresRole,
    message: string,
    options?: { cause?: unknown },
  ) {
    super('INVALID_CONFIG', message, options);
  }
}

/**
 * Opens a pool and proves it with one round trip, so a wrong URL fails here and not mid-run.
 * @example const pool = await openPostgresPool({ url: process.env.SLUICE_METADATA_URL!, role: 'metadata' });
 */
export async function openPostgresPool(config: PostgresPoolConfig): Promise<pg.Pool> {
  const pool = newPool(config);
  try {
    await pool.query('SELECT 1');
    return pool;
  } catch (error) {
    await pool.end().catch(() => undefined);
    if (config.createDatabase && pgCode(error) === '3D000') {
      await createDatabase(config);
      return openPostgresPool({ ...config, createDatabase: false });
    }
    throw describeConnectionError(error, config.url, config.role);
  }
}

/**
 * Cancels a backend's running statement (pg_cancel_backend) over a connection of its own: one taken from a pool would
 * wait behind the very statements the cancel is meant to stop whenever all of the pool's connections are busy.
 */
export async function cancelBackend(url: string, backendPid: number): Promise<void> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 10_000 });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.query('SELECT pg_cancel_backend($1)', [backendPid]);
  } finally {
    await client.end().catch(() => undefined);
  }
}

function newPool(config: PostgresPoolConfig): pg.Pool {
  const pool = new pg.Pool({
    connectionString: config.url,
    max: config.max ?? 10,
    connectionTimeoutMillis: 10_000,
    ...(config.types ? { types: config.types } : {}),
    ...(config.options ? { options: config.options } : {}),
  });
  // An idle connection the server closed (restart, pg_terminate_backend) is dropped from the pool; without a
  // listener the 'error' event would end the process. The next query opens a fresh connection.
  pool.on('error', () => undefined);
  // A checked-out connection the server drops fails its query; the client's own 'error' event must not crash us.
  pool.on('connect', (client) => client.on('error', () => undefined));
  return pool;
}

async function createDatabase(config: PostgresPoolConfig): Promise<void> {
  const target = new URL(config.url);
  const name = decodeURIComponent(target.pathname.slice(1));
  const admin = new URL(config.url);
  admin.pathname = '/postgres';
  const client = new pg.Client({ connectionString: admin.toString(), connectionTimeoutMillis: 10_000 });
  try {
    await client.connect();
    await client.query(`CREATE DATABASE ${quoteName(name)}`);
  } catch (error) {
    // Another process created it at the same moment: that is what we wanted.
    if (pgCode(error) !== '42P04') throw describeConnectionError(error, config.url, config.role);
  } finally {
    await client.end().catch(() => undefined);
  }
}

function quoteName(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/** The SQLSTATE of a PostgreSQL error, or the errno code of a socket error. */
function pgCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

/** Turns a failed connection into a message naming the URL (without its password), the cause and the fix. */
function describeConnectionError(error: unknown, url: string, role: PostgresRole): DatabaseUnavailableError {
  const shown = redactUrl(url);
  const code = pgCode(error);
  const setting = SETTING[role];
  let user = 'postgres';
  let database = '';
  try {
    const parsed = new URL(url);
    user = decodeURIComponent(parsed.username) || user;
    database = decodeURIComponent(parsed.pathname.slice(1));
  } catch {
    return new DatabaseUnavailableError(
      shown,
      role,
      `the ${role} database URL is not a valid URL; write it as postgres://USER:PASSWORD@HOST:PORT/DATABASE in ${setting}`,
    );
  }
  const what = `the PostgreSQL ${role} database at ${shown}`;
  const fix =
    code === 'ECONNREFUSED' || code === 'ENOTFOUND' || code === 'EHOSTUNREACH' || code === 'ETIMEDOUT' || /timeout/i.test(String((error as Error)?.message))
      ? `cannot reach ${what} (${code ?? 'connection timed out'}); start PostgreSQL there or correct the host and port in ${setting}`
      : code === '28P01' || code === '28000'
        ? `${what} refused the credentials of user "${user}" (${code === '28P01' ? 'wrong password' : 'not allowed to connect'}); correct the user and password in ${setting}`
        : code === '3D000'
          ? `${what} does not exist; create it (createdb ${database}) or correct the database name in ${setting}`
          : `cannot connect to ${what}: ${(error as Error)?.message ?? String(error)}; check ${setting}`;
  return new DatabaseUnavailableError(shown, role, fix, { cause: error });
}
