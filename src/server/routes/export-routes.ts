// POST /exports: what `sluice export` sends while `sluice dev` owns the warehouse.
import { isAbsolute, join, relative, resolve } from 'node:path';
import { Hono } from 'hono';
import { z } from 'zod';
import { exportParquet, type AssetExport } from '../../access/export/parquet-export.js';
import { LOCAL_DEV_PRINCIPAL } from '../../access/principal.js';
import { SluiceError } from '../../errors.js';
import { resolveSelection } from '../../model/selection.js';
import { guard, jsonBody, type ApiDeps, type ApiEnv } from '../api-context.js';
import { HttpError } from '../api-errors.js';
import { governedHttpError, governedReads } from '../governed-reads.js';

const ExportBody = z.object({
  select: z.string().trim().min(1, 'must name assets, e.g. "gold/region_monthly_summary"'),
  to: z.string().min(1).refine(isAbsolute, 'must be an absolute folder path'),
  partitionBy: z.string().trim().min(1).optional(),
});

/**
 * Mounts POST /exports `{select, to, partitionBy?}`: each selected asset read through the governed path for the
 * caller and written as Parquet. The local developer may write anywhere; anyone else only under the project's
 * `exports/` folder, so an API client cannot make the server write where it likes.
 * @example await fetch('/api/exports', { method: 'POST', body: JSON.stringify({ select: 'gold/x', to: '/srv/p/exports' }) });
 */
export function exportRoutes({ sluice }: ApiDeps): Hono<ApiEnv> {
  const routes = new Hono<ApiEnv>();
  const reads = governedReads(sluice);

  routes.post('/exports', async (c) => {
    const body = await jsonBody(c, ExportBody, 'export');
    const selected = resolveSelection(sluice.project.graph, body.select);
    const keys = sluice.project.graph.order.filter((key) => selected.has(key));
    const principal = guard(c, 'asset:preview', { kind: 'project', assets: keys });
    const root = join(sluice.project.dir, 'exports');
    const inside = !relative(root, resolve(body.to)).startsWith('..');
    if (principal.id !== LOCAL_DEV_PRINCIPAL.id && !inside) {
      throw new HttpError(403, 'ACCESS_DENIED', `exports through the server go under ${root}; pass --to inside that folder`);
    }
    try {
      const exports = await exportParquet(
        { warehouse: sluice.warehouse, store: sluice.store, planner: await reads.reader() },
        { principal, keys, to: body.to, ...(body.partitionBy ? { partitionBy: body.partitionBy } : {}) },
      );
      return c.json<{ exports: AssetExport[] }>({ exports });
    } catch (error) {
      if (error instanceof SluiceError && error.code === 'INVALID_CONFIG') throw new HttpError(400, error.code, error.message);
      throw governedHttpError(error);
    }
  });

  return routes;
}
