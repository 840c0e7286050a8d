// Automation routes: schedules, sensors and asset conditions with their state and evaluations, on/off, backfills; mounts the event routes.
import { Hono } from 'hono';
import { z } from 'zod';
import { automationEntries, type AutomationEntry } from '../../automation/automation-context.js';
import { backfillState, planBackfill, runBackfill } from '../../automation/backfill.js';
import type { AutomationState, BackfillRecord, EvaluationRecord } from '../../store/metadata-store.js';
import { guard, jsonBody, queryParams, type ApiDeps, type ApiEnv } from '../api-context.js';
import { HttpError } from '../api-errors.js';
import { eventRoutes } from './events.js';

/** One row of GET /api/automation. */
export interface AutomationSummary extends AutomationEntry {
  enabled: boolean;
  state: AutomationState | null;
  lastEvaluation: EvaluationRecord | null;
}

/** GET /api/automation */
export interface AutomationResponse {
  /** Whether a daemon runs in this server (else nothing is evaluated until one starts). */
  daemonRunning: boolean;
  automations: AutomationSummary[];
}

/** GET /api/backfills/:id, POST /api/backfills (202) */
export interface BackfillResponse {
  backfill: BackfillRecord & { state: BackfillRecord['status'] | 'interrupted' };
}

const SwitchBody = z.object({ name: z.string().min(1), enabled: z.boolean() });
const EvaluationParams = z.object({ name: z.string().min(1).optional(), limit: z.coerce.number().int().min(1).max(1000).default(50) });
const BackfillBody = z.object({
  select: z.string().trim().min(1),
  from: z.string().min(1).optional(),
  to: z.string().min(1).optional(),
  missingOnly: z.boolean().optional(),
});

/**
 * Mounts the automation and backfill routes, and the event routes (`/events/:source`).
 * @example app.route('/api', automationRoutes(deps));
 */
export function automationRoutes(deps: ApiDeps): Hono<ApiEnv> {
  const { sluice, automation } = deps;
  const routes = new Hono<ApiEnv>();

  routes.get('/automation', async (c) => {
    guard(c, 'run:read', { kind: 'project' });
    const daemon = automation();
    const states = new Map((await sluice.store.automationStates()).map((s) => [s.name, s]));
    const automations = await Promise.all(
      automationEntries(sluice.project).map(async (entry) => {
        const state = states.get(entry.name) ?? null;
        const [lastEvaluation] = await sluice.store.listEvaluations({ name: entry.name, limit: 1 });
        return { ...entry, enabled: state?.enabled ?? entry.enabledByDefault, state, lastEvaluation: lastEvaluation ?? null };
      }),
    );
    return c.json<AutomationResponse>({ daemonRunning: daemon !== undefined, automations });
  });

  routes.post('/automation/switch', async (c) => {
    guard(c, 'run:launch', { kind: 'project' });
    const { name, enabled } = await jsonBody(c, SwitchBody, 'automation switch');
    const entry = automationEntries(sluice.project).find((e) => e.name === name);
    if (!entry) throw new HttpError(404, 'NOT_FOUND', `no schedule, sensor or asset condition is named "${name}"; GET /api/automation lists them`);
    const daemon = automation();
    if (daemon) await daemon.setEnabled(name, enabled);
    else await sluice.store.setAutomationEnabled(name, entry.kind, enabled);
    return c.json({ name, enabled });
  });

  routes.get('/automation/evaluations', async (c) => {
    guard(c, 'run:read', { kind: 'project' });
    const { name, limit } = queryParams(c, EvaluationParams, 'evaluations');
    return c.json({ evaluations: await sluice.store.listEvaluations({ limit, ...(name ? { name } : {}) }) });
  });

  routes.post('/backfills', async (c) => {
    guard(c, 'run:launch', { kind: 'project' });
    const { select, from, to, missingOnly } = await jsonBody(c, BackfillBody, 'backfill request');
    const body = { select, ...(from ? { from } : {}), ...(to ? { to } : {}), ...(missingOnly ? { missingOnly } : {}) };
    // Planning first turns a bad selection or range into a 400 here, not a failed backfill later.
    planBackfill(sluice, body.select, body.from, body.to);
    const controller = new AbortController();
    deps.shutdown.addEventListener('abort', () => controller.abort(), { once: true });
    let announce!: (id: string) => void;
    const announced = new Promise<string>((resolve) => (announce = resolve));
    const work = runBackfill(sluice, { ...body, signal: controller.signal, onProgress: (p) => announce(p.backfillId) });
    // A backfill with nothing left to do ends before any progress: its id comes from the result.
    const id = await Promise.race([announced, work.then((r) => r.backfill.id)]);
    work.catch(() => undefined);
    // The server's shutdown cancels and awaits it, before the warehouse closes.
    deps.launcher.track(work, () => controller.abort());
    const backfill = (await sluice.store.getBackfill(id))!;
    return c.json<BackfillResponse>({ backfill: { ...backfill, state: backfillState(backfill) } }, 202);
  });

  routes.get('/backfills', async (c) => {
    guard(c, 'run:read', { kind: 'project' });
    const backfills = await sluice.store.listBackfills(50);
    return c.json({ backfills: backfills.map((b) => ({ ...b, state: backfillState(b) })) });
  });

  routes.get('/backfills/:id', async (c) => {
    const id = c.req.param('id');
    guard(c, 'run:read', { kind: 'project' });
    const backfill = await sluice.store.getBackfill(id);
    if (!backfill) throw new HttpError(404, 'NOT_FOUND', `backfill "${id}" does not exist; GET /api/backfills lists them`);
    return c.json<BackfillResponse>({ backfill: { ...backfill, state: backfillState(backfill) } });
  });

  routes.route('/', eventRoutes(deps));
  return routes;
}
