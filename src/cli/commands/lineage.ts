// `sluice lineage [ASSET]`: the asset graph as a text tree (whole project, or one asset's up- and downstream).
import type { Command } from 'commander';
import { AssetNotFoundError } from '../../errors.js';
import type { AssetGraph } from '../../model/asset-graph.js';
import { didYouMean } from '../../model/did-you-mean.js';
import { normalizeAssetKey } from '../../model/asset-key.js';
import { loadDefinitions, type ProjectOptions } from '../open-project.js';

/**
 * Draws a tree from `root` following `next`; a subtree already drawn is marked instead of repeated.
 * @example renderTree(graph, 'bronze/flights', (k) => graph.childrenOf(k))
 */
export function renderTree(root: string, next: (key: string) => readonly string[], label: (key: string) => string = (k) => k): string[] {
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

/** The lineage text of a project, or of one asset when `key` is given. */
export function lineageText(graph: AssetGraph, key?: string): string {
  const label = (k: string): string => `${k} [${graph.get(k)!.definition.group}, ${graph.get(k)!.definition.kind}]`;
  if (key === undefined) {
    const roots = graph.order.filter((k) => graph.parentsOf(k).length === 0);
    return roots.map((root) => renderTree(root, (k) => graph.childrenOf(k), label).join('\n')).join('\n\n');
  }
  const normalized = normalizeAssetKey(key);
  if (!graph.has(normalized)) throw new AssetNotFoundError(normalized, didYouMean(normalized, graph.keys()));
  return [
    'upstream:',
    ...renderTree(normalized, (k) => graph.parentsOf(k), label),
    '',
    'downstream:',
    ...renderTree(normalized, (k) => graph.childrenOf(k), label),
  ].join('\n');
}

export function configureLineageCommand(program: Command): void {
  program
    .command('lineage')
    .description('show the asset lineage as a tree (all assets, or one asset up- and downstream)')
    .argument('[asset]', 'an asset key such as silver/flights')
    .action(async (key: string | undefined, _options: unknown, command: Command) => {
      const project = await loadDefinitions(command.optsWithGlobals<ProjectOptions>());
      process.stdout.write(`${lineageText(project.graph, key)}\n`);
    });
}
