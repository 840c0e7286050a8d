// The event sensor: lands events durably, starts a run at once, coalesces arrivals while it runs, and measures latency.
import { resolveEventSchema, type ResolvedEventSchema } from '../model/event-schema.js';
import type { EventSensorDefinition } from '../model/project-definition.js';
import type { RunEvent } from '../store/metadata-store.js';
import type { AutomationContext } from './automation-context.js';
import { DEFAULT_EVENT_LIMITS, EventBodyError, parseEventBody, type EventBodyLimits } from './event-body.js';
import { EventInbox, type RejectedEvent } from './event-inbox.js';
import { validateEvent } from './event-validation.js';
import { LatencyTracker, type LatencyStats } from './latency-tracker.js';
import type { NatsIngest } from './nats-ingest.js';
import { RunCoalescer } from './run-coalescer.js';

/** After a failed run, the daemon's tick retries the pending events no sooner than this (new events retry at once). */
const RETRY_AFTER_MS = 30_000;

/** How often an unreachable NATS server is tried again. */
const NATS_RETRY_MS = 5_000;

/** What became of one event of a request: landed with its sequence number, or quarantined with the reasons. */
export type EventResult = { status: 'accepted'; seq: number } | { status: 'quarantined'; reasons: string[] };

/** What one request or message did: every event is either accepted or quarantined, in the order sent. */
export interface IngestResult {
  accepted: number;
  quarantined: number;
  /** Sequence numbers of the accepted events in landing.<source>, `[firstSeq, lastSeq]` (empty when none). */
  firstSeq: number;
  lastSeq: number;
  results: EventResult[];
}

/** The sensor's cursor in the store. */
interface EventCursor {
  /** Every event up to this sequence number was consumed by a successful run. */
  consumedSeq: number;
}

/**
 * One event source: `POST /api/events/<source>` (and optionally a NATS JetStream stream) append to
 * `landing.<source>`; each landing requests a run of `select`. The run's bronze asset reads the landing
 * table; after it succeeds, the consumed events are deleted from it. A crash between the run and the
 * delete only makes the next run read those events again, which a merge by key absorbs.
 * Every event is validated against the sensor's declared schema (`event`) before it is acknowledged; events
 * that fail are landed in `landing.<source>_rejected` with their reasons, in the same transaction.
 * @example const sensor = await EventSensor.start(definition, context); await sensor.ingest('[{"event_id": 1}]', 'http', Date.now());
 */
export class EventSensor {
  readonly latency = new LatencyTracker();
  private consumedSeq = 0;
  /** The newest sequence number a launched run will consume (ahead of consumedSeq while runs are in flight). */
  private launchedSeq = 0;
  private readonly trigger: RunCoalescer;
  /** Runs in flight and the sequence number each consumes through. */
  private readonly running = new Map<string, number>();
  private nats: NatsIngest | undefined;
  private natsStarting: Promise<void> | undefined;
  private stopped = false;
  private failedAt = 0;
  private readonly onEvent = (event: RunEvent): void => {
    const through = this.running.get(event.runId);
    if (through !== undefined && event.type === 'asset_succeeded' && event.assetKey) this.latency.published(event.assetKey, through, Date.now());
  };

  private constructor(
    readonly definition: EventSensorDefinition,
    private readonly context: AutomationContext,
    private inbox: EventInbox,
    /** The declared event shape, defaults filled in: every event is checked against it before it is acknowledged. */
    readonly schema: ResolvedEventSchema,
  ) {
    // One round at a time: measured, two rounds in flight (pipelined through the asset locks) contend for the warehouse and double the latency.
    this.trigger = new RunCoalescer(() => this.round(), { onError: (error) => context.log(`sensor ${definition.name}: ${message(error)}`) });
  }

