// The selection language: which assets a run, a check or a query is about.
import { InvalidSelectionError } from '../errors.js';
import type { AssetGraph } from './asset-graph.js';
import { didYouMean } from './did-you-mean.js';

/** Extra facts a selection may need that the static graph does not hold. */
export interface SelectionContext {
  /** Keys considered stale, including never-materialized and failed ones (for the `stale` term). */
  stale?: ReadonlySet<string>;
}

/**
 * Resolves a selection expression to a set of asset keys.
 *
 * Terms, comma-separated (union): `*` all; `schema/name` (or `schema.name`) one asset; `+key` the asset and
 * all its upstream; `key+` the asset and all its downstream; `+key+` both; `group:NAME`; `tag:K=V` (or `tag:K`);
 * `stale`. A term that matches nothing is an error, never an empty plan.
 * @example resolveSelection(graph, '+gold/airport_daily_delays,group:dim_ingestion')
 */
export function resolveSelection(graph: AssetGraph, expression: string, context: SelectionContext = {}): Set<string> {
  const terms = expression
    .split(',')
    .map((t) => t.trim())
    .filter((t) => t.length > 0);
  if (terms.length === 0) throw new InvalidSelectionError('the selection is empty; pass asset keys, `group:NAME`, `tag:K=V`, `+key`, `key+` or `*`');
  const selected = new Set<string>();
  for (const term of terms) for (const key of resolveTerm(graph, term, context)) selected.add(key);
  return selected;
}

function resolveTerm(graph: AssetGraph, term: string, context: SelectionContext): Set<string> {
  if (term === '*') return new Set(graph.keys());
  if (term === 'stale') return new Set([...graph.keys()].filter((k) => context.stale?.has(k)));
  if (term.startsWith('group:')) {
    const group = term.slice('group:'.length);
    const matched = [...graph.keys()].filter((k) => graph.get(k)!.definition.group === group);
    if (matched.length === 0) {
      const groups = new Set([...graph.keys()].map((k) => graph.get(k)!.definition.group));
      throw new InvalidSelectionError(noMatch(term, `no asset is in group "${group}"`, didYouMean(group, groups), [...groups]));
    }
    return new Set(matched);
  }
  if (term.startsWith('tag:')) {
    const [name, value] = term.slice('tag:'.length).split('=', 2) as [string, string | undefined];
    const matched = [...graph.keys()].filter((k) => {
      const tags = graph.get(k)!.definition.tags;
      return Object.hasOwn(tags, name) && (value === undefined || tags[name] === value);
    });
    if (matched.length === 0)
      throw new InvalidSelectionError(`selection term "${term}" matches no asset; check the tag name and value in your asset definitions`);
    return new Set(matched);
  }
  const upstream = term.startsWith('+');
  const downstream = term.endsWith('+');
  const key = term
    .slice(upstream ? 1 : 0, downstream ? -1 : undefined)
    .replace('.', '/')
    .toLowerCase();
  if (!graph.has(key)) {
    throw new InvalidSelectionError(noMatch(term, `asset "${key}" is not defined`, didYouMean(key, graph.keys())));
  }
  const result = new Set([key]);
  if (upstream) for (const k of graph.upstreamOf(key)) result.add(k);
  if (downstream) for (const k of graph.downstreamOf(key)) result.add(k);
  return result;
}

function noMatch(term: string, problem: string, suggestion: string | undefined, known?: string[]): string {
  const hint = suggestion ? `did you mean "${suggestion}"?` : known ? `known: ${known.sort().join(', ')}` : 'run `sluice list` to see the assets';
  return `selection term "${term}": ${problem}; ${hint}`;
}
