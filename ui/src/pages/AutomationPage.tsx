// Every schedule, sensor and asset condition: on/off, next tick, the last decisions with their reasons, the runs they launched.
import { useMemo, useState } from 'react';
import type { RunSummary } from '../../../src/server/api-types';
import type { AutomationResponse, AutomationSummary } from '../../../src/server/routes/automation';
import type { NextTicksResponse } from '../../../src/server/routes/automation-ticks-routes';
import type { EvaluationRecord } from '../../../src/store/metadata-store';
import { ApiError, postJson } from '../api/client';
import { useApi } from '../api/useApi';
import { useServerEvents } from '../api/useServerEvents';
import { EmptyState } from '../components/EmptyState';
import { ErrorState } from '../components/ErrorState';
import { LoadingState } from '../components/LoadingState';
import { StatusBadge } from '../components/StatusBadge';
import { usePoll } from '../components/usePoll';
import { formatAgo, formatDateTime } from '../format';
import { useCoalescedCallback } from '../hooks/useCoalescedCallback';
import { assetHref, runHref } from '../routing/route';

const TICKS_SHOWN = 5;

export function AutomationPage() {
  const automation = useApi<AutomationResponse>('/api/automation');
  const ticks = useApi<NextTicksResponse>('/api/automation/next-ticks');
  const evaluations = useApi<{ evaluations: EvaluationRecord[] }>('/api/automation/evaluations?limit=300');
  const [runs, setRuns] = useState<ReadonlyMap<string, RunSummary>>(new Map());

  const refresh = useCoalescedCallback(() => {
    automation.reload();
    evaluations.reload();
    ticks.reload();
  }, 250);
  // Decisions are recorded every second by the daemon; runs they launched are followed live from the stream.
  usePoll(refresh, 2000);
  useServerEvents((message) => {
    if (message.kind === 'run-status') {
      setRuns((current) => new Map(current).set(message.run.id, message.run));
      refresh();
    } else if (message.kind === 'open') refresh();
  });

  const byName = useMemo(() => {
    const map = new Map<string, EvaluationRecord[]>();
    for (const e of evaluations.data?.evaluations ?? []) map.set(e.name, [...(map.get(e.name) ?? []), e]);
    return map;
  }, [evaluations.data]);

  if (automation.error && !automation.data) return <ErrorState title="Could not load automation" error={automation.error} onRetry={automation.reload} />;
  if (!automation.data) return <LoadingState label="Loading automation…" />;
  const { daemonRunning, automations } = automation.data;

  return (
    <div className="page">
      <header className="page-header">
        <div>
          <h1>Automation</h1>
          <p className="muted small">
            {daemonRunning
              ? 'The automation daemon runs in this server; decisions appear as they are made.'
              : 'No daemon runs in this server: nothing is evaluated until `sluice dev` or `sluice daemon` runs one.'}
          </p>
        </div>
      </header>
      {automations.length === 0 ? (
        <EmptyState title="No schedules, sensors or conditions">
          <p>
            Add <code>schedules</code> or <code>sensors</code> to the project, or an <code>automation</code> condition to an asset.
          </p>
        </EmptyState>
      ) : (
        automations.map((entry) => (
          <AutomationCard
            key={entry.name}
            entry={entry}
            next={ticks.data?.next[entry.name]}
            evaluations={byName.get(entry.name) ?? []}
            runs={runs}
            onSwitched={refresh}
          />
        ))
      )}
    </div>
  );
}

function AutomationCard({
  entry,
  next,
  evaluations,
  runs,
  onSwitched,
}: {
  entry: AutomationSummary;
  next: NextTicksResponse['next'][string] | undefined;
  evaluations: EvaluationRecord[];
  runs: ReadonlyMap<string, RunSummary>;
  onSwitched: () => void;
}) {
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const toggle = (): void => {
    setPending(true);
    setError(null);
    postJson('/api/automation/switch', { name: entry.name, enabled: !entry.enabled })
      .then(onSwitched, (cause: unknown) => setError(cause instanceof ApiError ? cause.message : String(cause)))
      .finally(() => setPending(false));
  };
  const shown = evaluations.slice(0, TICKS_SHOWN);
  return (
    <section className="card automation-card" data-automation={entry.name}>
      <div className="automation-head">
        <div>
          <span className="badge badge-neutral">{entry.kind === 'asset' ? 'condition' : entry.kind}</span>{' '}
          {entry.kind === 'asset' ? (
            <a className="mono automation-name" href={assetHref(entry.name)}>
              {entry.name}
            </a>
          ) : (
            <span className="mono automation-name">{entry.name}</span>
          )}
          <div className="muted small mono">{entry.detail}</div>
        </div>
        <label className="switch">
          <input type="checkbox" role="switch" checked={entry.enabled} disabled={pending} onChange={toggle} aria-label={`${entry.name} on`} />
          <span>{entry.enabled ? 'on' : 'off'}</span>
        </label>
      </div>
      <dl className="facts facts-inline">
        <dt>Next tick</dt>
        <dd>{next ? next.at ? <span title={next.at}>{formatDateTime(next.at)}</span> : next.trigger : '–'}</dd>
        <dt>Last tick</dt>
        <dd>{entry.state?.lastTickAt ? <span title={entry.state.lastTickAt}>{formatAgo(entry.state.lastTickAt)}</span> : 'never'}</dd>
        {entry.state?.lastRunId && (
          <>
            <dt>Last run</dt>
            <dd>
              <a className="mono" href={runHref(entry.state.lastRunId)}>
                {entry.state.lastRunId}
              </a>
            </dd>
          </>
        )}
      </dl>
      {error && <p className="inline-error">{error}</p>}
      {shown.length === 0 ? (
        <p className="muted small">No decision recorded yet.</p>
      ) : (
        <table className="data-table ticks-table">
          <thead>
            <tr>
              <th>When</th>
              <th>Decision</th>
              <th>Reason</th>
              <th>Run</th>
            </tr>
          </thead>
          <tbody>
            {shown.map((e) => (
              <tr key={e.id} className={e.launched ? 'tick tick-launched' : isError(e) ? 'tick tick-error' : 'tick tick-skipped'}>
                <td className="nowrap" title={formatDateTime(e.ts)}>
                  {formatAgo(e.ts)}
                </td>
                <td>
                  <span className={`badge ${e.launched ? 'status-running' : isError(e) ? 'status-failed' : 'badge-neutral'}`}>
                    {e.launched ? 'launched' : isError(e) ? 'error' : 'skipped'}
                  </span>
                </td>
                <td className="tick-reason">{e.reason}</td>
                <td className="nowrap">
                  {e.runId ? (
                    <>
                      <a className="mono" href={runHref(e.runId)}>
                        {e.runId.slice(0, 8)}
                      </a>{' '}
                      {runs.get(e.runId) && <StatusBadge status={runs.get(e.runId)!.status} />}
                    </>
                  ) : (
                    <span className="muted">–</span>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

/** A decision that reports a failure: a run that could not start, or a launched run that failed. */
function isError(e: EvaluationRecord): boolean {
  return !e.launched && /could not start|failed|error/i.test(e.reason);
}
