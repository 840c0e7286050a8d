// The asset's columns with their types and, once materialized, their profile (nulls, distinct values, range).
import type { ColumnSchema } from '../../../src/server/api-types';
import type { ColumnStatsView } from '../api/materialization-metadata';
import { formatCount } from '../format';
import { assetHref, columnHref } from '../routing/route';

/** Sensitivity tags of a column (`AssetDetailResponse.sensitivity`): declared on it, or inherited from the `from` columns. */
type Sensitivity = Readonly<Record<string, { tags: string[]; from: string[] }>>;

/** Columns with type, sensitivity tags, profile and, when known, the upstream columns each one comes from. */
export function ColumnsTable({
  assetKey,
  columns,
  stats,
  upstream,
  sensitivity,
}: {
  assetKey: string;
  columns: ColumnSchema[];
  stats: ReadonlyMap<string, ColumnStatsView>;
  upstream?: Readonly<Record<string, string[]>>;
  sensitivity?: Sensitivity;
}) {
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
                <th className="cell-number">Distinct</th>
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
                <td className="mono">
                  <a href={columnHref(assetKey, c.name)} title={`Column lineage of ${c.name}`}>
                    {c.name}
                  </a>
                  <SensitivityTags sensitivity={sensitivity?.[c.name]} />
                </td>
                <td className="mono muted">{c.type}</td>
                {profiled ? (
                  <>
                    <td className={s?.nullCount ? 'cell-number cell-warn' : 'cell-number'}>{formatCount(s?.nullCount)}</td>
                    <td className="cell-number" title={s?.distinctExact ? 'counted exactly' : 'estimated'}>
                      {s?.distinctExact || s?.distinctApprox == null ? '' : '≈ '}
                      {formatCount(s?.distinctApprox)}
                    </td>
                    <td className="mono small range" title={s ? `${s.min ?? ''} … ${s.max ?? ''}` : undefined}>
                      {s && (s.min !== null || s.max !== null) ? `${s.min ?? '?'} … ${s.max ?? '?'}` : '–'}
                    </td>
                  </>
                ) : (
                  <td>{c.nullable ? 'yes' : 'no'}</td>
                )}
                {upstream ? (
                  <td className="mono small comes-from">
                    {(upstream[c.name] ?? []).length === 0 ? '–' : (upstream[c.name] ?? []).map((source) => <SourceLink key={source} source={source} />)}
                  </td>
                ) : null}
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}

/** `silver/flights.delay_min (aggregation)`: a link to that column's lineage when it is an asset column. */
function SourceLink({ source }: { source: string }) {
  const match = /^([a-z0-9_]+\/[a-z0-9_]+)\.(.+) \((\w+)\)$/i.exec(source);
  if (!match) return <div title={source}>{source}</div>;
  const [, asset, column, transform] = match;
  return (
    <div>
      <a href={assetHref(asset!)}>{asset}</a>.<a href={columnHref(asset!, column!)}>{column}</a> <span className="muted">({transform})</span>
    </div>
  );
}

/** `sensitive` pills after a column name; the tooltip says whether the tag is declared here or where it comes from. */
function SensitivityTags({ sensitivity }: { sensitivity: { tags: string[]; from: string[] } | undefined }) {
  if (!sensitivity || sensitivity.tags.length === 0) return null;
  const origin =
    sensitivity.from.length > 0 ? `inherited from ${sensitivity.from.join(', ')}` : 'declared on this column, or inherited from a column you may not read';
  return (
    <>
      {sensitivity.tags.map((tag) => (
        <span key={tag} className="tag sensitivity-tag" data-tag={tag} title={`${tag}: ${origin}`}>
          {tag}
        </span>
      ))}
    </>
  );
}
