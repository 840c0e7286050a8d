// Event routes: POST /api/events/:source lands a batch durably before answering 202; GET reports the sensor's backlog and latency.
import { Hono } from 'hono';
import { z } from 'zod';
import { automationDaemonOf } from '../../automation/daemon.js';
import type { EventSensor } from '../../automation/event-sensor.js';
import type { LatencyStats } from '../../automation/latency-tracker.js';
import type { AssetGraph } from '../../model/asset-graph.js';
import { guard, queryParams, type ApiDeps, type ApiEnv } from '../api-context.js';
import { HttpError } from '../api-errors.js';

/** Most events one request may carry; bigger batches should be split (they are landed in one transaction). */
export const MAX_EVENTS_PER_REQUEST = 10_000;

/** POST /api/events/:source (202). */
export interface IngestEventsResponse {
  source: string;
  accepted: number;
  /** Sequence numbers the events got in landing.<source>: `[firstSeq, lastSeq]`. */
  firstSeq: number;
  lastSeq: number;
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

const Body = z.union([z.array(z.unknown()), z.object({ events: z.array(z.unknown()) }).strict(), z.record(z.string(), z.unknown())]);
const StatusParams = z.object({
  asset: z.string().min(1).optional(),
  from: z.coerce.number().int().min(0).optional(),
  to: z.coerce.number().int().min(0).optional(),
});

/**
 * Mounts the event routes. The body is a JSON array of events, `{"events": [...]}`, or one event object.
 * @example await fetch(`${url}/api/events/flights`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify([{ id: 1 }]) });
 */
export function eventRoutes({ sluice }: ApiDeps): Hono<ApiEnv> {
  const routes = new Hono<ApiEnv>();
  const sensorOf = (source: string): EventSensor => {
    const daemon = automationDaemonOf(sluice);
    if (!daemon) throw new HttpError(409, 'AUTOMATION_NOT_RUNNING', `the automation daemon is not running in this server, so events for "${source}" cannot be landed; start \`sluice dev\` (it runs the daemon)`);
    const sensor = daemon.eventSensor(source);
    if (!sensor) {
      const known = (sluice.project.definition.sensors ?? []).flatMap((s) => (s.type === 'events' ? [s.source] : []));
      throw new HttpError(404, 'NOT_FOUND', `no event sensor has source "${source}"${known.length ? `; known sources: ${known.join(', ')}` : `; declare one: sensors: [{ type: 'events', name: '${source}_events', source: '${source}', select: '...' }]`}`);
    }
    return sensor;
  };

  routes.post('/events/:source', async (c) => {
    // Latency starts when the request arrives, before the body is read and landed.
    const receivedAt = Date.now();
    const source = c.req.param('source');
    guard(c, 'run:launch', { kind: 'project' });
    const sensor = sensorOf(source);
    let value: unknown;
    try {
      value = JSON.parse(await c.req.text());
    } catch {
      throw new HttpError(400, 'INVALID_REQUEST', `invalid events for "${source}": the body is not JSON; send a JSON array of event objects`);
    }
    const parsed = Body.safeParse(value);
    if (!parsed.success) throw new HttpError(400, 'INVALID_REQUEST', `invalid events for "${source}": send a JSON array of events, {"events": [...]} or one event object`);
    const events = Array.isArray(parsed.data) ? parsed.data : Array.isArray(parsed.data.events) ? parsed.data.events : [parsed.data];
    if (events.length > MAX_EVENTS_PER_REQUEST) throw new HttpError(400, 'INVALID_REQUEST', `${events.length} events in one request; send at most ${MAX_EVENTS_PER_REQUEST} per request`);
    const batch = await sensor.ingest(events, 'http', receivedAt);
    return c.json<IngestEventsResponse>({ source, accepted: batch.count, firstSeq: batch.firstSeq, lastSeq: batch.lastSeq }, 202);
  });

  routes.get('/events/:source', (c) => {
    const source = c.req.param('source');
    guard(c, 'run:read', { kind: 'project' });
    const sensor = sensorOf(source);
    const params = queryParams(c, StatusParams, 'event source status');
    const asset = params.asset ?? deepestAsset(sluice.project.graph, sluice.plan(sensor.definition.select).steps.map((s) => s.key));
    const daemon = automationDaemonOf(sluice)!;
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

/** The default asset latency is measured in: the one with the most upstream assets in the sensor's selection (the gold end). */
function deepestAsset(graph: AssetGraph, keys: readonly string[]): string {
  const selected = new Set(keys);
  const depth = (key: string): number => [...graph.upstreamOf(key)].filter((k) => selected.has(k)).length;
  return [...keys].sort((a, b) => depth(b) - depth(a) || a.localeCompare(b))[0] ?? '';
}
