// The status of every partition of a partitioned asset, for the partition grid: materialized, stale, failed, running or missing.
import { backfillState } from '../../automation/backfill.js';
import type { AssetGraph } from '../../model/asset-graph.js';
import { partitionKeys } from '../../model/partitions.js';
import type { BackfillRecord, MetadataStore } from '../../store/metadata-store.js';

/**
 * One letter per partition, so 10,000 partitions are 10 kB of JSON:
 * `m` materialized, `s` stale (an upstream changed after it was built), `f` failed (its last build failed),
 * `r` running (a live backfill has it pending), `-` missing (never built).
 */
export type PartitionStatusCode = 'm' | 's' | 'f' | 'r' | '-';

/** GET /api/assets/:schema/:name/partitions */
export interface PartitionGridResponse {
  assetKey: string;
  /** False for an asset without partitions (then every other field is empty). */
  partitioned: boolean;
  type: 'hourly' | 'daily' | 'monthly' | 'static' | null;
  /** Every complete partition key, oldest first. */
  keys: string[];
  /** `status[i]` is the status of `keys[i]` (see PartitionStatusCode). */
  status: string;
  counts: Record<'materialized' | 'stale' | 'failed' | 'running' | 'missing', number>;
}

/** What the statuses are computed from (all read before, so the computation is pure). */
export interface PartitionFacts {
  keys: readonly string[];
  /** When each partition was last materialized. */
  builtAt: ReadonlyMap<string, string>;
  /** When each partition last failed in a backfill. */
  failedAt: ReadonlyMap<string, string>;
  running: ReadonlySet<string>;
  /** When the upstream data a partition reads last changed: per partition key, or `null` when nothing upstream was built. */
  upstreamChangedAt: (key: string) => string | null;
}

const COUNT_NAMES = { m: 'materialized', s: 'stale', f: 'failed', r: 'running', '-': 'missing' } as const;

/**
 * Status letters for the given partitions.
 * @example partitionStatuses({ keys: ['a', 'b'], builtAt: new Map([['a', t]]), failedAt: new Map(), running: new Set(), upstreamChangedAt: () => null }).status // 'm-'
 */
function partitionStatuses(facts: PartitionFacts): Pick<PartitionGridResponse, 'status' | 'counts'> {
  const counts = { materialized: 0, stale: 0, failed: 0, running: 0, missing: 0 };
  let status = '';
  for (const key of facts.keys) {
    const built = facts.builtAt.get(key);
    const failed = facts.failedAt.get(key);
    const upstream = facts.upstreamChangedAt(key);
    let code: PartitionStatusCode;
    if (facts.running.has(key)) code = 'r';
    else if (failed !== undefined && (built === undefined || failed > built)) code = 'f';
    else if (built === undefined) code = '-';
    else if (upstream !== null && upstream > built) code = 's';
    else code = 'm';
    counts[COUNT_NAMES[code]] += 1;
    status += code;
  }
  return { status, counts };
}

/** How many materializations to read per asset: enough for the latest of every partition of a large asset. */
const HISTORY_LIMIT = 100_000;

/**
 * The partition grid of `assetKey` as the store and the backfills record it.
 * @example const grid = await partitionGrid(sluice.project.graph, sluice.store, 'ops/daily_flights');
 */
export async function partitionGrid(graph: AssetGraph, store: MetadataStore, assetKey: string, now: Date = new Date()): Promise<PartitionGridResponse> {
  const definition = graph.get(assetKey)!.definition.partitions;
  if (!definition) {
    return { assetKey, partitioned: false, type: null, keys: [], status: '', counts: { materialized: 0, stale: 0, failed: 0, running: 0, missing: 0 } };
  }
  const keys = partitionKeys(definition, { now });
  const upstream = graph.parentsOf(assetKey);
  const [history, upstreamHistories, backfills] = await Promise.all([
    store.materializationHistory(assetKey, HISTORY_LIMIT),
    Promise.all(upstream.map((key) => store.materializationHistory(key, graph.get(key)?.definition.partitions ? HISTORY_LIMIT : 1))),
    store.listBackfills(100),
  ]);
  const builtAt = latestByPartition(history);
  // An unpartitioned upstream changes every partition; a partitioned one changes the partition of the same key.
  let wholeChangedAt: string | null = null;
  const perPartition: Map<string, string>[] = [];
  upstream.forEach((key, i) => {
    const records = upstreamHistories[i]!;
    if (graph.get(key)?.definition.partitions) perPartition.push(latestByPartition(records));
    else if (records[0] && (wholeChangedAt === null || records[0].createdAt > wholeChangedAt)) wholeChangedAt = records[0].createdAt;
  });
  const { failedAt, running } = backfillFacts(backfills, assetKey);
  const upstreamChangedAt = (key: string): string | null => {
    let latest = wholeChangedAt;
    for (const map of perPartition) {
      const at = map.get(key);
      if (at !== undefined && (latest === null || at > latest)) latest = at;
    }
    return latest;
  };
  return { assetKey, partitioned: true, type: definition.type, keys, ...partitionStatuses({ keys, builtAt, failedAt, running, upstreamChangedAt }) };
}

function latestByPartition(records: readonly { partition: string | null; createdAt: string }[]): Map<string, string> {
  const latest = new Map<string, string>();
  for (const record of records) {
    if (record.partition === null) continue;
    const seen = latest.get(record.partition);
    if (seen === undefined || record.createdAt > seen) latest.set(record.partition, record.createdAt);
  }
  return latest;
}

function backfillFacts(backfills: readonly BackfillRecord[], assetKey: string): { failedAt: Map<string, string>; running: Set<string> } {
  const failedAt = new Map<string, string>();
  const running = new Set<string>();
  for (const backfill of backfills) {
    if (!backfill.selection.split(',').includes(assetKey)) continue;
    for (const partition of backfill.partitions) {
      if (partition.status === 'failed') {
        const at = partition.endedAt ?? backfill.updatedAt;
        const seen = failedAt.get(partition.key);
        if (seen === undefined || at > seen) failedAt.set(partition.key, at);
      } else if (partition.status === 'pending' && backfillState(backfill) === 'running') {
        running.add(partition.key);
      }
    }
  }
  return { failedAt, running };
}