  static async start(definition: EventSensorDefinition, context: AutomationContext): Promise<EventSensor> {
    const schema = resolveEventSchema(definition.event, definition.name);
    const saved = context.state(definition.name)?.cursor;
    const consumedSeq = saved ? (JSON.parse(saved) as EventCursor).consumedSeq : 0;
    const inbox = await EventInbox.open(context.sluice.warehouse, definition.source, consumedSeq);
    const sensor = new EventSensor(definition, context, inbox, schema);
    sensor.consumedSeq = consumedSeq;
    sensor.launchedSeq = consumedSeq;
    context.sluice.bus.on('event', sensor.onEvent);
    // A broker that is down does not stop the sensor: it retries in the background, and HTTP events keep working.
    if (definition.nats) await sensor.connectNats(definition.nats);
    // Events landed before a restart (or while the sensor was off) are processed now.
    sensor.poke();
    return sensor;
  }

  get name(): string {
    return this.definition.name;
  }

  get source(): string {
    return this.definition.source;
  }

  /** The newest landed event's sequence number. */
  get lastSeq(): number {
    return this.inbox.lastSeq;
  }

  /** Events landed but not yet consumed by a successful run. */
  get pending(): number {
    return this.inbox.lastSeq - this.consumedSeq;
  }

  /**
   * Splits a body into events, validates each, lands the accepted and the quarantined ones durably (one
   * transaction), then requests a run (unless the sensor is off: they wait in the landing table). Throws
   * EventBodyError for a body that is malformed or over a limit: nothing of it was landed.
   */
  async ingest(body: string, origin: string, receivedAt: number, limits: EventBodyLimits = DEFAULT_EVENT_LIMITS): Promise<IngestResult> {
    const events = parseEventBody(body, limits);
    const accepted: string[] = [];
    const rejected: RejectedEvent[] = [];
    const reasonsOf = events.map((event) => {
      const reasons = validateEvent(event, this.schema);
      if (reasons.length === 0) accepted.push(event.raw);
      else rejected.push({ raw: event.raw, reasons });
      return reasons;
    });
    const batch = await this.inbox.append({ events: accepted, rejected, origin, receivedAt });
    this.latency.landed(batch);
    if (batch.count > 0 && this.context.isEnabled(this.name)) this.trigger.request();
    let seq = batch.firstSeq;
    let acceptedIndex = 0;
    const results = reasonsOf.map((reasons): EventResult => {
      if (reasons.length > 0) return { status: 'quarantined', reasons };
      const refused = batch.refused?.get(acceptedIndex++);
      return refused ? { status: 'quarantined', reasons: [refused] } : { status: 'accepted', seq: seq++ };
    });
    return { accepted: batch.count, quarantined: events.length - batch.count, firstSeq: batch.firstSeq, lastSeq: batch.lastSeq, results };
  }

  /**
   * A broker message: like `ingest`, but a message that cannot be split into events is landed whole as
   * rejected (with the reason) instead of thrown, since redelivering it could never succeed.
   */
  async ingestMessage(body: string, origin: string, receivedAt: number): Promise<IngestResult> {
    try {
      return await this.ingest(body, origin, receivedAt);
    } catch (error) {
      if (!(error instanceof EventBodyError)) throw error;
      const batch = await this.inbox.append({ events: [], rejected: [{ raw: body, reasons: [error.message] }], origin, receivedAt });
      return { accepted: 0, quarantined: 1, firstSeq: batch.firstSeq, lastSeq: batch.lastSeq, results: [{ status: 'quarantined', reasons: [error.message] }] };
    }
  }

  /** Latency from reception to visibility in `assetKey`, over events `[fromSeq, toSeq]`. */
  stats(assetKey: string, fromSeq?: number, toSeq?: number): LatencyStats {
    return this.latency.stats(assetKey, fromSeq, toSeq);
  }

  /** Called by the daemon's tick: picks up pending events (after a restart, a switch on, or a failed run's back-off). */
  poke(): void {
    if (this.pending > 0 && !this.trigger.busy && this.context.isEnabled(this.name) && Date.now() - this.failedAt >= RETRY_AFTER_MS) this.trigger.request();
  }

  /** Resolves when no run is in flight or requested. */
  settled(): Promise<void> {
    return this.trigger.settled();
  }

