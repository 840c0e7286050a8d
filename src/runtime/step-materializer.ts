// Builds one asset: stage, (audit), publish atomically, then measure what was published.
import { SluiceError } from '../errors.js';
import type { AssetDefinition, AssetLogger } from '../model/asset-definition.js';
import { parseAssetKey, quoteQualified, type QualifiedName } from '../model/asset-key.js';
import type { ColumnInfo, ColumnStats, WarehouseSession } from '../engine/warehouse.js';
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
}

/** What was published. */
export interface StepResult {
  rowCount: number | null;
  schema: ColumnInfo[];
  columnStats: ColumnStats[];
  codeVersion: string;
  dataVersion: string;
  sql: string | null;
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
      await withSqlContext(asset, () => session.publishView(target, asset.sql!));
      const schema = (await session.describe(target)) ?? [];
      return { rowCount: null, schema, columnStats: [], codeVersion, dataVersion: derivedDataVersion(codeVersion, input.inputVersions), sql: asset.sql! };
    }
    const staging = await session.stagingName(target, input.runId);
    try {
      await buildStaging(input, staging);
      if (input.audit) await input.audit(staging);
      const measured = await measure(session, staging);
      await session.publishTable(staging, target);
      return { ...measured, codeVersion, sql: asset.sql ?? null };
    } catch (error) {
      await session.dropRelation(staging).catch(() => undefined);
      throw error;
    }
  } finally {
    signal.removeEventListener('abort', onAbort);
  }
}

async function buildStaging(input: StepInput, staging: QualifiedName): Promise<void> {
  const { asset, session } = input;
  if (asset.sql !== undefined) {
    await withSqlContext(asset, () => session.stageQuery(staging, asset.sql!));
    return;
  }
  const rows = await asset.compute!({
    runId: input.runId,
    assetKey: asset.key,
    projectDir: input.projectDir,
    sql: session,
    target: quoteQualified(staging),
    log: input.log,
    signal: input.signal,
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

async function measure(session: WarehouseSession, staging: QualifiedName): Promise<Pick<StepResult, 'rowCount' | 'schema' | 'columnStats' | 'dataVersion'>> {
  const schema = (await session.describe(staging)) ?? [];
  const profile = await session.profile(staging);
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
    throw new SluiceError('SQL_ERROR', `asset "${asset.key}" failed in ${asset.sqlSource ?? 'its SQL'}: ${message}\nFix the SQL and run the asset again; the published version was left unchanged.`, { cause });
  }
}
