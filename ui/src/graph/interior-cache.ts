// Group interiors kept across visits: in memory for this page, and in localStorage keyed by each group's fingerprint,
// so a second visit (or a reload) expands a group without laying it out again.
import type { GroupInterior } from './layout';

/** Bumped when the interior algorithms change, so older entries are never read. */
const PREFIX = 'sluice.interior.v2.';
const memory = new Map<string, GroupInterior>();

function storage(): Storage | undefined {
  try {
    return typeof window === 'undefined' ? undefined : window.localStorage;
  } catch {
    return undefined;
  }
}

/**
 * The cached interior of a group with this fingerprint, if any.
 * @example readInterior(structure.fingerprints.get('sales')!)
 */
export function readInterior(fingerprint: string): GroupInterior | undefined {
  const hit = memory.get(fingerprint);
  if (hit) return hit;
  try {
    const stored = storage()?.getItem(PREFIX + fingerprint);
    if (!stored) return undefined;
    const interior = JSON.parse(stored) as GroupInterior;
    memory.set(fingerprint, interior);
    return interior;
  } catch {
    return undefined;
  }
}

/**
 * Keep an interior; entries of groups no longer in the graph (`current` fingerprints) are dropped, so the
 * cache holds one graph version and never crowds out the quota.
 * @example writeInterior(fingerprint, interior, new Set(structure.fingerprints.values()))
 */
export function writeInterior(fingerprint: string, interior: GroupInterior, current: ReadonlySet<string>): void {
  memory.set(fingerprint, interior);
  const store = storage();
  if (!store) return;
  try {
    for (let i = store.length - 1; i >= 0; i--) {
      const key = store.key(i);
      if (key?.startsWith(PREFIX) && !current.has(key.slice(PREFIX.length))) store.removeItem(key);
    }
    store.setItem(PREFIX + fingerprint, JSON.stringify(interior));
  } catch {
    // A full or disabled localStorage only costs a layout next time.
  }
}
