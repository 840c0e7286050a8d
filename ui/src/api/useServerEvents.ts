// useServerEvents: one shared EventSource on /api/stream, fanned out to every subscribed component.
import { useEffect, useRef, useSyncExternalStore } from 'react';
import type { RunEvent, RunSummary } from '../../../src/server/api-types';

/** A message from the live stream, or `open` when the connection (re)starts and missed events may need a refetch. */
export type ServerMessage = { kind: 'run-event'; event: RunEvent } | { kind: 'run-status'; run: RunSummary } | { kind: 'open' };

type Listener = (message: ServerMessage) => void;

const listeners = new Set<Listener>();
let source: EventSource | null = null;

/** `connecting` until the first open, `live` while open, `reconnecting` after an error (EventSource retries by itself). */
export type StreamStatus = 'idle' | 'connecting' | 'live' | 'reconnecting';
let status: StreamStatus = 'idle';
const statusListeners = new Set<() => void>();

function setStatus(next: StreamStatus): void {
  if (status === next) return;
  status = next;
  for (const listener of statusListeners) listener();
}

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
  setStatus('connecting');
  source.addEventListener('open', () => {
    setStatus('live');
    emit({ kind: 'open' });
  });
  source.addEventListener('error', () => setStatus('reconnecting'));
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
  setStatus('idle');
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

/**
 * The state of the live stream, for showing whether what is on screen is current.
 * @example const status = useStreamStatus(); // 'live'
 */
export function useStreamStatus(): StreamStatus {
  return useSyncExternalStore(
    (onChange) => {
      statusListeners.add(onChange);
      return () => statusListeners.delete(onChange);
    },
    () => status,
  );
}
