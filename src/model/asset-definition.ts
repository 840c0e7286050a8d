// What a user declares: an asset, its compute (SQL or a TypeScript function) and its descriptive metadata.
import { SluiceError } from '../errors.js';
import { assertIdentifier, normalizeAssetKey } from './asset-key.js';
import type { PartitionsDefinition } from './partitions.js';
import type { CheckDefinition } from './check-definition.js';

/** How an asset is stored in the warehouse. */
export type AssetKind = 'table' | 'view';

/** A row of data as plain JavaScript values. */
export type Row = Record<string, unknown>;

/** SQL access given to TypeScript compute functions. Values are always bound parameters. */
export interface SqlConnection {
  /** Runs a query and returns its rows as plain objects. */
  query<T extends Row = Row>(sql: string, params?: readonly unknown[]): Promise<T[]>;
  /** Runs one or more statements, returning nothing. */
  exec(sql: string, params?: readonly unknown[]): Promise<void>;
}

/** Structured logging for compute functions; lines land in the run's event log. */
export interface AssetLogger {
  info(message: string, data?: Record<string, unknown>): void;
  warn(message: string, data?: Record<string, unknown>): void;
  error(message: string, data?: Record<string, unknown>): void;
}

/** What a TypeScript compute function receives. */
export interface AssetContext {
  runId: string;
  assetKey: string;
  /** The partition being built, when the asset is partitioned. */
  partition?: string;
  /** Directory of the project definition: resolve relative source paths against it. */
  projectDir: string;
  /** The warehouse connection. */
  sql: SqlConnection;
  /**
   * The quoted relation the function must create (a staging table Sluice swaps in after it succeeds),
   * e.g. `CREATE TABLE ${ctx.target} AS SELECT ...`. Ignored when the function returns rows.
   */
  target: string;
  log: AssetLogger;
  signal: AbortSignal;
  /**
   * A second table this asset writes next to its own (e.g. `events_quarantine`): returns the quoted staging
   * relation to create; Sluice publishes it in the same transaction as the asset, or not at all.
   */
  sideOutput(name: string): string;
  /** Adds JSON-serializable facts (e.g. ingestion counts) to this materialization's recorded metadata. */
  addMetadata(entries: Record<string, unknown>): void;
}

/** A TypeScript compute: either fills `ctx.target` itself or returns the rows to store. */
export type ComputeFunction = (context: AssetContext) => Promise<Row[] | void> | Row[] | void;

/** Everything an author may say about an asset. Exactly one of `sql`, `sqlFile` or `compute` is required. */
export interface AssetConfig {
  /** `schema/name`; the warehouse relation is `schema.name`. */
  key: string;
  group?: string;
  kind?: AssetKind;
  /** Upstream asset keys. SQL assets get theirs inferred from the SQL; list extra ones here. */
  deps?: readonly string[];
  description?: string;
  owners?: readonly string[];
  tags?: Readonly<Record<string, string>>;
  /** Bump it when the logic changes; part of the data version. Defaults to a hash of the SQL. */
  codeVersion?: string;
  /** A SELECT statement producing the asset. */
  sql?: string;
  /** Path of a `.sql` file holding the SELECT statement (relative to the project directory). */
  sqlFile?: string;
  compute?: ComputeFunction;
  /** Attempts after the first failure (default 0). */
  retries?: number;
  /** Delay before the first retry, doubled at each attempt (default 500 ms). */
  retryDelayMs?: number;
  /**
   * Splits a table into partitions built one at a time. The SQL sees the partition as the named
   * parameters `$partition_key`, `$partition_start` and `$partition_end` (UTC, 'YYYY-MM-DD HH:MM:SS').
   */
  partitions?: PartitionsDefinition;
  /** Column holding each row's partition: a timestamp/date within the window, or the static key. */
  partitionColumn?: string;
  /**
   * Publishes each build into the existing table instead of replacing it: `append` inserts the new rows,
   * `merge` replaces the rows whose `uniqueKey` matches and inserts the rest (re-delivery is idempotent).
   */
  incremental?: IncrementalConfig;
  /** Data-quality checks; blocking ones run on the staged table and stop a bad publish. */
  checks?: readonly CheckDefinition[];
  /**
   * When the automation daemon materializes this asset by itself; several conditions mean any of them.
   * `{ type: 'upstream_changed' }`, `{ type: 'cron', cron: '0 3 * * *', timezone: 'America/New_York' }`,
   * `{ type: 'fresh_within', minutes: 60 }`, `{ type: 'missing' }` (see README "Automation"). `upstream_changed`
   * may take `minIntervalSeconds`: an asset that follows a stream of small batches is then rebuilt at most that often.
   */
  automation?: AutomationCondition | readonly AutomationCondition[];
  /**
   * Column lineage of a TypeScript compute, which Sluice cannot analyse: each output column and the
   * upstream columns it comes from, as `schema/name.column` or `file:<path>.column`, e.g.
   * `{ delay: ['file:data/flights.parquet.delay'], _batch_id: [] }`. SQL assets get theirs inferred.
   */
  columnLineage?: Readonly<Record<string, readonly string[]>>;
}

