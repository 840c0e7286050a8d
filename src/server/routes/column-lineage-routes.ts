// Column lineage routes: the column graph around one column (to pick and click through in the UI), and the whole project's.
import { Hono } from 'hono';
import { guard, type ApiDeps, type ApiEnv } from '../api-context.js';
import { findAssetKey } from '../asset-views.js';
import { columnLineageAround, columnLineageOfProject, type ColumnLineageGraphResponse } from '../views/column-lineage-graph.js';

/**
 * Mounts GET /column-lineage and GET /column-lineage/:schema/:name/:column.
 * @example app.route('/api', columnLineageRoutes(deps));
 */
export function columnLineageRoutes({ sluice }: ApiDeps): Hono<ApiEnv> {
  const routes = new Hono<ApiEnv>();
  // The project's column lineage is analysed once per warehouse state and shared with the asset pages.
  const cache = sluice.columnLineage;

  routes.get('/column-lineage', async (c) => {
    guard(c, 'lineage:read', { kind: 'project' });
    return c.json<ColumnLineageGraphResponse>(columnLineageOfProject(await cache.get()));
  });

  routes.get('/column-lineage/:schema/:name/:column', async (c) => {
    guard(c, 'lineage:read', { kind: 'asset', id: `${c.req.param('schema')}/${c.req.param('name')}`.toLowerCase() });
    const key = findAssetKey(sluice.project.graph, c.req.param('schema'), c.req.param('name'));
    return c.json<ColumnLineageGraphResponse>(columnLineageAround(await cache.get(), key, c.req.param('column')));
  });

  return routes;
}
