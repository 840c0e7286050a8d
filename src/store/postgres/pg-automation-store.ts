// Automation state and evaluations in PostgreSQL.
import type { AutomationCursorUpdate, AutomationKind, AutomationState, AutomationStore, EvaluationRecord, NewEvaluation } from '../automation-store.js';
import { iso, type PgDatabase } from './pg-database.js';

interface AutomationStateRow {
  name: string;
  kind: AutomationKind;
  enabled: boolean | null;
  cursor: string | null;
  last_tick_at: string | null;
  last_run_id: string | null;
  updated_at: Date;
}

interface EvaluationRow {
  id: string;
  ts: Date;
  name: string;
  kind: AutomationKind;
  launched: boolean;
  reason: string;
  run_id: string | null;
  data: Record<string, unknown>;
}

/**
 * The automation role on PostgreSQL.
 * @example await new PgAutomationStore(db).setAutomationEnabled('nightly', 'schedule', false);
 */
export class PgAutomationStore implements AutomationStore {
  constructor(private readonly db: PgDatabase) {}

  async automationStates(): Promise<AutomationState[]> {
    const rows = await this.db.query<AutomationStateRow>(`SELECT * FROM ${this.db.table('automation_state')} ORDER BY kind COLLATE "C", name COLLATE "C"`);
    return rows.map((row) => ({
      name: row.name,
      kind: row.kind,
      enabled: row.enabled,
      cursor: row.cursor,
      lastTickAt: row.last_tick_at,
      lastRunId: row.last_run_id,
      updatedAt: iso(row.updated_at)!,
    }));
  }

  async setAutomationEnabled(name: string, kind: AutomationKind, enabled: boolean): Promise<void> {
    await this.db.query(
      `INSERT INTO ${this.db.table('automation_state')} (name, kind, enabled, updated_at) VALUES ($1, $2, $3, clock_timestamp())
       ON CONFLICT (name) DO UPDATE SET enabled = excluded.enabled, kind = excluded.kind, updated_at = excluded.updated_at`,
      [name, kind, enabled],
    );
  }

  async saveAutomationCursor(name: string, kind: AutomationKind, update: AutomationCursorUpdate): Promise<void> {
    // A field the update leaves undefined keeps its value; an explicit null clears it (hence the flags).
    await this.db.query(
      `INSERT INTO ${this.db.table('automation_state')} AS s (name, kind, cursor, last_tick_at, last_run_id, updated_at)
       VALUES ($1, $2, $3, $4, $5, clock_timestamp())
       ON CONFLICT (name) DO UPDATE SET kind = excluded.kind, updated_at = excluded.updated_at,
         cursor = CASE WHEN $6 THEN excluded.cursor ELSE s.cursor END,
         last_tick_at = CASE WHEN $7 THEN excluded.last_tick_at ELSE s.last_tick_at END,
         last_run_id = CASE WHEN $8 THEN excluded.last_run_id ELSE s.last_run_id END`,
      [
        name,
        kind,
        update.cursor ?? null,
        update.lastTickAt ?? null,
        update.lastRunId ?? null,
        update.cursor !== undefined,
        update.lastTickAt !== undefined,
        update.lastRunId !== undefined,
      ],
    );
  }

  async recordEvaluation(e: NewEvaluation): Promise<EvaluationRecord> {
    const [row] = await this.db.query<EvaluationRow>(
      `INSERT INTO ${this.db.table('automation_evaluations')} (ts, name, kind, launched, reason, run_id, data)
       VALUES (clock_timestamp(), $1, $2, $3, $4, $5, $6) RETURNING *`,
      [e.name, e.kind, e.launched, e.reason, e.runId ?? null, JSON.stringify(e.data ?? {})],
    );
    return toEvaluation(row!);
  }

  async listEvaluations(options: { name?: string; limit?: number } = {}): Promise<EvaluationRecord[]> {
    const rows = await this.db.query<EvaluationRow>(
      `SELECT * FROM ${this.db.table('automation_evaluations')} WHERE ($1::text IS NULL OR name = $1) ORDER BY id DESC LIMIT $2`,
      [options.name ?? null, options.limit ?? 50],
    );
    return rows.map(toEvaluation);
  }
}

function toEvaluation(row: EvaluationRow): EvaluationRecord {
  return {
    id: Number(row.id),
    ts: iso(row.ts)!,
    name: row.name,
    kind: row.kind,
    launched: row.launched,
    reason: row.reason,
    runId: row.run_id,
    data: row.data,
  };
}
