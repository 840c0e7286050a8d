// The embedded metadata store: one SQLite file in WAL mode, safe for several processes.
import { mkdirSync } from 'node:fs';
import { hostname } from 'node:os';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { RunNotFoundError, type SerializedError } from '../../errors.js';
import { SluiceError } from '../../errors.js';
import type { MetadataStore } from '../metadata-store.js';
import type { MaterializationRecord, RunEvent, RunStatus, RunSummary } from '../records.js';
import { ABANDONED_RUN_ERROR, type ListRunsOptions, type NewRun, type NewRunEvent, type RunOwner } from '../run-store.js';
import type { NewMaterialization } from '../materialization-store.js';
import type { CheckStage, StoredCheckResult } from '../check-result-store.js';
import type { AutomationCursorUpdate, AutomationKind, AutomationState, EvaluationRecord, NewEvaluation } from '../automation-store.js';
import type { BackfillPartitionStatus, BackfillRecord, BackfillStatus, NewBackfill } from '../backfill-store.js';
import type { CheckResult } from '../../checks/run-check.js';
import { SQLITE_MIGRATIONS } from './sqlite-schema.js';
import { WalCheckpointer } from './wal-checkpointer.js';
import { SchemaTooNewError } from '../store-errors.js';

/** Construction options of the SQLite store. */
export interface SqliteStoreConfig {
  /** Database file, or ':memory:'. */
  path: string;
}

interface RunRow {
  id: string;
  status: RunStatus;
  selection: string;
  asset_keys: string;
  created_at: string;
  started_at: string | null;
  ended_at: string | null;
  error: string | null;
  pid: number;
  host: string;
}

interface EventRow {
  id: number;
  run_id: string;
  ts: string;
  type: string;
  asset_key: string | null;
  level: RunEvent['level'];
  message: string;
  data: string;
}

interface MaterializationRow {
  id: number;
  run_id: string;
  asset_key: string;
  partition_key: string | null;
  created_at: string;
  row_count: number | null;
  duration_ms: number;
  code_version: string | null;
  data_version: string | null;
  schema_json: string;
  sql_text: string | null;
  metadata: string;
}

const nowIso = (): string => new Date().toISOString();

/**
 * Opens (creating and migrating if needed) the SQLite metadata store.
 * @example const store = SqliteStore.open({ path: 'data/sluice.sqlite' });
 */
export class SqliteStore implements MetadataStore {
  /**
   * The latest materialization of each asset as of `lastId`. Materializations are only ever appended and SQLite
   * commits one writer at a time, so rows newer than `lastId` (from this or another process) are all that can
   * change it: a refresh reads those, not the whole table again.
   */
  private latest: { byAsset: Map<string, MaterializationRecord>; lastId: number } | undefined;

  /** Prepared once per SQL text: preparing costs more than running most of these statements. */
  private readonly statements = new Map<string, Database.Statement>();

  /** Checkpoints the WAL off this thread once this store writes runs (a file store only). */
  private readonly checkpointer: WalCheckpointer | undefined;

  private constructor(
    private readonly db: Database.Database,
    readonly location: string,
  ) {
    this.checkpointer = location === ':memory:' ? undefined : new WalCheckpointer(db, location);
  }

  private statement(sql: string): Database.Statement {
    let prepared = this.statements.get(sql);
    if (!prepared) this.statements.set(sql, (prepared = this.db.prepare(sql)));
    return prepared;
  }

  static open(config: SqliteStoreConfig): SqliteStore {
    if (config.path !== ':memory:') mkdirSync(dirname(config.path), { recursive: true });
    const db = new Database(config.path);
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.pragma('busy_timeout = 5000');
    db.pragma('foreign_keys = ON');
    try {
      migrate(db, config.path);
    } catch (error) {
      db.close();
      throw error;
    }
    return new SqliteStore(db, config.path);
  }

  async createRun(run: NewRun): Promise<RunSummary> {
    this.checkpointer?.start();
    const createdAt = nowIso();
    this.statement(`INSERT INTO runs (id, status, selection, asset_keys, parent_run_id, created_at, pid, host) VALUES (?, 'queued', ?, ?, ?, ?, ?, ?)`).run(
      run.id,
      run.selection,
      JSON.stringify(run.assetKeys),
      run.parentRunId ?? null,
      createdAt,
      process.pid,
      hostname(),
    );
    return (await this.getRun(run.id))!;
  }

