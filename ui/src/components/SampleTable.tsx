// Rows as a small table (failing samples of a check, quarantined rows): numbers to sensible precision, exact on hover.
import { formatValue } from '../format';

export function SampleTable({ rows, columns }: { rows: readonly Record<string, unknown>[]; columns?: readonly string[] }) {
  const names = columns ?? Object.keys(rows[0] ?? {});
  return (
    <div className="table-scroll">
      <table className="data-table sample-table">
        <thead>
          <tr>
            {names.map((c) => (
              <th key={c}>{c}</th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.map((row, i) => (
            <tr key={i}>
              {names.map((c) => {
                const value = row[c];
                const text = formatValue(value);
                return (
                  <td
                    key={c}
                    className={value === null || value === undefined ? 'mono small cell-null' : 'mono small'}
                    title={typeof value === 'number' && text !== String(value) ? String(value) : undefined}
                  >
                    {text}
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
