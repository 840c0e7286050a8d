// Asset routes: the asset list, one asset with its history and columns, a bounded data preview, the lineage graph.
import { Hono, type Context } from 'hono';
import { z } from 'zod';
import { parseAssetKey } from '../../model/asset-key.js';
import type { AssetDetailResponse, AssetsResponse, ColumnSchema, LineageResponse, PreviewResponse } from '../api-types.js';
import { guard, queryParams, type ApiDeps, type ApiEnv } from '../api-context.js';
import { HttpError } from '../api-errors.js';
import { assetSummaries, assetSummary, findAssetKey, lineageGraph, readAssetState, type AssetState } from '../asset-views.js';
import { assetChecks } from '../check-views.js';
import { isAllowed, mayRead, type Principal } from '../../access/principal.js';
import { governColumnStats } from '../../access/policy/govern-metadata.js';
import { sensitiveColumns } from '../../access/sensitivity/sensitive-columns.js';
import { governedHttpError, governedReads } from '../governed-reads.js';
import { toJsonRows } from '../json-values.js';

/** Largest preview the API returns: previews are for eyes, exports are for bulk. */
const MAX_PREVIEW_ROWS = 1000;

const PreviewParams = z.object({ limit: z.coerce.number().int().min(1).max(MAX_PREVIEW_ROWS).default(50) });
const DetailParams = z.object({ history: z.coerce.number().int().min(1).max(1000).default(100) });

/** The key the URL asks for, used only to authorize before the graph lookup (so a denied caller learns nothing). */
function requestedKey(c: Context<ApiEnv>): string {
  return `${c.req.param('schema')}/${c.req.param('name')}`.toLowerCase();
}

/**
 * Mounts the asset and lineage routes.
 * @example app.route('/api', assetRoutes(deps));
 */
export function assetRoutes({ sluice, launcher, readAudit }: ApiDeps): Hono<ApiEnv> {
  const routes = new Hono<ApiEnv>();
  const reads = governedReads(sluice, readAudit);
  const graph = (): typeof sluice.project.graph => sluice.project.graph;
  const state = (): Promise<AssetState> => readAssetState(graph(), sluice.store, launcher.buildingAssets());

  /** The state with each latest materialization's column statistics as `principal` may see them (the asset page shows them first). */
  const governedState = async (principal: Principal): Promise<AssetState> => {
    const current = await state();
    const policies = await reads.policies();
    const restricted = [...current.latest.keys()].filter((key) => policies.restricts(principal, key));
    if (restricted.length === 0) return current;
    const latest = new Map(current.latest);
    for (const key of restricted) latest.set(key, governColumnStats(policies, principal, key, [current.latest.get(key)!])[0]!);
    return { ...current, latest };
  };

  // The list carries no statistics (assetSummaries leaves the latest materialization's metadata to the asset's page).
  routes.get('/assets', async (c) => {
    guard(c, 'asset:read', { kind: 'asset' });
    return c.json<AssetsResponse>({ assets: assetSummaries(graph(), await state()) });
  });

  /** An asset's column lineage for its page; lineage is an extra, so a failure to analyse leaves it out. */
  const columnLineageOf = async (key: string): Promise<AssetDetailResponse['columnLineage']> => {
    try {
      const lineage = (await sluice.columnLineage.get()).asset(key);
      const columns = Object.fromEntries(
        lineage.columns.map((col) => [col.name, col.sources.map((src) => `${src.asset ?? src.table}.${src.column} (${src.transform})`)]),
      );
      return { method: lineage.method, ...(lineage.note ? { note: lineage.note } : {}), columns };
    } catch {
      return undefined;
    }
  };

  /** Tags of the asset's columns, declared or inherited through lineage; an extra like lineage, left out when it cannot be analysed. */
  const sensitivityOf = async (principal: Principal, key: string): Promise<AssetDetailResponse['sensitivity']> => {
    try {
      const columns = sensitiveColumns(sluice.project.definition.policies ?? {}, await sluice.columnLineage.get()).filter((col) => col.asset === key);
      // A source the caller may not read is not named: its key would tell them about an asset they cannot see.
      const from = (origins: readonly string[]): string[] =>
        origins.filter((o) => o !== `${key}.${o.split('.').at(-1)}` && mayRead(principal, o.slice(0, o.lastIndexOf('.'))));
      return columns.length > 0 ? Object.fromEntries(columns.map((col) => [col.column, { tags: col.tags, from: from(col.origins) }])) : undefined;
    } catch {
      return undefined;
    }
  };

  routes.get('/assets/:schema/:name', async (c) => {
    const principal = guard(c, 'asset:read', { kind: 'asset', id: requestedKey(c) });
    const key = findAssetKey(graph(), c.req.param('schema'), c.req.param('name'));
    const { history } = queryParams(c, DetailParams, 'asset');
    const [current, materializations, described, checks, columnLineage, sensitivity] = await Promise.all([
      governedState(principal),
      sluice.store.materializationHistory(key, history),
      describe(key),
      sluice.store.latestCheckResults(key),
      columnLineageOf(key),
      sensitivityOf(principal, key),
    ]);
    // The live relation is the truth; the last materialization's schema covers a table dropped by hand.
    const columns: ColumnSchema[] = described ?? current.latest.get(key)?.schema ?? [];
    // Stored samples and statistics hold raw values: shown only as far as the principal's policies allow.
    const policies = await reads.policies();
    const withSamples = isAllowed(principal, 'asset:preview', { kind: 'asset', id: key }) && !policies.restricts(principal, key);
    return c.json<AssetDetailResponse>({
      asset: assetSummary(graph(), key, current),
      materializations: governColumnStats(policies, principal, key, materializations),
      columns,
      checks: assetChecks(graph().get(key)!.definition.checks, checks, withSamples),
      ...(columnLineage ? { columnLineage } : {}),
      ...(sensitivity ? { sensitivity } : {}),
    });
  });

  routes.get('/assets/:schema/:name/preview', async (c) => {
    const principal = guard(c, 'asset:preview', { kind: 'asset', id: requestedKey(c) });
    const key = findAssetKey(graph(), c.req.param('schema'), c.req.param('name'));
    const { limit } = queryParams(c, PreviewParams, 'preview');
    const relation = parseAssetKey(key);
    const session = await sluice.warehouse.session();
    let columns: ColumnSchema[] | undefined;
    try {
      columns = await session.describe(relation);
      if (!columns) {
        throw new HttpError(
          409,
          'NOT_MATERIALIZED',
          `asset "${key}" has no data yet; materialize it first (\`sluice materialize --select ${key}\` or the Materialize button)`,
        );
      }
    } finally {
      session.close();
    }
    try {
      // Through the governed reader like every other read: the principal's row filters and masks apply.
      const { rows } = await (await reads.reader()).readAsset(principal, key, { maxRows: limit, purpose: 'preview' });
      return c.json<PreviewResponse>(toJsonRows(rows, columns));
    } catch (error) {
      throw governedHttpError(error);
    }
  });

  routes.get('/lineage', async (c) => {
    guard(c, 'lineage:read', { kind: 'project' });
    return c.json<LineageResponse>(lineageGraph(graph(), await state()));
  });

  async function describe(key: string): Promise<ColumnSchema[] | undefined> {
    const session = await sluice.warehouse.session();
    try {
      return await session.describe(parseAssetKey(key));
    } finally {
      session.close();
    }
  }

  return routes;
}