  async setRunStatus(runId: string, status: RunStatus, error?: SerializedError): Promise<void> {
    const now = nowIso();
    const result = this.statement(
      `UPDATE runs SET status = ?,
           started_at = CASE WHEN ? = 'started' THEN ? ELSE started_at END,
           ended_at = CASE WHEN ? IN ('succeeded', 'failed', 'canceled') THEN ? ELSE ended_at END,
           error = COALESCE(?, error)
         WHERE id = ?`,
    ).run(status, status, now, status, now, error ? JSON.stringify(error) : null, runId);
    if (result.changes === 0) throw new RunNotFoundError(runId);
  }

  async getRun(runId: string): Promise<RunSummary | undefined> {
    const row = this.statement(`SELECT * FROM runs WHERE id = ?`).get(runId) as RunRow | undefined;
    return row && toRun(row);
  }

  async listRuns(options: ListRunsOptions = {}): Promise<RunSummary[]> {
    const rows = options.status
      ? this.statement(`SELECT * FROM runs WHERE status = ? ORDER BY created_at DESC, id DESC LIMIT ?`).all(options.status, options.limit ?? 50)
      : this.statement(`SELECT * FROM runs ORDER BY created_at DESC, id DESC LIMIT ?`).all(options.limit ?? 50);
    return (rows as RunRow[]).map(toRun);
  }

  async failAbandonedRuns(isOwnerAlive: (owner: RunOwner) => boolean): Promise<string[]> {
    const active = this.statement(`SELECT * FROM runs WHERE status IN ('queued', 'started')`).all() as RunRow[];
    const abandoned = active.filter((r) => !isOwnerAlive({ pid: r.pid, host: r.host }));
    const error = ABANDONED_RUN_ERROR;
    const mark = this.db.transaction((ids: string[]) => {
      for (const id of ids) {
        this.statement(`UPDATE runs SET status = 'failed', ended_at = ?, error = ? WHERE id = ?`).run(nowIso(), JSON.stringify(error), id);
        this.statement(`INSERT INTO events (run_id, ts, type, asset_key, level, message, data) VALUES (?, ?, 'run_failed', NULL, 'error', ?, '{}')`).run(
          id,
          nowIso(),
          error.message,
        );
      }
    });
    mark(abandoned.map((r) => r.id));
    return abandoned.map((r) => r.id);
  }

  async appendEvent(event: NewRunEvent): Promise<RunEvent> {
    return (await this.appendEvents([event]))[0]!;
  }

  async appendEvents(events: readonly NewRunEvent[]): Promise<RunEvent[]> {
    this.checkpointer?.start();
    const insert = this.statement(`INSERT INTO events (run_id, ts, type, asset_key, level, message, data) VALUES (?, ?, ?, ?, ?, ?, ?)`);
    const ts = nowIso();
    // One transaction for the batch: a commit (and the WAL pages it writes) per event was most of an event's cost.
    return this.db.transaction(() =>
      events.map((event): RunEvent => {
        const result = insert.run(event.runId, ts, event.type, event.assetKey ?? null, event.level, event.message, JSON.stringify(event.data ?? {}));
        return {
          id: Number(result.lastInsertRowid),
          runId: event.runId,
          ts,
          type: event.type,
          assetKey: event.assetKey ?? null,
          level: event.level,
          message: event.message,
          data: event.data ?? {},
        };
      }),
    )();
  }

  async listEvents(runId: string, afterId = 0): Promise<RunEvent[]> {
    const rows = this.statement(`SELECT * FROM events WHERE run_id = ? AND id > ? ORDER BY id`).all(runId, afterId) as EventRow[];
    return rows.map(toEvent);
  }

