// Backfill control: cancel a running backfill (its partition in flight is canceled, the rest are not started). Resume is POST /backfills again.
import { Hono } from 'hono';
import { backfillState } from '../../automation/backfill.js';
import type { BackfillRecord } from '../../store/metadata-store.js';
import { guard, type ApiDeps, type ApiEnv } from '../api-context.js';
import { HttpError } from '../api-errors.js';

/** POST /api/backfills/:id/cancel */
export interface CancelBackfillResponse {
  backfill: BackfillRecord & { state: ReturnType<typeof backfillState> };
  /** False when the backfill had already ended (nothing to cancel). */
  canceled: boolean;
}

/** How long a cancel waits for the backfill to stop: a partition's run ends at its next cancellation point. */
const CANCEL_WAIT_MS = 30_000;

/**
 * Mounts POST /backfills/:id/cancel. A backfill runs one partition per run: canceling the run in flight makes the
 * backfill stop and record itself `canceled`; running the same backfill again (POST /backfills) resumes it.
 * @example app.route('/api', backfillRoutes(deps));
 */
export function backfillRoutes({ sluice }: ApiDeps): Hono<ApiEnv> {
  const routes = new Hono<ApiEnv>();

  routes.post('/backfills/:id/cancel', async (c) => {
    const id = c.req.param('id');
    guard(c, 'run:cancel', { kind: 'project' });
    const load = async (): Promise<BackfillRecord> => {
      const found = await sluice.store.getBackfill(id);
      if (!found) throw new HttpError(404, 'NOT_FOUND', `backfill "${id}" does not exist; GET /api/backfills lists them`);
      return found;
    };
    let backfill = await load();
    if (backfillState(backfill) !== 'running')
      return c.json<CancelBackfillResponse>({ backfill: { ...backfill, state: backfillState(backfill) }, canceled: false });
    if (backfill.owner.pid !== process.pid) {
      throw new HttpError(
        409,
        'CONFLICT',
        `backfill "${id}" runs in process ${backfill.owner.pid}, not in this server; stop it there (Ctrl-C), then resume it here`,
      );
    }
    const deadline = Date.now() + CANCEL_WAIT_MS;
    // Between two partitions no run is in flight: try again until the next one has started, or the backfill has ended.
    while (backfill.status === 'running') {
      for (const partition of backfill.partitions) if (partition.status === 'pending' && partition.runId) sluice.cancel(partition.runId);
      if (Date.now() > deadline) throw new HttpError(409, 'CONFLICT', `backfill "${id}" did not stop within ${CANCEL_WAIT_MS / 1000} s; try again`);
      await new Promise((resolve) => setTimeout(resolve, 50));
      backfill = await load();
    }
    return c.json<CancelBackfillResponse>({ backfill: { ...backfill, state: backfillState(backfill) }, canceled: backfill.status === 'canceled' });
  });

  return routes;
}
