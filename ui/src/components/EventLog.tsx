// The run's structured event log: filterable, following new events as they stream in.
import { Fragment, useDeferredValue, useEffect, useMemo, useRef, useState } from 'react';
import type { RunEvent } from '../../../src/server/api-types';
import { formatClock } from '../format';
import { assetHref } from '../routing/route';

/** Past this many matching rows only the newest are drawn; the filter narrows the rest. */
const MAX_ROWS = 2000;

type LevelFilter = 'all' | 'info' | 'warn' | 'error';
const LEVEL_RANK = { debug: 0, info: 1, warn: 2, error: 3 } as const;

export function EventLog({ events }: { events: RunEvent[] }) {
  const [text, setText] = useState('');
  const [level, setLevel] = useState<LevelFilter>('info');
  const [follow, setFollow] = useState(true);
  const [expanded, setExpanded] = useState<ReadonlySet<number>>(new Set());
  const query = useDeferredValue(text.trim().toLowerCase());
  const scroller = useRef<HTMLDivElement>(null);

  const visible = useMemo(() => {
    const minimum = level === 'all' ? 0 : LEVEL_RANK[level];
    const matching = events.filter(
      (e) =>
        LEVEL_RANK[e.level] >= minimum &&
        (!query || e.message.toLowerCase().includes(query) || e.type.toLowerCase().includes(query) || (e.assetKey ?? '').toLowerCase().includes(query)),
    );
    return matching.slice(-MAX_ROWS);
  }, [events, level, query]);

  useEffect(() => {
    if (follow && scroller.current) scroller.current.scrollTop = scroller.current.scrollHeight;
  }, [visible, follow]);

  const toggle = (id: number): void =>
    setExpanded((current) => {
      const next = new Set(current);
      if (next.has(id)) next.delete(id);
      else next.add(id);
      return next;
    });

  return (
    <div className="event-log">
      <div className="event-log-toolbar">
        <input type="search" placeholder="Filter events…" aria-label="Filter events" value={text} onChange={(e) => setText(e.target.value)} />
        <select aria-label="Minimum level" value={level} onChange={(e) => setLevel(e.target.value as LevelFilter)}>
          <option value="all">All levels</option>
          <option value="info">Info and above</option>
          <option value="warn">Warnings and errors</option>
          <option value="error">Errors only</option>
        </select>
        <label className="checkbox">
          <input type="checkbox" checked={follow} onChange={(e) => setFollow(e.target.checked)} /> Follow
        </label>
        <span className="muted small">
          {visible.length.toLocaleString()} of {events.length.toLocaleString()} events
        </span>
      </div>
      <div className="event-log-scroll" ref={scroller}>
        {visible.length === 0 ? (
          <p className="muted event-log-empty">{events.length === 0 ? 'Waiting for events…' : 'No event matches the filter.'}</p>
        ) : (
          <table className="data-table event-table">
            <tbody>
              {visible.map((e) => {
                const hasData = Object.keys(e.data).length > 0;
                const open = expanded.has(e.id);
                return (
                  <Fragment key={e.id}>
                    <tr className={`event event-level-${e.level}${hasData ? ' has-data' : ''}`} onClick={hasData ? () => toggle(e.id) : undefined}>
                      <td className="mono muted event-time">{formatClock(e.ts)}</td>
                      <td>
                        <span className={`level level-${e.level}`}>{e.level}</span>
                      </td>
                      <td className="mono event-type">{e.type}</td>
                      <td className="event-asset">{e.assetKey && <a href={assetHref(e.assetKey)}>{e.assetKey}</a>}</td>
                      <td className="event-message">
                        {e.message}
                        {hasData && <span className="muted"> {open ? '▾' : '▸'}</span>}
                      </td>
                    </tr>
                    {open && (
                      <tr className="event-data">
                        <td colSpan={5}>
                          <pre>{JSON.stringify(e.data, null, 2)}</pre>
                        </td>
                      </tr>
                    )}
                  </Fragment>
                );
              })}
            </tbody>
          </table>
        )}
      </div>
    </div>
  );
}
