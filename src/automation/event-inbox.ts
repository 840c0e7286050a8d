// Durable landing of events: batches are appended to the warehouse table landing.<source> (group commit) before anyone acknowledges them.
import { SluiceError } from '../errors.js';
import { assertIdentifier, quoteQualified, type QualifiedName } from '../model/asset-key.js';
import type { Warehouse, WarehouseSession } from '../engine/warehouse.js';

/** An event refused at the door, kept with its reasons in `landing.<source>_rejected`. */
export interface RejectedEvent {
  /** The event's text as sent (or the whole message when it could not be split into events). */
  raw: string;
  reasons: readonly string[];
}

/** Events handed to the inbox by one caller (an HTTP request, a NATS message). */
export interface IncomingEvents {
  /** Accepted events, each the exact JSON text of one object. */
  events: readonly string[];
  /** Events refused by validation: landed in the same transaction, so a 202 never hides a lost event. */
  rejected?: readonly RejectedEvent[];
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
  /** Accepted events the warehouse itself refused (by their index in `events`), landed as rejected with the reason instead. */
  refused?: ReadonlyMap<number, string>;
}

/** The inbox was closed (the server is stopping): nothing was landed, the sender should retry shortly. */
export class InboxClosedError extends SluiceError {
  constructor(readonly source: string) {
    super('SOURCE_ERROR', `the event inbox of "${source}" is closed (the server is stopping); nothing was landed, retry in a few seconds`);
    this.name = 'InboxClosedError';
  }
}

/** DuckDB errors caused by a value itself (as opposed to the warehouse being unable to write at all). */
const CONTENT_ERROR = /Conversion Error|Invalid Input Error|Malformed JSON|unicode|UTF-?8/i;

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

/** The table of events refused at the door: text as sent (VARCHAR, it may not be JSON), and why. */
function rejectedTableSql(table: QualifiedName): string {
  return `CREATE TABLE IF NOT EXISTS ${quoteQualified(table)} (_received_at TIMESTAMP NOT NULL, _origin VARCHAR NOT NULL, _reason VARCHAR NOT NULL, raw VARCHAR NOT NULL)`;
}

/**
 * Appends events to `landing.<source>`. Concurrent appends are written together in one transaction
 * (group commit): each caller's promise resolves only after the commit, so an HTTP 202 or a broker
 * acknowledgement always follows a durable write. Sequence numbers are assigned and committed in
 * order, one writer at a time, so "everything up to `lastSeq`" is always a committed prefix. When a
 * round's write fails, it is retried in halves down to single callers, so one bad request fails alone.
 * @example
 * const inbox = await EventInbox.open(warehouse, 'flights', 0);
 * const batch = await inbox.append({ events: ['{"event_id": 1}'], origin: 'http', receivedAt: Date.now() });
 */
export class EventInbox {
  private queue: Pending[] = [];
  private writing: Promise<void> | undefined;
  private closed = false;

  private constructor(
    readonly table: QualifiedName,
    readonly rejectedTable: QualifiedName,
    private readonly warehouse: Warehouse,
    private readonly session: WarehouseSession,
    private committedSeq: number,
  ) {}

  /** Creates the landing tables if needed; sequence numbers continue after both the table's and `consumedSeq`. */
  static async open(warehouse: Warehouse, source: string, consumedSeq: number): Promise<EventInbox> {
    const table = { schema: 'landing', name: assertIdentifier(source, 'event source name') };
    const rejected = { schema: 'landing', name: assertIdentifier(`${source}_rejected`, 'event source name') };
    const session = await warehouse.session();
    try {
      await session.ensureSchema(table.schema);
      await session.exec(landingTableSql(table));
      await session.exec(rejectedTableSql(rejected));
      const [row] = await session.query<{ seq: number | null }>(`SELECT max(_seq) AS seq FROM ${quoteQualified(table)}`);
      return new EventInbox(table, rejected, warehouse, session, Math.max(consumedSeq, Number(row?.seq ?? 0)));
    } catch (error) {
      session.close();
      throw error;
    }
  }

  /** The newest committed sequence number. */
  get lastSeq(): number {
    return this.committedSeq;
  }

