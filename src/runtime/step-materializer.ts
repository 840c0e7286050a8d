// Builds one asset: stage, (audit), publish atomically, then measure what was published.
import { SluiceError } from '../errors.js';
import type { AssetDefinition, AssetLogger } from '../model/asset-definition.js';
import { assertIdentifier, parseAssetKey, quoteIdentifier, quoteQualified, type QualifiedName } from '../model/asset-key.js';
import type { ColumnInfo, ColumnStats, PublishRejects, TableProfile, WarehouseSession } from '../engine/warehouse.js';
import { isTimePartitioned, partitionWindow } from '../model/partitions.js';
import { codeVersionOf, contentDataVersion, derivedDataVersion } from './versions.js';

/** What building one asset needs. */
export interface StepInput {
  asset: AssetDefinition;
  runId: string;
  projectDir: string;
  session: WarehouseSession;
  signal: AbortSignal;
  log: AssetLogger;
  /** Latest data version of each upstream asset. */
  inputVersions: Record<string, string | null>;
  /** Runs against the staged table before it is published; throwing keeps the old table. */
  audit?: (staging: QualifiedName) => Promise<void>;
  /** The partition to build, for partitioned assets. */
  partition?: string;
  /** Named parameters the asset's SQL uses (`$partition_start`...), as the engine parsed them. */
  sqlParameters?: readonly string[];
}

/** What was published. */
export interface StepResult {
  rowCount: number | null;
  schema: ColumnInfo[];
  columnStats: ColumnStats[];
  codeVersion: string;
  dataVersion: string;
  sql: string | null;
  /** Rows of this build's batch, for incremental and partitioned tables (rowCount is the whole table). */
  batchRows?: number;
  /** Side outputs published with the asset, by relation name (an incremental quarantine: rows of this batch, and its reason column). */
  sideOutputs?: Record<string, { rowCount: number; reasonColumn?: string }>;
  /** Metadata the compute function added with `ctx.addMetadata`. */
  userMetadata?: Record<string, unknown>;
}

/**
 * Materializes one asset. Tables are built under a staging name and swapped in only when complete
 * (and audited), so a failure leaves the previously published version untouched.
 * @example const result = await materializeStep({ asset, runId, projectDir, session, signal, log, inputVersions: {} });
 */
export async function materializeStep(input: StepInput): Promise<StepResult> {
  const { asset, session, signal } = input;
  const target = parseAssetKey(asset.key);
  const codeVersion = codeVersionOf(asset);
  const onAbort = (): void => session.interrupt();
  signal.addEventListener('abort', onAbort, { once: true });
  try {
    if (signal.aborted) throw new SluiceError('RUN_CANCELED', `asset "${asset.key}" was canceled before it started`);
    if (asset.kind === 'view') {
      if (input.audit) await auditView(input, target);
      await withSqlContext(asset, () => session.publishView(target, asset.sql!));
      const schema = (await session.describe(target)) ?? [];
      return { rowCount: null, schema, columnStats: [], codeVersion, dataVersion: derivedDataVersion(codeVersion, input.inputVersions), sql: asset.sql! };
    }
    const bindings = sqlBindings(input);
    // Nothing to run between build and publish (no audit): the engine may publish the query's result at once.
    if (asset.sql !== undefined && !input.audit && !asset.partitions && !asset.incremental && session.publishQuery) {
      const profile = await withSqlContext(asset, () => session.publishQuery!(target, asset.sql!, bindings));
      if (profile) return { ...measured(profile, undefined), codeVersion, sql: asset.sql };
    }
    const staging = await session.stagingName(target, input.runId);
    const sides: SideOutput[] = [];
    const userMetadata: Record<string, unknown> = {};
    const extras = (): Pick<StepResult, 'userMetadata'> => (Object.keys(userMetadata).length > 0 ? { userMetadata } : {});
    try {
      await buildStaging(input, staging, bindings, sides, userMetadata);
      if (input.audit) await input.audit(staging);
      if (!asset.partitions && !asset.incremental) {
        const measured = await measure(session, staging, asset.sql !== undefined);
        const sideOutputs = await measureSides(session, sides);
        await session.publishTables([{ staging, target }, ...sides]);
        return { ...measured, codeVersion, sql: asset.sql ?? null, ...(sides.length > 0 ? { sideOutputs } : {}), ...extras() };
      }
      if (sides.length > 0)
        throw new SluiceError(
          'COMPUTE_ERROR',
          `asset "${asset.key}": side outputs are only supported on fully rebuilt tables, not on partitioned or incremental ones; an incremental asset quarantines rows with \`incremental.rejectColumn\``,
        );
      const batchRows = await session.rowCount(staging);
      const rejects = rejectsOf(asset, target);
      const quarantined = rejects?.quarantine;
      const rejected = quarantined ? await countRejected(session, staging, rejects.column) : 0;
      await publishInto(input, staging, target, rejects);
      if (quarantined && rejected > 0)
        input.log.warn(
          `${rejected} row(s) of this batch quarantined in ${quarantined.schema}.${quarantined.name} (see its ${rejects.column} column); the rest was published`,
        );
      const quarantine = quarantined
        ? { sideOutputs: { [`${quarantined.schema}.${quarantined.name}`]: { rowCount: rejected, reasonColumn: rejects.column } } }
        : {};
      return { ...(await measure(session, target, false)), batchRows, codeVersion, sql: asset.sql ?? null, ...quarantine, ...extras() };
    } catch (error) {
      for (const relation of [staging, ...sides.map((side) => side.staging)]) await session.dropRelation(relation).catch(() => undefined);
      throw error;
    }
  } finally {
    signal.removeEventListener('abort', onAbort);
  }
}