  /** Stops consuming the broker, waits for the current run (the daemon cancels it), closes the inbox. */
  async stop(): Promise<void> {
    this.stopped = true;
    await this.natsStarting;
    await this.nats?.stop();
    await this.trigger.stop();
    this.context.sluice.bus.off('event', this.onEvent);
    await this.inbox.close();
  }

  /**
   * Connects to NATS (creating the stream and consumer): awaited once, so a working broker is consumed from
   * the start; on failure it retries in the background every few seconds and reports each new failure once.
   */
  private async connectNats(config: NonNullable<EventSensorDefinition['nats']>): Promise<void> {
    let lastError = '';
    const attempt = async (): Promise<boolean> => {
      try {
        // Imported here: loading the NATS client costs every process that loads Sluice tens of ms, and most never use it.
        const { startNatsIngest } = await import('./nats-ingest.js');
        this.nats = await startNatsIngest(config, this.name, (body, origin, receivedAt) => this.ingestMessage(body, origin, receivedAt), this.context.log);
        if (lastError) this.context.log(`sensor ${this.name}: connected to NATS stream ${config.stream}`);
        if (this.stopped) await this.nats.stop();
        return true;
      } catch (error) {
        if (message(error) !== lastError)
          this.context.log(`sensor ${this.name}: ${message(error)}; retrying every ${NATS_RETRY_MS / 1000} s (HTTP events still work)`);
        lastError = message(error);
        return false;
      }
    };
    if (await attempt()) return;
    this.natsStarting = (async () => {
      while (!this.stopped) {
        for (let waited = 0; waited < NATS_RETRY_MS && !this.stopped; waited += 100) await new Promise((resolve) => setTimeout(resolve, 100));
        if (!this.stopped && (await attempt())) return;
      }
    })();
  }

  private async round(): Promise<void> {
    const through = this.inbox.lastSeq;
    const from = this.launchedSeq + 1;
    if (through < from || !this.context.isEnabled(this.name)) return;
    this.launchedSeq = through;
    const reason = `${through - from + 1} new event(s) from "${this.source}" (seq ${from}-${through})`;
    let launched;
    try {
      launched = await this.context.launch({ select: this.definition.select });
    } catch (error) {
      this.failed();
      await this.context.record({ name: this.name, kind: 'sensor', launched: false, reason: `${reason}, but the run could not start: ${message(error)}` });
      return;
    }
    this.running.set(launched.runId, through);
    await this.context.record({ name: this.name, kind: 'sensor', launched: true, reason, runId: launched.runId, data: { fromSeq: from, throughSeq: through } });
    try {
      const result = await launched.done;
      if (result.status !== 'succeeded') {
        this.failed();
        await this.context.record({
          name: this.name,
          kind: 'sensor',
          launched: false,
          runId: launched.runId,
          reason: `run ${launched.runId} ${result.status}; the events stay in landing.${this.source} and are retried with the next events or in ${RETRY_AFTER_MS / 1000} s`,
        });
        return;
      }
    } catch (error) {
      this.failed();
      await this.context.record({
        name: this.name,
        kind: 'sensor',
        launched: false,
        runId: launched.runId,
        reason: `run ${launched.runId} failed: ${message(error)}`,
      });
      return;
    } finally {
      this.running.delete(launched.runId);
    }
    this.failedAt = 0;
    if (through <= this.consumedSeq) return;
    this.consumedSeq = through;
    this.launchedSeq = Math.max(this.launchedSeq, through);
    // The cursor first: a crash before the delete re-reads events (harmless), never skips them.
    await this.context.saveState(this.name, 'sensor', { cursor: JSON.stringify({ consumedSeq: through } satisfies EventCursor), lastRunId: launched.runId });
    await this.inbox.deleteThrough(through);
  }

  /** A failed run leaves its events pending: the next round (a new arrival, or the tick after the back-off) takes them again. */
  private failed(): void {
    this.failedAt = Date.now();
    this.launchedSeq = this.consumedSeq;
  }
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
