// Check results in PostgreSQL.
import type { SerializedError } from '../../errors.js';
import type { CheckResult } from '../../checks/run-check.js';
import type { CheckResultStore, CheckStage, StoredCheckResult } from '../check-result-store.js';
import { iso, type PgDatabase } from './pg-database.js';

interface CheckRow {
  id: string;
  run_id: string;
  asset_key: string;
  check_name: string;
  check_type: CheckResult['checkType'];
  passed: boolean;
  severity: CheckResult['severity'];
  blocking: boolean;
  failing_count: string;
  total_count: string;
  failing_percent: number;
  sample_json: Record<string, unknown>[];
  sql_text: string;
  duration_ms: number;
  error: SerializedError | null;
  stage: CheckStage;
  created_at: Date;
}

/** Columns of one insert, in order; results are inserted as arrays unnested in one statement. */
const COLUMNS = [
  ['asset_key', 'text'],
  ['check_name', 'text'],
  ['check_type', 'text'],
  ['passed', 'boolean'],
  ['severity', 'text'],
  ['blocking', 'boolean'],
  ['failing_count', 'bigint'],
  ['total_count', 'bigint'],
  ['failing_percent', 'double precision'],
  ['sample_json', 'jsonb'],
  ['sql_text', 'text'],
  ['duration_ms', 'double precision'],
  ['error', 'jsonb'],
] as const;

/**
 * The checks role on PostgreSQL.
 * @example await new PgCheckResultStore(db).recordCheckResults(runId, results, 'staged');
 */
export class PgCheckResultStore implements CheckResultStore {
  constructor(private readonly db: PgDatabase) {}

  async recordCheckResults(runId: string, results: readonly CheckResult[], stage: CheckStage): Promise<void> {
    if (results.length === 0) return;
    const values = (r: CheckResult): unknown[] => [
      r.assetKey,
      r.checkName,
      r.checkType,
      r.passed,
      r.severity,
      r.blocking,
      r.failingCount,
      r.totalCount,
      r.failingPercent,
      JSON.stringify(r.sampleFailing),
      r.sql,
      r.durationMs,
      r.error ? JSON.stringify(r.error) : null,
    ];
    const columns = COLUMNS.map(([name, type], i) => ({ name, list: `$${i + 3}::${type}[]`, values: results.map((r) => values(r)[i]) }));
    // One statement: all results of an evaluation or none, in their given order (WITH ORDINALITY keeps it for the ids).
    await this.db.query(
      `INSERT INTO ${this.db.table('check_results')} (run_id, stage, created_at, ${columns.map((c) => c.name).join(', ')})
       SELECT $1, $2, clock_timestamp(), ${columns.map((c) => `u.${c.name}`).join(', ')}
       FROM unnest(${columns.map((c) => c.list).join(', ')}) WITH ORDINALITY AS u(${columns.map((c) => c.name).join(', ')}, position)
       ORDER BY u.position`,
      [runId, stage, ...columns.map((c) => c.values)],
    );
  }

  async latestCheckResults(assetKey?: string): Promise<StoredCheckResult[]> {
    const rows = await this.db.query<CheckRow>(
      `SELECT * FROM (SELECT DISTINCT ON (asset_key, check_name) * FROM ${this.db.table('check_results')}
         WHERE ($1::text IS NULL OR asset_key = $1) ORDER BY asset_key, check_name, id DESC) AS latest
       ORDER BY asset_key COLLATE "C", check_name COLLATE "C"`,
      [assetKey ?? null],
    );
    return rows.map(toCheckResult);
  }

  async runCheckResults(runId: string): Promise<StoredCheckResult[]> {
    const rows = await this.db.query<CheckRow>(`SELECT * FROM ${this.db.table('check_results')} WHERE run_id = $1 ORDER BY id`, [runId]);
    return rows.map(toCheckResult);
  }
}

function toCheckResult(row: CheckRow): StoredCheckResult {
  const result: StoredCheckResult = {
    id: Number(row.id),
    runId: row.run_id,
    stage: row.stage,
    createdAt: iso(row.created_at)!,
    assetKey: row.asset_key,
    checkName: row.check_name,
    checkType: row.check_type,
    passed: row.passed,
    severity: row.severity,
    blocking: row.blocking,
    failingCount: Number(row.failing_count),
    totalCount: Number(row.total_count),
    failingPercent: row.failing_percent,
    sampleFailing: row.sample_json,
    sql: row.sql_text,
    durationMs: row.duration_ms,
  };
  if (row.error) result.error = row.error;
  return result;
}