  async recordMaterialization(m: NewMaterialization): Promise<MaterializationRecord> {
    this.checkpointer?.start();
    // RETURNING gives the stored row in the same statement (as written, so the record matches later reads).
    const row = this.statement(
      `INSERT INTO materializations (run_id, asset_key, partition_key, created_at, row_count, duration_ms, code_version, data_version, schema_json, sql_text, metadata)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING *`,
    ).get(
      m.runId,
      m.assetKey,
      m.partition ?? null,
      nowIso(),
      m.rowCount,
      m.durationMs,
      m.codeVersion,
      m.dataVersion,
      JSON.stringify(m.schema),
      m.sql,
      JSON.stringify(m.metadata),
    ) as MaterializationRow;
    return toMaterialization(row);
  }

  async latestMaterializations(): Promise<Map<string, MaterializationRecord>> {
    if (!this.latest) {
      // IN reads the rows in id order (sequential pages), where the join looked each one up in group order.
      const rows = this.statement(
        `SELECT * FROM materializations WHERE id IN (SELECT max(id) FROM materializations GROUP BY asset_key)`,
      ).all() as MaterializationRow[];
      // The newest row of all is some asset's latest, so this is the snapshot's last id.
      this.latest = { byAsset: new Map(), lastId: rows.reduce((max, r) => Math.max(max, r.id), 0) };
      for (const row of rows) this.latest.byAsset.set(row.asset_key, deepFreeze(toMaterialization(row)));
    } else {
      const rows = this.statement(`SELECT * FROM materializations WHERE id > ? ORDER BY id`).all(this.latest.lastId) as MaterializationRow[];
      for (const row of rows) {
        this.latest.byAsset.set(row.asset_key, deepFreeze(toMaterialization(row)));
        this.latest.lastId = row.id;
      }
    }
    // A new map per call; the records are shared with later calls, hence frozen.
    return new Map(this.latest.byAsset);
  }

  async materializationHistory(assetKey: string, limit = 100): Promise<MaterializationRecord[]> {
    const rows = this.statement(`SELECT * FROM materializations WHERE asset_key = ? ORDER BY id DESC LIMIT ?`).all(assetKey, limit) as MaterializationRow[];
    return rows.map(toMaterialization);
  }

  async runMaterialization(runId: string, assetKey: string): Promise<MaterializationRecord | undefined> {
    const row = this.statement(`SELECT * FROM materializations WHERE run_id = ? AND asset_key = ? ORDER BY id DESC LIMIT 1`).get(runId, assetKey) as
      MaterializationRow | undefined;
    return row && toMaterialization(row);
  }

  async latestDataVersions(assetKeys: readonly string[]): Promise<Map<string, string | null>> {
    // One indexed seek per key (materializations_asset), no record parsed: this runs for every step of a run.
    const latest = this.statement(`SELECT data_version FROM materializations WHERE asset_key = ? ORDER BY id DESC LIMIT 1`).pluck();
    return new Map(assetKeys.map((key) => [key, (latest.get(key) as string | null | undefined) ?? null]));
  }

