// The graph's order is part of what users see (sluice list, plans): the ranked heap must give exactly the order of the
// plain definition, Kahn's algorithm taking the smallest ready key each time, on any DAG.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { asset } from '../../src/model/asset-definition.js';
import { AssetGraph, type AssetNode } from '../../src/model/asset-graph.js';

/** The definition, written for clarity: re-sort the ready keys at every step. */
function referenceOrder(nodes: readonly AssetNode[]): string[] {
  const indegree = new Map(nodes.map((n) => [n.definition.key, n.deps.length]));
  const children = new Map<string, string[]>(nodes.map((n) => [n.definition.key, []]));
  for (const n of nodes) for (const dep of n.deps) children.get(dep)!.push(n.definition.key);
  const ready = nodes.filter((n) => n.deps.length === 0).map((n) => n.definition.key);
  const order: string[] = [];
  while (ready.length > 0) {
    ready.sort();
    const key = ready.shift()!;
    order.push(key);
    for (const child of children.get(key)!) {
      indegree.set(child, indegree.get(child)! - 1);
      if (indegree.get(child) === 0) ready.push(child);
    }
  }
  return order;
}

function randomDag(size: number, seed: number): AssetNode[] {
  let state = seed;
  const random = (): number => (state = (state * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
  // Keys in a shuffled naming, so creation order and key order disagree; some share long prefixes.
  const keys = Array.from({ length: size }, (_, i) => `${['s', 'schema_with_a_long_name', 'sa'][i % 3]}/a${Math.floor(random() * 1e6)}_${i}`);
  return keys.map((key, i) => {
    const deps = new Set<string>();
    const count = i === 0 ? 0 : Math.floor(random() * 4);
    for (let d = 0; d < count; d++) deps.add(keys[Math.floor(random() * i)]!);
    return { definition: asset({ key, sql: 'SELECT 1' }), deps: [...deps] };
  });
}

test('the order equals the reference order on random DAGs of many sizes', () => {
  for (const [size, seed] of [
    [1, 1],
    [2, 2],
    [17, 3],
    [200, 4],
    [1000, 5],
    [3000, 6],
  ] as const) {
    const nodes = randomDag(size, seed);
    assert.deepEqual(AssetGraph.build(nodes).order, referenceOrder(nodes), `size ${size}`);
  }
});

test('a cycle is still reported with its path', () => {
  const nodes: AssetNode[] = [
    { definition: asset({ key: 'a/x', sql: 'SELECT 1' }), deps: ['a/z'] },
    { definition: asset({ key: 'a/y', sql: 'SELECT 1' }), deps: ['a/x'] },
    { definition: asset({ key: 'a/z', sql: 'SELECT 1' }), deps: ['a/y'] },
  ];
  assert.throws(() => AssetGraph.build(nodes), /a\/x.*a\/y.*a\/z|cycle/i);
});
