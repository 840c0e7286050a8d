// Micro-batching: work starts at once when requested, and requests made while it runs coalesce into one more round.

/**
 * Runs `round` immediately when idle; while a round is in flight, further requests only mark it dirty,
 * and one new round starts as soon as the current one ends. So arrivals never wait for a poll interval,
 * and a burst of N arrivals costs at most two rounds, not N.
 * @example
 * const trigger = new RunCoalescer(async () => { await runPipelineOnce(); });
 * trigger.request(); trigger.request(); // one round now, one more after it
 * await trigger.settled();
 */
export class RunCoalescer {
  private running: Promise<void> | undefined;
  private dirty = false;
  private stopped = false;

  constructor(
    private readonly round: () => Promise<void>,
    private readonly onError: (error: unknown) => void = () => undefined,
  ) {}

  /** Asks for a round: now if idle, else right after the current one. */
  request(): void {
    if (this.stopped) return;
    if (this.running) {
      this.dirty = true;
      return;
    }
    this.running = this.loop();
  }

  /** Whether a round is in flight. */
  get busy(): boolean {
    return this.running !== undefined;
  }

  /** Resolves when no round is running or pending. */
  async settled(): Promise<void> {
    while (this.running) await this.running;
  }

  /** Refuses new requests and waits for the current round. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.dirty = false;
    await this.settled();
  }

  private async loop(): Promise<void> {
    try {
      do {
        this.dirty = false;
        try {
          await this.round();
        } catch (error) {
          this.onError(error);
        }
      } while (this.dirty && !this.stopped);
    } finally {
      this.running = undefined;
    }
  }
}
