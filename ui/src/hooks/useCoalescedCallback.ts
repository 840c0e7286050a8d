// useCoalescedCallback: collapse a burst of live events into one refetch, without starving under a steady stream.
import { useEffect, useMemo, useRef } from 'react';

/**
 * A stable function that, however often it is called, runs `fn` at most once per `delayMs`
 * (`delayMs` after the first call of a burst).
 * @example const refresh = useCoalescedCallback(reload, 300);
 */
export function useCoalescedCallback(fn: () => void, delayMs: number): () => void {
  const latest = useRef(fn);
  latest.current = fn;
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  useEffect(() => () => clearTimeout(timer.current), []);
  return useMemo(
    () => () => {
      if (timer.current !== undefined) return;
      timer.current = setTimeout(() => {
        timer.current = undefined;
        latest.current();
      }, delayMs);
    },
    [delayMs],
  );
}
