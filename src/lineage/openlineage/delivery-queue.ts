// A bounded, in-order delivery queue with retries and backoff, so a slow or dead backend never holds up its producer.
import { messageOf } from '../../errors.js';

/** How a queue delivers and gives up. */
export interface DeliveryQueueConfig<T> {
  send(item: T, signal: AbortSignal): Promise<void>;
  /** Called when an item is given up on: after its retries, when the buffer overflows, or at a flush deadline. */
  onDrop(item: T, reason: string, attempts: number): void;
  onDelivered?(item: T): void;
  /** Whether a failure is worth retrying (default: always). */
  isRetryable?(error: unknown): boolean;
  /** Items held at most; the oldest is dropped beyond it (default 1000). */
  capacity?: number;
  /** Attempts after the first failure (default 3). */
  retries?: number;
  /** First backoff, doubled per attempt up to 5 s (default 250 ms). */
  backoffMs?: number;
}

const MAX_BACKOFF_MS = 5000;

/**
 * Delivers items one at a time in push order. After an item exhausts its retries the backend is taken
 * for down and later items get one attempt each until a delivery succeeds, so a dead backend drains the
 * queue quickly instead of stalling it.
 * @example
 * const queue = new DeliveryQueue({ send: (e) => post(e), onDrop: (e, why) => log.warn(why) });
 * queue.push(event);
 * await queue.flush(5000);
 */
export class DeliveryQueue<T> {
  private readonly items: T[] = [];
  private draining: Promise<void> | undefined;
  private deadline = new AbortController();
  private backendDown = false;

  constructor(private readonly config: DeliveryQueueConfig<T>) {}

  /** Items waiting (not counting one being sent). */
  get size(): number {
    return this.items.length;
  }

  push(item: T): void {
    this.items.push(item);
    const capacity = this.config.capacity ?? 1000;
    while (this.items.length > capacity) this.config.onDrop(this.items.shift()!, `the buffer of ${capacity} undelivered events is full`, 0);
    this.draining ??= this.drain().finally(() => {
      this.draining = undefined;
    });
  }

  /**
   * Waits until every item is delivered or dropped, at most `timeoutMs`; then what is left is dropped.
   * The queue stays usable afterwards.
   */
  async flush(timeoutMs: number): Promise<void> {
    if (!this.draining) return;
    const timer = setTimeout(() => this.deadline.abort(), timeoutMs);
    try {
      while (this.draining) await this.draining;
    } finally {
      clearTimeout(timer);
      if (this.deadline.signal.aborted) this.deadline = new AbortController();
    }
  }

  private async drain(): Promise<void> {
    for (let item = this.items.shift(); item !== undefined; item = this.items.shift()) await this.deliver(item);
  }

  private async deliver(item: T): Promise<void> {
    const signal = this.deadline.signal;
    const attempts = this.backendDown ? 1 : 1 + (this.config.retries ?? 3);
    let lastError: unknown;
    for (let attempt = 1; attempt <= attempts; attempt++) {
      if (signal.aborted) return this.config.onDrop(item, 'it was still undelivered when Sluice closed', attempt - 1);
      try {
        await this.config.send(item, signal);
        this.backendDown = false;
        this.config.onDelivered?.(item);
        return;
      } catch (error) {
        lastError = error;
        if (signal.aborted) return this.config.onDrop(item, 'it was still undelivered when Sluice closed', attempt);
        if (this.config.isRetryable && !this.config.isRetryable(error)) {
          return this.config.onDrop(item, messageOf(error), attempt);
        }
        if (attempt < attempts) await sleep(Math.min(MAX_BACKOFF_MS, (this.config.backoffMs ?? 250) * 2 ** (attempt - 1)), signal);
      }
    }
    this.backendDown = true;
    this.config.onDrop(item, messageOf(lastError), attempts);
  }
}

/** Resolves after `ms`, or at once when `signal` aborts. */
function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const done = (): void => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}
