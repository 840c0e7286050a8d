// Runs and events in PostgreSQL.
import { hostname } from 'node:os';
import { RunNotFoundError, type SerializedError } from '../../errors.js';
import type { RunEvent, RunStatus, RunSummary } from '../records.js';
import { ABANDONED_RUN_ERROR, type ListRunsOptions, type NewRun, type NewRunEvent, type RunOwner, type RunStore } from '../run-store.js';
import { iso, type PgDatabase } from './pg-database.js';

/** First key of the two-key advisory locks that order each run's events (the second is the run id's hash). */
const EVENT_LOCK_SPACE = 0x51_1c_e0_02;

interface RunRow {
  id: string;
  status: RunStatus;
  selection: string;
  asset_keys: string[];
  created_at: Date;
  started_at: Date | null;
  ended_at: Date | null;
  error: RunSummary['error'];
  pid: number;
  host: string;
}

interface EventRow {
  id: string;
  run_id: string;
  ts: Date;
  type: string;
  asset_key: string | null;
  level: RunEvent['level'];
  message: string;
  data: Record<string, unknown>;
}

/**
 * The runs-and-events role on PostgreSQL.
 * @example const runs = new PgRunStore(db); await runs.createRun({ id, selection: '*', assetKeys });
 */
export class PgRunStore implements RunStore {
  constructor(private readonly db: PgDatabase) {}

  async createRun(run: NewRun): Promise<RunSummary> {
    const [row] = await this.db.query<RunRow>(
      `INSERT INTO ${this.db.table('runs')} (id, status, selection, asset_keys, parent_run_id, created_at, pid, host)
       VALUES ($1, 'queued', $2, $3, $4, clock_timestamp(), $5, $6) RETURNING *`,
      [run.id, run.selection, JSON.stringify(run.assetKeys), run.parentRunId ?? null, process.pid, hostname()],
    );
    return toRun(row!);
  }

  async setRunStatus(runId: string, status: RunStatus, error?: SerializedError): Promise<void> {
    const rows = await this.db.query(
      `UPDATE ${this.db.table('runs')} SET status = $1,
         started_at = CASE WHEN $1 = 'started' THEN clock_timestamp() ELSE started_at END,
         ended_at = CASE WHEN $1 IN ('succeeded', 'failed', 'canceled') THEN clock_timestamp() ELSE ended_at END,
         error = COALESCE($2::jsonb, error)
       WHERE id = $3 RETURNING id`,
      [status, error ? JSON.stringify(error) : null, runId],
    );
    if (rows.length === 0) throw new RunNotFoundError(runId);
  }

  async getRun(runId: string): Promise<RunSummary | undefined> {
    const [row] = await this.db.query<RunRow>(`SELECT * FROM ${this.db.table('runs')} WHERE id = $1`, [runId]);
    return row && toRun(row);
  }

  async listRuns(options: ListRunsOptions = {}): Promise<RunSummary[]> {
    const rows = await this.db.query<RunRow>(
      `SELECT * FROM ${this.db.table('runs')} WHERE ($1::text IS NULL OR status = $1) ORDER BY created_at DESC, id COLLATE "C" DESC LIMIT $2`,
      [options.status ?? null, options.limit ?? 50],
    );
    return rows.map(toRun);
  }

  async failAbandonedRuns(isOwnerAlive: (owner: RunOwner) => boolean): Promise<string[]> {
    const active = await this.db.query<RunRow>(`SELECT * FROM ${this.db.table('runs')} WHERE status IN ('queued', 'started')`);
    const abandoned = active.filter((r) => !isOwnerAlive({ pid: r.pid, host: r.host })).map((r) => r.id);
    if (abandoned.length === 0) return [];
    return this.db.transaction(async (client) => {
      // Only runs still active when the update lands: another process may have finished or failed one meanwhile.
      const { rows } = await client.query<{ id: string }>(
        `UPDATE ${this.db.table('runs')} SET status = 'failed', ended_at = clock_timestamp(), error = $2
         WHERE id = ANY($1) AND status IN ('queued', 'started') RETURNING id`,
        [abandoned, JSON.stringify(ABANDONED_RUN_ERROR)],
      );
      const ids = rows.map((r) => r.id);
      await client.query(
        `INSERT INTO ${this.db.table('events')} (run_id, ts, type, asset_key, level, message, data)
         SELECT id, clock_timestamp(), 'run_failed', NULL, 'error', $2, '{}' FROM unnest($1::text[]) AS id`,
        [ids, ABANDONED_RUN_ERROR.message],
      );
      return ids;
    });
  }

