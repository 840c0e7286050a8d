// A project: its assets and where its warehouse and metadata live.
import { SluiceError } from '../errors.js';
import type { AccessDefinition } from './access-definition.js';
import type { AssetDefinition } from './asset-definition.js';
import { normalizeAssetKey } from './asset-key.js';
import type { CheckDefinition } from './check-definition.js';
import type { EventSchema } from './event-schema.js';
import type { PoliciesDefinition } from './policy-definition.js';

/** Where OpenLineage run events go (the standard OPENLINEAGE_* environment variables override it). */
export type OpenLineageTransportConfig =
  | { type: 'http'; url: string; endpoint?: string; apiKey?: string; timeoutMs?: number }
  | { type: 'file'; path: string }
  | { type: 'console' }
  | { type: 'none' };

/** OpenLineage settings of a project. */
export interface OpenLineageConfig {
  transport?: OpenLineageTransportConfig;
  /** Namespace of the jobs (default: the project name). */
  namespace?: string;
  /** Namespace of the warehouse's datasets (default: `duckdb://<warehouse path>`). */
  datasetNamespace?: string;
  disabled?: boolean;
}

/** A cron schedule that materializes a selection, evaluated by the automation daemon. */
export interface ScheduleDefinition {
  /** Unique among schedules and sensors: letters, digits, `_` and `-`. */
  name: string;
  /** Five-field cron or a nickname such as `@daily`, read in `timezone`. */
  cron: string;
  /** IANA time zone (default `UTC`). */
  timezone?: string;
  /** Assets to materialize at each tick (the selection language of `--select`). */
  select: string;
  /** Ticks missed while no daemon ran: `skip`, `latest` (default: one catch-up run) or `all` (each, up to `maxCatchUp`). */
  missedTicks?: 'skip' | 'latest' | 'all';
  maxCatchUp?: number;
  /** Whether it runs before anyone says `sluice automation on|off NAME` (default true). */
  enabled?: boolean;
  description?: string;
}

/** What every sensor has. */
interface SensorBase {
  /** Unique among schedules and sensors: letters, digits, `_` and `-`. */
  name: string;
  /** Assets to materialize when the sensor fires. */
  select: string;
  /** Whether it runs before anyone says `sluice automation on|off NAME` (default true). */
  enabled?: boolean;
  description?: string;
}

/** Fires when files appear or change in a folder (e.g. a landing folder that source systems write to). */
export interface FileSensorDefinition extends SensorBase {
  type: 'file';
  /** Folder to watch, relative to the project folder. */
  path: string;
  /** File name pattern with `*` and `?` (default `*`). */
  pattern?: string;
}

/**
 * Events sent to `POST /api/events/<source>` (and, with `nats`, read from a JetStream stream) are appended
 * durably to the warehouse table `landing.<source>` (`_seq`, `_received_at`, `_origin`, `payload` JSON);
 * the sensor then materializes `select` at once, coalescing arrivals while a run is in flight.
 */
export interface EventSensorDefinition extends SensorBase {
  type: 'events';
  /** Source name: an identifier, also the landing table's name. */
  source: string;
  /** What each event must look like (default: an integer `event_id`); events that do not fit are quarantined at the door. */
  event?: EventSchema;
  /** Also consume a NATS JetStream stream; messages are acknowledged only after they are landed. */
  nats?: { servers?: string | readonly string[]; stream: string; subjects?: readonly string[]; durable?: string };
}

/** Something outside the asset graph that starts runs. */
export type SensorDefinition = FileSensorDefinition | EventSensorDefinition;

/** What `sluice.config.ts` declares. */
export interface ProjectConfig {
  name?: string;
  /** Asset definitions; nested arrays (e.g. from `sqlAssets()`) are flattened. */
  assets: readonly (AssetDefinition | readonly AssetDefinition[])[];
  /**
   * DuckDB warehouse file, relative to the project directory (default `data/warehouse.duckdb`), or a PostgreSQL
   * database (`url: 'postgres://...'`; SLUICE_WAREHOUSE_URL overrides it, and keeps the password out of the file).
   */
  warehouse?: { path?: string; url?: string };
  /** SQLite metadata file, relative to the project directory (default `data/sluice.sqlite`), or a PostgreSQL `url` (SLUICE_METADATA_URL overrides it). */
  metadata?: { path?: string; url?: string };
  /** Tables that SQL assets may read although no asset defines them (`schema/name`). */
  externalTables?: readonly string[];
  /** Checks per asset key, for assets defined in `.sql` files (TypeScript assets may also set `checks`). */
  checks?: Readonly<Record<string, readonly CheckDefinition[]>>;
  /** How many assets may build at once (default 4). */
  concurrency?: number;
  /** Emit OpenLineage run events (off unless set here or by OPENLINEAGE_* environment variables). */
  openLineage?: OpenLineageConfig;
  /** Cron schedules run by the automation daemon (`sluice daemon`, `sluice dev`). */
  schedules?: readonly ScheduleDefinition[];
  /** File and event sensors run by the automation daemon. */
  sensors?: readonly SensorDefinition[];
  /** Row filters, column masks and sensitivity tags per asset key (docs/governed-access.md). */
  policies?: PoliciesDefinition;
  /** Users, groups and grants of a shared server (`sluice serve` requires it; docs/sharing-with-a-team.md). */
  access?: AccessDefinition;
}

