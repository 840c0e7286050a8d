// usePoll: call `fn` every `intervalMs` while the page is visible (for state that the live stream does not carry, such as ticks).
import { useEffect, useRef } from 'react';

/**
 * Calls `fn` every `intervalMs` while mounted and the tab is visible.
 * @example usePoll(evaluations.reload, 2000);
 */
export function usePoll(fn: () => void, intervalMs: number): void {
  const latest = useRef(fn);
  latest.current = fn;
  useEffect(() => {
    const timer = setInterval(() => {
      if (document.visibilityState === 'visible') latest.current();
    }, intervalMs);
    return () => clearInterval(timer);
  }, [intervalMs]);
}
