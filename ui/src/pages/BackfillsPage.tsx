// Every backfill with its progress per partition, and Cancel / Resume.
import { useState } from 'react';
import type { BackfillResponse } from '../../../src/server/routes/automation';
import { ApiError, postJson } from '../api/client';
import { useApi } from '../api/useApi';
import { useServerEvents } from '../api/useServerEvents';
import { EmptyState } from '../components/EmptyState';
import { ErrorState } from '../components/ErrorState';
import { LoadingState } from '../components/LoadingState';
import { usePoll } from '../components/usePoll';
import { formatAgo, formatDateTime, formatNumber } from '../format';
import { useCoalescedCallback } from '../hooks/useCoalescedCallback';
import { assetHref, runHref } from '../routing/route';

type Backfill = BackfillResponse['backfill'];

export function BackfillsPage() {
  const { data, error, reload } = useApi<{ backfills: Backfill[] }>('/api/backfills');
  const refresh = useCoalescedCallback(reload, 200);
  useServerEvents((message) => {
    if (message.kind === 'run-status' || message.kind === 'open') refresh();
  });
  usePoll(() => {
    if (data?.backfills.some((b) => b.state === 'running')) refresh();
  }, 1500);

  if (error && !data) return <ErrorState title="Could not load backfills" error={error} onRetry={reload} />;
  if (!data) return <LoadingState label="Loading backfills…" />;
  return (
    <div className="page">
      <header className="page-header">
        <h1>Backfills</h1>
      </header>
      {data.backfills.length === 0 ? (
        <EmptyState title="No backfills yet">
          <p>
            Select partitions on a partitioned asset's page and click <strong>Backfill</strong>, or run{' '}
            <code>sluice backfill --select KEY --from A --to B</code>.
          </p>
        </EmptyState>
      ) : (
        data.backfills.map((b) => <BackfillCard key={b.id} backfill={b} onChange={refresh} />)
      )}
    </div>
  );
}

function BackfillCard({ backfill: b, onChange }: { backfill: Backfill; onChange: () => void }) {
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const total = b.partitions.length;
  const done = b.partitions.filter((p) => p.status === 'succeeded').length;
  const failed = b.partitions.filter((p) => p.status === 'failed').length;
  const current = b.state === 'running' ? b.partitions.find((p) => p.status === 'pending' && p.runId) : undefined;
  const act = (path: string, body: unknown): void => {
    setPending(true);
    setError(null);
    postJson(path, body)
      .then(onChange, (cause: unknown) => setError(cause instanceof ApiError ? cause.message : String(cause)))
      .finally(() => setPending(false));
  };
  const percent = total > 0 ? (done / total) * 100 : 100;
  return (
    <section className="card backfill-card" data-backfill={b.id} data-state={b.state}>
      <div className="automation-head">
        <div>
          <span
            className={`badge status-${b.state === 'succeeded' ? 'succeeded' : b.state === 'running' ? 'running' : b.state === 'failed' ? 'failed' : 'stale'}`}
          >
            {b.state}
          </span>{' '}
          {b.selection.split(',').map((key) => (
            <a key={key} className="mono" href={assetHref(key)}>
              {key}{' '}
            </a>
          ))}
          <span className="mono muted">
            {b.fromKey} … {b.toKey}
          </span>
          <div className="muted small">
            started <span title={formatDateTime(b.createdAt)}>{formatAgo(b.createdAt)}</span>
            {b.endedAt ? (
              <>
                {' '}
                · ended <span title={formatDateTime(b.endedAt)}>{formatAgo(b.endedAt)}</span>
              </>
            ) : null}{' '}
            · <span className="mono">{b.id}</span>
          </div>
        </div>
        <div className="header-actions">
          {b.state === 'running' && (
            <button
              type="button"
              className="button button-danger"
              disabled={pending}
              onClick={() => act(`/api/backfills/${encodeURIComponent(b.id)}/cancel`, {})}
            >
              Cancel
            </button>
          )}
          {(b.state === 'canceled' || b.state === 'failed' || b.state === 'interrupted') && (
            <button
              type="button"
              className="button button-primary"
              disabled={pending}
              onClick={() => act('/api/backfills', { select: b.selection, from: b.fromKey, to: b.toKey })}
            >
              Resume
            </button>
          )}
        </div>
      </div>
      <div
        className="progress"
        role="progressbar"
        aria-valuemin={0}
        aria-valuemax={total}
        aria-valuenow={done}
        aria-label={`${done} of ${total} partitions done`}
      >
        <div className="progress-done" style={{ width: `${percent}%` }} />
        {failed > 0 && <div className="progress-failed" style={{ width: `${(failed / total) * 100}%` }} />}
      </div>
      <p className="small backfill-progress">
        {done} of {total} partitions done ({formatNumber(Math.round(percent * 10) / 10)}%){failed > 0 ? `, ${failed} failed` : ''}
        {current && (
          <>
            {' '}
            · building <span className="mono">{current.key}</span> in run{' '}
            <a className="mono" href={runHref(current.runId!)}>
              {current.runId!.slice(0, 8)}
            </a>
          </>
        )}
      </p>
      {b.error && <p className="error-message">{b.error.message}</p>}
      {error && <p className="inline-error">{error}</p>}
      {failed > 0 && (
        <p className="small">
          Failed:{' '}
          {b.partitions
            .filter((p) => p.status === 'failed')
            .map((p) => (
              <a key={p.key} className="tag tag-link" href={p.runId ? runHref(p.runId) : undefined}>
                {p.key}
              </a>
            ))}
        </p>
      )}
    </section>
  );
}
