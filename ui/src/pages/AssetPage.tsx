// One asset: what it is, its columns, its latest materialization, its history, checks and first rows.
import type { AssetDetailResponse, MaterializationRecord, PreviewResponse } from '../../../src/server/api-types';
import type { LoadsResponse } from '../../../src/server/views/load-accounting';
import { assetApiPath } from '../api/client';
import { readColumnStats, readInputVersions, STRUCTURED_METADATA_KEYS } from '../api/materialization-metadata';
import { useApi } from '../api/useApi';
import { useCoalescedCallback } from '../hooks/useCoalescedCallback';
import { useServerEvents } from '../api/useServerEvents';
import { AssetChecks } from '../components/AssetChecks';
import { ChecksBadge } from '../components/ChecksBadge';
import { ColumnsTable } from '../components/ColumnsTable';
import { LoadsPanel } from '../components/LoadsPanel';
import { PartitionGrid } from '../components/PartitionGrid';
import { QuarantinePanel } from '../components/QuarantinePanel';
import { EmptyState } from '../components/EmptyState';
import { ErrorState } from '../components/ErrorState';
import { HistoryPlot } from '../components/HistoryPlot';
import { LoadingState } from '../components/LoadingState';
import { MaterializeButton } from '../components/MaterializeButton';
import { PreviewTable } from '../components/PreviewTable';
import { StatusBadge } from '../components/StatusBadge';
import { formatAgo, formatCount, formatDateTime, formatDuration, formatValue } from '../format';
import { assetHref, checksHref, graphHref, runHref } from '../routing/route';

export function AssetPage({ assetKey }: { assetKey: string }) {
  const detail = useApi<AssetDetailResponse>(assetApiPath(assetKey));
  const neverMaterialized = detail.data ? detail.data.asset.lastMaterialization === null && detail.data.materializations.length === 0 : false;
  const preview = useApi<PreviewResponse>(detail.data && !neverMaterialized ? `${assetApiPath(assetKey)}/preview?limit=50` : null);
  const loads = useApi<LoadsResponse>(detail.data && !neverMaterialized ? `${assetApiPath(assetKey)}/loads?limit=20` : null);

  // A run finishing with this asset changes everything on the page; refresh both.
  const refresh = useCoalescedCallback(() => {
    detail.reload();
    preview.reload();
    loads.reload();
  }, 800);
  useServerEvents((message) => {
    if (message.kind === 'run-status' && message.run.assetKeys.includes(assetKey)) refresh();
  });

  if (detail.error && !detail.data) {
    const title = detail.error.status === 404 ? `No asset named “${assetKey}”` : `Could not load ${assetKey}`;
    return (
      <div className="page">
        <ErrorState title={title} error={detail.error} onRetry={detail.error.status === 404 ? undefined : detail.reload} />
        <p className="centered">
          <a href={graphHref()}>Back to the lineage graph</a>
        </p>
      </div>
    );
  }
  if (!detail.data) return <LoadingState label={`Loading ${assetKey}…`} />;

  const { asset, materializations, columns } = detail.data;
  const last = asset.lastMaterialization ?? latest(materializations);
  const tags = Object.entries(asset.tags);

  return (
    <div className="page asset-page">
      <header className="page-header">
        <div>
          <p className="breadcrumb">
            <a href={graphHref(asset.key)}>{asset.group}</a>
          </p>
          <h1>{asset.key}</h1>
          <div className="header-badges">
            <StatusBadge status={asset.status} />
            <span className="badge badge-neutral">{asset.kind}</span>
            <ChecksBadge checks={asset.checks} showPassed />
          </div>
          {asset.statusReason && <p className="status-reason">{asset.statusReason}</p>}
        </div>
        <div className="header-actions">
          <a className="button" href={graphHref(asset.key)}>
            Show in graph
          </a>
          <MaterializeButton assetKey={asset.key} />
        </div>
      </header>

      <section className="card">
        <p className={asset.description ? 'description' : 'description muted'}>{asset.description ?? 'No description. Add one where the asset is defined.'}</p>
        <dl className="facts facts-inline">
          <dt>Owners</dt>
          <dd>{asset.owners.length > 0 ? asset.owners.join(', ') : <span className="muted">none</span>}</dd>
          <dt>Tags</dt>
          <dd>
            {tags.length > 0 ? (
              tags.map(([k, v]) => (
                <span key={k} className="tag">
                  {k}
                  {v ? `: ${v}` : ''}
                </span>
              ))
            ) : (
              <span className="muted">none</span>
            )}
          </dd>
          <dt>Depends on</dt>
          <dd>
            {asset.deps.length > 0 ? (
              asset.deps.map((dep) => (
                <a key={dep} className="tag tag-link" href={assetHref(dep)}>
                  {dep}
                </a>
              ))
            ) : (
              <span className="muted">no upstream assets</span>
            )}
          </dd>
        </dl>
      </section>

      {neverMaterialized && (
        <EmptyState title="Never materialized">
          <p>
            Run <code>sluice materialize --select {asset.key}</code> or click <strong>Materialize</strong> to build it.
          </p>
        </EmptyState>
      )}

      <div className="two-columns">
        <section className="card">
          <h2>Columns</h2>
          {columns.length === 0 ? (
            <p className="muted">The schema is known after the first materialization.</p>
          ) : (
            <ColumnsTable
              assetKey={asset.key}
              columns={columns}
              stats={last ? readColumnStats(last.metadata) : new Map()}
              {...(detail.data.columnLineage ? { upstream: detail.data.columnLineage.columns } : {})}
              {...(detail.data.sensitivity ? { sensitivity: detail.data.sensitivity } : {})}
            />
          )}
        </section>

        <section className="card">
          <h2>Last materialization</h2>
          {last ? <LastMaterialization record={last} /> : <p className="muted">None yet.</p>}
        </section>
      </div>

      <PartitionGrid assetKey={asset.key} />

      {loads.data && loads.data.materializations.length > 0 && (
        <section className="card">
          <h2>Loads</h2>
          <p className="muted small">Every row read is accepted, quarantined or skipped: accepted + quarantined + skipped = read.</p>
          <LoadsPanel loads={loads.data} />
        </section>
      )}

      {last && hasQuarantine(asset.key, last) && (
        <section className="card">
          <h2>Quarantine</h2>
          <QuarantinePanel assetKey={asset.key} version={last.createdAt} />
        </section>
      )}

      {materializations.length > 0 && (
        <section className="card">
          <h2>History</h2>
          <HistoryPlot materializations={materializations} />
        </section>
      )}

      <section className="card">
        <h2>Checks</h2>
        {detail.data.checks.length > 0 && (
          <p className="small">
            <a href={checksHref(asset.key)}>These checks on the Checks page</a>, with each one's history
          </p>
        )}
        <AssetChecks assetKey={asset.key} checks={detail.data.checks} />
      </section>

      {!neverMaterialized && (
        <section className="card">
          <h2>Preview</h2>
          {preview.error ? (
            <ErrorState title="Could not load the preview" error={preview.error} onRetry={preview.reload} />
          ) : preview.data ? (
            <>
              <p className="muted small">First {preview.data.rows.length} rows</p>
              <PreviewTable preview={preview.data} />
            </>
          ) : (
            <LoadingState label="Loading rows…" />
          )}
        </section>
      )}
    </div>
  );
}

