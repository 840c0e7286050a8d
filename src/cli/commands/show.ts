// `sluice show ASSET`: what an asset is, where each column comes from, its status and its latest materializations.
import type { Command } from 'commander';
import { AssetNotFoundError } from '../../errors.js';
import { normalizeAssetKey } from '../../model/asset-key.js';
import { didYouMean } from '../../model/did-you-mean.js';
import type { ColumnStats } from '../../engine/warehouse.js';
import type { AssetGraph } from '../../model/asset-graph.js';
import type { AssetLineage } from '../../lineage/asset-column-lineage.js';
import type { ProjectColumnLineage } from '../../lineage/project-column-lineage.js';
import { formatMs } from '../../runtime/sluice.js';
import { codeVersionOf } from '../../runtime/versions.js';
import type { MaterializationRecord } from '../../store/metadata-store.js';
import type { ProjectOptions } from '../open-project.js';
import { withColumnLineage } from './lineage.js';
import { formatCount, textTable } from '../text-table.js';

/** One column as `sluice show` reports it. */
interface ShownColumn {
  name: string;
  type: string | null;
  nullable: boolean | null;
  nullCount: number | null;
  distinctApprox: number | null;
  /** False for an estimate (and for a record from before Sluice said which it was). */
  distinctExact: boolean;
  min: string | null;
  max: string | null;
  /** Direct upstream columns, as `asset.column (transform)`. */
  upstream: string[];
}

/** Everything `sluice show` prints, as data. */
interface AssetReport {
  key: string;
  group: string;
  kind: string;
  description: string | null;
  owners: string[];
  tags: Record<string, string>;
  upstream: string[];
  downstream: string[];
  status: string;
  statusReason: string | null;
  /** The code version of the definition as it is now. */
  codeVersion: string;
  source: string;
  lineage: { method: AssetLineage['method']; note: string | null; rowsDecidedBy: string[]; warnings: string[] };
  columns: ShownColumn[];
  materializations: Pick<MaterializationRecord, 'createdAt' | 'runId' | 'rowCount' | 'durationMs' | 'codeVersion' | 'dataVersion'>[];
}

/** What a report is built from, wherever it came from (the opened project or a running server). */
interface AssetReportInput {
  graph: AssetGraph;
  projectFile: string;
  key: string;
  status: string;
  statusReason: string | null;
  /** Newest first. */
  history: readonly MaterializationRecord[];
  lineage: ProjectColumnLineage;
}

/**
 * The report of one asset from its definition, status, history and column lineage (pure).
 * @example buildAssetReport({ graph, projectFile, key: 'gold/daily', status: 'fresh', statusReason: null, history, lineage })
 */
function buildAssetReport(input: AssetReportInput): AssetReport {
  const node = input.graph.require(input.key);
  const definition = node.definition;
  const assetLineage = input.lineage.asset(input.key);
  return {
    key: input.key,
    group: definition.group,
    kind: definition.kind,
    description: definition.description ?? null,
    owners: [...definition.owners],
    tags: { ...definition.tags },
    upstream: [...node.deps],
    downstream: [...input.graph.childrenOf(input.key)],
    status: input.status,
    statusReason: input.statusReason,
    codeVersion: codeVersionOf(definition),
    source: definition.sqlSource ?? (definition.sql !== undefined ? 'inline SQL' : `TypeScript compute in ${input.projectFile}`),
    lineage: {
      method: assetLineage.method,
      note: assetLineage.note ?? null,
      rowsDecidedBy: assetLineage.indirect.map((s) => `${s.transform} ${s.asset ?? s.table}.${s.column}`),
      warnings: assetLineage.warnings,
    },
    columns: shownColumns(assetLineage, input.history[0]),
    materializations: input.history.map((m) => ({
      createdAt: m.createdAt,
      runId: m.runId,
      rowCount: m.rowCount,
      durationMs: m.durationMs,
      codeVersion: m.codeVersion,
      dataVersion: m.dataVersion,
    })),
  };
}

function assetKeyIn(graph: AssetGraph, key: string): string {
  const normalized = normalizeAssetKey(key);
  if (!graph.has(normalized)) throw new AssetNotFoundError(normalized, didYouMean(normalized, graph.keys()));
  return normalized;
}

/**
 * Gathers the report of one asset: definition, status, column lineage and the last `limit` materializations.
 * Goes through the running `sluice dev` when there is one (it owns the warehouse).
 * The report is redacted for the caller before it is rendered (a server may hide some of its upstream assets).
 * @example const text = await showAsset({ project: 'examples/flights' }, 'gold/region_monthly_summary', 5, showText);
 */
async function showAsset(options: ProjectOptions, key: string, limit: number, render: (report: AssetReport) => string): Promise<string> {
  let normalized = key;
  const keysOf = (graph: AssetGraph): string[] => {
    normalized = assetKeyIn(graph, key);
    return [normalized];
  };
  return withColumnLineage(options, keysOf, async ({ graph, projectFile, lineage, client }) => {
    const detail = await client.asset(normalized, limit);
    const { status, statusReason } = detail.asset;
    return render(
      await client.redact(
        buildAssetReport({ graph, projectFile, key: normalized, status, statusReason: statusReason ?? null, history: detail.materializations, lineage }),
      ),
    );
  });
}

