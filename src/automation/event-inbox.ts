// Durable landing of events: batches are appended to the warehouse table landing.<source> (group commit) before anyone acknowledges them.
import { SluiceError } from '../errors.js';
import { assertIdentifier, quoteQualified, type QualifiedName } from '../model/asset-key.js';
import type { Warehouse, WarehouseSession } from '../engine/warehouse.js';

/** Events handed to the inbox by one caller (an HTTP request, a NATS message). */
export interface IncomingEvents {
  payloads: readonly unknown[];
  /** Where they came from, stored in `_origin`: `http`, `nats:STREAM:SEQ`. */
  origin: string;
  /** When the server received them (ms since the epoch): the start of the end-to-end latency. */
  receivedAt: number;
}

/** The sequence numbers a landed batch got: `[firstSeq, lastSeq]`, empty when `count` is 0. */
export interface LandedBatch {
  firstSeq: number;
  lastSeq: number;
  count: number;
  receivedAt: number;
}

interface Pending {
  events: IncomingEvents;
  resolve: (batch: LandedBatch) => void;
  reject: (error: unknown) => void;
}

/**
 * The landing table's DDL. Events are stored as JSON so the inbox needs no schema: SQL assets pick the
 * fields they want (`payload->>'origin'`). `_seq` orders events and tells which were consumed.
 * @example await session.exec(landingTableSql({ schema: 'landing', name: 'flights' }));
 */
export function landingTableSql(table: QualifiedName): string {
  return `CREATE TABLE IF NOT EXISTS ${quoteQualified(table)} (_seq BIGINT NOT NULL, _received_at TIMESTAMP NOT NULL, _origin VARCHAR NOT NULL, payload JSON NOT NULL)`;
}

/**
 * Appends events to `landing.<source>`. Concurrent appends are written together in one transaction
 * (group commit): each caller's promise resolves only after the commit, so an HTTP 202 or a broker
 * acknowledgement always follows a durable write. Sequence numbers are assigned and committed in
 * order, one writer at a time, so "everything up to `lastSeq`" is always a committed prefix.
 * @example
 * const inbox = await EventInbox.open(warehouse, 'flights', 0);
 * const batch = await inbox.append({ payloads: [{ id: 1 }], origin: 'http', receivedAt: Date.now() });
 */
export class EventInbox {
  private queue: Pending[] = [];
  private writing: Promise<void> | undefined;
  private closed = false;

  private constructor(
    readonly table: QualifiedName,
    private readonly warehouse: Warehouse,
    private readonly session: WarehouseSession,
    private committedSeq: number,
  ) {}

  /** Creates the landing table if needed; sequence numbers continue after both the table's and `consumedSeq`. */
  static async open(warehouse: Warehouse, source: string, consumedSeq: number): Promise<EventInbox> {
    const table = { schema: 'landing', name: assertIdentifier(source, 'event source name') };
    const session = await warehouse.session();
    try {
      await session.ensureSchema(table.schema);
      await session.exec(landingTableSql(table));
      const [row] = await session.query<{ seq: number | null }>(`SELECT max(_seq) AS seq FROM ${quoteQualified(table)}`);
      return new EventInbox(table, warehouse, session, Math.max(consumedSeq, Number(row?.seq ?? 0)));
    } catch (error) {
      session.close();
      throw error;
    }
  }

  /** The newest committed sequence number. */
  get lastSeq(): number {
    return this.committedSeq;
  }

  /** Lands the events; resolves once they are committed. */
  append(events: IncomingEvents): Promise<LandedBatch> {
    if (this.closed) return Promise.reject(new SluiceError('INVALID_CONFIG', `the event inbox of ${this.table.name} is closed (the server is stopping); retry later`));
    if (events.payloads.length === 0) return Promise.resolve({ firstSeq: this.committedSeq + 1, lastSeq: this.committedSeq, count: 0, receivedAt: events.receivedAt });
    return new Promise((resolve, reject) => {
      this.queue.push({ events, resolve, reject });
      this.writing ??= this.drain();
    });
  }

  /** Deletes landed events up to `seq` (consumed by a successful run); later ones stay. */
  async deleteThrough(seq: number): Promise<void> {
    // Its own connection: one DuckDB connection runs one statement at a time, and appends may be in flight.
    const session = await this.warehouse.session();
    try {
      await session.exec(`DELETE FROM ${quoteQualified(this.table)} WHERE _seq <= $1`, [seq]);
    } finally {
      session.close();
    }
  }

  /** Waits for queued writes, then releases the connection. */
  async close(): Promise<void> {
    this.closed = true;
    await this.writing;
    this.session.close();
  }

  /** Writes whatever is queued, in one transaction per round, until the queue is empty. */
  private async drain(): Promise<void> {
    while (this.queue.length > 0) {
      const round = this.queue;
      this.queue = [];
      let seq = this.committedSeq;
      const batches: LandedBatch[] = [];
      const rows: { s: number; r: number; o: string; p: unknown }[] = [];
      for (const { events } of round) {
        const firstSeq = seq + 1;
        for (const payload of events.payloads) rows.push({ s: ++seq, r: events.receivedAt, o: events.origin, p: payload });
        batches.push({ firstSeq, lastSeq: seq, count: events.payloads.length, receivedAt: events.receivedAt });
      }
      try {
        // One statement is one auto-committed transaction: DuckDB syncs its WAL before it returns.
        await this.session.exec(
          `INSERT INTO ${quoteQualified(this.table)} (_seq, _received_at, _origin, payload)
           SELECT (x->>'s')::BIGINT, make_timestamp((x->>'r')::BIGINT * 1000), x->>'o', x->'p'
           FROM (SELECT unnest(from_json($1::JSON, '["JSON"]')) AS x)`,
          [JSON.stringify(rows)],
        );
        this.committedSeq = seq;
        round.forEach((pending, i) => pending.resolve(batches[i]!));
      } catch (error) {
        const failure = new SluiceError('SOURCE_ERROR', `could not land ${rows.length} event(s) in ${this.table.schema}.${this.table.name}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
        for (const pending of round) pending.reject(failure);
      }
    }
    this.writing = undefined;
  }
}
