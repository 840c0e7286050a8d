// Resolves where OpenLineage events go: the project's `openLineage` settings, overridden by the standard OPENLINEAGE_* variables (pure).
import { isAbsolute, resolve } from 'node:path';
import { SluiceError } from '../../errors.js';
import type { OpenLineageConfig, OpenLineageTransportConfig } from '../../model/project-definition.js';

/** A transport ready to build: paths absolute, URL joined with its endpoint. */
export type ResolvedTransport = { type: 'http'; url: string; apiKey?: string; timeoutMs: number } | { type: 'file'; path: string } | { type: 'console' };

/** Everything the emitter needs to know about where and under which names to emit. */
export interface OpenLineageSettings {
  transport: ResolvedTransport;
  /** Namespace of Sluice's jobs. */
  namespace: string;
  /** Namespace of warehouse datasets. */
  datasetNamespace: string;
  /** Put before `schema.table` in dataset names: the database, on a server that holds several (PostgreSQL). */
  datasetNamePrefix?: string;
}

/** Project facts the defaults come from. */
export interface OpenLineageDefaults {
  projectName: string;
  projectDir: string;
  /** Absolute path of the warehouse file. */
  warehousePath: string;
  /** The PostgreSQL warehouse's URL (a password in it is never used), when the warehouse is PostgreSQL. */
  warehouseUrl?: string;
}

type Env = Readonly<Record<string, string | undefined>>;

const DEFAULT_ENDPOINT = 'api/v1/lineage';
const DEFAULT_TIMEOUT_MS = 5000;

const isTrue = (value: string | undefined): boolean => value !== undefined && ['true', '1', 'yes'].includes(value.trim().toLowerCase());

/**
 * The settings to emit with, or undefined when OpenLineage is off. Precedence: `OPENLINEAGE_DISABLED=true` turns
 * it off; `explicit` (from `Sluice.open`) beats the environment, which beats the project file.
 * @example
 * resolveOpenLineageSettings(undefined, { OPENLINEAGE_URL: 'http://localhost:5000' }, defaults)
 * // { transport: { type: 'http', url: 'http://localhost:5000/api/v1/lineage', timeoutMs: 5000 }, namespace: 'flights', ... }
 */
export function resolveOpenLineageSettings(
  project: OpenLineageConfig | undefined,
  env: Env,
  defaults: OpenLineageDefaults,
  explicit?: OpenLineageConfig | false,
): OpenLineageSettings | undefined {
  if (explicit === false || isTrue(env.OPENLINEAGE_DISABLED)) return undefined;
  const config = explicit ?? project ?? {};
  if (config.disabled) return undefined;
  const transportConfig = explicit ? explicit.transport : (transportFromEnv(env) ?? config.transport);
  if (!transportConfig || transportConfig.type === 'none') return undefined;
  const postgres = defaults.warehouseUrl === undefined ? undefined : postgresDatasource(defaults.warehouseUrl);
  return {
    transport: resolveTransport(transportConfig, defaults.projectDir),
    namespace: (explicit ? undefined : env.OPENLINEAGE_NAMESPACE) ?? config.namespace ?? defaults.projectName,
    datasetNamespace: config.datasetNamespace ?? postgres?.namespace ?? `duckdb://${defaults.warehousePath}`,
    ...(postgres ? { datasetNamePrefix: `${postgres.database}.` } : {}),
  };
}

/**
 * OpenLineage names PostgreSQL tables `postgres://{host}:{port}` + `{database}.{schema}.{table}` (spec/Naming.md), so
 * lineage from other tools that read or write the same tables joins Sluice's. No user or password: they name no data.
 * @example postgresDatasource('postgres://sluice:pw@db/warehouse') // { namespace: 'postgres://db:5432', database: 'warehouse' }
 */
export function postgresDatasource(url: string): { namespace: string; database: string } {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch (cause) {
    throw new SluiceError('INVALID_CONFIG', 'the PostgreSQL warehouse URL is not a valid URL; write it as postgres://USER:PASSWORD@HOST:PORT/DATABASE', {
      cause,
    });
  }
  // libpq's defaults: port 5432, and the database named after the user.
  const database = decodeURIComponent(parsed.pathname.slice(1)) || decodeURIComponent(parsed.username) || 'postgres';
  return { namespace: `postgres://${parsed.hostname}:${parsed.port || '5432'}`, database };
}