  async appendEvent(event: NewRunEvent): Promise<RunEvent> {
    return (await this.appendEvents([event]))[0]!;
  }

  async appendEvents(events: readonly NewRunEvent[]): Promise<RunEvent[]> {
    if (events.length === 0) return [];
    // Workers append to one run's log concurrently, and identity values are taken before commit: the advisory lock of
    // each run in the batch (held to commit, all taken in one order before any id is) keeps each run's ids committed in
    // order, so `listEvents(run, afterId)` tails never skip an event that commits late.
    // The log commits without waiting for its WAL flush (synchronous_commit off for this statement's transaction
    // alone): an fsync per event cost ~3 ms, most of an event's time. Other sessions see the event at once; only a
    // crash of the database server itself can lose the last fraction of a second of log lines, never reorder them,
    // and the next durable commit (a run status, a materialization) flushes them. SQLite's store (WAL, synchronous
    // NORMAL) makes the same trade. One statement for the batch: one round trip, ids in the order given.
    const rows = await this.db.query<EventRow>(
      `INSERT INTO ${this.db.table('events')} (run_id, ts, type, asset_key, level, message, data)
       SELECT e.run_id, clock_timestamp(), e.type, e.asset_key, e.level, e.message, e.data
       FROM (SELECT count(pg_advisory_xact_lock(${EVENT_LOCK_SPACE}, hashtext(run))), set_config('synchronous_commit', 'off', true)
             FROM (SELECT DISTINCT run FROM unnest($1::text[]) AS run ORDER BY run) AS runs) AS serialized,
            unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::jsonb[]) WITH ORDINALITY AS e(run_id, type, asset_key, level, message, data, n)
       ORDER BY e.n
       RETURNING *`,
      [
        events.map((e) => e.runId),
        events.map((e) => e.type),
        events.map((e) => e.assetKey ?? null),
        events.map((e) => e.level),
        events.map((e) => e.message),
        events.map((e) => JSON.stringify(e.data ?? {})),
      ],
    );
    return rows.map(toEvent).sort((a, b) => a.id - b.id);
  }

  async listEvents(runId: string, afterId = 0): Promise<RunEvent[]> {
    const rows = await this.db.query<EventRow>(`SELECT * FROM ${this.db.table('events')} WHERE run_id = $1 AND id > $2 ORDER BY id`, [runId, afterId]);
    return rows.map(toEvent);
  }

  async latestAssetFailures(): Promise<Map<string, string>> {
    const rows = await this.db.query<{ asset_key: string; ts: Date }>(
      `SELECT asset_key, max(ts) AS ts FROM ${this.db.table('events')} WHERE type = 'asset_failed' GROUP BY asset_key`,
    );
    return new Map(rows.map((r) => [r.asset_key, iso(r.ts)!]));
  }
}

function toRun(row: RunRow): RunSummary {
  return {
    id: row.id,
    status: row.status,
    selection: row.selection,
    assetKeys: row.asset_keys,
    createdAt: iso(row.created_at)!,
    startedAt: iso(row.started_at),
    endedAt: iso(row.ended_at),
    error: row.error,
  };
}

function toEvent(row: EventRow): RunEvent {
  return {
    id: Number(row.id),
    runId: row.run_id,
    ts: iso(row.ts)!,
    type: row.type,
    assetKey: row.asset_key,
    level: row.level,
    message: row.message,
    data: row.data,
  };
}
