// Ranking asset keys against what the user typed in the graph's search box (pure).

const MAX_RESULTS = 8;

function rank(key: string, query: string): number {
  const lower = key.toLowerCase();
  const name = lower.slice(lower.lastIndexOf('/') + 1);
  if (lower === query || name === query) return 0;
  if (name.startsWith(query)) return 1;
  if (lower.startsWith(query)) return 2;
  if (lower.includes(query)) return 3;
  return -1;
}

/**
 * The best matches for `query` among `keys`: exact, then name prefix, then key prefix, then substring;
 * shorter keys first within a rank.
 * @example searchKeys(['silver/flights', 'bronze/flights'], 'fli') // ['bronze/flights', 'silver/flights']
 */
export function searchKeys(keys: readonly string[], query: string, limit = MAX_RESULTS): string[] {
  const q = query.trim().toLowerCase();
  if (!q) return [];
  const hits: { key: string; score: number }[] = [];
  for (const key of keys) {
    const score = rank(key, q);
    if (score >= 0) hits.push({ key, score });
  }
  hits.sort((a, b) => a.score - b.score || a.key.length - b.key.length || a.key.localeCompare(b.key));
  return hits.slice(0, limit).map((h) => h.key);
}
