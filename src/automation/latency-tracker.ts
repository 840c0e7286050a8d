// End-to-end latency of landed events: from reception to the moment a run published them in a given asset.
import type { LandedBatch } from './event-inbox.js';

/** Latency figures over a range of events. */
export interface LatencyStats {
  /** Events in the range that the tracker saw land. */
  events: number;
  /** Of those, how many are visible in the asset. */
  visible: number;
  /** Milliseconds, over the visible events (null when none is). */
  p50: number | null;
  p99: number | null;
  max: number | null;
}

interface TrackedBatch extends LandedBatch {
  /** Per asset: when the batch became visible there. */
  visibleAt: Map<string, number>;
}

/** Per-asset latency samples kept in memory (the most recent batches only). */
const MAX_BATCHES = 200_000;

/**
 * Remembers when each landed batch was received and when each asset first published it. Batches are
 * counted per event, so a batch of 50 weighs 50 times a batch of one.
 * @example
 * tracker.landed({ firstSeq: 1, lastSeq: 50, count: 50, receivedAt: t0 });
 * tracker.published('gold/airport_daily_delays', 50, t0 + 180);
 * tracker.stats('gold/airport_daily_delays').p50 // 180
 */
export class LatencyTracker {
  private batches: TrackedBatch[] = [];
  /** Per asset: index of the first batch not yet visible there (batches become visible in order). */
  private cursors = new Map<string, number>();

  landed(batch: LandedBatch): void {
    if (batch.count === 0) return;
    this.batches.push({ ...batch, visibleAt: new Map() });
    if (this.batches.length > MAX_BATCHES) this.forget(this.batches.length - MAX_BATCHES);
  }

  /** Every batch up to sequence number `throughSeq` is visible in `assetKey` since `at`. */
  published(assetKey: string, throughSeq: number, at: number): void {
    let i = this.cursors.get(assetKey) ?? 0;
    while (i < this.batches.length && this.batches[i]!.lastSeq <= throughSeq) {
      const batch = this.batches[i]!;
      if (!batch.visibleAt.has(assetKey)) batch.visibleAt.set(assetKey, at);
      i += 1;
    }
    this.cursors.set(assetKey, i);
  }

  /** p50, p99 and max over the events in `[fromSeq, toSeq]` (default: all tracked). */
  stats(assetKey: string, fromSeq = 0, toSeq = Number.MAX_SAFE_INTEGER): LatencyStats {
    const samples: { latency: number; weight: number }[] = [];
    let events = 0;
    for (const batch of this.batches) {
      const weight = Math.min(batch.lastSeq, toSeq) - Math.max(batch.firstSeq, fromSeq) + 1;
      if (weight <= 0) continue;
      events += weight;
      const at = batch.visibleAt.get(assetKey);
      if (at !== undefined) samples.push({ latency: at - batch.receivedAt, weight });
    }
    samples.sort((a, b) => a.latency - b.latency);
    const visible = samples.reduce((sum, s) => sum + s.weight, 0);
    return { events, visible, p50: percentile(samples, visible, 0.5), p99: percentile(samples, visible, 0.99), max: samples.at(-1)?.latency ?? null };
  }

  private forget(count: number): void {
    this.batches = this.batches.slice(count);
    for (const [key, index] of this.cursors) this.cursors.set(key, Math.max(0, index - count));
  }
}

/** Nearest-rank percentile of weighted samples sorted by latency. */
function percentile(samples: readonly { latency: number; weight: number }[], total: number, p: number): number | null {
  if (total === 0) return null;
  const rank = Math.ceil(p * total);
  let seen = 0;
  for (const sample of samples) {
    seen += sample.weight;
    if (seen >= rank) return sample.latency;
  }
  return samples.at(-1)!.latency;
}
