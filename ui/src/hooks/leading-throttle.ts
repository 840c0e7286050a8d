// leadingThrottle: run at once when the last run is old enough, otherwise once at the end of the window.

export interface Throttled {
  /** Asks for a run: immediate when the last one started `delayMs` ago or more, else one run when the window ends. */
  readonly call: () => void;
  /** Drops a pending run (on unmount). */
  readonly cancel: () => void;
}

/**
 * Runs `run` at most once per `delayMs`. The first call of a quiet period runs at once (a status change shows without
 * waiting out a window that only exists to protect against bursts); calls inside the window collapse into one run at
 * its end, so a steady stream neither starves nor floods.
 */
export function leadingThrottle(run: () => void, delayMs: number, now: () => number = () => performance.now()): Throttled {
  let lastRun = Number.NEGATIVE_INFINITY;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const fire = (): void => {
    timer = undefined;
    lastRun = now();
    run();
  };
  return {
    call: () => {
      if (timer !== undefined) return;
      const wait = lastRun + delayMs - now();
      if (wait <= 0) fire();
      else timer = setTimeout(fire, wait);
    },
    cancel: () => {
      clearTimeout(timer);
      timer = undefined;
    },
  };
}