  async recordCheckResults(runId: string, results: readonly CheckResult[], stage: CheckStage): Promise<void> {
    const insert = this.statement(
      `INSERT INTO check_results (run_id, asset_key, check_name, check_type, passed, severity, blocking, failing_count, total_count,
         failing_percent, sample_json, sql_text, duration_ms, error, stage, created_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    const now = nowIso();
    this.db.transaction(() => {
      for (const r of results) {
        insert.run(
          runId,
          r.assetKey,
          r.checkName,
          r.checkType,
          r.passed ? 1 : 0,
          r.severity,
          r.blocking ? 1 : 0,
          r.failingCount,
          r.totalCount,
          r.failingPercent,
          JSON.stringify(r.sampleFailing),
          r.sql,
          r.durationMs,
          r.error ? JSON.stringify(r.error) : null,
          stage,
          now,
        );
      }
    })();
  }

  async latestCheckResults(assetKey?: string): Promise<StoredCheckResult[]> {
    const latest = `SELECT max(id) FROM check_results ${assetKey ? 'WHERE asset_key = ?' : ''} GROUP BY asset_key, check_name`;
    const rows = this.statement(`SELECT * FROM check_results WHERE id IN (${latest}) ORDER BY asset_key, check_name`).all(
      ...(assetKey ? [assetKey] : []),
    ) as CheckRow[];
    return rows.map(toCheckResult);
  }

  async runCheckResults(runId: string): Promise<StoredCheckResult[]> {
    const rows = this.statement(`SELECT * FROM check_results WHERE run_id = ? ORDER BY id`).all(runId) as CheckRow[];
    return rows.map(toCheckResult);
  }

  async materializedPartitions(assetKey: string): Promise<Set<string>> {
    const rows = this.statement(`SELECT DISTINCT partition_key FROM materializations WHERE asset_key = ? AND partition_key IS NOT NULL`).all(assetKey) as {
      partition_key: string;
    }[];
    return new Set(rows.map((r) => r.partition_key));
  }

  async latestAssetFailures(): Promise<Map<string, string>> {
    const rows = this.statement(`SELECT asset_key, max(ts) AS ts FROM events WHERE type = 'asset_failed' GROUP BY asset_key`).all() as {
      asset_key: string;
      ts: string;
    }[];
    return new Map(rows.map((r) => [r.asset_key, r.ts]));
  }

  async automationStates(): Promise<AutomationState[]> {
    const rows = this.statement(`SELECT * FROM automation_state ORDER BY kind, name`).all() as AutomationStateRow[];
    return rows.map(toAutomationState);
  }

  async setAutomationEnabled(name: string, kind: AutomationKind, enabled: boolean): Promise<void> {
    this.statement(
      `INSERT INTO automation_state (name, kind, enabled, updated_at) VALUES (?, ?, ?, ?) ON CONFLICT (name) DO UPDATE SET enabled = excluded.enabled, kind = excluded.kind, updated_at = excluded.updated_at`,
    ).run(name, kind, enabled ? 1 : 0, nowIso());
  }

  async saveAutomationCursor(name: string, kind: AutomationKind, update: AutomationCursorUpdate): Promise<void> {
    // COALESCE keeps a field the update leaves undefined; an explicit null is written as a flag below.
    const has = (field: keyof AutomationCursorUpdate): number => (update[field] !== undefined ? 1 : 0);
    this.statement(
      `INSERT INTO automation_state (name, kind, cursor, last_tick_at, last_run_id, updated_at) VALUES (@name, @kind, @cursor, @tick, @run, @now)
         ON CONFLICT (name) DO UPDATE SET kind = excluded.kind, updated_at = excluded.updated_at,
           cursor = CASE WHEN @hasCursor THEN excluded.cursor ELSE cursor END,
           last_tick_at = CASE WHEN @hasTick THEN excluded.last_tick_at ELSE last_tick_at END,
           last_run_id = CASE WHEN @hasRun THEN excluded.last_run_id ELSE last_run_id END`,
    ).run({
      name,
      kind,
      now: nowIso(),
      cursor: update.cursor ?? null,
      tick: update.lastTickAt ?? null,
      run: update.lastRunId ?? null,
      hasCursor: has('cursor'),
      hasTick: has('lastTickAt'),
      hasRun: has('lastRunId'),
    });
  }

  async recordEvaluation(e: NewEvaluation): Promise<EvaluationRecord> {
    const ts = nowIso();
    const data = e.data ?? {};
    const result = this.statement(`INSERT INTO automation_evaluations (ts, name, kind, launched, reason, run_id, data) VALUES (?, ?, ?, ?, ?, ?, ?)`).run(
      ts,
      e.name,
      e.kind,
      e.launched ? 1 : 0,
      e.reason,
      e.runId ?? null,
      JSON.stringify(data),
    );
    return { id: Number(result.lastInsertRowid), ts, name: e.name, kind: e.kind, launched: e.launched, reason: e.reason, runId: e.runId ?? null, data };
  }

  async listEvaluations(options: { name?: string; limit?: number } = {}): Promise<EvaluationRecord[]> {
    const limit = options.limit ?? 50;
    const rows = (
      options.name
        ? this.statement(`SELECT * FROM automation_evaluations WHERE name = ? ORDER BY id DESC LIMIT ?`).all(options.name, limit)
        : this.statement(`SELECT * FROM automation_evaluations ORDER BY id DESC LIMIT ?`).all(limit)
    ) as EvaluationRow[];
    return rows.map((r) => ({
      id: r.id,
      ts: r.ts,
      name: r.name,
      kind: r.kind,
      launched: r.launched === 1,
      reason: r.reason,
      runId: r.run_id,
      data: JSON.parse(r.data) as Record<string, unknown>,
    }));
  }

  async createBackfill(b: NewBackfill): Promise<BackfillRecord> {
    const now = nowIso();
    this.db.transaction(() => {
      this.statement(
        `INSERT INTO backfills (id, selection, from_key, to_key, status, created_at, updated_at, pid, host) VALUES (?, ?, ?, ?, 'running', ?, ?, ?, ?)`,
      ).run(b.id, b.selection, b.fromKey, b.toKey, now, now, process.pid, hostname());
      const insert = this.statement(`INSERT INTO backfill_partitions (backfill_id, partition_key, position, status) VALUES (?, ?, ?, 'pending')`);
      b.partitions.forEach((key, i) => insert.run(b.id, key, i));
    })();
    return (await this.getBackfill(b.id))!;
  }

  async getBackfill(id: string): Promise<BackfillRecord | undefined> {
    const row = this.statement(`SELECT * FROM backfills WHERE id = ?`).get(id) as BackfillRow | undefined;
    return row && this.toBackfill(row);
  }

  async listBackfills(limit = 20): Promise<BackfillRecord[]> {
    const rows = this.statement(`SELECT * FROM backfills ORDER BY created_at DESC, id DESC LIMIT ?`).all(limit) as BackfillRow[];
    return rows.map((r) => this.toBackfill(r));
  }

  async setBackfillPartition(id: string, partition: string, status: BackfillPartitionStatus, runId?: string): Promise<void> {
    const now = nowIso();
    this.db.transaction(() => {
      this.statement(
        `UPDATE backfill_partitions SET status = ?, run_id = COALESCE(?, run_id), ended_at = CASE WHEN ? = 'pending' THEN NULL ELSE ? END WHERE backfill_id = ? AND partition_key = ?`,
      ).run(status, runId ?? null, status, now, id, partition);
      this.statement(`UPDATE backfills SET updated_at = ? WHERE id = ?`).run(now, id);
    })();
  }

  async setBackfillStatus(id: string, status: BackfillStatus, error?: SerializedError): Promise<void> {
    const now = nowIso();
    const result =
      status === 'running'
        ? this.statement(`UPDATE backfills SET status = 'running', updated_at = ?, ended_at = NULL, error = NULL, pid = ?, host = ? WHERE id = ?`).run(
            now,
            process.pid,
            hostname(),
            id,
          )
        : this.statement(`UPDATE backfills SET status = ?, updated_at = ?, ended_at = ?, error = ? WHERE id = ?`).run(
            status,
            now,
            now,
            error ? JSON.stringify(error) : null,
            id,
          );
    if (result.changes === 0) throw new SluiceError('INVALID_SELECTION', `backfill "${id}" does not exist; run \`sluice backfill --list\` to see backfills`);
  }