/** How an incremental table takes each new batch. */
export type IncrementalConfig = ({ strategy: 'append' } | { strategy: 'merge'; uniqueKey: readonly string[] }) & {
  /**
   * A column of the batch holding why a row cannot be published (NULL when it can). Such rows go to
   * `<schema>.<name>_quarantine` with the reason, in the same transaction, and the rest of the batch is
   * published: one untypeable row never stops a stream. With `merge`, a rejected row's key leaves the table.
   */
  rejectColumn?: string;
  /**
   * A column of the batch that is true (or not null) for tombstones: rows that remove their key from the table
   * and are not kept anywhere (e.g. an aggregate whose group became empty after a correction).
   */
  deleteColumn?: string;
};

/**
 * A declarative automation condition, evaluated by the daemon (`sluice daemon`, `sluice dev`):
 * `upstream_changed` when an upstream asset has new data since this one was built; `cron` at each tick;
 * `fresh_within` when the latest materialization is older than `minutes`; `missing` when never built.
 */
export type AutomationCondition =
  | { type: 'upstream_changed'; minIntervalSeconds?: number }
  | { type: 'cron'; cron: string; timezone?: string }
  | { type: 'fresh_within'; minutes: number }
  | { type: 'missing' };

/** A validated asset definition, as the graph and the runtime see it. */
export interface AssetDefinition {
  key: string;
  group: string;
  kind: AssetKind;
  /** Dependencies declared by the author (normalized keys). */
  declaredDeps: readonly string[];
  description?: string;
  owners: readonly string[];
  tags: Readonly<Record<string, string>>;
  codeVersion?: string;
  sql?: string;
  /** Where the SQL came from, for error messages. */
  sqlSource?: string;
  /** A `.sql` file the project loader reads (relative to the project directory). */
  sqlFile?: string;
  compute?: ComputeFunction;
  retries: number;
  retryDelayMs: number;
  partitions?: PartitionsDefinition;
  partitionColumn?: string;
  incremental?: IncrementalConfig;
  checks: readonly CheckDefinition[];
  /** Automation conditions (any of them launches a run); absent when the daemon leaves the asset alone. */
  automation?: readonly AutomationCondition[];
  /** Column lineage declared by the author (see `AssetConfig.columnLineage`). */
  columnLineage?: Readonly<Record<string, readonly string[]>>;
}

/** Validates and copies the partitioning and incremental settings. */
function applyPublishing(definition: AssetDefinition, config: AssetConfig): void {
  const { key } = definition;
  if (config.partitions || config.incremental) {
    if (definition.kind !== 'table') throw invalid(key, "only tables can be partitioned or incremental; remove `kind: 'view'`");
  }
  if (config.partitions && config.incremental) throw invalid(key, 'choose `partitions` or `incremental`, not both');
  if (config.partitions) {
    if (config.partitionColumn === undefined) throw invalid(key, "a partitioned asset needs `partitionColumn`, the column that holds each row's partition");
    definition.partitions = config.partitions;
    definition.partitionColumn = assertIdentifier(config.partitionColumn, `partitionColumn of asset "${key}"`);
  } else if (config.partitionColumn !== undefined) {
    throw invalid(key, '`partitionColumn` needs `partitions`');
  }
  if (config.incremental) {
    const incremental = config.incremental;
    if (incremental.strategy === 'merge') {
      if (!Array.isArray(incremental.uniqueKey) || incremental.uniqueKey.length === 0)
        throw invalid(key, 'incremental `merge` needs `uniqueKey`: one or more columns');
      definition.incremental = { strategy: 'merge', uniqueKey: incremental.uniqueKey.map((c) => assertIdentifier(c, `uniqueKey of asset "${key}"`)) };
    } else if (incremental.strategy === 'append') {
      definition.incremental = { strategy: 'append' };
    } else {
      throw invalid(key, `incremental strategy "${String((incremental as { strategy: unknown }).strategy)}" is not "append" or "merge"`);
    }
    if (incremental.rejectColumn !== undefined && incremental.deleteColumn !== undefined)
      throw invalid(key, 'incremental takes `rejectColumn` (quarantine) or `deleteColumn` (tombstones), not both');
    if (incremental.rejectColumn !== undefined)
      definition.incremental.rejectColumn = assertIdentifier(incremental.rejectColumn, `rejectColumn of asset "${key}"`);
    if (incremental.deleteColumn !== undefined)
      definition.incremental.deleteColumn = assertIdentifier(incremental.deleteColumn, `deleteColumn of asset "${key}"`);
  }
}

