// Every asset that quarantines rows: its loads' accounting over time and its quarantined rows by reason.
import type { QuarantineOverviewResponse } from '../../../src/server/views/quarantine-sources';
import type { LoadsResponse } from '../../../src/server/views/load-accounting';
import { assetApiPath } from '../api/client';
import { useApi } from '../api/useApi';
import { useServerEvents } from '../api/useServerEvents';
import { EmptyState } from '../components/EmptyState';
import { ErrorState } from '../components/ErrorState';
import { LoadingState } from '../components/LoadingState';
import { LoadsPanel } from '../components/LoadsPanel';
import { QuarantinePanel } from '../components/QuarantinePanel';
import { formatAgo, formatCount, formatDateTime } from '../format';
import { useCoalescedCallback } from '../hooks/useCoalescedCallback';
import { assetHref } from '../routing/route';

export function QuarantinePage() {
  const { data, error, reload } = useApi<QuarantineOverviewResponse>('/api/quarantine');
  const refresh = useCoalescedCallback(reload, 500);
  useServerEvents((message) => {
    if ((message.kind === 'run-status' && message.run.status === 'succeeded') || message.kind === 'open') refresh();
  });
  if (error && !data) return <ErrorState title="Could not load the quarantine" error={error} onRetry={reload} />;
  if (!data) return <LoadingState label="Loading quarantine…" />;
  return (
    <div className="page">
      <header className="page-header">
        <div>
          <h1>Quarantine</h1>
          <p className="muted small">
            Rows that did not make it into an asset, and why. Ingestion side outputs and assets named *_quarantine with a reason column.
          </p>
        </div>
      </header>
      {data.assets.length === 0 ? (
        <EmptyState title="Nothing quarantines rows yet">
          <p>
            Load files with <code>ingestCsv</code>, <code>ingestJsonLines</code> or <code>ingestParquet</code> and a{' '}
            <code>quarantine: ctx.sideOutput(...)</code>, then materialize.
          </p>
        </EmptyState>
      ) : (
        data.assets.map((a) => (
          <section key={a.assetKey} className="card" data-quarantine-asset={a.assetKey}>
            <h2>
              <a href={assetHref(a.assetKey)}>{a.assetKey}</a>{' '}
              <span className="muted small" title={formatDateTime(a.createdAt)}>
                published {formatAgo(a.createdAt)}: {a.tables.map((t) => `${formatCount(t.rowCount)} in ${t.table}`).join(', ')}
              </span>
            </h2>
            <AssetLoads assetKey={a.assetKey} version={a.createdAt} />
            <QuarantinePanel assetKey={a.assetKey} version={a.createdAt} />
          </section>
        ))
      )}
    </div>
  );
}

function AssetLoads({ assetKey, version }: { assetKey: string; version: string }) {
  const { data } = useApi<LoadsResponse>(`${assetApiPath(assetKey)}/loads?v=${encodeURIComponent(version)}`);
  return data && data.materializations.length > 0 ? (
    <>
      <h3>Loads</h3>
      <LoadsPanel loads={data} />
    </>
  ) : null;
}
