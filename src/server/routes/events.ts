// Event routes: POST /api/events/:source validates each event and lands the batch durably before answering 202; GET reports the backlog and latency.
import type { Context } from 'hono';
import { Hono } from 'hono';
import { z } from 'zod';
import { DEFAULT_EVENT_LIMITS, EventBodyError, type EventBodyLimits } from '../../automation/event-body.js';
import { InboxClosedError } from '../../automation/event-inbox.js';
import type { EventResult, EventSensor } from '../../automation/event-sensor.js';
import type { LatencyStats } from '../../automation/latency-tracker.js';
import type { AssetGraph } from '../../model/asset-graph.js';
import { guard, queryParams, type ApiDeps, type ApiEnv } from '../api-context.js';
import { HttpError } from '../api-errors.js';

/** Seconds a producer should wait before retrying a 503 (sensor starting, server stopping). */
const RETRY_AFTER_SECONDS = 1;

/** POST /api/events/:source (202): every event of the body, in order, accepted or quarantined. */
export interface IngestEventsResponse {
  source: string;
  accepted: number;
  /** Events refused by validation, kept in landing.<source>_rejected with their reasons. */
  quarantined: number;
  /** Sequence numbers the accepted events got in landing.<source>: `[firstSeq, lastSeq]`. */
  firstSeq: number;
  lastSeq: number;
  /** One entry per event sent, in order. */
  results: EventResult[];
}

/** GET /api/events/:source */
export interface EventSourceResponse {
  source: string;
  sensor: string;
  enabled: boolean;
  lastSeq: number;
  /** Landed but not yet consumed by a successful run. */
  pending: number;
  /** Latency from reception to visibility in `asset`. */
  asset: string;
  latency: LatencyStats;
}

const StatusParams = z.object({
  asset: z.string().min(1).optional(),
  from: z.coerce.number().int().min(0).optional(),
  to: z.coerce.number().int().min(0).optional(),
});

