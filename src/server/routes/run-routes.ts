// Run routes: list, detail with steps and event log, launch, cancel and re-execute from failure.
import { Hono } from 'hono';
import { z } from 'zod';
import { RunNotFoundError } from '../../errors.js';
import { asRunEvent } from '../../model/run-event.js';
import { FINAL_RUN_STATUSES } from '../../runtime/run-events.js';
import { deriveSteps } from '../../runtime/run-state.js';
import type { CancelRunResponse, LaunchRunResponse, RunDetailResponse, RunsResponse, RunSummary } from '../api-types.js';
import { guard, jsonBody, queryParams, type ApiDeps, type ApiEnv } from '../api-context.js';
import { HttpError } from '../api-errors.js';

const RUN_STATUSES = ['queued', 'started', 'succeeded', 'failed', 'canceled'] as const;

const ListParams = z.object({
  limit: z.coerce.number().int().min(1).max(500).default(50),
  status: z.enum(RUN_STATUSES).optional(),
});
const Concurrency = z.number().int().min(1).max(64).optional();
const LaunchBody = z.object({
  select: z.string().trim().min(1, 'must not be empty; use "*" for every asset').max(10_000).optional(),
  concurrency: Concurrency,
  partition: z.string().min(1).max(200).optional(),
});
const ReexecuteBody = z.object({ concurrency: Concurrency });

/**
 * Mounts the run routes.
 * @example app.route('/api', runRoutes(deps));
 */
export function runRoutes({ sluice, launcher }: ApiDeps): Hono<ApiEnv> {
  const routes = new Hono<ApiEnv>();
  const getRun = async (runId: string): Promise<RunSummary> => {
    const run = await sluice.store.getRun(runId);
    if (!run) throw new RunNotFoundError(runId);
    return run;
  };

  routes.get('/runs', async (c) => {
    guard(c, 'run:read', { kind: 'run' });
    const { limit, status } = queryParams(c, ListParams, 'run list');
    return c.json<RunsResponse>({ runs: await sluice.store.listRuns({ limit, ...(status ? { status } : {}) }) });
  });

  routes.get('/runs/:id', async (c) => {
    const runId = c.req.param('id');
    guard(c, 'run:read', { kind: 'run', id: runId });
    const run = await getRun(runId);
    const events = (await sluice.store.listEvents(runId)).map(asRunEvent);
    return c.json<RunDetailResponse>({ run, steps: deriveSteps(run, events), events });
  });

  routes.post('/runs', async (c) => {
    guard(c, 'run:launch', { kind: 'project' });
    const { select = '*', concurrency, partition } = await jsonBody(c, LaunchBody, 'run request');
    // A bad selection is rejected while submitting: a 400 here instead of a failed run later.
    const runId = await launcher.launch({ select, ...(concurrency ? { concurrency } : {}), ...(partition !== undefined ? { partition } : {}) });
    return c.json<LaunchRunResponse>({ runId }, 202);
  });

  routes.post('/runs/:id/cancel', async (c) => {
    const runId = c.req.param('id');
    guard(c, 'run:cancel', { kind: 'run', id: runId });
    const run = await getRun(runId);
    const canceled = sluice.cancel(runId);
    return c.json<CancelRunResponse>({ runId, canceled, status: run.status });
  });

  routes.post('/runs/:id/reexecute', async (c) => {
    const parentId = c.req.param('id');
    guard(c, 'run:reexecute', { kind: 'run', id: parentId });
    const { concurrency } = await jsonBody(c, ReexecuteBody, 're-execute request');
    const parent = await getRun(parentId);
    if (!FINAL_RUN_STATUSES.has(parent.status)) {
      throw new HttpError(409, 'RUN_ACTIVE', `run "${parentId}" is still ${parent.status}; wait for it to end or cancel it, then re-execute`);
    }
    const runId = await launcher.launch({ retryOf: parentId, ...(concurrency ? { concurrency } : {}) });
    return c.json<LaunchRunResponse>({ runId }, 202);
  });

  return routes;
}
