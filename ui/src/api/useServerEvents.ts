// useServerEvents: one shared EventSource on /api/stream, fanned out to every subscribed component.
import { useEffect, useRef } from 'react';
import type { RunEvent, RunSummary } from '../../../src/server/api-types';

/** A message from the live stream, or `open` when the connection (re)starts and missed events may need a refetch. */
export type ServerMessage =
  | { kind: 'run-event'; event: RunEvent }
  | { kind: 'run-status'; run: RunSummary }
  | { kind: 'open' };

type Listener = (message: ServerMessage) => void;

const listeners = new Set<Listener>();
let source: EventSource | null = null;

function emit(message: ServerMessage): void {
  for (const listener of listeners) listener(message);
}

function parse<T>(event: MessageEvent): T | undefined {
  try {
    return JSON.parse(String(event.data)) as T;
  } catch {
    return undefined;
  }
}

function connect(): void {
  if (source || typeof EventSource === 'undefined') return;
  source = new EventSource('/api/stream');
  source.addEventListener('open', () => emit({ kind: 'open' }));
  source.addEventListener('run-event', (e) => {
    const event = parse<RunEvent>(e);
    if (event) emit({ kind: 'run-event', event });
  });
  source.addEventListener('run-status', (e) => {
    const run = parse<RunSummary>(e);
    if (run) emit({ kind: 'run-status', run });
  });
}

function disconnectIfIdle(): void {
  if (listeners.size > 0 || !source) return;
  source.close();
  source = null;
}

/**
 * Call `onMessage` for every live message while the component is mounted; the latest callback is always used.
 * @example useServerEvents((m) => { if (m.kind === 'run-status') upsert(m.run); });
 */
export function useServerEvents(onMessage: Listener): void {
  const latest = useRef(onMessage);
  latest.current = onMessage;
  useEffect(() => {
    const listener: Listener = (message) => latest.current(message);
    listeners.add(listener);
    connect();
    return () => {
      listeners.delete(listener);
      disconnectIfIdle();
    };
  }, []);
}
