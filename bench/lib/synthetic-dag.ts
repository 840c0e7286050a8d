// Synthetic asset graphs (chain, wide fan-out, random DAG) of trivial assets, reproducible from a seed.
import { asset, type AssetDefinition } from '../../src/index.js';

export type DagShape = 'chain' | 'fan-out' | 'random';

/** Schema of every synthetic asset. */
export const SYNTHETIC_SCHEMA = 'syn';

/** mulberry32: tiny, fast and reproducible, so every run builds the same random DAG. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/**
 * Parent indexes of each asset. Random: about 10% roots, the others 1-3 distinct parents drawn uniformly
 * from all earlier assets (so late assets have deep, wide upstream closures, as in real warehouses).
 * @example dagParents('chain', 3) // [[], [0], [1]]
 */
export function dagParents(shape: DagShape, size: number, seed = 42): number[][] {
  const random = seededRandom(seed);
  return Array.from({ length: size }, (_, i) => {
    if (i === 0) return [];
    if (shape === 'chain') return [i - 1];
    if (shape === 'fan-out') return [0];
    if (random() < 0.1) return [];
    const wanted = Math.min(i, 1 + Math.floor(random() * 3));
    const parents = new Set<number>();
    while (parents.size < wanted) parents.add(Math.floor(random() * i));
    return [...parents].sort((a, b) => a - b);
  });
}

export function syntheticKey(index: number): string {
  return `${SYNTHETIC_SCHEMA}/a${index}`;
}

/**
 * SQL assets whose dependencies the loader must infer by parsing, as with `sqlAssets()`; each builds a one-row table.
 * @example syntheticSqlAssets('fan-out', 100)
 */
export function syntheticSqlAssets(shape: DagShape, size: number): AssetDefinition[] {
  return dagParents(shape, size).map((parents, i) => {
    const from = parents.map((p) => `${SYNTHETIC_SCHEMA}.a${p}`).join(', ');
    return asset({ key: syntheticKey(i), sql: from ? `SELECT 1 AS x FROM ${from}` : 'SELECT 1 AS x' });
  });
}

/** TypeScript assets with declared deps: loading them parses no SQL (for store and lineage scenarios). */
export function syntheticDeclaredAssets(shape: DagShape, size: number): AssetDefinition[] {
  return dagParents(shape, size).map((parents, i) =>
    asset({ key: syntheticKey(i), deps: parents.map(syntheticKey), codeVersion: '1', compute: () => [{ x: 1 }] }),
  );
}
