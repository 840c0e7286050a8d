// Helpers to call a Hono app in-process: JSON requests and a reader for its Server-Sent Events.
import { SseParser, type SseMessage } from '../../src/cli/api-client.js';
import type { RunEvent, RunSummary } from '../../src/server/api-types.js';

/** Anything with Hono's in-process `request()`. */
export interface App {
  request(input: string, init?: RequestInit): Response | Promise<Response>;
}

/** Response status and parsed JSON body. */
export interface JsonResult<T> {
  status: number;
  body: T;
}

export async function getJson<T = unknown>(app: App, path: string, headers: Record<string, string> = {}): Promise<JsonResult<T>> {
  const response = await app.request(path, { headers });
  return { status: response.status, body: (await response.json()) as T };
}

export async function postJson<T = unknown>(app: App, path: string, body: unknown = {}): Promise<JsonResult<T>> {
  const response = await app.request(path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: response.status, body: (await response.json()) as T };
}

/** An open event stream: wait for messages matching a predicate, then close it. */
export interface OpenStream {
  /** All messages received so far. */
  messages: SseMessage[];
  /** Resolves with the first message (received so far or later) matching `predicate`. */
  until(predicate: (message: SseMessage) => boolean, timeoutMs?: number): Promise<SseMessage>;
  close(): Promise<void>;
}

/**
 * Opens an SSE route and reads it in the background.
 * @example const stream = await openStream(app, '/api/stream'); await stream.until(isFinalStatus(runId));
 */
export async function openStream(app: App, path: string): Promise<OpenStream> {
  const response = await app.request(path, { headers: { accept: 'text/event-stream' } });
  if (response.status !== 200 || !response.body) throw new Error(`stream ${path} answered ${response.status}: ${await response.text()}`);
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  const parser = new SseParser();
  const messages: SseMessage[] = [];
  const waiters = new Set<() => void>();
  let ended = false;
  void (async () => {
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        messages.push(...parser.push(decoder.decode(value, { stream: true })));
        for (const wake of waiters) wake();
      }
    } catch {
      // Canceled by close().
    } finally {
      ended = true;
      for (const wake of waiters) wake();
    }
  })();
  return {
    messages,
    until(predicate, timeoutMs = 15_000) {
      return new Promise((resolve, reject) => {
        const check = (): void => {
          const found = messages.find(predicate);
          if (found) return finish(() => resolve(found));
          if (ended) finish(() => reject(new Error(`stream ${path} ended before the expected message; got ${messages.map((m) => m.event).join(', ')}`)));
        };
        const timer = setTimeout(
          () =>
            finish(() =>
              reject(
                new Error(`no expected message on ${path} within ${timeoutMs} ms; got ${messages.map((m) => `${m.event} ${m.data.slice(0, 80)}`).join(' | ')}`),
              ),
            ),
          timeoutMs,
        );
        const finish = (settle: () => void): void => {
          clearTimeout(timer);
          waiters.delete(check);
          settle();
        };
        waiters.add(check);
        check();
      });
    },
    close: () => reader.cancel(),
  };
}

/** Matches the `run-status` message that says `runId` ended (or reached `status`). */
export function runStatus(runId: string, status?: RunSummary['status']): (message: SseMessage) => boolean {
  return (message) => {
    if (message.event !== 'run-status') return false;
    const run = JSON.parse(message.data) as RunSummary;
    return run.id === runId && (status ? run.status === status : ['succeeded', 'failed', 'canceled'].includes(run.status));
  };
}

/** Matches a `run-event` of `type` (and asset). */
export function runEvent(type: string, assetKey?: string): (message: SseMessage) => boolean {
  return (message) => {
    if (message.event !== 'run-event') return false;
    const event = JSON.parse(message.data) as RunEvent;
    return event.type === type && (assetKey === undefined || event.assetKey === assetKey);
  };
}

/** The run events of a stream's messages. */
export function eventsOf(messages: readonly SseMessage[]): RunEvent[] {
  return messages.filter((m) => m.event === 'run-event').map((m) => JSON.parse(m.data) as RunEvent);
}
