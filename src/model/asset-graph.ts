// The validated asset DAG: unique keys, known dependencies, no cycles, topological order.
import { AssetNotFoundError, CycleError, DuplicateAssetError, UnknownDependencyError } from '../errors.js';
import type { AssetDefinition } from './asset-definition.js';
import { didYouMean } from './did-you-mean.js';

/** An asset with its complete upstream list (declared and inferred from SQL). */
export interface AssetNode {
  definition: AssetDefinition;
  deps: readonly string[];
}

/**
 * An immutable, validated dependency graph of assets.
 * @example
 * const graph = AssetGraph.build([{ definition: a, deps: [] }, { definition: b, deps: ['bronze/a'] }]);
 * graph.upstreamOf('silver/b'); // Set { 'bronze/a' }
 */
export class AssetGraph {
  /** Keys in a topological order: every asset after all its upstream assets (ties broken by key). */
  readonly order: readonly string[];
  private readonly nodes: ReadonlyMap<string, AssetNode>;
  private readonly children: ReadonlyMap<string, readonly string[]>;

  private constructor(nodes: Map<string, AssetNode>, children: Map<string, string[]>, order: string[]) {
    this.nodes = nodes;
    this.children = children;
    this.order = order;
  }

  /** Validates the nodes and builds the graph; throws on duplicate keys, unknown deps or cycles. */
  static build(input: readonly AssetNode[]): AssetGraph {
    const nodes = new Map<string, AssetNode>();
    for (const node of input) {
      if (nodes.has(node.definition.key)) throw new DuplicateAssetError(node.definition.key);
      nodes.set(node.definition.key, node);
    }
    const children = new Map<string, string[]>([...nodes.keys()].map((k) => [k, []]));
    for (const [key, node] of nodes) {
      for (const dep of node.deps) {
        if (!nodes.has(dep)) throw new UnknownDependencyError(key, dep, didYouMean(dep, nodes.keys()));
        children.get(dep)!.push(key);
      }
    }
    return new AssetGraph(nodes, children, topologicalOrder(nodes, children));
  }

  /**
   * The graph of only `keys`, without the edges that reach other assets: what someone who may see only these
   * assets is shown (a hidden asset between two visible ones leaves them unconnected).
   * @example graph.restrictedTo(new Set(['gold/daily'])).has('silver/flights') // false
   */
  restrictedTo(keys: ReadonlySet<string>): AssetGraph {
    const kept = this.order.filter((key) => keys.has(key));
    return AssetGraph.build(kept.map((key) => ({ ...this.require(key), deps: this.require(key).deps.filter((dep) => keys.has(dep)) })));
  }

  get size(): number {
    return this.nodes.size;
  }

  keys(): IterableIterator<string> {
    return this.nodes.keys();
  }

  has(key: string): boolean {
    return this.nodes.has(key);
  }

  /** The node for `key`; undefined when absent. */
  get(key: string): AssetNode | undefined {
    return this.nodes.get(key);
  }

  /**
   * The node for `key`, which the caller knows is in the graph (a planned step, a validated key).
   * @example graph.require('silver/flights').definition.kind // 'table'
   */
  require(key: string): AssetNode {
    const node = this.nodes.get(key);
    if (!node) throw new AssetNotFoundError(key, didYouMean(key, [...this.nodes.keys()]));
    return node;
  }

  /** Direct upstream keys. */
  parentsOf(key: string): readonly string[] {
    return this.nodes.get(key)?.deps ?? [];
  }

  /** Direct downstream keys. */
  childrenOf(key: string): readonly string[] {
    return this.children.get(key) ?? [];
  }

  /** All transitive upstream keys (excluding `key`). */
  upstreamOf(key: string): Set<string> {
    return this.walk(key, (k) => this.parentsOf(k));
  }

  /** All transitive downstream keys (excluding `key`). */
  downstreamOf(key: string): Set<string> {
    return this.walk(key, (k) => this.childrenOf(k));
  }

  private walk(start: string, next: (key: string) => readonly string[]): Set<string> {
    const seen = new Set<string>();
    const stack = [...next(start)];
    while (stack.length > 0) {
      const key = stack.pop()!;
      if (seen.has(key)) continue;
      seen.add(key);
      stack.push(...next(key));
    }
    return seen;
  }
}

/**
 * Kahn's algorithm, always taking the smallest ready key (so the order is stable); on a cycle, finds one and reports
 * its path. The ready keys live in a binary heap: re-sorting a list at every step cost ~250 ms at 10,000 assets.
 */
function topologicalOrder(nodes: Map<string, AssetNode>, children: Map<string, string[]>): string[] {
  const indegree = new Map<string, number>();
  for (const [key, node] of nodes) indegree.set(key, node.deps.length);
  const ready = new MinHeap();
  for (const key of nodes.keys()) if (indegree.get(key) === 0) ready.push(key);
  const order: string[] = [];
  for (let key = ready.pop(); key !== undefined; key = ready.pop()) {
    order.push(key);
    for (const child of children.get(key)!) {
      const remaining = indegree.get(child)! - 1;
      indegree.set(child, remaining);
      if (remaining === 0) ready.push(child);
    }
  }
  if (order.length < nodes.size) throw new CycleError(findCycle(nodes, new Set(order)));
  return order;
}

/** Strings, smallest first (in the order of Array.prototype.sort's default: UTF-16 code units). */
class MinHeap {
  private readonly items: string[] = [];

  push(item: string): void {
    const items = this.items;
    items.push(item);
    for (let i = items.length - 1; i > 0;) {
      const parent = (i - 1) >> 1;
      if (items[parent]! <= items[i]!) break;
      [items[parent], items[i]] = [items[i]!, items[parent]!];
      i = parent;
    }
  }

  pop(): string | undefined {
    const items = this.items;
    const top = items[0];
    const last = items.pop();
    if (items.length === 0 || last === undefined) return top;
    items[0] = last;
    for (let i = 0; ;) {
      const left = 2 * i + 1;
      const right = left + 1;
      let smallest = i;
      if (left < items.length && items[left]! < items[smallest]!) smallest = left;
      if (right < items.length && items[right]! < items[smallest]!) smallest = right;
      if (smallest === i) break;
      [items[smallest], items[i]] = [items[i]!, items[smallest]!];
      i = smallest;
    }
    return top;
  }
}

function findCycle(nodes: Map<string, AssetNode>, acyclic: Set<string>): string[] {
  const state = new Map<string, 'visiting' | 'done'>();
  const path: string[] = [];
  const visit = (key: string): string[] | undefined => {
    state.set(key, 'visiting');
    path.push(key);
    for (const dep of nodes.get(key)!.deps) {
      if (acyclic.has(dep)) continue;
      if (state.get(dep) === 'visiting') return [...path.slice(path.indexOf(dep)), dep];
      if (!state.has(dep)) {
        const cycle = visit(dep);
        if (cycle) return cycle;
      }
    }
    path.pop();
    state.set(key, 'done');
    return undefined;
  };
  for (const key of [...nodes.keys()].sort()) {
    if (acyclic.has(key) || state.has(key)) continue;
    const cycle = visit(key);
    // The walk follows deps (child -> parent); reverse so the path reads in data-flow order.
    if (cycle) return cycle.reverse();
  }
  return [];
}
