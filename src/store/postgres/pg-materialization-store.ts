// Materializations in PostgreSQL: an append-only log plus a per-asset pointer to the latest record.
import type { MaterializationStore, NewMaterialization } from '../materialization-store.js';
import type { MaterializationRecord } from '../records.js';
import { iso, num, type PgDatabase } from './pg-database.js';

interface MaterializationRow {
  id: string;
  run_id: string;
  asset_key: string;
  partition_key: string | null;
  created_at: Date;
  row_count: string | null;
  duration_ms: number;
  code_version: string | null;
  data_version: string | null;
  schema_json: MaterializationRecord['schema'];
  sql_text: string | null;
  metadata: Record<string, unknown>;
}

/**
 * The materializations role on PostgreSQL.
 * @example const latest = await new PgMaterializationStore(db).latestMaterializations();
 */
export class PgMaterializationStore implements MaterializationStore {
  constructor(private readonly db: PgDatabase) {}

  async recordMaterialization(m: NewMaterialization): Promise<MaterializationRecord> {
    // One statement, so one round trip and one atomic commit (it was BEGIN, two INSERTs and COMMIT: four). Durable
    // (synchronous commit): the next run decides what is stale from these records.
    // Never backwards: two writers of one asset may commit in either order; the higher id is the latest, as in SQLite.
    const params = [
      m.runId,
      m.assetKey,
      m.partition ?? null,
      m.rowCount,
      m.durationMs,
      m.codeVersion,
      m.dataVersion,
      JSON.stringify(m.schema),
      m.sql,
      JSON.stringify(m.metadata),
    ];
    // This very record, should a lost connection leave it unknown whether it committed: the build's timed duration
    // (a double from the monotonic clock) with its run, asset, partition and versions tells it from any other.
    const landed = () =>
      this.db.query<MaterializationRow>(
        `SELECT * FROM ${this.db.table('materializations')}
         WHERE asset_key = $2 AND run_id = $1 AND partition_key IS NOT DISTINCT FROM $3 AND duration_ms = $4
           AND code_version IS NOT DISTINCT FROM $5 AND data_version IS NOT DISTINCT FROM $6 ORDER BY id DESC LIMIT 1`,
        [m.runId, m.assetKey, m.partition ?? null, m.durationMs, m.codeVersion, m.dataVersion],
      );
    const [row] = await this.db.insertOnce<MaterializationRow>(
      `WITH recorded AS (
         INSERT INTO ${this.db.table('materializations')}
           (run_id, asset_key, partition_key, created_at, row_count, duration_ms, code_version, data_version, schema_json, sql_text, metadata)
         VALUES ($1, $2, $3, clock_timestamp(), $4, $5, $6, $7, $8, $9, $10) RETURNING *),
       pointer AS (
         INSERT INTO ${this.db.table('latest_materializations')} AS l (asset_key, materialization_id) SELECT asset_key, id FROM recorded
         ON CONFLICT (asset_key) DO UPDATE SET materialization_id = excluded.materialization_id WHERE l.materialization_id < excluded.materialization_id)
       SELECT * FROM recorded`,
      params,
      landed,
    );
    return toMaterialization(row!);
  }

  async latestMaterializations(): Promise<Map<string, MaterializationRecord>> {
    const rows = await this.db.query<MaterializationRow>(
      `SELECT m.* FROM ${this.db.table('latest_materializations')} AS l JOIN ${this.db.table('materializations')} AS m ON m.id = l.materialization_id`,
    );
    return new Map(rows.map((row) => [row.asset_key, toMaterialization(row)]));
  }

  async materializationHistory(assetKey: string, limit = 100): Promise<MaterializationRecord[]> {
    const rows = await this.db.query<MaterializationRow>(`SELECT * FROM ${this.db.table('materializations')} WHERE asset_key = $1 ORDER BY id DESC LIMIT $2`, [
      assetKey,
      limit,
    ]);
    return rows.map(toMaterialization);
  }

  async runMaterialization(runId: string, assetKey: string): Promise<MaterializationRecord | undefined> {
    const [row] = await this.db.query<MaterializationRow>(
      `SELECT * FROM ${this.db.table('materializations')} WHERE run_id = $1 AND asset_key = $2 ORDER BY id DESC LIMIT 1`,
      [runId, assetKey],
    );
    return row && toMaterialization(row);
  }

  async latestDataVersions(assetKeys: readonly string[]): Promise<Map<string, string | null>> {
    const versions = new Map<string, string | null>(assetKeys.map((key) => [key, null]));
    if (assetKeys.length === 0) return versions;
    // One round trip for all of a step's inputs, through the per-asset pointer to the latest record.
    const rows = await this.db.query<{ asset_key: string; data_version: string | null }>(
      `SELECT l.asset_key, m.data_version FROM ${this.db.table('latest_materializations')} AS l
       JOIN ${this.db.table('materializations')} AS m ON m.id = l.materialization_id WHERE l.asset_key = ANY($1::text[])`,
      [[...assetKeys]],
    );
    for (const row of rows) versions.set(row.asset_key, row.data_version);
    return versions;
  }

  async materializedPartitions(assetKey: string): Promise<Set<string>> {
    const rows = await this.db.query<{ partition_key: string }>(
      `SELECT DISTINCT partition_key FROM ${this.db.table('materializations')} WHERE asset_key = $1 AND partition_key IS NOT NULL`,
      [assetKey],
    );
    return new Set(rows.map((r) => r.partition_key));
  }
}

function toMaterialization(row: MaterializationRow): MaterializationRecord {
  return {
    id: Number(row.id),
    runId: row.run_id,
    assetKey: row.asset_key,
    partition: row.partition_key,
    createdAt: iso(row.created_at)!,
    rowCount: num(row.row_count),
    durationMs: row.duration_ms,
    codeVersion: row.code_version,
    dataVersion: row.data_version,
    schema: row.schema_json,
    sql: row.sql_text,
    metadata: row.metadata,
  };
}
