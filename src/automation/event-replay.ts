// Replays recorded events to a running server at a fixed rate, in order, then reports end-to-end latency.
import { SluiceError } from '../errors.js';
import type { LatencyStats } from './latency-tracker.js';

/** Pages of events in replay order; an empty page ends the replay. */
export type EventPages = AsyncIterable<readonly unknown[]>;

/** How to replay. */
export interface ReplayOptions {
  /** Base URL of the server, e.g. `http://127.0.0.1:3000`. */
  url: string;
  source: string;
  /** Events per second. */
  rate: number;
  /** How often a batch is sent (default 50 ms): the events that fell due since the last one. */
  batchMs?: number;
  /** Asset whose visibility ends the latency (default: the server's choice, the gold end of the sensor). */
  asset?: string;
  /** How long to wait for the last events to become visible (default 60 s). */
  settleTimeoutMs?: number;
  onProgress?: (sent: number, elapsedMs: number) => void;
  signal?: AbortSignal;
}

/** What a replay did and measured. */
export interface ReplayResult {
  sent: number;
  /** Events the server quarantined at the door (their reasons are in landing.<source>_rejected). */
  quarantined: number;
  requests: number;
  firstSeq: number;
  lastSeq: number;
  /** From the first send to the last. */
  sendMs: number;
  /** Events per second actually achieved. */
  achievedRate: number;
  asset: string;
  latency: LatencyStats;
}

/** The answer of `POST /api/events/<source>` (202). */
export interface IngestAnswer {
  accepted: number;
  quarantined: number;
  firstSeq: number;
  lastSeq: number;
  results: ({ status: 'accepted'; seq: number } | { status: 'quarantined'; reasons: string[] })[];
}

/** How long a producer keeps retrying 503s (a server starting or stopping) before giving up. */
const RETRY_503_MS = 60_000;

interface StatusAnswer {
  asset: string;
  latency: LatencyStats;
}

/**
 * Sends events to `POST /api/events/<source>` at `rate` per second, keeping their order (one request
 * at a time; a slow answer makes the next batch bigger rather than the replay slower). Then waits until
 * the server reports all of them visible in the asset, and returns its latency figures: the server
 * measures from the moment a request arrived to the moment a run published its events in the asset.
 * @example const result = await replayEvents(pages, { url: 'http://127.0.0.1:3000', source: 'flights', rate: 500 });
 */
export async function replayEvents(pages: EventPages, options: ReplayOptions): Promise<ReplayResult> {
  if (!(options.rate > 0)) throw new SluiceError('INVALID_CONFIG', `--rate must be a positive number of events per second, got ${options.rate}`);
  const base = options.url.replace(/\/+$/, '');
  const path = `${base}/api/events/${encodeURIComponent(options.source)}`;
  const batchMs = options.batchMs ?? 50;
  const buffer: unknown[] = [];
  const iterator = pages[Symbol.asyncIterator]();
  let exhausted = false;
  let sent = 0;
  let quarantined = 0;
  let requests = 0;
  let firstSeq = 0;
  let lastSeq = 0;
  const fill = async (needed: number): Promise<void> => {
    while (!exhausted && buffer.length < needed) {
      const page = await iterator.next();
      if (page.done || page.value.length === 0) exhausted = true;
      else buffer.push(...page.value);
    }
  };
  // The clock starts once the first page is read: preparing the dataset must not count as sending time.
  await fill(1);
  const started = performance.now();
  for (;;) {
    if (options.signal?.aborted) break;
    const due = Math.floor(((performance.now() - started) / 1000) * options.rate) - sent;
    await fill(Math.max(due, 1));
    if (exhausted && buffer.length === 0) break;
    if (due > 0) {
      const batch = buffer.splice(0, due);
      const answer = await postEvents(base, options.source, batch);
      if (firstSeq === 0 && answer.accepted > 0) firstSeq = answer.firstSeq;
      if (answer.accepted > 0) lastSeq = answer.lastSeq;
      quarantined += answer.quarantined;
      sent += batch.length;
      requests += 1;
      options.onProgress?.(sent, performance.now() - started);
    }
    await sleep(batchMs);
  }
  const sendMs = performance.now() - started;
  const status = await waitVisible(
    `${path}?from=${firstSeq}&to=${lastSeq}${options.asset ? `&asset=${encodeURIComponent(options.asset)}` : ''}`,
    sent - quarantined,
    options.settleTimeoutMs ?? 60_000,
  );
  return {
    sent,
    quarantined,
    requests,
    firstSeq,
    lastSeq,
    sendMs,
    achievedRate: sent / Math.max(sendMs / 1000, 1e-3),
    asset: status.asset,
    latency: status.latency,
  };
}

/** Polls the source's status until every replayed event is visible (or the timeout passes: the figures then cover what is). */
async function waitVisible(url: string, sent: number, timeoutMs: number): Promise<StatusAnswer> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const status = await send<StatusAnswer>(url, { method: 'GET' });
    if (status.latency.visible >= sent || sent === 0 || Date.now() > deadline) return status;
    await sleep(100);
  }
}

/**
 * Sends events to `POST /api/events/<source>` once they can be landed: a 503 (the server is starting its
 * sensors, or stopping) is retried after its Retry-After, for up to a minute; nothing is landed by a 503.
 * @example const answer = await postEvents('http://127.0.0.1:3000', 'flights', [{ event_id: 1, date: '2001-01-01 00:01:00' }]);
 */
async function postEvents(url: string, source: string, events: readonly unknown[]): Promise<IngestAnswer> {
  const path = `${url.replace(/\/+$/, '')}/api/events/${encodeURIComponent(source)}`;
  return send<IngestAnswer>(path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(events) });
}

async function send<T>(url: string, init: RequestInit): Promise<T> {
  let response: Response;
  const deadline = Date.now() + RETRY_503_MS;
  for (;;) {
    try {
      response = await fetch(url, { ...init, headers: { accept: 'application/json', ...init.headers } });
    } catch (cause) {
      const reason = cause instanceof Error ? ((cause.cause as Error | undefined)?.message ?? cause.message) : String(cause);
      throw new SluiceError('SOURCE_ERROR', `cannot reach ${url} (${reason}); start \`sluice dev\` in the project, or pass --url`, { cause });
    }
    if (response.status !== 503 || Date.now() > deadline) break;
    await response.body?.cancel();
    await sleep(Math.min(5_000, 1000 * (Number(response.headers.get('retry-after')) || 1)));
  }
  const text = await response.text();
  if (!response.ok) {
    let message = text.slice(0, 300);
    try {
      message = (JSON.parse(text) as { error?: { message?: string } }).error?.message ?? message;
    } catch {
      // Not our API: show what it said.
    }
    throw new SluiceError('SOURCE_ERROR', `${init.method} ${url} answered ${response.status}: ${message}`);
  }
  return JSON.parse(text) as T;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