function latest(records: MaterializationRecord[]): MaterializationRecord | null {
  let best: MaterializationRecord | null = null;
  for (const record of records) if (!best || record.createdAt > best.createdAt) best = record;
  return best;
}

function LastMaterialization({ record }: { record: MaterializationRecord }) {
  const metadata = Object.entries(record.metadata).filter(([k]) => !STRUCTURED_METADATA_KEYS.has(k));
  const inputs = readInputVersions(record.metadata);
  return (
    <>
      <dl className="facts">
        <dt>When</dt>
        <dd title={formatDateTime(record.createdAt)}>
          {formatAgo(record.createdAt)} · {formatDateTime(record.createdAt)}
        </dd>
        <dt>Run</dt>
        <dd>
          <a className="mono" href={runHref(record.runId)}>
            {record.runId}
          </a>
        </dd>
        <dt>Rows</dt>
        <dd>{formatCount(record.rowCount)}</dd>
        <dt>Duration</dt>
        <dd>{formatDuration(record.durationMs)}</dd>
        {record.partition && (
          <>
            <dt>Partition</dt>
            <dd className="mono">{record.partition}</dd>
          </>
        )}
        <dt>Code version</dt>
        <dd className="mono">{record.codeVersion ?? '–'}</dd>
        <dt>Data version</dt>
        <dd className="mono">{record.dataVersion ?? '–'}</dd>
        {inputs.length > 0 && (
          <>
            <dt>Inputs</dt>
            <dd>
              {inputs.map(([key, version]) => (
                <div key={key} className="input-version">
                  <a className="mono" href={assetHref(key)}>
                    {key}
                  </a>{' '}
                  <span className="mono muted small">{version ?? 'no version'}</span>
                </div>
              ))}
            </dd>
          </>
        )}
        {metadata.map(([k, v]) => (
          <MetadataEntry key={k} name={k} value={v} />
        ))}
      </dl>
      {record.sql && (
        <details className="sql">
          <summary>SQL</summary>
          <pre>{record.sql}</pre>
        </details>
      )}
    </>
  );
}

/** Whether the asset has quarantine tables: side outputs recorded with it, or it is itself a `*_quarantine` asset. */
function hasQuarantine(key: string, last: MaterializationRecord): boolean {
  return key.endsWith('_quarantine') || (typeof last.metadata.sideOutputs === 'object' && last.metadata.sideOutputs !== null);
}

function MetadataEntry({ name, value }: { name: string; value: unknown }) {
  const text = formatValue(value);
  return (
    <>
      <dt>{name}</dt>
      <dd
        className={text.length > 40 ? 'mono small metadata-value' : 'mono metadata-value'}
        title={typeof value === 'number' && text !== String(value) ? String(value) : undefined}
      >
        {text.length > 200 ? `${text.slice(0, 200)}…` : text}
      </dd>
    </>
  );
}