  /** Lands the events (and the rejected ones); resolves once they are committed. */
  append(events: IncomingEvents): Promise<LandedBatch> {
    if (this.closed) return Promise.reject(new InboxClosedError(this.table.name));
    if (events.events.length === 0 && (events.rejected ?? []).length === 0)
      return Promise.resolve({ firstSeq: this.committedSeq + 1, lastSeq: this.committedSeq, count: 0, receivedAt: events.receivedAt });
    return new Promise((resolve, reject) => {
      this.queue.push({ events, resolve, reject });
      this.kick();
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
    while (this.writing) await this.writing;
    this.session.close();
  }

  /**
   * Starts the writer unless one runs. `writing` is assigned before the writer can finish (it settles
   * asynchronously), and the writer never rejects, so no error can leave the inbox without a writer.
   */
  private kick(): void {
    if (this.writing) return;
    this.writing = this.drain().finally(() => {
      this.writing = undefined;
      if (this.queue.length > 0) this.kick();
    });
  }

  /** Writes whatever is queued, one round (one transaction) at a time, until the queue is empty. */
  private async drain(): Promise<void> {
    while (this.queue.length > 0) {
      const round = this.queue;
      this.queue = [];
      await this.writeRound(round);
    }
  }

  /** Writes a round; on failure, each half separately, so only the callers whose data fails are affected. */
  private async writeRound(round: readonly Pending[]): Promise<void> {
    try {
      const batches = await this.write(round.map((pending) => pending.events));
      round.forEach((pending, i) => pending.resolve(batches[i]!));
    } catch (error) {
      if (round.length > 1) {
        const half = Math.ceil(round.length / 2);
        await this.writeRound(round.slice(0, half));
        await this.writeRound(round.slice(half));
      } else {
        await this.writeEach(round[0]!, error);
      }
    }
  }

  /**
   * The last resort for one caller whose write failed: its events one at a time, those the warehouse refuses
   * landed as rejected with the warehouse's reason. Rejected only if even that fails (the warehouse is down).
   */
  private async writeEach(pending: Pending, firstError: unknown): Promise<void> {
    const { events } = pending;
    try {
      const refused = new Map<number, string>();
      let firstSeq = 0;
      for (const [i, raw] of events.events.entries()) {
        try {
          const [batch] = await this.write([{ ...events, events: [raw], rejected: [] }]);
          firstSeq ||= batch!.firstSeq;
        } catch (error) {
          // Only a refusal of the content is the event's fault; a missing table or a full disk fails the caller, who retries.
          if (!CONTENT_ERROR.test(error instanceof Error ? error.message : String(error))) throw error;
          refused.set(i, `the warehouse could not store it: ${error instanceof Error ? error.message : String(error)}`);
        }
      }
      const rejected = [...(events.rejected ?? []), ...[...refused].map(([i, reason]) => ({ raw: events.events[i]!, reasons: [reason] }))];
      if (rejected.length > 0) await this.write([{ ...events, events: [], rejected }]);
      const count = events.events.length - refused.size;
      pending.resolve({
        firstSeq: firstSeq || this.committedSeq + 1,
        lastSeq: count > 0 ? firstSeq + count - 1 : this.committedSeq,
        count,
        receivedAt: events.receivedAt,
        refused,
      });
    } catch (error) {
      const count = events.events.length + (events.rejected ?? []).length;
      const reason = error instanceof Error ? error.message : String(error);
      pending.reject(
        new SluiceError('SOURCE_ERROR', `could not land ${count} event(s) in ${this.table.schema}.${this.table.name}: ${reason}`, { cause: firstError }),
      );
    }
  }

  /** One transaction for the round; sequence numbers become committed only when it commits. */
  private async write(round: readonly IncomingEvents[]): Promise<LandedBatch[]> {
    let seq = this.committedSeq;
    const batches: LandedBatch[] = [];
    // Built as text: each event is already validated JSON, and re-serializing it could round its numbers.
    const rows: string[] = [];
    const rejected: string[] = [];
    for (const events of round) {
      const firstSeq = seq + 1;
      const head = `{"r":${Math.trunc(events.receivedAt)},"o":${JSON.stringify(events.origin)}`;
      for (const raw of events.events) rows.push(`${head},"s":${++seq},"p":${raw}}`);
      for (const event of events.rejected ?? [])
        rejected.push(`${head},"q":${JSON.stringify(event.reasons.join('; '))},"p":${JSON.stringify(event.raw.replace(/\p{Surrogate}/gu, '\ufffd'))}}`);
      batches.push({ firstSeq, lastSeq: seq, count: events.events.length, receivedAt: events.receivedAt });
    }
    const statements: [string, string][] = [];
    if (rows.length > 0) {
      statements.push([
        `INSERT INTO ${quoteQualified(this.table)} (_seq, _received_at, _origin, payload)
         SELECT (x->>'s')::BIGINT, make_timestamp((x->>'r')::BIGINT * 1000), x->>'o', x->'p'
         FROM (SELECT unnest(from_json($1::JSON, '["JSON"]')) AS x)`,
        `[${rows.join(',')}]`,
      ]);
    }
    if (rejected.length > 0) {
      statements.push([
        `INSERT INTO ${quoteQualified(this.rejectedTable)} (_received_at, _origin, _reason, raw)
         SELECT make_timestamp((x->>'r')::BIGINT * 1000), x->>'o', x->>'q', x->>'p'
         FROM (SELECT unnest(from_json($1::JSON, '["JSON"]')) AS x)`,
        `[${rejected.join(',')}]`,
      ]);
    }
    if (statements.length === 1) {
      // One statement is one auto-committed transaction: DuckDB syncs its WAL before it returns.
      await this.session.exec(statements[0]![0], [statements[0]![1]]);
    } else {
      await this.session.exec('BEGIN TRANSACTION');
      try {
        for (const [sql, json] of statements) await this.session.exec(sql, [json]);
        await this.session.exec('COMMIT');
      } catch (error) {
        await this.session.exec('ROLLBACK').catch(() => undefined);
        throw error;
      }
    }
    this.committedSeq = seq;
    return batches;
  }
}
