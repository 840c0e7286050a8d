// Quarantine routes: which assets quarantine rows, an asset's quarantined rows by reason, and each load's read accounting.
import { Hono, type Context } from 'hono';
import { z } from 'zod';
import { mayPreview, mayRead } from '../../access/principal.js';
import { guard, queryParams, type ApiDeps, type ApiEnv } from '../api-context.js';
import { findAssetKey } from '../asset-views.js';
import { governedHttpError, governedReads } from '../governed-reads.js';
import { materializationLoads, type LoadsResponse } from '../views/load-accounting.js';
import { readQuarantine } from '../views/quarantine-read.js';
import { quarantineSources, relationName, type QuarantineOverviewResponse, type QuarantineResponse } from '../views/quarantine-sources.js';

/** Most quarantined rows one request returns; the counts by reason always cover every row. */
const MAX_QUARANTINE_ROWS = 1000;

const RowsParams = z.object({ limit: z.coerce.number().int().min(1).max(MAX_QUARANTINE_ROWS).default(200) });
const LoadsParams = z.object({ limit: z.coerce.number().int().min(1).max(500).default(50) });

function requestedKey(c: Context<ApiEnv>): string {
  return `${c.req.param('schema')}/${c.req.param('name')}`.toLowerCase();
}

/**
 * Mounts GET /quarantine, /assets/:schema/:name/quarantine and /assets/:schema/:name/loads.
 * @example app.route('/api', quarantineRoutes(deps));
 */
export function quarantineRoutes({ sluice, readAudit }: ApiDeps): Hono<ApiEnv> {
  const routes = new Hono<ApiEnv>();
  const reads = governedReads(sluice, readAudit);
  const graph = (): typeof sluice.project.graph => sluice.project.graph;

  routes.get('/quarantine', async (c) => {
    const principal = guard(c, 'asset:read', { kind: 'asset' });
    const latest = await sluice.store.latestMaterializations();
    const assets: QuarantineOverviewResponse['assets'] = [];
    for (const key of graph().order) {
      const record = latest.get(key);
      if (!record || !mayRead(principal, key)) continue;
      const sources = await quarantineSources(sluice, key, record);
      if (sources.length === 0) continue;
      assets.push({
        assetKey: key,
        createdAt: record.createdAt,
        tables: sources.map((s) => ({ table: relationName(s.relation), origin: s.origin, reasonColumn: s.reasonColumn, rowCount: s.rowCount })),
      });
    }
    return c.json<QuarantineOverviewResponse>({ assets });
  });

  // Quarantined rows are the asset's data: the same permission as its preview, read under its policy.
  routes.get('/assets/:schema/:name/quarantine', async (c) => {
    const principal = guard(c, 'asset:preview', { kind: 'asset', id: requestedKey(c) });
    const key = findAssetKey(graph(), c.req.param('schema'), c.req.param('name'));
    const { limit } = queryParams(c, RowsParams, 'quarantine');
    const [record] = await sluice.store.materializationHistory(key, 1);
    const tables: QuarantineResponse['tables'] = [];
    if (mayPreview(principal, key)) {
      const reader = await reads.reader();
      for (const source of await quarantineSources(sluice, key, record)) {
        const read = await readQuarantine(sluice, reader, principal, key, source, limit).catch((error: unknown) => {
          throw governedHttpError(error);
        });
        if (!read) continue;
        tables.push({
          table: relationName(source.relation),
          origin: source.origin,
          reasonColumn: source.reasonColumn,
          rows: read.rows,
          total: read.total,
          byReason: read.byReason,
          columns: read.columns,
          ...(read.hidden ? { hidden: read.hidden } : {}),
        });
      }
    }
    return c.json<QuarantineResponse>({ assetKey: key, tables });
  });

  routes.get('/assets/:schema/:name/loads', async (c) => {
    guard(c, 'asset:read', { kind: 'asset', id: requestedKey(c) });
    const key = findAssetKey(graph(), c.req.param('schema'), c.req.param('name'));
    const { limit } = queryParams(c, LoadsParams, 'loads');
    return c.json<LoadsResponse>({ assetKey: key, materializations: materializationLoads(await sluice.store.materializationHistory(key, limit)) });
  });

  return routes;
}
