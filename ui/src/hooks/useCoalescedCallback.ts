// useCoalescedCallback: collapse a burst of live events into one refetch, without starving under a steady stream.
import { useEffect, useMemo, useRef } from 'react';
import { leadingThrottle } from './leading-throttle';

/**
 * A stable function that, however often it is called, runs `fn` at most once per `delayMs`: at once for the first
 * call after a quiet period, then once at the end of each window that saw more calls.
 * @example const refresh = useCoalescedCallback(reload, 300);
 */
export function useCoalescedCallback(fn: () => void, delayMs: number): () => void {
  const latest = useRef(fn);
  latest.current = fn;
  const throttled = useMemo(() => leadingThrottle(() => latest.current(), delayMs), [delayMs]);
  useEffect(() => () => throttled.cancel(), [throttled]);
  return throttled.call;
}
