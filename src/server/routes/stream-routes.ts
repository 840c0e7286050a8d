// The live stream: run events and run statuses from the runtime's bus as Server-Sent Events.
import { Hono } from 'hono';
import { streamSSE, type SSEStreamingApi } from 'hono/streaming';
import { z } from 'zod';
import { RunNotFoundError } from '../../errors.js';
import { asRunEvent } from '../../model/run-event.js';
import { FINAL_RUN_STATUSES } from '../../runtime/run-events.js';
import type { RunEvent, RunStatus, StreamEventName } from '../api-types.js';
import { guard, queryParams, type ApiDeps, type ApiEnv } from '../api-context.js';

/** Events that close a run's log. The facade sets the final status just before writing them. */
const RUN_END_EVENTS: ReadonlySet<string> = new Set(['run_succeeded', 'run_failed', 'run_canceled']);
/** How long a final status waits for its run's closing event before it is sent anyway. */
const FINAL_STATUS_GRACE_MS = 2000;

const StreamParams = z.object({
  runId: z.string().min(1).max(200).optional(),
  after: z.coerce.number().int().min(0).optional(),
});

/** Writes SSE messages one after another: the bus is synchronous, writes are not, and order matters. */
class SerialWriter {
  private chain: Promise<void> = Promise.resolve();
  constructor(private readonly stream: SSEStreamingApi) {}

  send(event: StreamEventName, data: unknown, id?: number): void {
    this.then(() => this.stream.writeSSE({ event, data: JSON.stringify(data), ...(id !== undefined ? { id: String(id) } : {}) }));
  }

  /** Queues work (a lookup, then a write) behind everything queued so far. */
  then(task: () => Promise<void>): void {
    this.chain = this.chain.then(task).catch(() => undefined);
  }

  flushed(): Promise<void> {
    return this.chain;
  }
}

/**
 * Mounts GET /stream. Without `runId` it sends everything live (clients refetch what they show on
 * connect). With `runId` it first replays that run's stored events after `after` (or the
 * Last-Event-ID header), so a follower never misses the start of a run it just launched.
 * @example const source = new EventSource('/api/stream'); source.addEventListener('run-status', ...);
 */
export function streamRoutes({ sluice, heartbeatMs, shutdown }: ApiDeps): Hono<ApiEnv> {
  const routes = new Hono<ApiEnv>();

  routes.get('/stream', async (c) => {
    const params = queryParams(c, StreamParams, 'stream');
    const only = params.runId;
    guard(c, 'stream:read', only ? { kind: 'run', id: only } : { kind: 'project' });
    if (only && !(await sluice.store.getRun(only))) throw new RunNotFoundError(only);
    const lastEventId = Number(c.req.header('last-event-id'));
    const after = params.after ?? (Number.isInteger(lastEventId) && lastEventId > 0 ? lastEventId : 0);

    return streamSSE(c, async (stream) => {
      const out = new SerialWriter(stream);
      const wanted = (runId: string): boolean => only === undefined || runId === only;
      // Live events that arrive while stored ones are replayed wait here, then go out without duplicates.
      let pending: RunEvent[] | undefined = only ? [] : undefined;
      let replayedUpTo = after;

      const sendStatus = (runId: string): void =>
        out.then(async () => {
          const run = await sluice.store.getRun(runId);
          if (run) await stream.writeSSE({ event: 'run-status', data: JSON.stringify(run) });
        });
      // A final status is held until the run's closing event went out, so a client that stops at the
      // final status (the CLI, a run page) has the whole log.
      const heldFinal = new Map<string, ReturnType<typeof setTimeout>>();
      const closedRuns = new Set<string>();
      const deliver = (event: RunEvent): void => {
        out.send('run-event', event, event.id);
        if (!RUN_END_EVENTS.has(event.type)) return;
        closedRuns.add(event.runId);
        const timer = heldFinal.get(event.runId);
        if (timer === undefined) return;
        clearTimeout(timer);
        heldFinal.delete(event.runId);
        sendStatus(event.runId);
      };
      const onEvent = (event: RunEvent): void => {
        if (!wanted(event.runId)) return;
        if (pending) pending.push(event);
        else deliver(event);
      };
      const onStatus = ({ runId, status }: { runId: string; status: RunStatus }): void => {
        if (!wanted(runId)) return;
        if (!FINAL_RUN_STATUSES.has(status) || closedRuns.has(runId)) return sendStatus(runId);
        if (heldFinal.has(runId)) return;
        heldFinal.set(
          runId,
          setTimeout(() => {
            heldFinal.delete(runId);
            sendStatus(runId);
          }, FINAL_STATUS_GRACE_MS),
        );
      };
      sluice.bus.on('event', onEvent);
      sluice.bus.on('status', onStatus);
      const heartbeat = setInterval(() => out.send('heartbeat', { ts: new Date().toISOString() }), heartbeatMs);
      let stop: () => void = () => undefined;
      const stopped = new Promise<void>((resolve) => (stop = resolve));
      stream.onAbort(stop);
      shutdown.addEventListener('abort', stop, { once: true });
      try {
        // A comment line makes proxies and clients see the stream open before the first event.
        await stream.write(': connected\n\n');
        if (only) {
          for (const event of (await sluice.store.listEvents(only, after)).map(asRunEvent)) {
            deliver(event);
            replayedUpTo = Math.max(replayedUpTo, event.id);
          }
          for (const event of pending ?? []) if (event.id > replayedUpTo) deliver(event);
          pending = undefined;
          // The current status last, so a follower of a finished run learns at once that it is over.
          const current = await sluice.store.getRun(only);
          if (current) onStatus({ runId: only, status: current.status });
        }
        if (!stream.aborted && !shutdown.aborted) await stopped;
      } finally {
        clearInterval(heartbeat);
        for (const timer of heldFinal.values()) clearTimeout(timer);
        sluice.bus.off('event', onEvent);
        sluice.bus.off('status', onStatus);
        shutdown.removeEventListener('abort', stop);
        await out.flushed();
      }
    });
  });

  return routes;
}
