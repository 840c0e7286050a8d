// Every check of the project, worst first, filtered by asset, group, severity and state; a check's history and failing rows.
import { useMemo, useState } from 'react';
import type { CheckHistoryResponse, CheckOverviewRow, CheckState, ChecksOverviewResponse } from '../../../src/server/views/checks-overview';
import { checkOutcome, OUTCOME_LABELS } from '../api/check-outcome';
import { useApi } from '../api/useApi';
import { useServerEvents } from '../api/useServerEvents';
import { EmptyState } from '../components/EmptyState';
import { ErrorState } from '../components/ErrorState';
import { LoadingState } from '../components/LoadingState';
import { SampleTable } from '../components/SampleTable';
import { formatAgo, formatCount, formatDateTime, formatNumber } from '../format';
import { useCoalescedCallback } from '../hooks/useCoalescedCallback';
import { assetHref, runHref } from '../routing/route';

const STATES: readonly CheckState[] = ['errored', 'failed', 'warned', 'not_run', 'passed'];
const STATE_LABELS: Readonly<Record<CheckState, string>> = {
  errored: 'could not run',
  failed: 'failed',
  warned: 'warned',
  not_run: 'not run yet',
  passed: 'passed',
};

export function ChecksPage({ asset }: { asset: string | null }) {
  const { data, error, reload } = useApi<ChecksOverviewResponse>('/api/checks');
  const refresh = useCoalescedCallback(reload, 500);
  useServerEvents((message) => {
    if ((message.kind === 'run-status' && ['succeeded', 'failed', 'canceled'].includes(message.run.status)) || message.kind === 'open') refresh();
  });
  const [filters, setFilters] = useState({ asset: asset ?? '', group: '', severity: '', state: '' });
  const [open, setOpen] = useState<string | null>(null);
  const checks = data?.checks ?? [];
  const groups = useMemo(() => [...new Set(checks.map((c) => c.group))].sort(), [checks]);
  const shown = checks.filter(
    (c) =>
      (!filters.asset || c.assetKey.includes(filters.asset.toLowerCase())) &&
      (!filters.group || c.group === filters.group) &&
      (!filters.severity || c.severity === filters.severity) &&
      (!filters.state || c.state === filters.state),
  );
  const set = (field: keyof typeof filters) => (e: { target: { value: string } }) => setFilters((f) => ({ ...f, [field]: e.target.value }));

  if (error && !data) return <ErrorState title="Could not load checks" error={error} onRetry={reload} />;
  if (!data) return <LoadingState label="Loading checks…" />;
  const counts = STATES.map((s) => [s, checks.filter((c) => c.state === s).length] as const).filter(([, n]) => n > 0);
  return (
    <div className="page">
      <header className="page-header">
        <div>
          <h1>Checks</h1>
          <p className="muted small">{counts.map(([s, n]) => `${n} ${STATE_LABELS[s]}`).join(' · ') || 'No checks defined'}</p>
        </div>
      </header>
      <div className="filters" role="search">
        <input type="search" placeholder="Asset" aria-label="Filter by asset" value={filters.asset} onChange={set('asset')} />
        <select aria-label="Filter by group" value={filters.group} onChange={set('group')}>
          <option value="">all groups</option>
          {groups.map((g) => (
            <option key={g}>{g}</option>
          ))}
        </select>
        <select aria-label="Filter by severity" value={filters.severity} onChange={set('severity')}>
          <option value="">any severity</option>
          <option value="error">error</option>
          <option value="warn">warn</option>
        </select>
        <select aria-label="Filter by state" value={filters.state} onChange={set('state')}>
          <option value="">any state</option>
          {STATES.map((s) => (
            <option key={s} value={s}>
              {STATE_LABELS[s]}
            </option>
          ))}
        </select>
      </div>
      {shown.length === 0 ? (
        <EmptyState title={checks.length === 0 ? 'No checks in this project' : 'No check matches the filters'}>
          <p>{checks.length === 0 ? 'Attach checks to assets (checks: [...]) or in defineProject({ checks }).' : 'Clear a filter to see more.'}</p>
        </EmptyState>
      ) : (
        <div className="card card-flush">
          <table className="data-table checks-overview">
            <colgroup>
              <col className="col-result" />
              <col className="col-asset" />
              <col />
              <col className="col-severity" />
              <col className="col-failing" />
              <col className="col-checked" />
            </colgroup>
            <thead>
              <tr>
                <th>Result</th>
                <th>Asset</th>
                <th>Check</th>
                <th>Severity</th>
                <th className="cell-number">Failing rows</th>
                <th>Checked</th>
              </tr>
            </thead>
            <tbody>
              {shown.map((c) => {
                const id = `${c.assetKey}\u0000${c.name}`;
                return <CheckRow key={id} check={c} open={open === id} onToggle={() => setOpen(open === id ? null : id)} />;
              })}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}

function CheckRow({ check: c, open, onToggle }: { check: CheckOverviewRow; open: boolean; onToggle: () => void }) {
  const r = c.latest;
  const outcome = checkOutcome(c);
  return (
    <>
      <tr className={`check-row check-row-${outcome}`} data-check={`${c.assetKey}:${c.name}`}>
        <td>
          <span className={`badge check-outcome-${outcome}`}>{OUTCOME_LABELS[outcome]}</span>
        </td>
        <td>
          <a className="mono" href={assetHref(c.assetKey)}>
            {c.assetKey}
          </a>
          <div className="muted small">{c.group}</div>
        </td>
        <td>
          <button type="button" className="link-button check-name" onClick={onToggle} aria-expanded={open}>
            {c.name}
          </button>
          <div className="check-assertion mono small">{c.assertion}</div>
          {r?.error && <div className="error-message">{r.error}</div>}
        </td>
        <td className="nowrap">
          {c.severity}
          {c.blocking ? <span className="muted small"> · blocking</span> : null}
        </td>
        <td className="cell-number">
          {r ? (r.passed ? '0' : `${formatCount(r.failingCount)} of ${formatCount(r.totalCount)} (${formatNumber(r.failingPercent)}%)`) : '–'}
        </td>
        <td className="nowrap" title={r ? formatDateTime(r.createdAt) : undefined}>
          {r ? (
            <>
              {formatAgo(r.createdAt)} · <a href={runHref(r.runId)}>run</a>
            </>
          ) : (
            <span className="muted">never</span>
          )}
        </td>
      </tr>
      {open && (
        <tr className="check-sample">
          <td colSpan={6}>
            <CheckDetail check={c} />
          </td>
        </tr>
      )}
    </>
  );
}

function CheckDetail({ check: c }: { check: CheckOverviewRow }) {
  const history = useApi<CheckHistoryResponse>(`/api/checks/history?asset=${encodeURIComponent(c.assetKey)}&check=${encodeURIComponent(c.name)}`);
  const samples = c.latest?.sampleFailing ?? [];
  return (
    <div className="check-detail">
      {samples.length > 0 && (
        <>
          <h3>Failing rows (latest result)</h3>
          <SampleTable rows={samples} />
        </>
      )}
      <h3>History</h3>
      {history.error ? (
        <ErrorState title="Could not load the history" error={history.error} onRetry={history.reload} />
      ) : !history.data ? (
        <LoadingState label="Loading history…" />
      ) : history.data.results.length === 0 ? (
        <p className="muted small">No result yet.</p>
      ) : (
        <div className="history-strip" aria-label="Results, newest first">
          {history.data.results.map((r, i) => (
            <a
              key={`${r.runId}-${i}`}
              href={runHref(r.runId)}
              className={`history-cell ${r.error ? 'check-outcome-error' : r.passed ? 'check-outcome-passed' : r.severity === 'warn' ? 'check-outcome-warned' : 'check-outcome-failed'}`}
              title={`${formatDateTime(r.createdAt)}: ${r.passed ? 'passed' : `${formatCount(r.failingCount)} failing (${formatNumber(r.failingPercent)}%)`}${r.error ? ` – ${r.error}` : ''}`}
            >
              {r.passed ? '✓' : '✗'}
            </a>
          ))}
        </div>
      )}
    </div>
  );
}
