// When each schedule and cron condition ticks next, for the Automation page (the evaluations themselves are GET /automation/evaluations).
import { Hono } from 'hono';
import { nextTicks } from '../../automation/schedule-calculation.js';
import { guard, type ApiDeps, type ApiEnv } from '../api-context.js';

/** GET /api/automation/next-ticks: per automation name, its next tick (ISO), or how it is triggered instead. */
export interface NextTicksResponse {
  now: string;
  next: Record<string, { at: string | null; trigger: string }>;
}

/**
 * Mounts GET /automation/next-ticks.
 * @example app.route('/api', automationTicksRoutes(deps));
 */
export function automationTicksRoutes({ sluice }: ApiDeps): Hono<ApiEnv> {
  const routes = new Hono<ApiEnv>();
  routes.get('/automation/next-ticks', (c) => {
    guard(c, 'run:read', { kind: 'project' });
    const now = new Date();
    const next: NextTicksResponse['next'] = {};
    const { schedules = [], sensors = [] } = sluice.project.definition;
    for (const schedule of schedules) next[schedule.name] = { at: nextTicks(schedule, now, 1)[0]?.toISOString() ?? null, trigger: 'cron' };
    for (const sensor of sensors) next[sensor.name] = { at: null, trigger: sensor.type === 'file' ? 'when files arrive or change' : 'when events arrive' };
    for (const key of sluice.project.graph.order) {
      const conditions = sluice.project.graph.get(key)!.definition.automation ?? [];
      if (conditions.length === 0) continue;
      const crons = conditions.flatMap((condition) => (condition.type === 'cron' ? nextTicks(condition, now, 1) : []));
      const soonest = crons.sort((a, b) => a.getTime() - b.getTime())[0];
      const polled = conditions.some((condition) => condition.type !== 'cron');
      next[key] = { at: soonest?.toISOString() ?? null, trigger: polled ? 'evaluated every second and when a run ends' : 'cron' };
    }
    return c.json<NextTicksResponse>({ now: now.toISOString(), next });
  });
  return routes;
}
