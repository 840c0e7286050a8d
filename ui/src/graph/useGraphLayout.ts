// useGraphLayout: positions for the lineage graph from the layout worker, cached per graph structure.
import { useEffect, useState } from 'react';
import type { LayoutInput, LayoutResult } from './layout';
import { layoutInWorkers } from './layout-client';

export type GraphLayoutState =
  | { status: 'idle' }
  | { status: 'running'; nodeCount: number; startedAt: number }
  | { status: 'done'; layout: LayoutResult; fromCache: boolean }
  | { status: 'error'; message: string };

const CACHE_PREFIX = 'sluice.layout.v1.';
const memoryCache = new Map<string, LayoutResult>();

function readCache(fingerprint: string): LayoutResult | undefined {
  const hit = memoryCache.get(fingerprint);
  if (hit) return hit;
  try {
    const stored = window.localStorage.getItem(CACHE_PREFIX + fingerprint);
    if (!stored) return undefined;
    const layout = JSON.parse(stored) as LayoutResult;
    memoryCache.set(fingerprint, layout);
    return layout;
  } catch {
    return undefined;
  }
}

function writeCache(fingerprint: string, layout: LayoutResult): void {
  memoryCache.set(fingerprint, layout);
  try {
    // Only the latest structure is worth keeping; old layouts would crowd out the quota.
    for (let i = window.localStorage.length - 1; i >= 0; i--) {
      const key = window.localStorage.key(i);
      if (key?.startsWith(CACHE_PREFIX)) window.localStorage.removeItem(key);
    }
    window.localStorage.setItem(CACHE_PREFIX + fingerprint, JSON.stringify(layout));
  } catch {
    // A full or disabled localStorage only costs a re-layout next time.
  }
}

const inFlight = new Map<string, Promise<LayoutResult>>();

/** One worker request per structure, however many components (or StrictMode re-runs) ask for it. */
function layoutOnce(fingerprint: string, input: LayoutInput): Promise<LayoutResult> {
  let pending = inFlight.get(fingerprint);
  if (!pending) {
    pending = layoutInWorkers(input).finally(() => inFlight.delete(fingerprint));
    inFlight.set(fingerprint, pending);
  }
  return pending;
}

/**
 * Lay out a graph in the worker; the same structure (even with new statuses) is never laid out twice.
 * @example const state = useGraphLayout({ input, fingerprint: layoutFingerprint(input) }); if (state.status === 'done') use(state.layout.positions);
 */
export function useGraphLayout(graph: { input: LayoutInput; fingerprint: string } | undefined): GraphLayoutState {
  const input = graph?.input;
  const fingerprint = graph?.fingerprint;
  const [state, setState] = useState<GraphLayoutState>({ status: 'idle' });

  useEffect(() => {
    if (!input || !fingerprint) return undefined;
    const cached = readCache(fingerprint);
    if (cached) {
      setState({ status: 'done', layout: cached, fromCache: true });
      return undefined;
    }
    let current = true;
    setState({ status: 'running', nodeCount: input.nodes.length, startedAt: Date.now() });
    layoutOnce(fingerprint, input).then(
      (layout) => {
        writeCache(fingerprint, layout);
        if (current) setState({ status: 'done', layout, fromCache: false });
      },
      (cause: unknown) => {
        if (current) setState({ status: 'error', message: cause instanceof Error ? cause.message : String(cause) });
      },
    );
    return () => {
      current = false;
    };
    // The fingerprint captures everything in `input` that affects the layout.
  }, [fingerprint]);

  return state;
}
