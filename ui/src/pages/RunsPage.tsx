// Every run, newest first, with status and duration kept live from the event stream.
import { useMemo, useState } from 'react';
import type { RunSummary, RunsResponse } from '../../../src/server/api-types';
import { useApi } from '../api/useApi';
import { useServerEvents } from '../api/useServerEvents';
import { EmptyState } from '../components/EmptyState';
import { ErrorState } from '../components/ErrorState';
import { LoadingState } from '../components/LoadingState';
import { StatusBadge } from '../components/StatusBadge';
import { formatAgo, formatDateTime, formatDuration, isRunActive, spanMs } from '../format';
import { useNow } from '../hooks/useNow';
import { runHref } from '../routing/route';

export function RunsPage() {
  const { data, error, reload } = useApi<RunsResponse>('/api/runs');
  const [live, setLive] = useState<ReadonlyMap<string, RunSummary>>(new Map());

  useServerEvents((message) => {
    if (message.kind === 'run-status') setLive((current) => new Map(current).set(message.run.id, message.run));
    else if (message.kind === 'open') reload();
  });

  const runs = useMemo(() => {
    const byId = new Map((data?.runs ?? []).map((r) => [r.id, r]));
    for (const [id, run] of live) byId.set(id, run);
    return [...byId.values()].sort((a, b) => (a.createdAt < b.createdAt ? 1 : a.createdAt > b.createdAt ? -1 : 0));
  }, [data, live]);
  const now = useNow(runs.some(isRunActive));

  if (error && !data) return <ErrorState title="Could not load runs" error={error} onRetry={reload} />;
  if (!data) return <LoadingState label="Loading runs…" />;

  return (
    <div className="page">
      <header className="page-header">
        <h1>Runs</h1>
      </header>
      {runs.length === 0 ? (
        <EmptyState title="No runs yet">
          <p>
            Open an asset and click <strong>Materialize</strong>, or run <code>sluice materialize</code>.
          </p>
        </EmptyState>
      ) : (
        <div className="card card-flush">
          <table className="data-table runs-table">
            <thead>
              <tr>
                <th>Status</th>
                <th>Run</th>
                <th>Selection</th>
                <th className="cell-number">Assets</th>
                <th>Created</th>
                <th className="cell-number">Duration</th>
              </tr>
            </thead>
            <tbody>
              {runs.map((run) => (
                <tr key={run.id}>
                  <td>
                    <StatusBadge status={run.status} />
                  </td>
                  <td>
                    <a className="mono" href={runHref(run.id)}>
                      {run.id}
                    </a>
                  </td>
                  <td className="mono">{run.selection || '*'}</td>
                  <td className="cell-number">{run.assetKeys.length}</td>
                  <td title={formatDateTime(run.createdAt)}>{formatAgo(run.createdAt, now)}</td>
                  <td className="cell-number">{formatDuration(spanMs(run.startedAt, run.endedAt, now))}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}
