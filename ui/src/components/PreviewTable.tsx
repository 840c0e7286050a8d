// The first rows of an asset, as a scrollable table with a sticky header.
import type { PreviewResponse } from '../../../src/server/api-types';
import { formatValue } from '../format';

export function PreviewTable({ preview }: { preview: PreviewResponse }) {
  if (preview.rows.length === 0) return <p className="muted">The table is empty.</p>;
  return (
    <div className="table-scroll preview">
      <table className="data-table">
        <thead>
          <tr>
            {preview.columns.map((c) => (
              <th key={c}>{c}</th>
            ))}
          </tr>
        </thead>
        <tbody>
          {preview.rows.map((row, i) => (
            <tr key={i}>
              {preview.columns.map((c) => {
                const value = row[c];
                return (
                  <td
                    key={c}
                    className={value === null || value === undefined ? 'cell-null' : typeof value === 'number' ? 'cell-number' : undefined}
                    title={typeof value === 'number' && formatValue(value) !== String(value) ? String(value) : undefined}
                  >
                    {formatValue(value)}
                  </td>
                );
              })}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
