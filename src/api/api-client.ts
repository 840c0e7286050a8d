// The HTTP transport of the Sluice API: typed requests, errors as SluiceErrors, a run's live events over Server-Sent Events.
import { ServerUnavailableError, SluiceError, type SluiceErrorCode } from '../errors.js';
import type { RunEvent } from '../model/run-event.js';
import { FINAL_RUN_STATUSES } from '../runtime/run-events.js';
import type { ApiErrorResponse, RunDetailResponse, RunSummary } from '../server/api-types.js';

/** A fetch function: the global one, or an app's own for in-process calls. */
export type FetchLike = (input: string, init?: RequestInit) => Promise<Response>;

/** One Server-Sent Events message. */
export interface SseMessage {
  event: string;
  data: string;
  id?: string;
}

/**
 * An incremental Server-Sent Events parser: feed it text as it arrives, get whole messages back.
 * @example new SseParser().push('event: run-event\ndata: {}\n\n') // [{ event: 'run-event', data: '{}' }]
 */
export class SseParser {
  private buffer = '';
  private event = '';
  private data: string[] = [];
  private id: string | undefined;

  push(chunk: string): SseMessage[] {
    this.buffer += chunk;
    const messages: SseMessage[] = [];
    for (;;) {
      const end = this.buffer.search(/\r\n|\r|\n/);
      // A trailing \r may be the first half of \r\n: wait for the next chunk to tell.
      if (end === -1 || (end === this.buffer.length - 1 && this.buffer[end] === '\r')) break;
      const line = this.buffer.slice(0, end);
      this.buffer = this.buffer.slice(end + (this.buffer.startsWith('\r\n', end) ? 2 : 1));
      if (line === '') {
        if (this.data.length > 0)
          messages.push({ event: this.event || 'message', data: this.data.join('\n'), ...(this.id !== undefined ? { id: this.id } : {}) });
        this.event = '';
        this.data = [];
        continue;
      }
      if (line.startsWith(':')) continue;
      const colon = line.indexOf(':');
      const field = colon === -1 ? line : line.slice(0, colon);
      const value = colon === -1 ? '' : line.slice(colon + 1).replace(/^ /, '');
      if (field === 'event') this.event = value;
      else if (field === 'data') this.data.push(value);
      else if (field === 'id') this.id = value;
    }
    return messages;
  }
}

/**
 * A small typed client of the Sluice HTTP API. Server errors come back as SluiceErrors with the server's
 * code, so the CLI maps them to the same exit codes as when it runs the work itself.
 * @example const { runs } = await new ApiClient('http://127.0.0.1:3000').get<RunsResponse>('/api/runs');
 */
export class ApiClient {
  readonly baseUrl: string;
  private readonly send: FetchLike;

  /** `fetch` defaults to the global one; pass an app's own (`app.request`) to call it in process. */
  constructor(baseUrl: string, fetch: FetchLike = globalThis.fetch) {
    this.baseUrl = baseUrl.replace(/\/+$/, '');
    this.send = fetch;
  }

  get<T>(path: string): Promise<T> {
    return this.request<T>(path, { method: 'GET' });
  }

  post<T>(path: string, body: unknown = {}): Promise<T> {
    return this.request<T>(path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  }

  /**
   * Calls `onEvent` for each event of a run (from its first one) until it ends, and returns the ended run.
   * Follows the live stream; if the stream breaks, polls the run instead.
   */
  async followRun(runId: string, onEvent: (event: RunEvent) => void): Promise<RunSummary> {
    let lastId = 0;
    const deliver = (event: RunEvent): void => {
      if (event.id <= lastId) return;
      lastId = event.id;
      onEvent(event);
    };
    try {
      const ended = await this.streamRun(runId, () => lastId, deliver);
      if (ended) return ended;
    } catch {
      // The stream is a convenience; polling below gives the same events, a little later.
    }
    for (;;) {
      const { run, events } = await this.get<RunDetailResponse>(`/api/runs/${encodeURIComponent(runId)}`).catch((error: unknown) => {
        if (!(error instanceof ServerUnavailableError)) throw error;
        throw new ServerUnavailableError(
          `lost ${this.baseUrl} before run ${runId} ended (did \`sluice dev\` stop? It cancels its runs when it does); see \`sluice run ${runId}\``,
        );
      });
      for (const event of events) deliver(event);
      if (FINAL_RUN_STATUSES.has(run.status)) return run;
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  }

  private async streamRun(runId: string, after: () => number, onEvent: (event: RunEvent) => void): Promise<RunSummary | undefined> {
    const controller = new AbortController();
    const response = await this.fetch(`/api/stream?runId=${encodeURIComponent(runId)}&after=${after()}`, {
      headers: { accept: 'text/event-stream' },
      signal: controller.signal,
    });
    if (!response.ok || !response.body) throw await this.errorOf(response);
    const parser = new SseParser();
    const decoder = new TextDecoder();
    const reader = response.body.getReader();
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) return undefined;
        for (const message of parser.push(decoder.decode(value, { stream: true }))) {
          if (message.event === 'run-event') onEvent(JSON.parse(message.data) as RunEvent);
          if (message.event === 'run-status') {
            const run = JSON.parse(message.data) as RunSummary;
            if (run.id === runId && FINAL_RUN_STATUSES.has(run.status)) return run;
          }
        }
      }
    } finally {
      controller.abort();
    }
  }

  private async request<T>(path: string, init: RequestInit): Promise<T> {
    const response = await this.fetch(path, { ...init, headers: { accept: 'application/json', ...init.headers } });
    if (!response.ok) throw await this.errorOf(response);
    return (await response.json()) as T;
  }

  private async fetch(path: string, init: RequestInit): Promise<Response> {
    // A 503 means the server is starting or stopping and did nothing: asking again after its Retry-After is safe (for up to 30 s).
    const deadline = Date.now() + 30_000;
    for (;;) {
      let response: Response;
      try {
        response = await this.send(`${this.baseUrl}${path}`, init);
      } catch (cause) {
        const reason = cause instanceof Error ? ((cause.cause as Error | undefined)?.message ?? cause.message) : String(cause);
        throw new ServerUnavailableError(
          `cannot reach the Sluice server at ${this.baseUrl} (${reason}); is \`sluice dev\` still running? Stop it cleanly, or pass --url`,
          { cause },
        );
      }
      if (response.status !== 503 || Date.now() >= deadline) return response;
      await response.body?.cancel();
      await new Promise((resolve) => setTimeout(resolve, Math.min(5_000, 1000 * (Number(response.headers.get('retry-after')) || 1))));
    }
  }

  private async errorOf(response: Response): Promise<Error> {
    const text = await response.text().catch(() => '');
    let body: Partial<ApiErrorResponse> = {};
    try {
      body = JSON.parse(text) as Partial<ApiErrorResponse>;
    } catch {
      // Not our API (a proxy, another program on the port): report what it said.
    }
    const error = body.error;
    if (!error || (response.status >= 500 && error.code === 'INTERNAL')) {
      return new ServerUnavailableError(`the Sluice server at ${this.baseUrl} answered ${response.status}: ${error?.message ?? text.slice(0, 300)}`);
    }
    // The server's codes are SluiceError codes plus a few HTTP-level ones (INVALID_REQUEST, NOT_MATERIALIZED).
    return new SluiceError(error.code as SluiceErrorCode, error.message);
  }
}
