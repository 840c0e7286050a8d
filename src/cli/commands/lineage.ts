// `sluice lineage [ASSET[.COLUMN]]`: asset or column lineage as a text tree, Mermaid, Graphviz DOT or JSON.
import type { Command } from 'commander';
import { AssetNotFoundError, SluiceError } from '../../errors.js';
import type { AssetGraph } from '../../model/asset-graph.js';
import { didYouMean } from '../../model/did-you-mean.js';
import { normalizeAssetKey } from '../../model/asset-key.js';
import { assetGraphView, columnGraphView, toDot, toMermaid, traceText, type LineageDirection } from '../../lineage/lineage-views.js';
import type { ProjectColumnLineage } from '../../lineage/project-column-lineage.js';
import type { SluiceClient } from '../../api/sluice-client.js';
import { withClient, type ProjectOptions } from '../open-project.js';
import { textTable } from '../text-table.js';

/** Output formats of `sluice lineage`. */
type LineageFormat = 'text' | 'mermaid' | 'dot' | 'json';

/** Options of `sluice lineage`. */
interface LineageOptions {
  upstream?: boolean;
  downstream?: boolean;
  columns?: boolean;
  column?: string;
  format?: LineageFormat;
}

/**
 * Draws a tree from `root` following `next`; a subtree already drawn is marked instead of repeated.
 * @example renderTree(graph, 'bronze/flights', (k) => graph.childrenOf(k))
 */
function renderTree(root: string, next: (key: string) => readonly string[], label: (key: string) => string = (k) => k): string[] {
  const lines: string[] = [label(root)];
  const seen = new Set<string>([root]);
  const walk = (key: string, prefix: string): void => {
    const children = [...next(key)].sort();
    children.forEach((child, i) => {
      const last = i === children.length - 1;
      const repeated = seen.has(child);
      lines.push(`${prefix}${last ? '└── ' : '├── '}${label(child)}${repeated && next(child).length > 0 ? ' (see above)' : ''}`);
      if (!repeated) {
        seen.add(child);
        walk(child, `${prefix}${last ? '    ' : '│   '}`);
      }
    });
  };
  walk(root, '');
  return lines;
}

/** The lineage text of a project, or of one asset (up- and/or downstream) when `key` is given. */
export function lineageText(graph: AssetGraph, key?: string, direction: LineageDirection = 'both'): string {
  const label = (k: string): string => `${k} [${graph.require(k).definition.group}, ${graph.require(k).definition.kind}]`;
  if (key === undefined) {
    const roots = graph.order.filter((k) => graph.parentsOf(k).length === 0);
    return roots.map((root) => renderTree(root, (k) => graph.childrenOf(k), label).join('\n')).join('\n\n');
  }
  const normalized = resolveAsset(graph, key);
  const sections: string[][] = [];
  if (direction !== 'downstream') sections.push(['upstream:', ...renderTree(normalized, (k) => graph.parentsOf(k), label)]);
  if (direction !== 'upstream') sections.push(['downstream:', ...renderTree(normalized, (k) => graph.childrenOf(k), label)]);
  return sections.map((s) => s.join('\n')).join('\n\n');
}

/**
 * Splits `schema/name.column` (or `schema.name.column`) into the asset key and the column.
 * @example splitAssetColumn('gold/daily.avg_delay') // { key: 'gold/daily', column: 'avg_delay' }
 */
function splitAssetColumn(arg: string): { key: string; column?: string } {
  const slash = arg.indexOf('/');
  const dot = slash >= 0 ? arg.indexOf('.', slash) : arg.split('.').length > 2 ? arg.indexOf('.', arg.indexOf('.') + 1) : -1;
  return dot < 0 ? { key: arg } : { key: arg.slice(0, dot), column: arg.slice(dot + 1) };
}

function resolveAsset(graph: AssetGraph, key: string): string {
  const normalized = normalizeAssetKey(key);
  if (!graph.has(normalized)) throw new AssetNotFoundError(normalized, didYouMean(normalized, graph.keys()));
  return normalized;
}

/** The per-asset text of column lineage: each column with its direct sources, and what the lineage could not see. */
function columnLineageText(lineage: ProjectColumnLineage, keys: readonly string[]): string {
  return keys
    .map((key) => {
      const asset = lineage.asset(key);
      const how = asset.method === 'sql' ? 'inferred from SQL' : asset.method === 'declared' ? 'declared by the author' : 'not analysable';
      const rows = asset.columns.map((c) => [
        c.name,
        c.sources.map((s) => `${s.asset ?? s.table}.${s.column} (${s.transform})`).join(', ') || (c.transform === 'aggregation' ? '(aggregate of rows)' : '-'),
      ]);
      const lines = [`${key} (${how})`];
      if (asset.note) lines.push(`  ${asset.note}`);
      if (rows.length > 0)
        lines.push(
          ...textTable(['column', 'comes from'], rows)
            .split('\n')
            .map((l) => `  ${l}`),
        );
      if (asset.indirect.length > 0)
        lines.push(`  rows decided by: ${asset.indirect.map((s) => `${s.transform} ${s.asset ?? s.table}.${s.column}`).join(', ')}`);
      for (const warning of asset.warnings) lines.push(`  warning: ${warning}`);
      return lines.join('\n');
    })
    .join('\n\n');
}

/**
 * Renders `sluice lineage` output for a project: asset graph, or column lineage with `columns` (or a column).
 * `lineage` is needed for columns only.
 * @example renderLineage(graph, lineage, 'gold/daily.avg_delay', { format: 'mermaid' })
 */
