// Each load of an asset: read = accepted + quarantined + skipped, and the rows per reason, newest first.
import type { LoadAccounting, LoadsResponse } from '../../../src/server/views/load-accounting';
import { formatAgo, formatCount, formatDateTime } from '../format';
import { runHref } from '../routing/route';

export function LoadsPanel({ loads }: { loads: LoadsResponse }) {
  if (loads.materializations.length === 0) return null;
  return (
    <div className="table-scroll">
      <table className="data-table loads-table">
        <thead>
          <tr>
            <th>When</th>
            <th>Load</th>
            <th className="cell-number">Read</th>
            <th className="cell-number">Accepted</th>
            <th className="cell-number">Quarantined</th>
            <th className="cell-number">Skipped</th>
            <th>By reason</th>
          </tr>
        </thead>
        <tbody>
          {loads.materializations.flatMap((m) =>
            m.loads
              .flatMap((load) => [load, ...load.parts])
              .map((load, i) => (
                <tr key={`${m.runId}-${load.name}`} className={load.parts.length > 0 ? 'load-total' : undefined}>
                  <td className="nowrap" title={formatDateTime(m.createdAt)}>
                    {i === 0 ? (
                      <>
                        {formatAgo(m.createdAt)} · <a href={runHref(m.runId)}>run</a>
                      </>
                    ) : null}
                  </td>
                  <td className="mono small">{load.name}</td>
                  <td className="cell-number">{formatCount(load.read)}</td>
                  <td className="cell-number">{formatCount(load.accepted)}</td>
                  <td className={load.quarantined > 0 ? 'cell-number cell-warn' : 'cell-number'}>{formatCount(load.quarantined)}</td>
                  <td className="cell-number">{formatCount(load.skipped)}</td>
                  <td className="small">
                    {!load.balanced && <span className="badge status-failed">does not add up</span>} <ReasonList load={load} />
                  </td>
                </tr>
              )),
          )}
        </tbody>
      </table>
    </div>
  );
}

function ReasonList({ load }: { load: LoadAccounting }) {
  const entries = Object.entries(load.byReason).sort((a, b) => b[1] - a[1]);
  if (entries.length === 0) return <span className="muted">–</span>;
  return (
    <>
      {entries.map(([reason, count]) => (
        <span key={reason} className="tag">
          {reason} {formatCount(count)}
        </span>
      ))}
    </>
  );
}
