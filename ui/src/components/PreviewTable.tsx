// The first rows of an asset, as a scrollable table with a sticky header.
import type { PreviewResponse } from '../../../src/server/api-types';
import { formatCell } from '../format';

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
                  <td key={c} className={value === null || value === undefined ? 'cell-null' : typeof value === 'number' ? 'cell-number' : undefined}>
                    {formatCell(value)}
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
