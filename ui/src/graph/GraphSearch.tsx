// Search box over asset keys: type, pick with arrows or Enter, and the graph centres on the asset.
import { useDeferredValue, useId, useMemo, useState, type KeyboardEvent } from 'react';
import { searchKeys } from './search';

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
