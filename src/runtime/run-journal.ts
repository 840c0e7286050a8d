// Writes what runs say: status changes, typed events and check results, to the store and the live bus.
import type { SerializedError } from '../errors.js';
import type { CheckResult } from '../checks/run-check.js';
import type { AssetLogger } from '../model/asset-definition.js';
import type { MetadataStore } from '../store/metadata-store.js';
import type { RunStatus } from '../store/records.js';
import { checkEventData, checkMessage } from './asset-audit.js';
import type { RunEventOf } from '../model/run-event.js';
import { EVENT_LEVELS, type RunEventBus, type RunEventMap, type RunEventType } from './run-events.js';

/**
 * Every write about a run goes through here, so the event log, the progress display, the UI stream and
 * OpenLineage all see the same events in the same order.
 * @example await journal.emit(runId, 'asset_started', 'silver/flights', 'started', { attempt: 1 });
 */
export class RunJournal {
  constructor(
    private readonly store: MetadataStore,
    private readonly bus: RunEventBus,
  ) {}

  async setStatus(runId: string, status: RunStatus, error?: SerializedError): Promise<void> {
    await this.store.setRunStatus(runId, status, error);
    this.bus.emit('status', { runId, status });
  }

  async emit<T extends RunEventType>(
    runId: string,
    type: T,
    assetKey: string | undefined,
    message: string,
    data: RunEventMap[T],
    level = EVENT_LEVELS[type],
  ): Promise<void> {
    const stored = await this.store.appendEvent({ runId, type, level, message, data: data as Record<string, unknown>, ...(assetKey ? { assetKey } : {}) });
    // The store keeps what it was given: the record is the event of type T that was just written.
    this.bus.emit('event', stored as RunEventOf<T>);
  }

  /** Stores check results and announces them with one `asset_checked` event. */
  async recordChecks(runId: string, assetKey: string, stage: 'staged' | 'published', results: CheckResult[]): Promise<void> {
    await this.store.recordCheckResults(runId, results, stage);
    const data = checkEventData(stage, results);
    await this.emit(runId, 'asset_checked', assetKey, checkMessage(data), data, data.failed > 0 ? 'error' : data.warned > 0 ? 'warn' : 'info');
  }

  /** The logger handed to compute functions: fire-and-forget lines in the run's event log. */
  logger(runId: string, assetKey: string): AssetLogger {
    const write = (level: 'info' | 'warn' | 'error') => (message: string, data?: Record<string, unknown>) => {
      void this.emit(runId, 'asset_log', assetKey, message, data ?? {}, level);
    };
    return { info: write('info'), warn: write('warn'), error: write('error') };
  }
}