function renderLineage(graph: AssetGraph, lineage: ProjectColumnLineage | undefined, arg: string | undefined, options: LineageOptions = {}): string {
  const format = options.format ?? 'text';
  if (!['text', 'mermaid', 'dot', 'json'].includes(format))
    throw new SluiceError('INVALID_SELECTION', `--format "${format}" is not one of text, mermaid, dot, json`);
  if (options.upstream && options.downstream)
    throw new SluiceError('INVALID_SELECTION', 'give --upstream or --downstream, not both (neither shows both sides)');
  const direction: LineageDirection = options.upstream ? 'upstream' : options.downstream ? 'downstream' : 'both';
  const split = arg === undefined ? undefined : splitAssetColumn(arg);
  const key = split ? resolveAsset(graph, split.key) : undefined;
  const column = options.column ?? split?.column;
  if (column !== undefined && key === undefined) throw new SluiceError('INVALID_SELECTION', '--column needs an asset: sluice lineage ASSET --column NAME');
  if (!options.columns && column === undefined) {
    if (format === 'text') return lineageText(graph, key, direction);
    const view = assetGraphView(graph, key, direction);
    return format === 'json' ? JSON.stringify(view, null, 2) : format === 'mermaid' ? toMermaid(view) : toDot(view);
  }
  if (!lineage) throw new Error('column lineage was not loaded');
  if (format === 'text') {
    if (key === undefined) return columnLineageText(lineage, graph.order);
    const names = column === undefined ? lineage.asset(key).columns.map((c) => c.name) : [lineage.trace(key, column).column];
    const parts: string[] = column === undefined ? [columnLineageText(lineage, [key])] : [];
    for (const name of names) {
      if (direction !== 'downstream') parts.push(`upstream of ${key}.${name}:\n${traceText(lineage.trace(key, name))}`);
      if (direction !== 'upstream') parts.push(`downstream of ${key}.${name}:\n${traceText(lineage.downstream(key, name))}`);
    }
    return parts.join('\n\n');
  }
  if (format === 'json') {
    if (key === undefined) return JSON.stringify({ assets: [...lineage.assets.values()], ...columnGraphView(lineage) }, null, 2);
    const names = column === undefined ? lineage.asset(key).columns.map((c) => c.name) : [lineage.trace(key, column).column];
    const traces = names.map((name) => ({
      column: name,
      ...(direction !== 'downstream' ? { upstream: lineage.trace(key, name) } : {}),
      ...(direction !== 'upstream' ? { downstream: lineage.downstream(key, name) } : {}),
    }));
    return JSON.stringify({ asset: lineage.asset(key), traces }, null, 2);
  }
  const view = columnGraphView(lineage, key, direction, column);
  return format === 'mermaid' ? toMermaid(view) : toDot(view);
}

/** What `withColumnLineage` hands over: the lineage, and the client to read the rest of the project's facts with. */
export interface LineageContext {
  graph: AssetGraph;
  projectFile: string;
  lineage: ProjectColumnLineage;
  client: SluiceClient;
}

/**
 * Runs `work` with the project's column lineage (of the assets `keysOf` names, default all), against the
 * warehouse's current columns: read here, or, while a `sluice dev` owns the warehouse, as its server last recorded them.
 * @example await withColumnLineage(options, () => undefined, ({ lineage }) => lineage.trace('gold/daily', 'flights'));
 */
export async function withColumnLineage<T>(
  options: ProjectOptions,
  keysOf: (graph: AssetGraph) => string[] | undefined,
  work: (context: LineageContext) => Promise<T> | T,
): Promise<T> {
  return withClient(options, async (client) => {
    const { graph, file } = await client.project();
    const lineage = await client.columnLineage(keysOf(graph));
    return work({ graph, projectFile: file, lineage, client });
  });
}

/** The output fit for the caller: JSON is redacted as data (entries about hidden assets dropped), other formats as text. */
async function redacted(client: SluiceClient, output: string, format: LineageOptions['format']): Promise<string> {
  return format === 'json' ? JSON.stringify(await client.redact(JSON.parse(output) as unknown), null, 2) : client.redact(output);
}

/**
 * Registers the command on the program.
 * @example configureLineageCommand(program); // sluice lineage gold/region_monthly_summary.avg_delay_min --upstream
 */
export function configureLineageCommand(program: Command): void {
  program
    .command('lineage')
    .argument('[asset]', 'an asset key such as silver/flights, or a column such as gold/region_monthly_summary.avg_delay_min')
    .option('--upstream', 'only what the asset (or column) comes from')
    .option('--downstream', 'only what is computed from the asset (or column)')
    .option('--columns', 'column-level lineage, inferred from the SQL')
    .option('--column <name>', 'one column of ASSET (same as ASSET.COLUMN)')
    .option('--format <format>', 'text, mermaid, dot or json', 'text')
    .action(async (arg: string | undefined, options: LineageOptions, command: Command) => {
      const projectOptions = command.optsWithGlobals<ProjectOptions>();
      const needsColumns = options.columns === true || options.column !== undefined || (arg !== undefined && splitAssetColumn(arg).column !== undefined);
      const output = needsColumns
        ? await withColumnLineage(
            projectOptions,
            (graph) => {
              // A bad key fails here, before any lineage work; traces reach both ways, so every asset is analysed.
              if (arg !== undefined) resolveAsset(graph, splitAssetColumn(arg).key);
              return undefined;
            },
            ({ graph, lineage, client }) => redacted(client, renderLineage(graph, lineage, arg, options), options.format),
          )
        : await withClient(projectOptions, async (client) =>
            redacted(client, renderLineage((await client.project()).graph, undefined, arg, options), options.format),
          );
      process.stdout.write(`${output}\n`);
    });
}
