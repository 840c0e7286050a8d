// Per-asset locks: two runs in one process never build and publish the same asset at the same time.
import { SluiceError } from '../errors.js';

interface Holder {
  runId: string;
  released: Promise<void>;
}

/**
 * A queue per asset key. Runs wait their turn (in arrival order) instead of failing; a canceled run stops waiting.
 * Across processes DuckDB's own file lock already admits a single writer.
 * @example const release = await locks.acquire('silver/flights', runId, signal); try { ... } finally { release(); }
 */
export class AssetLocks {
  private readonly holders = new Map<string, Holder>();

  /** The run currently holding `key`, if any. */
  holderOf(key: string): string | undefined {
    return this.holders.get(key)?.runId;
  }

  async acquire(key: string, runId: string, signal: AbortSignal, onWait?: (holderRunId: string) => void): Promise<() => void> {
    for (;;) {
      const holder = this.holders.get(key);
      if (!holder) break;
      if (holder.runId === runId) throw new SluiceError('ASSET_LOCKED', `asset "${key}" is already being built by this run ${runId}`);
      onWait?.(holder.runId);
      await Promise.race([holder.released, aborted(signal)]);
      if (signal.aborted) throw new SluiceError('RUN_CANCELED', `run ${runId} was canceled while waiting for run ${holder.runId} to finish "${key}"`);
    }
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    this.holders.set(key, { runId, released });
    return () => {
      if (this.holders.get(key)?.released === released) this.holders.delete(key);
      release();
    };
  }
}

function aborted(signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) resolve();
    else signal.addEventListener('abort', () => resolve(), { once: true });
  });
}
