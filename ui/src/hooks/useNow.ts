// useNow: the current time, ticking only while something on screen is still running.
import { useEffect, useState } from 'react';

/**
 * `Date.now()`, refreshed every `intervalMs` while `active` is true.
 * @example const now = useNow(runs.some(isRunActive));
 */
export function useNow(active: boolean, intervalMs = 1000): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (!active) return undefined;
    setNow(Date.now());
    const timer = setInterval(() => setNow(Date.now()), intervalMs);
    return () => clearInterval(timer);
  }, [active, intervalMs]);
  return now;
}