/** Checks a view before it replaces the published one, through a staging view of the same SQL. */
async function auditView(input: StepInput, target: QualifiedName): Promise<void> {
  const { asset, session } = input;
  const staging = await session.stagingName(target, input.runId);
  try {
    await withSqlContext(asset, () => session.publishView(staging, asset.sql!));
    await input.audit!(staging);
  } finally {
    await session.dropRelation(staging).catch(() => undefined);
  }
}

/** Values for the named parameters an asset's SQL may use; only the ones it uses are bound. */
function sqlBindings(input: StepInput): Record<string, unknown> {
  const available: Record<string, unknown> = { run_id: input.runId };
  const { partitions } = input.asset;
  if (partitions && input.partition !== undefined) {
    available.partition_key = input.partition;
    if (isTimePartitioned(partitions)) {
      const window = partitionWindow(partitions, input.partition);
      available.partition_start = utcTimestamp(window.start);
      available.partition_end = utcTimestamp(window.end);
    }
  }
  const bindings: Record<string, unknown> = {};
  for (const name of input.sqlParameters ?? []) {
    if (!(name in available)) {
      throw new SluiceError(
        'INVALID_DEFINITION',
        `asset "${input.asset.key}": its SQL uses $${name}, which Sluice does not provide; available: ${Object.keys(available)
          .map((k) => `$${k}`)
          .join(', ')}`,
      );
    }
    bindings[name] = available[name];
  }
  return bindings;
}

/** 'YYYY-MM-DD HH:MM:SS' in UTC: DuckDB casts it to TIMESTAMP without time-zone surprises. */
function utcTimestamp(date: Date): string {
  return date.toISOString().slice(0, 19).replace('T', ' ');
}

/** Rows an incremental asset does not publish: rejected ones go to `<schema>.<name>_quarantine`; tombstones only remove their key. */
function rejectsOf(asset: AssetDefinition, target: QualifiedName): PublishRejects | undefined {
  const { rejectColumn, deleteColumn } = asset.incremental ?? {};
  if (deleteColumn) return { column: deleteColumn };
  return rejectColumn
    ? { column: rejectColumn, quarantine: { schema: target.schema, name: assertIdentifier(`${target.name}_quarantine`, `quarantine of asset "${asset.key}"`) } }
    : undefined;
}

async function countRejected(session: WarehouseSession, staging: QualifiedName, column: string): Promise<number> {
  const columns = await session.describe(staging);
  if (!columns?.some((c) => c.name === column)) return 0;
  const [row] = await session.query<{ n: number | bigint }>(
    `SELECT count(*) AS n FROM ${quoteQualified(staging)} WHERE ${quoteIdentifier(column)} IS NOT NULL`,
  );
  return Number(row?.n ?? 0);
}

async function publishInto(input: StepInput, staging: QualifiedName, target: QualifiedName, rejects?: PublishRejects): Promise<void> {
  const { asset, session } = input;
  if (asset.partitions) {
    if (input.partition === undefined)
      throw new SluiceError('INVALID_SELECTION', `asset "${asset.key}" is partitioned; pass a partition (--partition KEY) or use sluice backfill`);
    const column = asset.partitionColumn!;
    if (isTimePartitioned(asset.partitions)) {
      const window = partitionWindow(asset.partitions, input.partition);
      await session.publishPartition(staging, target, { column, start: utcTimestamp(window.start), end: utcTimestamp(window.end) });
    } else {
      await session.publishPartition(staging, target, { column, equals: input.partition });
    }
  } else if (asset.incremental?.strategy === 'merge') {
    await session.publishMerge(staging, target, asset.incremental.uniqueKey, rejects);
  } else {
    await session.publishAppend(staging, target, rejects);
  }
}

