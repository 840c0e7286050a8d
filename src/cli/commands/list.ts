// `sluice list`: every asset with its group, kind, dependencies, status and last materialization.
import type { Command } from 'commander';
import { withAssetListing, type AssetListingClient, type ProjectOptions } from '../open-project.js';
import { formatCount, textTable } from '../text-table.js';

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

/**
 * Lists the project's assets in dependency order, as the API summarizes them.
 * @example const listing = await withAssetListing({ project: 'examples/flights' }, listAssets);
 */
export async function listAssets(client: AssetListingClient): Promise<AssetListing[]> {
  return (await client.assets()).map((a) => ({
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
    .option('--json', 'print JSON')
    .action(async (options: { json?: boolean }, command: Command) => {
      const listing = await withAssetListing(command.optsWithGlobals<ProjectOptions>(), listAssets);
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
        a.rowCount !== null ? formatCount(a.rowCount) : '-',
        a.deps.join(', ') || '-',
      ]);
      process.stdout.write(`${textTable(['asset', 'group', 'kind', 'status', 'last materialized', 'rows', 'deps'], rows)}\n`);
      for (const a of listing.filter((x) => x.reason)) process.stdout.write(`  ${a.key}: ${a.status}, ${a.reason}\n`);
    });
}
