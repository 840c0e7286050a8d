// POST /checks: evaluate data-quality checks on the published tables (what `sluice check` sends while `sluice dev` runs).
import { Hono } from 'hono';
import { z } from 'zod';
import type { RunChecksResponse } from '../api-types.js';
import { guard, jsonBody, type ApiDeps, type ApiEnv } from '../api-context.js';
import { isAllowed } from '../../access/principal.js';
import { governedReads } from '../governed-reads.js';

const ChecksBody = z.object({ select: z.string().trim().min(1, 'must not be empty').max(10_000).optional() });

/**
 * Mounts POST /checks. It answers when every check has run, with the same result `sluice check --json`
 * prints: a failed error check is `status: "failed"` in a 200 answer, not an HTTP error. Failing samples
 * are rows of the asset, so they are left out for callers who may not see its data.
 * @example await fetch('/api/checks', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"select":"silver/flights"}' });
 */
export function checkRoutes({ sluice, readAudit }: ApiDeps): Hono<ApiEnv> {
  const routes = new Hono<ApiEnv>();
  const reads = governedReads(sluice, readAudit);

  routes.post('/checks', async (c) => {
    const principal = guard(c, 'check:run', { kind: 'project' });
    const { select } = await jsonBody(c, ChecksBody, 'check request');
    const result = await sluice.check({ select: select ?? '*' });
    // Samples are raw rows: kept only for callers who see the asset's rows unfiltered and unmasked.
    const policies = await reads.policies();
    const results = result.results.map((r) =>
      isAllowed(principal, 'asset:preview', { kind: 'asset', id: r.assetKey }) && !policies.restricts(principal, r.assetKey) ? r : { ...r, sampleFailing: [] },
    );
    return c.json<RunChecksResponse>({ ...result, results });
  });

  return routes;
}