/** The transport the OpenLineage clients' environment variables describe, if any. */
function transportFromEnv(env: Env): OpenLineageTransportConfig | undefined {
  const type = env.OPENLINEAGE__TRANSPORT__TYPE?.trim().toLowerCase();
  const url = env.OPENLINEAGE__TRANSPORT__URL ?? env.OPENLINEAGE_URL;
  const http = (): OpenLineageTransportConfig => {
    if (!url) throw new SluiceError('INVALID_CONFIG', 'OpenLineage HTTP transport needs a URL: set OPENLINEAGE_URL (e.g. http://localhost:5000)');
    const apiKey = env.OPENLINEAGE__TRANSPORT__AUTH__API_KEY ?? env.OPENLINEAGE_API_KEY;
    const endpoint = env.OPENLINEAGE__TRANSPORT__ENDPOINT ?? env.OPENLINEAGE_ENDPOINT;
    const timeout = env.OPENLINEAGE__TRANSPORT__TIMEOUT;
    return {
      type: 'http',
      url,
      ...(endpoint ? { endpoint } : {}),
      ...(apiKey ? { apiKey } : {}),
      // The clients give the timeout in seconds.
      ...(timeout && Number(timeout) > 0 ? { timeoutMs: Number(timeout) * 1000 } : {}),
    };
  };
  switch (type) {
    case undefined:
    case '':
      return url ? http() : undefined;
    case 'http':
      return http();
    case 'file': {
      const path = env.OPENLINEAGE__TRANSPORT__LOG_FILE_PATH;
      if (!path)
        throw new SluiceError(
          'INVALID_CONFIG',
          'OPENLINEAGE__TRANSPORT__TYPE=file needs OPENLINEAGE__TRANSPORT__LOG_FILE_PATH (the JSON-lines file to append events to)',
        );
      return { type: 'file', path };
    }
    case 'console':
      return { type: 'console' };
    case 'noop':
    case 'none':
      return { type: 'none' };
    default:
      throw new SluiceError('INVALID_CONFIG', `OPENLINEAGE__TRANSPORT__TYPE="${type}" is not supported; use http, file, console or noop`);
  }
}

function resolveTransport(config: Exclude<OpenLineageTransportConfig, { type: 'none' }>, projectDir: string): ResolvedTransport {
  switch (config.type) {
    case 'http':
      return {
        type: 'http',
        url: endpointUrl(config.url, config.endpoint ?? DEFAULT_ENDPOINT),
        timeoutMs: config.timeoutMs ?? DEFAULT_TIMEOUT_MS,
        ...(config.apiKey ? { apiKey: config.apiKey } : {}),
      };
    case 'file':
      return { type: 'file', path: isAbsolute(config.path) ? config.path : resolve(projectDir, config.path) };
    case 'console':
      return { type: 'console' };
    default:
      throw new SluiceError(
        'INVALID_CONFIG',
        `openLineage.transport.type "${String((config as { type: unknown }).type)}" is not supported; use http, file, console or none`,
      );
  }
}

/** `http://host:5000` + `api/v1/lineage`: the endpoint is appended to the URL's path, as the OpenLineage clients do. */
function endpointUrl(base: string, endpoint: string): string {
  let url: URL;
  try {
    url = new URL(base);
  } catch (cause) {
    throw new SluiceError('INVALID_CONFIG', `OpenLineage URL "${redactUrl(base)}" is not a valid URL; give e.g. http://localhost:5000`, { cause });
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new SluiceError('INVALID_CONFIG', `OpenLineage URL "${redactUrl(base)}" must be http or https`);
  if (!url.pathname.endsWith('/')) url.pathname += '/';
  return new URL(endpoint.replace(/^\/+/, ''), url).href;
}

/**
 * A URL safe to print: user info and query string removed (they may hold credentials).
 * @example redactUrl('https://user:secret@host/api?key=1') // 'https://host/api'
 */
export function redactUrl(raw: string): string {
  try {
    const url = new URL(raw);
    url.username = '';
    url.password = '';
    url.search = '';
    return url.href;
  } catch {
    return '<invalid URL>';
  }
}

/**
 * Where events go, in words, for logs (never the API key).
 * @example describeTransport({ type: 'file', path: '/tmp/ol.jsonl' }) // 'file /tmp/ol.jsonl'
 */
export function describeTransport(transport: ResolvedTransport): string {
  switch (transport.type) {
    case 'http':
      return `HTTP POST ${redactUrl(transport.url)}`;
    case 'file':
      return `file ${transport.path}`;
    default:
      return 'console';
  }
}
