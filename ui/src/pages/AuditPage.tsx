// The audit log (admins only): sign-ins, failed authentications, denials, data reads and changes, newest first.
import { useState } from 'react';
import type { AuditEntry } from '../../../src/store/access-store';
import { useApi } from '../api/useApi';
import { EmptyState } from '../components/EmptyState';
import { ErrorState } from '../components/ErrorState';
import { LoadingState } from '../components/LoadingState';
import { formatDateTime } from '../format';

export function AuditPage() {
  const [user, setUser] = useState('');
  const [deniedOnly, setDeniedOnly] = useState(false);
  const params = new URLSearchParams({ limit: '500' });
  if (user.trim()) params.set('user', user.trim());
  if (deniedOnly) params.set('denied', 'true');
  const { data, error, reload } = useApi<{ entries: AuditEntry[] }>(`/api/audit?${params.toString()}`);

  if (error && !data) return <ErrorState title="Could not load the audit log" error={error} onRetry={reload} />;

  return (
    <div className="page">
      <header className="page-header">
        <h1>Audit log</h1>
        <div className="toolbar">
          <label>
            Principal <input type="search" value={user} onChange={(e) => setUser(e.target.value)} placeholder="any" aria-label="Principal" />
          </label>
          <label>
            <input type="checkbox" checked={deniedOnly} onChange={(e) => setDeniedOnly(e.target.checked)} /> Denied only
          </label>
          <button type="button" className="button" onClick={reload}>
            Refresh
          </button>
        </div>
      </header>
      {!data ? (
        <LoadingState label="Loading the audit log…" />
      ) : data.entries.length === 0 ? (
        <EmptyState title="No entries">
          <p>Nothing matches these filters yet.</p>
        </EmptyState>
      ) : (
        <div className="card card-flush">
          <table className="data-table audit-table">
            <thead>
              <tr>
                <th>Time</th>
                <th>Principal</th>
                <th>Outcome</th>
                <th>Action</th>
                <th>Resource</th>
                <th className="cell-number">Rows</th>
                <th>Client</th>
                <th>Query / detail</th>
              </tr>
            </thead>
            <tbody>
              {data.entries.map((entry) => (
                <tr key={entry.id} className={entry.allowed ? undefined : 'audit-denied'}>
                  <td>{formatDateTime(entry.at)}</td>
                  <td>{entry.principal ?? '—'}</td>
                  <td>{entry.allowed ? 'allowed' : `denied (${entry.status})`}</td>
                  <td>
                    <code>{entry.action}</code>
                  </td>
                  <td>
                    <code>{entry.resource}</code>
                  </td>
                  <td className="cell-number">{entry.rows ?? ''}</td>
                  <td>{entry.client ?? ''}</td>
                  <td className="audit-detail">{entry.query ?? entry.detail ?? ''}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}