/** An answer the route gives itself (statuses the shared error mapper does not know: 413, 503 with Retry-After). */
class RouteAnswer extends Error {
  constructor(
    readonly status: 400 | 413 | 503,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/**
 * Mounts the event routes. The body is a JSON array of events, `{"events": [...]}`, or one event object,
 * limited in size, count, depth and string length (`limits`, default DEFAULT_EVENT_LIMITS).
 * @example await fetch(`${url}/api/events/flights`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify([{ event_id: 1 }]) });
 */
export function eventRoutes({ sluice, automation }: ApiDeps, limits: EventBodyLimits = DEFAULT_EVENT_LIMITS): Hono<ApiEnv> {
  const routes = new Hono<ApiEnv>();
  const sensorOf = (source: string): EventSensor => {
    const daemon = automation();
    const known = (sluice.project.definition.sensors ?? []).flatMap((s) => (s.type === 'events' ? [s.source] : []));
    if (!daemon)
      throw new HttpError(
        409,
        'AUTOMATION_NOT_RUNNING',
        `the automation daemon is not running in this server, so events for "${source}" cannot be landed; start \`sluice dev\` (it runs the daemon)`,
      );
    const sensor = daemon.eventSensor(source);
    if (sensor) return sensor;
    // Declared but not up yet: the daemon is starting its sensors (or stopping them). Nothing is lost by retrying.
    if (known.includes(source))
      throw new RouteAnswer(
        503,
        'SENSOR_NOT_READY',
        `the event sensor of "${source}" is not running yet (the server is starting or stopping); nothing was landed, retry in ${RETRY_AFTER_SECONDS} s`,
      );
    throw new HttpError(
      404,
      'NOT_FOUND',
      `no event sensor has source "${source}"${known.length ? `; known sources: ${known.join(', ')}` : `; declare one: sensors: [{ type: 'events', name: '${source}_events', source: '${source}', select: '...' }]`}`,
    );
  };

  routes.post('/events/:source', async (c) => {
    // Latency starts when the request arrives, before the body is read and landed.
    const receivedAt = Date.now();
    const source = c.req.param('source');
    try {
      guard(c, 'run:launch', { kind: 'project' });
      const sensor = sensorOf(source);
      const body = await readBody(c, source, limits);
      const result = await sensor.ingest(body, 'http', receivedAt, limits).catch((error: unknown) => {
        if (error instanceof EventBodyError)
          throw new RouteAnswer(
            error.status,
            error.status === 413 ? 'PAYLOAD_TOO_LARGE' : 'INVALID_REQUEST',
            `invalid events for "${source}": ${error.message}`,
          );
        if (error instanceof InboxClosedError) throw new RouteAnswer(503, 'SENSOR_NOT_READY', error.message);
        throw error;
      });
      return c.json<IngestEventsResponse>({ source, ...result }, 202);
    } catch (error) {
      if (!(error instanceof RouteAnswer)) throw error;
      if (error.status === 503) c.header('Retry-After', String(RETRY_AFTER_SECONDS));
      return c.json({ error: { code: error.code, message: error.message } }, error.status);
    }
  });

  routes.get('/events/:source', (c) => {
    const source = c.req.param('source');
    guard(c, 'run:read', { kind: 'project' });
    let sensor: EventSensor;
    try {
      sensor = sensorOf(source);
    } catch (error) {
      if (!(error instanceof RouteAnswer)) throw error;
      c.header('Retry-After', String(RETRY_AFTER_SECONDS));
      return c.json({ error: { code: error.code, message: error.message } }, error.status);
    }
    const params = queryParams(c, StatusParams, 'event source status');
    const asset =
      params.asset ??
      deepestAsset(
        sluice.project.graph,
        sluice.plan(sensor.definition.select).steps.map((s) => s.key),
      );
    const daemon = automation()!;
    return c.json<EventSourceResponse>({
      source,
      sensor: sensor.name,
      enabled: daemon.isEnabled(sensor.name),
      lastSeq: sensor.lastSeq,
      pending: sensor.pending,
      asset,
      latency: sensor.stats(asset, params.from, params.to),
    });
  });

  return routes;
}

/**
 * Reads the body as UTF-8, stopping as soon as it passes the size limit (a declared Content-Length over
 * it is refused before reading anything), so a huge body is never held whole.
 */
async function readBody(c: Context<ApiEnv>, source: string, limits: EventBodyLimits): Promise<string> {
  const tooLarge = (): RouteAnswer =>
    new RouteAnswer(
      413,
      'PAYLOAD_TOO_LARGE',
      `invalid events for "${source}": the body is larger than ${limits.maxBodyBytes} bytes (the limit); split the batch into smaller requests (at most ${limits.maxEvents} events each)`,
    );
  const declared = Number(c.req.header('content-length'));
  if (Number.isFinite(declared) && declared > limits.maxBodyBytes) throw tooLarge();
  const stream = c.req.raw.body;
  const chunks: Uint8Array[] = [];
  let size = 0;
  if (stream) {
    const reader = stream.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      if (size > limits.maxBodyBytes) {
        await reader.cancel().catch(() => undefined);
        throw tooLarge();
      }
      chunks.push(value);
    }
  }
  const bytes = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    throw new RouteAnswer(400, 'INVALID_REQUEST', `invalid events for "${source}": the body is not valid UTF-8; send JSON encoded as UTF-8`);
  }
}

/** The default asset latency is measured in: the one with the most upstream assets in the sensor's selection (the gold end). */
function deepestAsset(graph: AssetGraph, keys: readonly string[]): string {
  const selected = new Set(keys);
  const depth = (key: string): number => [...graph.upstreamOf(key)].filter((k) => selected.has(k)).length;
  return [...keys].sort((a, b) => depth(b) - depth(a) || a.localeCompare(b))[0] ?? '';
}
