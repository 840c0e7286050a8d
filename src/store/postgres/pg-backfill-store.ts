// Backfills in PostgreSQL.
import { hostname } from 'node:os';
import { SluiceError, type SerializedError } from '../../errors.js';
import type { BackfillPartitionStatus, BackfillRecord, BackfillStatus, BackfillStore, NewBackfill } from '../backfill-store.js';
import { iso, type PgDatabase } from './pg-database.js';

interface BackfillRow {
  id: string;
  selection: string;
  from_key: string;
  to_key: string;
  status: BackfillStatus;
  created_at: Date;
  updated_at: Date;
  ended_at: Date | null;
  error: SerializedError | null;
  pid: number;
  host: string;
  partitions: { key: string; status: BackfillPartitionStatus; runId: string | null; endedAt: string | null }[];
}

/**
 * The backfills role on PostgreSQL.
 * @example const backfill = await new PgBackfillStore(db).createBackfill({ id, selection, fromKey, toKey, partitions });
 */
export class PgBackfillStore implements BackfillStore {
  constructor(private readonly db: PgDatabase) {}

  async createBackfill(b: NewBackfill): Promise<BackfillRecord> {
    await this.db.transaction(async (client) => {
      await client.query(
        `INSERT INTO ${this.db.table('backfills')} (id, selection, from_key, to_key, status, created_at, updated_at, pid, host)
         VALUES ($1, $2, $3, $4, 'running', clock_timestamp(), clock_timestamp(), $5, $6)`,
        [b.id, b.selection, b.fromKey, b.toKey, process.pid, hostname()],
      );
      await client.query(
        `INSERT INTO ${this.db.table('backfill_partitions')} (backfill_id, partition_key, position, status)
         SELECT $1, key, position - 1, 'pending' FROM unnest($2::text[]) WITH ORDINALITY AS p(key, position)`,
        [b.id, [...b.partitions]],
      );
    });
    return (await this.getBackfill(b.id))!;
  }

  async getBackfill(id: string): Promise<BackfillRecord | undefined> {
    const [row] = await this.db.query<BackfillRow>(`${this.selectBackfills()} WHERE b.id = $1`, [id]);
    return row && toBackfill(row);
  }

  async listBackfills(limit = 20): Promise<BackfillRecord[]> {
    const rows = await this.db.query<BackfillRow>(`${this.selectBackfills()} ORDER BY b.created_at DESC, b.id COLLATE "C" DESC LIMIT $1`, [limit]);
    return rows.map(toBackfill);
  }

  async setBackfillPartition(id: string, partition: string, status: BackfillPartitionStatus, runId?: string): Promise<void> {
    await this.db.transaction(async (client) => {
      await client.query(
        `UPDATE ${this.db.table('backfill_partitions')} SET status = $1, run_id = COALESCE($2, run_id),
           ended_at = CASE WHEN $1 = 'pending' THEN NULL ELSE clock_timestamp() END
         WHERE backfill_id = $3 AND partition_key = $4`,
        [status, runId ?? null, id, partition],
      );
      await client.query(`UPDATE ${this.db.table('backfills')} SET updated_at = clock_timestamp() WHERE id = $1`, [id]);
    });
  }

  async setBackfillStatus(id: string, status: BackfillStatus, error?: SerializedError): Promise<void> {
    const rows =
      status === 'running'
        ? await this.db.query(
            `UPDATE ${this.db.table('backfills')} SET status = 'running', updated_at = clock_timestamp(), ended_at = NULL, error = NULL, pid = $1, host = $2
             WHERE id = $3 RETURNING id`,
            [process.pid, hostname(), id],
          )
        : await this.db.query(
            `UPDATE ${this.db.table('backfills')} SET status = $1, updated_at = clock_timestamp(), ended_at = clock_timestamp(), error = $2
             WHERE id = $3 RETURNING id`,
            [status, error ? JSON.stringify(error) : null, id],
          );
    if (rows.length === 0) throw new SluiceError('INVALID_SELECTION', `backfill "${id}" does not exist; run \`sluice backfill --list\` to see backfills`);
  }

  /** Each backfill with its partitions in order, in one query. */
  private selectBackfills(): string {
    return `SELECT b.*, COALESCE((
        SELECT json_agg(json_build_object('key', p.partition_key, 'status', p.status, 'runId', p.run_id,
          'endedAt', to_char(p.ended_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')) ORDER BY p.position)
        FROM ${this.db.table('backfill_partitions')} AS p WHERE p.backfill_id = b.id), '[]') AS partitions
      FROM ${this.db.table('backfills')} AS b`;
  }
}

function toBackfill(row: BackfillRow): BackfillRecord {
  return {
    id: row.id,
    selection: row.selection,
    fromKey: row.from_key,
    toKey: row.to_key,
    status: row.status,
    createdAt: iso(row.created_at)!,
    updatedAt: iso(row.updated_at)!,
    endedAt: iso(row.ended_at),
    error: row.error,
    owner: { pid: row.pid, host: row.host },
    partitions: row.partitions,
  };
}
