// The latest result of each check on an asset: what failed, how badly, and a sample of the failing rows.
import { useState } from 'react';
import type { CheckResultView, CheckSummary } from '../../../src/server/api-types';
import { formatAgo, formatCell, formatCount, formatDateTime } from '../format';
import { runHref } from '../routing/route';

function outcome(result: CheckResultView): 'passed' | 'warned' | 'failed' | 'error' {
  if (result.error) return 'error';
  if (result.passed) return 'passed';
  return result.severity === 'warn' ? 'warned' : 'failed';
}

const ORDER = { error: 0, failed: 1, warned: 2, passed: 3 } as const;

export function CheckResults({ results, summary }: { results: CheckResultView[] | undefined; summary: CheckSummary }) {
  const [open, setOpen] = useState<string | null>(null);
  if (!results || results.length === 0) {
    if (summary.passed + summary.warned + summary.failed === 0) {
      return <p className="muted">No checks on this asset. Attach not_null, unique, accepted values or custom SQL checks where it is defined.</p>;
    }
    return (
      <p>
        {summary.passed} passed · {summary.warned} warned · {summary.failed} failed
      </p>
    );
  }
  const sorted = [...results].sort((a, b) => ORDER[outcome(a)] - ORDER[outcome(b)] || a.checkName.localeCompare(b.checkName));
  return (
    <div className="table-scroll">
      <table className="data-table checks-table">
        <thead>
          <tr>
            <th>Result</th>
            <th>Check</th>
            <th>Severity</th>
            <th className="cell-number">Failing rows</th>
            <th>Checked</th>
          </tr>
        </thead>
        <tbody>
          {sorted.map((r) => {
            const result = outcome(r);
            const hasSample = r.sampleFailing.length > 0;
            const isOpen = open === r.checkName;
            return (
              <CheckRow key={r.checkName} result={r} outcome={result} open={isOpen} hasSample={hasSample} onToggle={() => setOpen(isOpen ? null : r.checkName)} />
            );
          })}
        </tbody>
      </table>
    </div>
  );
}

function CheckRow({
  result: r,
  outcome: result,
  open,
  hasSample,
  onToggle,
}: {
  result: CheckResultView;
  outcome: ReturnType<typeof outcome>;
  open: boolean;
  hasSample: boolean;
  onToggle: () => void;
}) {
  const sampleColumns = hasSample ? Object.keys(r.sampleFailing[0] ?? {}) : [];
  return (
    <>
      <tr className={`check-row check-row-${result}`}>
        <td>
          <span className={`badge check-outcome-${result}`}>{result}</span>
        </td>
        <td>
          <span className="mono">{r.checkName}</span> <span className="muted small">{r.checkType}</span>
          {r.error && <div className="error-message">{r.error}</div>}
        </td>
        <td className="nowrap">
          {r.severity}
          {r.blocking ? <span className="muted small"> · blocking</span> : null}
        </td>
        <td className="cell-number">
          {r.passed ? '0' : `${formatCount(r.failingCount)} of ${formatCount(r.totalCount)} (${r.failingPercent.toFixed(r.failingPercent < 1 ? 2 : 1)}%)`}
          {hasSample && (
            <button type="button" className="link-button" onClick={onToggle} aria-expanded={open}>
              {open ? 'hide rows' : 'show rows'}
            </button>
          )}
        </td>
        <td className="nowrap" title={formatDateTime(r.createdAt)}>
          {formatAgo(r.createdAt)} · <a href={runHref(r.runId)}>{r.stage === 'staged' ? 'in run' : 'by sluice check'}</a>
        </td>
      </tr>
      {open && (
        <tr className="check-sample">
          <td colSpan={5}>
            <table className="data-table">
              <thead>
                <tr>
                  {sampleColumns.map((c) => (
                    <th key={c}>{c}</th>
                  ))}
                </tr>
              </thead>
              <tbody>
                {r.sampleFailing.map((row, i) => (
                  <tr key={i}>
                    {sampleColumns.map((c) => (
                      <td key={c} className="mono small">
                        {formatCell(row[c])}
                      </td>
                    ))}
                  </tr>
                ))}
              </tbody>
            </table>
          </td>
        </tr>
      )}
    </>
  );
}