  private toBackfill(row: BackfillRow): BackfillRecord {
    const parts = this.statement(`SELECT * FROM backfill_partitions WHERE backfill_id = ? ORDER BY position`).all(row.id) as BackfillPartitionRow[];
    return {
      id: row.id,
      selection: row.selection,
      fromKey: row.from_key,
      toKey: row.to_key,
      status: row.status,
      createdAt: row.created_at,
      updatedAt: row.updated_at,
      endedAt: row.ended_at,
      error: row.error ? (JSON.parse(row.error) as SerializedError) : null,
      owner: { pid: row.pid, host: row.host },
      partitions: parts.map((p) => ({ key: p.partition_key, status: p.status, runId: p.run_id, endedAt: p.ended_at })),
    };
  }

  async close(): Promise<void> {
    await this.checkpointer?.close();
    this.db.close();
  }
}

function migrate(db: Database.Database, path: string): void {
  const version = db.pragma('user_version', { simple: true }) as number;
  if (version > SQLITE_MIGRATIONS.length) throw new SchemaTooNewError(path, version, SQLITE_MIGRATIONS.length);
  const apply = db.transaction(() => {
    for (let v = version; v < SQLITE_MIGRATIONS.length; v++) db.exec(SQLITE_MIGRATIONS[v]!);
    db.pragma(`user_version = ${SQLITE_MIGRATIONS.length}`);
  });
  apply();
}

