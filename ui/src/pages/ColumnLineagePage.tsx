// Column lineage you can click through: a column's upstream and downstream columns across assets, or the whole project's column graph.
import type { ColumnLineageGraphResponse } from '../../../src/server/views/column-lineage-graph';
import { useApi } from '../api/useApi';
import { ColumnLineageGraph } from '../components/ColumnLineageGraph';
import { EmptyState } from '../components/EmptyState';
import { ErrorState } from '../components/ErrorState';
import { LoadingState } from '../components/LoadingState';
import { assetHref, columnHref } from '../routing/route';

export function ColumnLineagePage({ assetKey, column }: { assetKey: string | null; column: string | null }) {
  const path =
    assetKey && column ? `/api/column-lineage/${assetKey.split('/').map(encodeURIComponent).join('/')}/${encodeURIComponent(column)}` : '/api/column-lineage';
  const { data, error, reload } = useApi<ColumnLineageGraphResponse>(path);
  const title = assetKey && column ? `${assetKey}.${column}` : 'All columns';
  return (
    <div className="page page-wide">
      <header className="page-header">
        <div>
          <p className="breadcrumb">{assetKey ? <a href={assetHref(assetKey)}>{assetKey}</a> : 'project'} · column lineage</p>
          <h1>{title}</h1>
          <p className="muted small">
            Click a column to follow its lineage. Solid edges carry values (identity, transformation, aggregation, window); dashed ones decide which rows
            appear. {assetKey ? <a href={columnHref()}>Show every column of the project</a> : null}
          </p>
        </div>
      </header>
      {data?.asset && (
        <section className="card">
          <p className="small column-picker">
            <span className="muted">Columns of </span>
            <a className="mono" href={assetHref(data.asset.key)}>
              {data.asset.key}
            </a>
            :{' '}
            {data.asset.columns.map((c) => (
              <a
                key={c}
                className={c.toLowerCase() === column?.toLowerCase() ? 'tag tag-link tag-active' : 'tag tag-link'}
                href={columnHref(data.asset!.key, c)}
              >
                {c}
              </a>
            ))}
          </p>
          {data.asset.shapedBy.length > 0 && (
            <p className="small">
              <span className="muted">Rows decided by </span>
              {data.asset.shapedBy.map((s) => (
                <span key={`${s.id}-${s.transform}`} className="tag">
                  {s.asset ? <a href={columnHref(s.asset, s.column)}>{s.id}</a> : s.id} ({s.transform === 'join' ? 'join key' : s.transform.replace('_', ' ')})
                </span>
              ))}
            </p>
          )}
        </section>
      )}
      {error && !data ? (
        <ErrorState title={`Could not trace ${title}`} error={error} onRetry={reload} />
      ) : !data ? (
        <LoadingState label="Tracing columns…" />
      ) : data.nodes.length === 0 ? (
        <EmptyState title="No column lineage">
          <p>Materialize the project or declare columnLineage on TypeScript assets.</p>
        </EmptyState>
      ) : (
        <section className="card card-flush">
          <ColumnLineageGraph graph={data} />
        </section>
      )}
    </div>
  );
}
