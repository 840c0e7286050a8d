// useGroupInteriors: the laid-out interiors of the expanded groups, from the cache or the layout worker.
import { useEffect, useMemo, useState } from 'react';
import type { GroupStructure } from './group-view';
import { readInterior, writeInterior } from './interior-cache';
import type { GroupInterior } from './layout';
import { layoutInteriorsInWorkers } from './layout-client';

export interface GroupInteriorsState {
  /** Interiors of expanded groups that are ready. */
  interiors: ReadonlyMap<string, GroupInterior>;
  /** Expanded groups still being laid out. */
  pending: ReadonlySet<string>;
  /** Milliseconds the last worker request took (0 when everything came from the cache). */
  elapsedMs: number;
  error: string | null;
}

/**
 * Interiors for `expanded`; work is proportional to what is expanded, and a group is never laid out twice per version.
 * @example const { interiors, pending } = useGroupInteriors(structure, ['sales']);
 */
export function useGroupInteriors(structure: GroupStructure | undefined, expanded: readonly string[]): GroupInteriorsState {
  const [laidOut, setLaidOut] = useState<ReadonlyMap<string, GroupInterior>>(new Map());
  const [elapsedMs, setElapsedMs] = useState(0);
  const [error, setError] = useState<string | null>(null);
  const expandedKey = expanded.join('\u0000');

  const fromCache = useMemo(() => {
    const found = new Map<string, GroupInterior>();
    if (!structure) return found;
    for (const group of expanded) {
      const fingerprint = structure.fingerprints.get(group);
      const interior = fingerprint ? (laidOut.get(fingerprint) ?? readInterior(fingerprint)) : undefined;
      if (interior) found.set(group, interior);
    }
    return found;
    // expandedKey stands for `expanded`.
  }, [structure, expandedKey, laidOut]);

  const missing = useMemo(() => expanded.filter((g) => structure?.graphs.has(g) && !fromCache.has(g)), [structure, expandedKey, fromCache]);

  useEffect(() => {
    if (!structure || missing.length === 0) return undefined;
    let current = true;
    const started = performance.now();
    const graphs = missing.map((g) => structure.graphs.get(g)).filter((g) => g !== undefined);
    const all = new Set(structure.fingerprints.values());
    layoutInteriorsInWorkers(graphs).then(
      (results) => {
        const next = new Map<string, GroupInterior>();
        for (const interior of results) {
          const fingerprint = structure.fingerprints.get(interior.group);
          if (!fingerprint) continue;
          writeInterior(fingerprint, interior, all);
          next.set(fingerprint, interior);
        }
        // Kept even when the expansion changed meanwhile: the work is done, and the next render may use it.
        setLaidOut((previous) => new Map([...previous, ...next]));
        if (!current) return;
        setElapsedMs(performance.now() - started);
        setError(null);
      },
      (cause: unknown) => {
        if (current) setError(cause instanceof Error ? cause.message : String(cause));
      },
    );
    return () => {
      current = false;
    };
  }, [structure, missing.join('\u0000')]);

  const pending = useMemo(() => new Set(missing), [missing]);
  return { interiors: fromCache, pending, elapsedMs, error };
}
