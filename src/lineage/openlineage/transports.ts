// Where OpenLineage events go: HTTP POST (Marquez-compatible), a JSON-lines file, or the console.
import { appendFile, mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { messageOf } from '../../errors.js';
import { describeTransport, type ResolvedTransport } from './openlineage-config.js';
import type { OpenLineageRunEvent } from './openlineage-types.js';

/** Sends one event; throws `TransportError` on failure. */
export interface Transport {
  /** Where events go, safe to print (no secrets). */
  readonly description: string;
  /** `signal` aborts the delivery (Sluice is closing and the flush time is up). */
  send(event: OpenLineageRunEvent, signal?: AbortSignal): Promise<void>;
}

/** A failed delivery; `retryable` is false when sending the same event again cannot help (e.g. HTTP 400). */
export class TransportError extends Error {
  constructor(
    message: string,
    readonly retryable: boolean,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'TransportError';
  }
}

/**
 * The transport a resolved configuration describes.
 * @example const transport = createTransport({ type: 'file', path: '/tmp/openlineage.jsonl' });
 */
export function createTransport(config: ResolvedTransport): Transport {
  switch (config.type) {
    case 'http':
      return new HttpTransport(config.url, config.timeoutMs, config.apiKey);
    case 'file':
      return new FileTransport(config.path);
    default:
      return { description: describeTransport(config), send: async (event) => void process.stderr.write(`${JSON.stringify(event)}\n`) };
  }
}

/** POSTs each event as JSON, with `Authorization: Bearer <key>` when a key is set. */
class HttpTransport implements Transport {
  readonly description: string;

  constructor(
    private readonly url: string,
    private readonly timeoutMs: number,
    private readonly apiKey?: string,
  ) {
    this.description = describeTransport({ type: 'http', url, timeoutMs });
  }

  async send(event: OpenLineageRunEvent, signal?: AbortSignal): Promise<void> {
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (this.apiKey) headers.authorization = `Bearer ${this.apiKey}`;
    let response: Response;
    try {
      response = await fetch(this.url, {
        method: 'POST',
        headers,
        body: JSON.stringify(event),
        signal: anySignal(AbortSignal.timeout(this.timeoutMs), signal),
      });
    } catch (cause) {
      throw new TransportError(networkMessage(cause, this.timeoutMs), true, { cause });
    }
    // The body is not needed; reading it frees the connection for the next event.
    await response.arrayBuffer().catch(() => undefined);
    if (!response.ok) {
      const retryable = response.status >= 500 || response.status === 408 || response.status === 429;
      throw new TransportError(`HTTP ${response.status} ${response.statusText}`.trim(), retryable);
    }
  }
}

/** Appends each event as one JSON line (the clients' file transport with append mode). */
class FileTransport implements Transport {
  readonly description: string;
  private ready: Promise<unknown> | undefined;

  constructor(private readonly path: string) {
    this.description = describeTransport({ type: 'file', path });
  }

  async send(event: OpenLineageRunEvent): Promise<void> {
    try {
      this.ready ??= mkdir(dirname(this.path), { recursive: true });
      await this.ready;
      await appendFile(this.path, `${JSON.stringify(event)}\n`, 'utf8');
    } catch (cause) {
      this.ready = undefined;
      throw new TransportError(`cannot append to ${this.path}: ${messageOf(cause)}`, true, { cause });
    }
  }
}

function anySignal(timeout: AbortSignal, outer: AbortSignal | undefined): AbortSignal {
  return outer ? AbortSignal.any([timeout, outer]) : timeout;
}

/** `fetch failed` says nothing; the cause's code (ECONNREFUSED, ENOTFOUND) does. */
function networkMessage(cause: unknown, timeoutMs: number): string {
  if (cause instanceof Error && (cause.name === 'TimeoutError' || cause.name === 'AbortError')) return `no response within ${timeoutMs} ms`;
  const inner = (cause as { cause?: { code?: string; message?: string } } | undefined)?.cause;
  if (inner?.code) return `connection failed (${inner.code})`;
  return messageOf(cause);
}
