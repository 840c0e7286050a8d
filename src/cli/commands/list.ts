// `sluice list`: every asset with its group, kind, dependencies, status and last materialization.
import type { Command } from 'commander';
import type { Sluice } from '../../runtime/sluice.js';
import type { AssetsResponse } from '../../server/api-types.js';
import type { ApiClient } from '../api-client.js';
import { devServerFor, withSluice, type ProjectOptions } from '../open-project.js';
import { textTable } from '../text-table.js';

/** One asset as listed. */
export interface AssetListing {
  key: string;
  group: string;
  kind: string;
  deps: string[];
  status: string;
  reason: string | null;
  lastMaterializedAt: string | null;
  rowCount: number | null;
}

/** Lists the project's assets in dependency order. */
export async function listAssets(sluice: Sluice): Promise<AssetListing[]> {
  const [statuses, latest] = await Promise.all([sluice.assetStatuses(), sluice.store.latestMaterializations()]);
  return sluice.project.graph.order.map((key) => {
    const node = sluice.project.graph.get(key)!;
    const m = latest.get(key);
    const status = statuses.get(key)!;
    return {
      key,
      group: node.definition.group,
      kind: node.definition.kind,
      deps: [...node.deps],
      status: status.status,
      reason: status.reason ?? null,
      lastMaterializedAt: m?.createdAt ?? null,
      rowCount: m?.rowCount ?? null,
    };
  });
}

/** Lists the assets of the project a running server owns (same shape as `listAssets`). */
export async function listAssetsFromServer(server: ApiClient): Promise<AssetListing[]> {
  const { assets } = await server.get<AssetsResponse>('/api/assets');
  return assets.map((a) => ({
    key: a.key,
    group: a.group,
    kind: a.kind,
    deps: a.deps,
    status: a.status,
    reason: a.statusReason ?? null,
    lastMaterializedAt: a.lastMaterialization?.createdAt ?? null,
    rowCount: a.lastMaterialization?.rowCount ?? null,
  }));
}

export function configureListCommand(program: Command): void {
  program
    .command('list')
    .description('list assets with group, kind, dependencies and last materialization')
    .option('--json', 'print JSON')
    .action(async (options: { json?: boolean }, command: Command) => {
      const globals = command.optsWithGlobals<ProjectOptions>();
      const server = devServerFor(globals);
      const listing = server ? await listAssetsFromServer(server) : await withSluice(globals, listAssets);
      if (options.json) {
        process.stdout.write(`${JSON.stringify(listing, null, 2)}\n`);
        return;
      }
      const rows = listing.map((a) => [
        a.key,
        a.group,
        a.kind,
        a.status,
        a.lastMaterializedAt ? a.lastMaterializedAt.replace('T', ' ').slice(0, 19) : '-',
        a.rowCount !== null ? a.rowCount.toLocaleString('en-US') : '-',
        a.deps.join(', ') || '-',
      ]);
      process.stdout.write(`${textTable(['asset', 'group', 'kind', 'status', 'last materialized', 'rows', 'deps'], rows)}\n`);
      for (const a of listing.filter((x) => x.reason)) process.stdout.write(`  ${a.key}: ${a.status}, ${a.reason}\n`);
    });
}