/** Freezes a parsed record and everything in it, so a caller can never change what later calls return. */
function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}

function toRun(row: RunRow): RunSummary {
  return {
    id: row.id,
    status: row.status,
    selection: row.selection,
    assetKeys: JSON.parse(row.asset_keys) as string[],
    createdAt: row.created_at,
    startedAt: row.started_at,
    endedAt: row.ended_at,
    error: row.error ? (JSON.parse(row.error) as RunSummary['error']) : null,
  };
}

function toEvent(row: EventRow): RunEvent {
  return {
    id: row.id,
    runId: row.run_id,
    ts: row.ts,
    type: row.type,
    assetKey: row.asset_key,
    level: row.level,
    message: row.message,
    data: JSON.parse(row.data) as Record<string, unknown>,
  };
}

interface CheckRow {
  id: number;
  run_id: string;
  asset_key: string;
  check_name: string;
  check_type: CheckResult['checkType'];
  passed: number;
  severity: CheckResult['severity'];
  blocking: number;
  failing_count: number;
  total_count: number;
  failing_percent: number;
  sample_json: string;
  sql_text: string;
  duration_ms: number;
  error: string | null;
  stage: CheckStage;
  created_at: string;
}

function toCheckResult(row: CheckRow): StoredCheckResult {
  const result: StoredCheckResult = {
    id: row.id,
    runId: row.run_id,
    stage: row.stage,
    createdAt: row.created_at,
    assetKey: row.asset_key,
    checkName: row.check_name,
    checkType: row.check_type,
    passed: row.passed === 1,
    severity: row.severity,
    blocking: row.blocking === 1,
    failingCount: row.failing_count,
    totalCount: row.total_count,
    failingPercent: row.failing_percent,
    sampleFailing: JSON.parse(row.sample_json) as Record<string, unknown>[],
    sql: row.sql_text,
    durationMs: row.duration_ms,
  };
  if (row.error) result.error = JSON.parse(row.error) as SerializedError;
  return result;
}

function toMaterialization(row: MaterializationRow): MaterializationRecord {
  return {
    id: row.id,
    runId: row.run_id,
    assetKey: row.asset_key,
    partition: row.partition_key,
    createdAt: row.created_at,
    rowCount: row.row_count,
    durationMs: row.duration_ms,
    codeVersion: row.code_version,
    dataVersion: row.data_version,
    schema: JSON.parse(row.schema_json) as MaterializationRecord['schema'],
    sql: row.sql_text,
    metadata: JSON.parse(row.metadata) as Record<string, unknown>,
  };
}

interface AutomationStateRow {
  name: string;
  kind: AutomationKind;
  enabled: number | null;
  cursor: string | null;
  last_tick_at: string | null;
  last_run_id: string | null;
  updated_at: string;
}

function toAutomationState(row: AutomationStateRow): AutomationState {
  return {
    name: row.name,
    kind: row.kind,
    enabled: row.enabled === null ? null : row.enabled === 1,
    cursor: row.cursor,
    lastTickAt: row.last_tick_at,
    lastRunId: row.last_run_id,
    updatedAt: row.updated_at,
  };
}

interface EvaluationRow {
  id: number;
  ts: string;
  name: string;
  kind: AutomationKind;
  launched: number;
  reason: string;
  run_id: string | null;
  data: string;
}

interface BackfillRow {
  id: string;
  selection: string;
  from_key: string;
  to_key: string;
  status: BackfillStatus;
  created_at: string;
  updated_at: string;
  ended_at: string | null;
  error: string | null;
  pid: number;
  host: string;
}

interface BackfillPartitionRow {
  backfill_id: string;
  partition_key: string;
  position: number;
  status: BackfillPartitionStatus;
  run_id: string | null;
  ended_at: string | null;
}