/** A validated project declaration (the asset graph is built when the project is loaded). */
export interface ProjectDefinition {
  readonly kind: 'sluice-project';
  name: string;
  assets: readonly AssetDefinition[];
  warehousePath: string;
  metadataPath: string;
  /** PostgreSQL warehouse and metadata databases, when the project names them (docs/production.md). */
  warehouseUrl?: string;
  metadataUrl?: string;
  externalTables: readonly string[];
  /** Project-level checks by normalized asset key. */
  checks: Readonly<Record<string, readonly CheckDefinition[]>>;
  concurrency: number;
  openLineage?: OpenLineageConfig;
  schedules?: readonly ScheduleDefinition[];
  sensors?: readonly SensorDefinition[];
  /** Policies by normalized asset key. */
  policies?: PoliciesDefinition;
  /** Validated when a server starts, against the asset graph (selections of scoped grants). */
  access?: AccessDefinition;
}

/**
 * Declares a project; export it from `sluice.config.ts` as `project`.
 * @example
 * export const project = defineProject({ name: 'flights', assets: [bronzeFlights, ...sqlAssets('sql')] });
 */
export function defineProject(config: ProjectConfig): ProjectDefinition {
  if (!config || !Array.isArray(config.assets)) {
    throw new SluiceError('INVALID_CONFIG', 'defineProject needs `assets`: an array of asset() definitions');
  }
  const concurrency = config.concurrency ?? 4;
  if (!Number.isInteger(concurrency) || concurrency < 1) {
    throw new SluiceError('INVALID_CONFIG', `concurrency must be a whole number >= 1, got ${String(config.concurrency)}`);
  }
  return {
    kind: 'sluice-project',
    name: config.name ?? 'sluice',
    assets: config.assets.flat(),
    warehousePath: config.warehouse?.path ?? 'data/warehouse.duckdb',
    metadataPath: config.metadata?.path ?? 'data/sluice.sqlite',
    ...(config.warehouse?.url !== undefined ? { warehouseUrl: postgresUrl(config.warehouse.url, 'warehouse.url') } : {}),
    ...(config.metadata?.url !== undefined ? { metadataUrl: postgresUrl(config.metadata.url, 'metadata.url') } : {}),
    externalTables: [...new Set([...(config.externalTables ?? []).map(normalizeAssetKey), ...landingTables(config)])],
    checks: Object.fromEntries(Object.entries(config.checks ?? {}).map(([key, list]) => [normalizeAssetKey(key), [...list]])),
    concurrency,
    ...(config.openLineage ? { openLineage: config.openLineage } : {}),
    ...automationOf(config),
    policies: Object.fromEntries(Object.entries(config.policies ?? {}).map(([key, policy]) => [normalizeAssetKey(key), policy])),
    ...(config.access !== undefined ? { access: config.access } : {}),
  };
}

/** A PostgreSQL connection URL, or a clear error naming the setting (never echoing the value: it may hold a password). */
function postgresUrl(url: string, setting: string): string {
  if (!/^postgres(ql)?:\/\//.test(url)) {
    throw new SluiceError(
      'INVALID_CONFIG',
      `${setting} must be a PostgreSQL URL (postgres://USER:PASSWORD@HOST:PORT/DATABASE); for a file use \`path\` instead`,
    );
  }
  return url;
}

const AUTOMATION_NAME = /^[A-Za-z_][A-Za-z0-9_-]{0,62}$/;

/** Event sensors land their events in `landing.<source>`, which SQL assets may then read. */
function landingTables(config: ProjectConfig): string[] {
  return (config.sensors ?? []).flatMap((s) => (s.type === 'events' ? [normalizeAssetKey(`landing/${s.source}`)] : []));
}

/** Checks schedule and sensor names. */
function automationOf(config: ProjectConfig): Pick<ProjectDefinition, 'schedules' | 'sensors'> {
  const schedules = [...(config.schedules ?? [])];
  const sensors = [...(config.sensors ?? [])];
  if (schedules.length === 0 && sensors.length === 0) return {};
  const names = new Set<string>();
  for (const item of [...schedules, ...sensors]) {
    const what = 'type' in item ? `sensor "${item.name}"` : `schedule "${item.name}"`;
    if (typeof item.name !== 'string' || !AUTOMATION_NAME.test(item.name))
      throw new SluiceError('INVALID_CONFIG', `${what}: the name must start with a letter or _ and hold only letters, digits, _ and -`);
    if (names.has(item.name)) throw new SluiceError('INVALID_CONFIG', `${what} is defined more than once; give each schedule and sensor a unique name`);
    if (typeof item.select !== 'string' || item.select.trim() === '')
      throw new SluiceError('INVALID_CONFIG', `${what} needs \`select\`, e.g. select: 'group:dim_ingestion+'`);
    names.add(item.name);
  }
  return { schedules, sensors };
}
