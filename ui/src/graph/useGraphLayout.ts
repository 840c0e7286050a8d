// useGraphLayout: positions for the lineage graph from the layout worker, cached per graph structure.
import { useEffect, useState } from 'react';
import { layoutFingerprint, type LayoutInput, type LayoutResult } from './layout';
import type { LayoutReply, LayoutRequest } from './layout.worker';

export type GraphLayoutState =
  | { status: 'idle' }
  | { status: 'running'; nodeCount: number }
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

let worker: Worker | null = null;
let nextRequestId = 1;

function layoutWorker(): Worker {
  worker ??= new Worker(new URL('./layout.worker.ts', import.meta.url), { type: 'module', name: 'sluice-layout' });
  return worker;
}

const inFlight = new Map<string, Promise<LayoutResult>>();

/** One worker request per structure, however many components (or StrictMode re-runs) ask for it. */
function layoutOnce(fingerprint: string, input: LayoutInput): Promise<LayoutResult> {
  let pending = inFlight.get(fingerprint);
  if (!pending) {
    pending = runLayout(input).finally(() => inFlight.delete(fingerprint));
    inFlight.set(fingerprint, pending);
  }
  return pending;
}

function runLayout(input: LayoutInput): Promise<LayoutResult> {
  const id = nextRequestId++;
  const target = layoutWorker();
  return new Promise((resolve, reject) => {
    const onMessage = (event: MessageEvent<LayoutReply>): void => {
      if (event.data.id !== id) return;
      target.removeEventListener('message', onMessage);
      if (event.data.ok) resolve(event.data.result);
      else reject(new Error(event.data.message));
    };
    target.addEventListener('message', onMessage);
    const request: LayoutRequest = { id, input };
    target.postMessage(request);
  });
}

/**
 * Lay out `input` in the worker; the same structure (even with new statuses) is never laid out twice.
 * @example const state = useGraphLayout(input); if (state.status === 'done') use(state.layout.positions);
 */
export function useGraphLayout(input: LayoutInput | undefined): GraphLayoutState {
  const fingerprint = input ? layoutFingerprint(input) : undefined;
  const [state, setState] = useState<GraphLayoutState>({ status: 'idle' });

  useEffect(() => {
    if (!input || !fingerprint) return undefined;
    const cached = readCache(fingerprint);
    if (cached) {
      setState({ status: 'done', layout: cached, fromCache: true });
      return undefined;
    }
    let current = true;
    setState({ status: 'running', nodeCount: input.nodes.length });
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
