// Writes what runs say: status changes, typed events, materializations and check results, to the store and the live bus.
import type { SerializedError } from '../errors.js';
import type { CheckResult } from '../checks/run-check.js';
import type { AssetLogger } from '../model/asset-definition.js';
import type { MaterializationRecord, MetadataStore, NewMaterialization } from '../store/metadata-store.js';
import type { RunStatus } from '../store/records.js';
import type { NewRunEvent } from '../store/run-store.js';
import { checkEventData, checkMessage } from './asset-audit.js';
import type { RunEventOf } from '../model/run-event.js';
import { EVENT_LEVELS, type RunEventBus, type RunEventMap, type RunEventType } from './run-events.js';

interface QueuedEvent {
  event: NewRunEvent;
  stored: () => void;
  failed: (error: unknown) => void;
}

interface QueuedMaterialization {
  materialization: NewMaterialization;
  stored: (record: MaterializationRecord) => void;
  failed: (error: unknown) => void;
}

/**
 * Every write about a run goes through here, so the event log, the progress display, the UI stream and
 * OpenLineage all see the same events in the same order.
 *
 * Events and materializations are queued and written together at the next turn of the event loop: a step's writes
 * then cost one commit between them, made while the warehouse works on the next step, instead of a commit each on
 * the step's path. The queue is written before any other write (a status, check results), so the store sees
 * everything in the order it was said, and `latestDataVersions` reads through it; `flush()` writes what is queued now.
 * @example await journal.emit(runId, 'asset_started', 'silver/flights', 'started', { attempt: 1 });
 */
export class RunJournal {
  private events: QueuedEvent[] = [];
  private materializations: QueuedMaterialization[] = [];
  /** Materializations taken from the queue whose write has not ended yet. */
  private writing: readonly QueuedMaterialization[] = [];
  private flushScheduled = false;
  /** The writes in progress, in order; never rejects (each write's caller gets its own error). */
  private tail: Promise<void> = Promise.resolve();

  constructor(
    private readonly store: MetadataStore,
    private readonly bus: RunEventBus,
  ) {}

  async setStatus(runId: string, status: RunStatus, error?: SerializedError): Promise<void> {
    await this.afterQueued(() => this.store.setRunStatus(runId, status, error));
    this.bus.emit('status', { runId, status });
  }

  /**
   * Queues an event; resolves once it is stored (and announced on the bus), within a turn of the event loop. A caller
   * that need not wait for that may go on and handle the promise's failure later.
   */
  emit<T extends RunEventType>(
    runId: string,
    type: T,
    assetKey: string | undefined,
    message: string,
    data: RunEventMap[T],
    level = EVENT_LEVELS[type],
  ): Promise<void> {
    const event: NewRunEvent = { runId, type, level, message, data: data as Record<string, unknown>, ...(assetKey ? { assetKey } : {}) };
    return new Promise<void>((stored, failed) => {
      this.events.push({ event, stored, failed });
      this.scheduleFlush();
    });
  }

  /** Queues a materialization; resolves with its record once it is stored, within a turn of the event loop. */
  recordMaterialization(materialization: NewMaterialization): Promise<MaterializationRecord> {
    return new Promise<MaterializationRecord>((stored, failed) => {
      this.materializations.push({ materialization, stored, failed });
      this.scheduleFlush();
    });
  }

  /** The store's `latestDataVersions`, counting the materializations not written yet (they will be the latest). */
  async latestDataVersions(assetKeys: readonly string[]): Promise<Map<string, string | null>> {
    // Taken before the read: a write that ends during it may or may not be seen by it, and is applied over it anyway.
    const unwritten = [...this.writing, ...this.materializations].map((q) => q.materialization);
    const versions = await this.store.latestDataVersions(assetKeys);
    for (const m of unwritten) if (versions.has(m.assetKey)) versions.set(m.assetKey, m.dataVersion);
    return versions;
  }

  /** Stores check results and announces them with one `asset_checked` event. */
  async recordChecks(runId: string, assetKey: string, stage: 'staged' | 'published', results: CheckResult[]): Promise<void> {
    await this.afterQueued(() => this.store.recordCheckResults(runId, results, stage));
    const data = checkEventData(stage, results);
    await this.emit(runId, 'asset_checked', assetKey, checkMessage(data), data, data.failed > 0 ? 'error' : data.warned > 0 ? 'warn' : 'info');
  }

  /** Writes what is queued so far; resolves once it is stored (or its writers were told it failed). */
  flush(): Promise<void> {
    return this.afterQueued(async () => undefined);
  }

  /** The logger handed to compute functions: fire-and-forget lines in the run's event log. */
  logger(runId: string, assetKey: string): AssetLogger {
    const write = (level: 'info' | 'warn' | 'error') => (message: string, data?: Record<string, unknown>) => {
      void this.emit(runId, 'asset_log', assetKey, message, data ?? {}, level);
    };
    return { info: write('info'), warn: write('warn'), error: write('error') };
  }

  private scheduleFlush(): void {
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    setImmediate(() => void this.flush());
  }

  /** Runs `write` once every write before it, and what is queued now, are stored. */
  private afterQueued<T>(write: () => Promise<T>): Promise<T> {
    const result = this.tail.then(() => this.writeQueued()).then(write);
    this.tail = result.then(
      () => undefined,
      () => undefined,
    );
    return result;
  }

  /** Materializations first: an asset's success event is queued after its materialization, never before. */
  private async writeQueued(): Promise<void> {
    this.flushScheduled = false;
    const materializations = (this.writing = this.materializations);
    const events = this.events;
    this.materializations = [];
    this.events = [];
    try {
      for (const q of materializations) await this.store.recordMaterialization(q.materialization).then(q.stored, q.failed);
    } finally {
      this.writing = [];
    }
    if (events.length === 0) return;
    let stored;
    try {
      stored = await this.store.appendEvents(events.map((q) => q.event));
    } catch (error) {
      for (const q of events) q.failed(error);
      return;
    }
    stored.forEach((event, i) => {
      try {
        // The store keeps what it was given: each record is the event of its type that was just written.
        this.bus.emit('event', event as RunEventOf<RunEventType>);
        events[i]!.stored();
      } catch (error) {
        // A listener that throws fails the emit it heard, as when each event was written on its own.
        events[i]!.failed(error);
      }
    });
  }
}