function shownColumns(lineage: AssetLineage, latest: MaterializationRecord | undefined): ShownColumn[] {
  const stats = new Map(((latest?.metadata.columnStats ?? []) as ColumnStats[]).map((s) => [s.name.toLowerCase(), s]));
  const byName = new Map(lineage.columns.map((c) => [c.name.toLowerCase(), c]));
  const names = latest && latest.schema.length > 0 ? latest.schema.map((c) => c.name) : lineage.columns.map((c) => c.name);
  for (const c of lineage.columns) if (!names.some((n) => n.toLowerCase() === c.name.toLowerCase())) names.push(c.name);
  return names.map((name) => {
    const schema = latest?.schema.find((c) => c.name.toLowerCase() === name.toLowerCase());
    const stat = stats.get(name.toLowerCase());
    const column = byName.get(name.toLowerCase());
    return {
      name,
      type: schema?.type ?? column?.type ?? null,
      nullable: schema?.nullable ?? null,
      nullCount: stat?.nullCount ?? null,
      distinctApprox: stat?.distinctApprox ?? null,
      distinctExact: stat?.distinctExact === true,
      min: stat?.min ?? null,
      max: stat?.max ?? null,
      upstream: (column?.sources ?? []).map((s) => `${s.asset ?? s.table}.${s.column} (${s.transform})`),
    };
  });
}

const shortTime = (iso: string): string => iso.replace('T', ' ').slice(0, 19);
const cell = (value: unknown): string => (value === null || value === undefined ? '-' : String(value));

/** The report as terminal text. */
function showText(report: AssetReport): string {
  const lines = [`${report.key}  (${report.kind}, group ${report.group})`];
  if (report.description) lines.push(report.description);
  lines.push(
    '',
    `owners:     ${report.owners.join(', ') || '-'}`,
    `tags:       ${
      Object.entries(report.tags)
        .map(([k, v]) => (v ? `${k}=${v}` : k))
        .join(', ') || '-'
    }`,
    `upstream:   ${report.upstream.join(', ') || '-'}`,
    `downstream: ${report.downstream.join(', ') || '-'}`,
    `status:     ${report.status}${report.statusReason ? `: ${report.statusReason}` : ''}`,
    `source:     ${report.source}`,
    `code:       ${report.codeVersion}`,
    '',
  );
  const how = report.lineage.method === 'sql' ? 'inferred from the SQL' : report.lineage.method === 'declared' ? 'declared by the author' : 'not analysable';
  lines.push(`columns (lineage ${how}):`);
  if (report.lineage.note) lines.push(`  ${report.lineage.note}`);
  if (report.columns.length > 0) {
    const rows = report.columns.map((c) => [
      c.name,
      cell(c.type),
      c.nullable === null ? '-' : c.nullable ? 'yes' : 'no',
      cell(c.nullCount),
      c.distinctApprox === null || c.distinctExact ? cell(c.distinctApprox) : `~${c.distinctApprox}`,
      statText(c.min),
      statText(c.max),
      c.upstream.join(', ') || '-',
    ]);
    lines.push(...indent(textTable(['column', 'type', 'nullable', 'nulls', 'distinct', 'min', 'max', 'comes from'], rows)));
  }
  if (report.lineage.rowsDecidedBy.length > 0) lines.push(`  rows decided by: ${report.lineage.rowsDecidedBy.join(', ')}`);
  for (const warning of report.lineage.warnings) lines.push(`  warning: ${warning}`);
  lines.push('', `last ${report.materializations.length} materialization(s):`);
  if (report.materializations.length === 0) lines.push('  none yet; run `sluice materialize --select ' + report.key + '`');
  else {
    const rows = report.materializations.map((m) => [
      shortTime(m.createdAt),
      m.runId.slice(0, 8),
      m.rowCount === null ? '-' : formatCount(m.rowCount),
      formatMs(m.durationMs),
      cell(m.codeVersion),
      cell(m.dataVersion),
    ]);
    lines.push(...indent(textTable(['when (UTC)', 'run', 'rows', 'duration', 'code version', 'data version'], rows)));
  }
  return lines.join('\n');
}

/** Long float statistics (0.46321321321321324) shortened to six significant digits for the table. */
function statText(value: string | null): string {
  if (value === null) return '-';
  return /^-?\d+\.\d{7,}$/.test(value) ? String(Number(Number(value).toPrecision(6))) : value;
}

function indent(text: string): string[] {
  return text.split('\n').map((l) => `  ${l}`);
}

/**
 * Registers the command on the program.
 * @example configureShowCommand(program); // sluice show gold/region_monthly_summary
 */
export function configureShowCommand(program: Command): void {
  program
    .command('show')
    .argument('<asset>', 'an asset key such as gold/region_monthly_summary')
    .option('-n, --limit <n>', 'materializations to show', '5')
    .option('--json', 'print JSON')
    .action(async (key: string, options: { limit: string; json?: boolean }, command: Command) => {
      const limit = Math.max(1, Number.parseInt(options.limit, 10) || 5);
      const render = options.json ? (report: AssetReport) => JSON.stringify(report, null, 2) : showText;
      process.stdout.write(`${await showAsset(command.optsWithGlobals<ProjectOptions>(), key, limit, render)}\n`);
    });
}