/** Validates the automation conditions' shape (cron expressions are checked by the daemon, which owns croner). */
function automationOf(key: string, config: AutomationCondition | readonly AutomationCondition[]): AutomationCondition[] {
  const list: readonly AutomationCondition[] = Array.isArray(config) ? config : [config as AutomationCondition];
  return list.map((condition) => {
    switch (condition?.type) {
      case 'upstream_changed':
        if (condition.minIntervalSeconds !== undefined && !(condition.minIntervalSeconds >= 0))
          throw invalid(key, "automation `upstream_changed` takes `minIntervalSeconds` >= 0, e.g. { type: 'upstream_changed', minIntervalSeconds: 10 }");
        return { type: 'upstream_changed', ...(condition.minIntervalSeconds !== undefined ? { minIntervalSeconds: condition.minIntervalSeconds } : {}) };
      case 'missing':
        return { type: 'missing' };
      case 'cron':
        if (typeof condition.cron !== 'string' || condition.cron.trim() === '')
          throw invalid(key, "automation `cron` needs a cron expression, e.g. { type: 'cron', cron: '0 3 * * *' }");
        return { type: 'cron', cron: condition.cron, ...(condition.timezone !== undefined ? { timezone: condition.timezone } : {}) };
      case 'fresh_within':
        if (typeof condition.minutes !== 'number' || !(condition.minutes > 0))
          throw invalid(key, "automation `fresh_within` needs `minutes` > 0, e.g. { type: 'fresh_within', minutes: 60 }");
        return { type: 'fresh_within', minutes: condition.minutes };
      default:
        throw invalid(key, `automation condition ${JSON.stringify(condition)} is not one of upstream_changed, cron, fresh_within, missing`);
    }
  });
}

function invalid(key: string, problem: string): SluiceError {
  return new SluiceError('INVALID_DEFINITION', `asset "${key}": ${problem}`);
}

/**
 * Declares a software-defined asset.
 * @example
 * export const daily = asset({
 *   key: 'gold/daily', group: 'curation', description: 'Flights per day',
 *   sql: 'SELECT flight_date, count(*) AS flights FROM silver.flights GROUP BY ALL',
 * });
 */
export function asset(config: AssetConfig): AssetDefinition {
  const key = normalizeAssetKey(config.key);
  const computes = [config.sql, config.sqlFile, config.compute].filter((c) => c !== undefined).length;
  if (computes !== 1) throw invalid(key, 'give exactly one of `sql`, `sqlFile` or `compute`');
  const kind = config.kind ?? 'table';
  if (kind !== 'table' && kind !== 'view') throw invalid(key, `kind "${String(kind)}" is not "table" or "view"`);
  if (kind === 'view' && config.compute) throw invalid(key, 'a view must be defined by `sql` or `sqlFile`');
  const group = config.group ?? 'default';
  assertIdentifier(group, `group of asset "${key}"`);
  const retries = config.retries ?? 0;
  if (!Number.isInteger(retries) || retries < 0) throw invalid(key, '`retries` must be a whole number >= 0');
  const definition: AssetDefinition = {
    key,
    group,
    kind,
    declaredDeps: (config.deps ?? []).map(normalizeAssetKey),
    owners: [...(config.owners ?? [])],
    tags: { ...(config.tags ?? {}) },
    retries,
    retryDelayMs: config.retryDelayMs ?? 500,
    checks: [...(config.checks ?? [])],
  };
  if (config.description !== undefined) definition.description = config.description;
  if (config.codeVersion !== undefined) definition.codeVersion = config.codeVersion;
  if (config.compute) definition.compute = config.compute;
  if (config.sql !== undefined) {
    definition.sql = config.sql;
    definition.sqlSource = 'inline SQL';
  }
  if (config.sqlFile !== undefined) definition.sqlFile = config.sqlFile;
  applyPublishing(definition, config);
  if (config.columnLineage !== undefined)
    definition.columnLineage = Object.fromEntries(Object.entries(config.columnLineage).map(([c, refs]) => [c, [...refs]]));
  if (config.automation !== undefined) definition.automation = automationOf(key, config.automation);
  return Object.freeze(definition);
}
