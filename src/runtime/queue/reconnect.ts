// The one reconnection schedule of the queue's long-lived connections (a worker's runner and cancel listener, a
// submitter's outcome listener): a database restart or a terminated backend is waited out, never fatal.

/** What a reconnection loop is told. */
export interface ReconnectOptions {
  /** True once the owner is closing: the loop ends without another attempt. */
  stopped: () => boolean;
  /** Before each wait: drop what the failure left behind, and say why and for how long. */
  beforeWait?: (error: unknown, delayMs: number) => Promise<void> | void;
}

/**
 * Runs `attempt` after 0.5 s, then with the wait doubling up to 30 s, until it succeeds or `stopped()`.
 * @example await reconnect(error, () => this.connect(), { stopped: () => this.closed });
 */
export async function reconnect(firstError: unknown, attempt: () => Promise<void>, options: ReconnectOptions): Promise<void> {
  let cause = firstError;
  for (let delay = 500; !options.stopped(); delay = Math.min(delay * 2, 30_000)) {
    await options.beforeWait?.(cause, delay);
    await new Promise((resolve) => setTimeout(resolve, delay));
    if (options.stopped()) return;
    try {
      return await attempt();
    } catch (error) {
      cause = error;
    }
  }
}
