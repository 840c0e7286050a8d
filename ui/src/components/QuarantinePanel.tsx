// An asset's quarantined rows: per table, the counts by reason and the rows with file, line, column, reason and raw line.
import type { QuarantineResponse } from '../../../src/server/views/quarantine-sources';
import { assetApiPath } from '../api/client';
import { useApi } from '../api/useApi';
import { formatCount } from '../format';
import { ErrorState } from './ErrorState';
import { LoadingState } from './LoadingState';
import { SampleTable } from './SampleTable';

/** Loader quarantine columns, shown first and named for people. */
const INGEST_COLUMNS: readonly [string, string][] = [
  ['_source_file', 'file'],
  ['_line_number', 'line'],
  ['_row_offset', 'row'],
  ['_column', 'column'],
  ['_error_type', 'reason'],
  ['_raw_line', 'raw line'],
];

export function QuarantinePanel({ assetKey, version }: { assetKey: string; version?: string }) {
  const { data, error, reload } = useApi<QuarantineResponse>(
    `${assetApiPath(assetKey)}/quarantine?limit=500${version ? `&v=${encodeURIComponent(version)}` : ''}`,
  );
  if (error) return <ErrorState title="Could not load the quarantine" error={error} onRetry={reload} />;
  if (!data) return <LoadingState label="Loading quarantined rows…" />;
  if (data.tables.length === 0) return <p className="muted small">Nothing quarantined.</p>;
  return (
    <>
      {data.tables.map((table) => {
        const ingest = table.origin === 'side_output';
        const rows = ingest
          ? table.rows.map((row) =>
              Object.fromEntries(INGEST_COLUMNS.filter(([c]) => c in row).map(([c, label]) => [label, c === '_source_file' ? fileName(row[c]) : row[c]])),
            )
          : table.rows;
        return (
          <div key={table.table} className="quarantine-table" data-table={table.table}>
            <h3>
              <span className="mono">{table.table}</span>{' '}
              <span className="muted small">
                {formatCount(table.total)} rows, reason in {table.reasonColumn}
              </span>
            </h3>
            <p className="reason-counts">
              {table.byReason.map((r) => (
                <span key={r.reason ?? ''} className="tag reason-count" data-reason={r.reason ?? ''}>
                  {r.reason ?? 'no reason'} <strong>{formatCount(r.count)}</strong>
                </span>
              ))}
            </p>
            {table.hidden && <p className="muted small quarantine-hidden">{table.hidden}</p>}
            {rows.length > 0 && <SampleTable rows={rows} />}
            {table.total > table.rows.length && (
              <p className="muted small">
                First {formatCount(table.rows.length)} of {formatCount(table.total)} rows.
              </p>
            )}
          </div>
        );
      })}
    </>
  );
}

/** The file name of a path, with the full path kept for the tooltip-less table (paths are long and the folder is the same). */
function fileName(value: unknown): unknown {
  return typeof value === 'string' ? value.split('/').pop() : value;
}
