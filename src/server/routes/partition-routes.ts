// Partition routes: the status of every partition of a partitioned asset, for the partition grid.
import { Hono } from 'hono';
import { guard, type ApiDeps, type ApiEnv } from '../api-context.js';
import { findAssetKey } from '../asset-views.js';
import { partitionGrid, type PartitionGridResponse } from '../views/partition-grid.js';

/**
 * Mounts GET /assets/:schema/:name/partitions.
 * @example app.route('/api', partitionRoutes(deps));
 */
export function partitionRoutes({ sluice }: ApiDeps): Hono<ApiEnv> {
  const routes = new Hono<ApiEnv>();
  routes.get('/assets/:schema/:name/partitions', async (c) => {
    guard(c, 'asset:read', { kind: 'asset', id: `${c.req.param('schema')}/${c.req.param('name')}`.toLowerCase() });
    const key = findAssetKey(sluice.project.graph, c.req.param('schema'), c.req.param('name'));
    return c.json<PartitionGridResponse>(await partitionGrid(sluice.project.graph, sluice.store, key));
  });
  return routes;
}
