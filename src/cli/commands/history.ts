// `sluice history ASSET`: an asset's materializations over time and what changed at each one.
import type { Command } from 'commander';
import { AssetNotFoundError, SluiceError } from '../../errors.js';
import { normalizeAssetKey } from '../../model/asset-key.js';
import { didYouMean } from '../../model/did-you-mean.js';
import { changesSince, describeChanges, historyEntries, parseSince, type ChangesSince, type HistoryEntry } from '../../lineage/materialization-history.js';
import type { AssetGraph } from '../../model/asset-graph.js';
import { formatMs } from '../../runtime/sluice.js';
import type { MaterializationRecord } from '../../store/metadata-store.js';
import { withClient, type ProjectOptions } from '../open-project.js';
import { formatCount, textTable } from '../text-table.js';

/** Options of `sluice history`. */
interface HistoryOptions {
  limit?: number;
  /** ISO time, date, or duration ago (`24h`, `7d`, `yesterday`). */
  since?: string;
}

/** The history of one asset, newest first, and with `since` the net change over that period. */
interface AssetHistory {
  key: string;
  entries: HistoryEntry[];
  since?: ChangesSince;
}

/** Materializations of a long-lived asset are many; a period summary needs them all, the table only `limit`. */
const SINCE_SCAN_LIMIT = 100_000;

/**
 * An asset's history from its materializations (newest first, one more than shown when there are more) (pure).
 * @example historyFromRecords('gold/daily', records, { limit: 10 }).entries.length // <= 10
 */
function historyFromRecords(key: string, records: readonly MaterializationRecord[], options: HistoryOptions = {}): AssetHistory {
  const limit = options.limit ?? 20;
  const since = sinceOf(options);
  const shown = since ? records.filter((r) => r.createdAt >= since) : records;
  const entries = historyEntries(records).slice(0, Math.min(limit, shown.length));
  return { key, entries, ...(since ? { since: changesSince(records, since) } : {}) };
}

function sinceOf(options: HistoryOptions): string | undefined {
  if (options.since === undefined) return undefined;
  const since = parseSince(options.since);
  if (since === undefined)
    throw new SluiceError('INVALID_SELECTION', `--since "${options.since}" is not a date, a time or a duration such as 24h, 7d or yesterday`);
  return since;
}

/**
 * Loads an asset's materializations (newest first) with the change each one brought, from the opened project
 * or through the running `sluice dev`.
 * @example const { entries } = await assetHistory({ project: 'examples/flights' }, 'gold/region_monthly_summary', { limit: 10 });
 */
async function assetHistory(projectOptions: ProjectOptions, key: string, options: HistoryOptions = {}): Promise<AssetHistory> {
  sinceOf(options);
  // One more than shown, so the oldest shown entry is compared with its predecessor too.
  const wanted = options.since !== undefined ? SINCE_SCAN_LIMIT : (options.limit ?? 20) + 1;
  return withClient(projectOptions, async (client) => {
    const normalized = assetKeyIn((await client.project()).graph, key);
    return historyFromRecords(normalized, await client.materializations(normalized, wanted), options);
  });
}

function assetKeyIn(graph: AssetGraph, key: string): string {
  const normalized = normalizeAssetKey(key);
  if (!graph.has(normalized)) throw new AssetNotFoundError(normalized, didYouMean(normalized, graph.keys()));
  return normalized;
}

const shortTime = (iso: string): string => iso.replace('T', ' ').slice(0, 19);
const short = (version: string | null): string => (version === null ? '-' : version.slice(0, 8));

/** The history as terminal text: one row per materialization, then the net change with `since`. */
function historyText(history: AssetHistory): string {
  if (history.entries.length === 0 && !history.since) return `${history.key} has not been materialized; run \`sluice materialize --select ${history.key}\``;
  const rows = history.entries.map((e) => [
    shortTime(e.record.createdAt),
    e.record.runId.slice(0, 8),
    e.record.rowCount === null ? '-' : formatCount(e.record.rowCount),
    e.rowDelta === null ? '-' : `${e.rowDelta > 0 ? '+' : ''}${formatCount(e.rowDelta)}`,
    formatMs(e.record.durationMs),
    short(e.record.codeVersion),
    short(e.record.dataVersion),
    describeChanges(e),
  ]);
  const lines = [`${history.key}: ${history.entries.length} materialization(s), newest first`];
  if (rows.length > 0) lines.push(textTable(['when (UTC)', 'run', 'rows', 'Δ rows', 'duration', 'code', 'data', 'what changed'], rows));
  const since = history.since;
  if (since) {
    lines.push('', `since ${shortTime(since.since)} UTC: ${since.materializations} materialization(s)`);
    if (!since.latest) lines.push('  nothing was materialized in this period');
    else if (!since.baseline) lines.push('  no materialization before this period to compare with');
    else
      lines.push(
        `  net change: ${describeChanges(since.change!)}`,
        `  rows ${cellRows(since.baseline.rowCount)} -> ${cellRows(since.latest.rowCount)}; code ${short(since.baseline.codeVersion)} -> ${short(since.latest.codeVersion)}; data ${short(since.baseline.dataVersion)} -> ${short(since.latest.dataVersion)}`,
      );
  }
  return lines.join('\n');
}

function cellRows(n: number | null): string {
  return n === null ? '-' : formatCount(n);
}

/**
 * Registers the command on the program.
 * @example configureHistoryCommand(program); // sluice history gold/region_monthly_summary --since 24h
 */
export function configureHistoryCommand(program: Command): void {
  program
    .command('history')
    .argument('<asset>', 'an asset key such as gold/region_monthly_summary')
    .option('-n, --limit <n>', 'materializations to show', '20')
    .option('--since <when>', 'only materializations since a time (2026-11-24, 24h, 7d, yesterday), with the net change over the period')
    .option('--json', 'print JSON')
    .action(async (key: string, options: { limit: string; since?: string; json?: boolean }, command: Command) => {
      const limit = Math.max(1, Number.parseInt(options.limit, 10) || 20);
      const history = await assetHistory(command.optsWithGlobals<ProjectOptions>(), key, {
        limit,
        ...(options.since !== undefined ? { since: options.since } : {}),
      });
      process.stdout.write(`${options.json ? JSON.stringify(history, null, 2) : historyText(history)}\n`);
    });
}
