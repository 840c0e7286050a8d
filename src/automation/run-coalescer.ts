// Micro-batching: work starts at once when requested, and requests made while it runs coalesce into one more round.

/** Options of a coalescer. */
export interface RunCoalescerOptions {
  /**
   * Rounds allowed in flight at once (default 1). With 2, a new arrival starts a round while the previous
   * one is still running; per-asset locks make the two proceed like a pipeline (the second builds bronze
   * while the first builds gold), so an event waits for one step of the round ahead, not for all of it.
   */
  concurrency?: number;
  onError?: (error: unknown) => void;
}

/**
 * Runs `round` immediately when a slot is free; otherwise requests only mark it dirty, and one new round
 * starts as soon as a round ends. So arrivals never wait for a poll interval, and a burst of N arrivals
 * costs a few rounds, not N.
 * @example
 * const trigger = new RunCoalescer(async () => { await runPipelineOnce(); });
 * trigger.request(); trigger.request(); // one round now, one more after it
 * await trigger.settled();
 */
export class RunCoalescer {
  private readonly rounds = new Set<Promise<void>>();
  private dirty = false;
  private stopped = false;
  private readonly concurrency: number;
  private readonly onError: (error: unknown) => void;

  constructor(
    private readonly round: () => Promise<void>,
    options: RunCoalescerOptions | ((error: unknown) => void) = {},
  ) {
    const config = typeof options === 'function' ? { onError: options } : options;
    this.concurrency = Math.max(1, config.concurrency ?? 1);
    this.onError = config.onError ?? (() => undefined);
  }

  /** Asks for a round: now if a slot is free, else right after a running one ends. */
  request(): void {
    if (this.stopped) return;
    if (this.rounds.size >= this.concurrency) {
      this.dirty = true;
      return;
    }
    this.dirty = false;
    const running: Promise<void> = this.run().finally(() => {
      this.rounds.delete(running);
      if (this.dirty) this.request();
    });
    this.rounds.add(running);
  }

  /** Whether a round is in flight. */
  get busy(): boolean {
    return this.rounds.size > 0;
  }

  /** Resolves when no round is running or pending. */
  async settled(): Promise<void> {
    while (this.rounds.size > 0) await Promise.all(this.rounds);
  }

  /** Refuses new requests and waits for the running rounds. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.dirty = false;
    await this.settled();
  }

  private async run(): Promise<void> {
    try {
      await this.round();
    } catch (error) {
      this.onError(error);
    }
  }
}
