// The asset's columns with their types and, once materialized, their profile (nulls, distinct values, range).
import type { ColumnSchema } from '../../../src/server/api-types';
import type { ColumnStatsView } from '../api/materialization-metadata';
import { formatCount } from '../format';

/** Columns with type, profile and, when known, the upstream columns each one comes from. */
export function ColumnsTable({ columns, stats, upstream }: { columns: ColumnSchema[]; stats: ReadonlyMap<string, ColumnStatsView>; upstream?: Readonly<Record<string, string[]>> }) {
  const profiled = stats.size > 0;
  return (
    <div className="table-scroll">
      <table className="data-table columns-table">
        <thead>
          <tr>
            <th>Name</th>
            <th>Type</th>
            {profiled ? (
              <>
                <th className="cell-number">Nulls</th>
                <th className="cell-number">Distinct ≈</th>
                <th>Range</th>
              </>
            ) : (
              <th>Nullable</th>
            )}
            {upstream ? <th>Comes from</th> : null}
          </tr>
        </thead>
        <tbody>
          {columns.map((c) => {
            const s = stats.get(c.name);
            return (
              <tr key={c.name}>
                <td className="mono">{c.name}</td>
                <td className="mono muted">{c.type}</td>
                {profiled ? (
                  <>
                    <td className={s?.nullCount ? 'cell-number cell-warn' : 'cell-number'}>{formatCount(s?.nullCount)}</td>
                    <td className="cell-number">{formatCount(s?.distinctApprox)}</td>
                    <td className="mono small range" title={s ? `${s.min ?? ''} … ${s.max ?? ''}` : undefined}>
                      {s && (s.min !== null || s.max !== null) ? `${s.min ?? '?'} … ${s.max ?? '?'}` : '–'}
                    </td>
                  </>
                ) : (
                  <td>{c.nullable ? 'yes' : 'no'}</td>
                )}
                {upstream ? <td className="mono small">{(upstream[c.name] ?? []).join(', ') || '–'}</td> : null}
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
