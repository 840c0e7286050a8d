// One run: status, per-asset timeline, live event log, and Cancel / Re-execute.
import { useMemo, useState } from 'react';
import type { LaunchRunResponse, RunDetailResponse, RunEvent, RunSummary } from '../../../src/server/api-types';
import { ApiError, postJson } from '../api/client';
import { useApi } from '../api/useApi';
import { useServerEvents } from '../api/useServerEvents';
import { ErrorState } from '../components/ErrorState';
import { EventLog } from '../components/EventLog';
import { LoadingState } from '../components/LoadingState';
import { RunGantt } from '../components/RunGantt';
import { StatusBadge } from '../components/StatusBadge';
import { formatDateTime, formatDuration, isRunActive, spanMs } from '../format';
import { useCoalescedCallback } from '../hooks/useCoalescedCallback';
import { useNow } from '../hooks/useNow';
import { assetHref, runHref, runsHref } from '../routing/route';
import { navigate } from '../routing/useRoute';

export function RunPage({ runId }: { runId: string }) {
  const detail = useApi<RunDetailResponse>(`/api/runs/${encodeURIComponent(runId)}`);
  const [liveEvents, setLiveEvents] = useState<RunEvent[]>([]);
  const [liveRun, setLiveRun] = useState<RunSummary>();
  const [action, setAction] = useState<'cancel' | 'reexecute'>();
  const [actionError, setActionError] = useState<string>();

  // Steps are only in the detail, so refetch it (coalesced) as events arrive; events themselves append at once.
  const refreshSteps = useCoalescedCallback(detail.reload, 500);
  useServerEvents((message) => {
    if (message.kind === 'run-event' && message.event.runId === runId) {
      setLiveEvents((current) => [...current, message.event]);
      refreshSteps();
    } else if (message.kind === 'run-status' && message.run.id === runId) {
      setLiveRun(message.run);
      refreshSteps();
    } else if (message.kind === 'open') {
      refreshSteps();
    }
  });

  const events = useMemo(() => {
    const byId = new Map<number, RunEvent>();
    for (const e of detail.data?.events ?? []) byId.set(e.id, e);
    for (const e of liveEvents) byId.set(e.id, e);
    return [...byId.values()].sort((a, b) => a.id - b.id);
  }, [detail.data, liveEvents]);

  const run = pickNewer(detail.data?.run, liveRun);
  const active = run ? isRunActive(run) : false;
  const now = useNow(active, 250);

  if (detail.error && !detail.data) {
    return (
      <div className="page">
        <ErrorState
          title={detail.error.status === 404 ? `No run with id ${runId}` : 'Could not load the run'}
          error={detail.error}
          onRetry={detail.error.status === 404 ? undefined : detail.reload}
        />
        <p className="centered">
          <a href={runsHref()}>All runs</a>
        </p>
      </div>
    );
  }
  if (!detail.data || !run) return <LoadingState label="Loading run…" />;

  const act = async (kind: 'cancel' | 'reexecute'): Promise<void> => {
    setAction(kind);
    setActionError(undefined);
    try {
      if (kind === 'cancel') {
        await postJson<unknown>(`/api/runs/${encodeURIComponent(run.id)}/cancel`);
        detail.reload();
      } else {
        const { runId: next } = await postJson<LaunchRunResponse>(`/api/runs/${encodeURIComponent(run.id)}/reexecute`);
        navigate(runHref(next));
      }
    } catch (cause) {
      setActionError(cause instanceof ApiError ? `${cause.message} (${cause.code})` : String(cause));
    } finally {
      setAction(undefined);
    }
  };

  const failedSteps = detail.data.steps.filter((s) => s.status === 'failed');
  return (
    <div className="page run-page">
      <header className="page-header">
        <div>
          <p className="breadcrumb">
            <a href={runsHref()}>Runs</a>
          </p>
          <h1>
            Run <span className="mono">{run.id}</span>
          </h1>
          <div className="header-badges">
            <StatusBadge status={run.status} />
            <span className="muted">
              <code>{run.selection || '*'}</code> · {run.assetKeys.length} assets · started {formatDateTime(run.startedAt ?? run.createdAt)} ·{' '}
              {formatDuration(spanMs(run.startedAt, run.endedAt, now))}
            </span>
          </div>
        </div>
        <div className="header-actions">
          <button type="button" className="button button-danger" disabled={!active || action !== undefined} onClick={() => void act('cancel')}>
            {action === 'cancel' ? 'Canceling…' : 'Cancel'}
          </button>
          <button
            type="button"
            className="button button-primary"
            disabled={active || action !== undefined}
            title={run.status === 'failed' ? 'Run the failed and not-executed assets again' : 'Run the same selection again'}
            onClick={() => void act('reexecute')}
          >
            {action === 'reexecute' ? 'Launching…' : run.status === 'failed' ? 'Re-execute from failure' : 'Re-execute'}
          </button>
        </div>
      </header>
      {actionError && (
        <p className="inline-error" role="alert">
          {actionError}
        </p>
      )}
      {run.error && (
        <section className="card card-error" role="alert">
          <h2>{run.error.name}</h2>
          <p className="error-message">{run.error.message}</p>
          {run.error.code && <code>{run.error.code}</code>}
        </section>
      )}
      {failedSteps.map((s) => (
        <section key={s.assetKey} className="card card-error">
          <h2>
            <a href={assetHref(s.assetKey)}>{s.assetKey}</a> failed
          </h2>
          <pre className="error-message">{s.error ?? 'No error message recorded.'}</pre>
        </section>
      ))}
      <section className="card">
        <h2>Timeline</h2>
        <RunGantt steps={detail.data.steps} runStartedAt={run.startedAt} now={now} />
      </section>
      <section className="card">
        <h2>Events</h2>
        <EventLog events={events} />
      </section>
    </div>
  );
}

const STATUS_ORDER = { queued: 0, started: 1, succeeded: 2, failed: 2, canceled: 2 } as const;

/** The fetched run or the streamed one, whichever has progressed further. */
function pickNewer(fetched: RunSummary | undefined, streamed: RunSummary | undefined): RunSummary | undefined {
  if (!fetched || !streamed || streamed.id !== fetched.id) return fetched ?? streamed;
  return STATUS_ORDER[streamed.status] >= STATUS_ORDER[fetched.status] ? streamed : fetched;
}
