// Search box over asset keys: type, pick with arrows or Enter, and the graph centres on the asset.
import { useDeferredValue, useId, useMemo, useState, type KeyboardEvent } from 'react';

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
 * The best matches for `query` among `keys`: exact, then name prefix, then key prefix, then substring.
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

export function GraphSearch({ keys, onPick }: { keys: readonly string[]; onPick: (key: string) => void }) {
  const [query, setQuery] = useState('');
  const [active, setActive] = useState(0);
  const [open, setOpen] = useState(false);
  const deferredQuery = useDeferredValue(query);
  const results = useMemo(() => searchKeys(keys, deferredQuery), [keys, deferredQuery]);
  const listId = useId();

  const pick = (key: string | undefined): void => {
    if (!key) return;
    onPick(key);
    setQuery(key);
    setOpen(false);
  };

  const onKeyDown = (event: KeyboardEvent<HTMLInputElement>): void => {
    if (event.key === 'ArrowDown') {
      event.preventDefault();
      setOpen(true);
      setActive((i) => Math.min(i + 1, results.length - 1));
    } else if (event.key === 'ArrowUp') {
      event.preventDefault();
      setActive((i) => Math.max(i - 1, 0));
    } else if (event.key === 'Enter') {
      // The list may still show an older query (it is deferred); Enter always acts on what was typed.
      const current = deferredQuery === query ? results : searchKeys(keys, query);
      pick(current[active] ?? current[0]);
    } else if (event.key === 'Escape') {
      setOpen(false);
    }
  };

  const showList = open && query.trim() !== '';
  return (
    <div className="graph-search">
      <input
        type="search"
        placeholder={`Search ${keys.length.toLocaleString()} assets…`}
        aria-label="Search assets"
        role="combobox"
        aria-expanded={showList}
        aria-controls={listId}
        value={query}
        onChange={(e) => {
          setQuery(e.target.value);
          setActive(0);
          setOpen(true);
        }}
        onFocus={() => setOpen(true)}
        onBlur={() => setTimeout(() => setOpen(false), 120)}
        onKeyDown={onKeyDown}
      />
      {showList && (
        <ul className="graph-search-results" id={listId} role="listbox">
          {results.length === 0 && <li className="muted">No asset matches “{query}”</li>}
          {results.map((key, i) => (
            <li
              key={key}
              role="option"
              aria-selected={i === active}
              className={i === active ? 'active' : undefined}
              onMouseDown={(e) => {
                e.preventDefault();
                pick(key);
              }}
              onMouseEnter={() => setActive(i)}
            >
              {key}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
