// Checks list routes: every check of the project with its latest result, worst first, and one check's history.
import { Hono } from 'hono';
import { z } from 'zod';
import { mayPreview, readableKeys } from '../../access/principal.js';
import { guard, queryParams, type ApiDeps, type ApiEnv } from '../api-context.js';
import { HttpError } from '../api-errors.js';
import { governedReads } from '../governed-reads.js';
import { checkHistory, checksOverview, type CheckHistoryResponse, type ChecksOverviewResponse } from '../views/checks-overview.js';

const HistoryParams = z.object({ asset: z.string().min(1), check: z.string().min(1), runs: z.coerce.number().int().min(1).max(1000).default(200) });

/**
 * Mounts GET /checks (every check, worst first) and GET /checks/history?asset=KEY&check=NAME.
 * @example app.route('/api', checksListRoutes(deps));
 */
export function checksListRoutes({ sluice, readAudit }: ApiDeps): Hono<ApiEnv> {
  const routes = new Hono<ApiEnv>();
  const reads = governedReads(sluice, readAudit);
  const graph = (): typeof sluice.project.graph => sluice.project.graph;

  routes.get('/checks', async (c) => {
    const principal = guard(c, 'asset:read', { kind: 'asset' });
    const keys = readableKeys(principal, graph().order);
    // Failing samples are stored raw rows: only for callers whom no row filter or mask of the asset applies to.
    const policies = await reads.policies();
    const withSamples = new Set(keys.filter((key) => mayPreview(principal, key) && !policies.restricts(principal, key)));
    return c.json<ChecksOverviewResponse>({ checks: checksOverview(graph(), keys, await sluice.store.latestCheckResults(), withSamples) });
  });

  routes.get('/checks/history', async (c) => {
    const { asset, check, runs } = queryParams(c, HistoryParams, 'check history');
    const principal = guard(c, 'asset:read', { kind: 'asset', id: asset.toLowerCase() });
    const node = graph().get(asset.toLowerCase());
    if (!node) throw new HttpError(404, 'NOT_FOUND', `no asset "${asset}"; GET /api/checks lists every check with its asset`);
    if (!node.definition.checks.some((d) => d.name === check)) {
      throw new HttpError(
        404,
        'NOT_FOUND',
        `asset "${node.definition.key}" has no check "${check}"; its checks are ${node.definition.checks.map((d) => d.name).join(', ') || 'none'}`,
      );
    }
    const key = node.definition.key;
    const withSamples = mayPreview(principal, key) && !(await reads.policies()).restricts(principal, key);
    const results = await checkHistory(sluice.store, key, check, withSamples, runs);
    return c.json<CheckHistoryResponse>({ assetKey: node.definition.key, checkName: check, results });
  });

  return routes;
}