/** A secondary table a compute function writes, published with the asset. */
interface SideOutput {
  staging: QualifiedName;
  target: QualifiedName;
}

async function measureSides(session: WarehouseSession, sides: readonly SideOutput[]): Promise<Record<string, { rowCount: number }>> {
  const out: Record<string, { rowCount: number }> = {};
  for (const side of sides) {
    if (!(await session.describe(side.staging))) {
      throw new SluiceError(
        'COMPUTE_ERROR',
        `side output "${side.target.schema}.${side.target.name}" was requested but never created; create it with CREATE TABLE \${ctx.sideOutput(...)} AS ...`,
      );
    }
    out[`${side.target.schema}.${side.target.name}`] = { rowCount: await session.rowCount(side.staging) };
  }
  return out;
}

async function buildStaging(
  input: StepInput,
  staging: QualifiedName,
  bindings: Record<string, unknown>,
  sides: SideOutput[],
  userMetadata: Record<string, unknown>,
): Promise<void> {
  const { asset, session } = input;
  if (asset.sql !== undefined) {
    await withSqlContext(asset, () => session.stageQuery(staging, asset.sql!, bindings));
    return;
  }
  const rows = await asset.compute!({
    runId: input.runId,
    assetKey: asset.key,
    ...(input.partition !== undefined ? { partition: input.partition } : {}),
    projectDir: input.projectDir,
    sql: session,
    target: quoteQualified(staging),
    log: input.log,
    signal: input.signal,
    sideOutput: (name: string) => {
      const target = { schema: staging.schema, name: assertIdentifier(name, `side output of asset "${asset.key}"`) };
      if (target.name === parseAssetKey(asset.key).name || sides.some((s) => s.target.name === target.name)) {
        throw new SluiceError('COMPUTE_ERROR', `asset "${asset.key}": side output "${name}" is requested twice or clashes with the asset itself`);
      }
      const side = { staging: { schema: staging.schema, name: `${staging.name.slice(0, 40)}_${target.name}`.slice(0, 63) }, target };
      sides.push(side);
      return quoteQualified(side.staging);
    },
    addMetadata: (entries) => void Object.assign(userMetadata, JSON.parse(JSON.stringify(entries)) as Record<string, unknown>),
  });
  if (Array.isArray(rows)) {
    await session.stageRows(staging, rows);
  } else if (!(await session.describe(staging))) {
    throw new SluiceError(
      'COMPUTE_ERROR',
      `asset "${asset.key}": the compute function neither returned rows nor created ctx.target; return an array of rows or run \`CREATE TABLE \${ctx.target} AS ...\``,
    );
  }
}

/**
 * Schema, row count, stats and data version of a relation. A table staged from a query carries no constraints (every
 * column nullable, as CREATE TABLE AS makes it), so its profile's columns are its schema and no describe is needed.
 */
async function measure(
  session: WarehouseSession,
  relation: QualifiedName,
  stagedFromQuery: boolean,
): Promise<Pick<StepResult, 'rowCount' | 'schema' | 'columnStats' | 'dataVersion'>> {
  const described = stagedFromQuery ? undefined : ((await session.describe(relation)) ?? []);
  return measured(await session.profile(relation, described), described);
}

/** What a profile tells of a relation; without `described` columns, its profile's columns are its schema (all nullable). */
function measured(profile: TableProfile, described: ColumnInfo[] | undefined): Pick<StepResult, 'rowCount' | 'schema' | 'columnStats' | 'dataVersion'> {
  const schema = described ?? profile.columns.map((c) => ({ name: c.name, type: c.type, nullable: true }));
  const signature = schema.map((c) => `${c.name}:${c.type}`).join(',');
  return { rowCount: profile.rowCount, schema, columnStats: profile.columns, dataVersion: contentDataVersion(signature, profile.contentHash) };
}

/** Runs SQL, turning engine errors into messages that name the asset and where its SQL lives. */
async function withSqlContext<T>(asset: AssetDefinition, action: () => Promise<T>): Promise<T> {
  try {
    return await action();
  } catch (cause) {
    if (cause instanceof SluiceError) throw cause;
    const message = cause instanceof Error ? cause.message : String(cause);
    throw new SluiceError(
      'SQL_ERROR',
      `asset "${asset.key}" failed in ${asset.sqlSource ?? 'its SQL'}: ${message}\nFix the SQL and run the asset again; the published version was left unchanged.`,
      { cause },
    );
  }
}
