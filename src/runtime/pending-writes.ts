// Writes a run goes on without waiting for (its steps' events), kept so the run can wait for them and fail on them.

/**
 * Tracks writes in flight; the first one to fail calls `onFailure` at once (the run stops its steps) and is thrown
 * again by `settled()`, where the run waits for all of them before it records how it ended.
 * @example
 * const writes = new PendingWrites(() => controller.abort());
 * writes.add(journal.emit(runId, 'asset_started', key, 'started', { attempt: 1 }));
 * await writes.settled(); // throws the first write's error, if one failed
 */
export class PendingWrites {
  private readonly pending = new Set<Promise<void>>();
  private failure: { error: unknown } | undefined;

  constructor(private readonly onFailure: (error: unknown) => void) {}

  add(write: Promise<void>): void {
    const tracked: Promise<void> = write
      .catch((error: unknown) => {
        if (this.failure) return;
        this.failure = { error };
        this.onFailure(error);
      })
      .finally(() => this.pending.delete(tracked));
    this.pending.add(tracked);
  }

  /** Resolves once every write added so far has ended; rejects with the first failure, if any. */
  async settled(): Promise<void> {
    await Promise.all(this.pending);
    if (this.failure) throw this.failure.error;
  }
}
