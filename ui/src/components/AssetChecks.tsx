// Every check defined on an asset: what it asserts, and its latest result (how badly it failed, sample rows) or "not run yet".
import { useState } from 'react';
import type { AssetCheckView, CheckResultView } from '../../../src/server/api-types';
import { checkOutcome, OUTCOME_LABELS, sortChecks, thresholdText, type CheckOutcome } from '../api/check-outcome';
import { formatAgo, formatCount, formatDateTime, formatNumber, formatValue } from '../format';
import { runHref } from '../routing/route';

export function AssetChecks({ assetKey, checks }: { assetKey: string; checks: AssetCheckView[] }) {
  const [open, setOpen] = useState<string | null>(null);
  if (checks.length === 0) {
    return <p className="muted">No checks on this asset. Attach not_null, unique, accepted values or custom SQL checks where it is defined.</p>;
  }
  const notRun = checks.filter((c) => c.latest === null).length;
  return (
    <>
      {notRun > 0 && (
        <p className="muted small">
          {notRun === checks.length ? 'No check has run yet' : `${notRun} of ${checks.length} checks have not run yet`}: checks run when the asset is
          materialized, or on the published table with <code>sluice check --select {assetKey}</code>.
        </p>
      )}
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
            {sortChecks(checks).map((check) => {
              const isOpen = open === check.name;
              return (
                <CheckRow key={check.name} check={check} outcome={checkOutcome(check)} open={isOpen} onToggle={() => setOpen(isOpen ? null : check.name)} />
              );
            })}
          </tbody>
        </table>
      </div>
    </>
  );
}

function CheckRow({ check, outcome, open, onToggle }: { check: AssetCheckView; outcome: CheckOutcome; open: boolean; onToggle: () => void }) {
  const r = check.latest;
  const hasSample = r !== null && r.sampleFailing.length > 0;
  const tolerance = thresholdText(check.threshold);
  return (
    <>
      <tr className={`check-row check-row-${outcome}`} data-check={check.name}>
        <td>
          <span className={`badge check-outcome-${outcome}`}>{OUTCOME_LABELS[outcome]}</span>
        </td>
        <td>
          <span className="mono">{check.name}</span> <span className="muted small">{check.type}</span>
          <div className="check-assertion mono small">{check.assertion}</div>
          {check.description && <div className="muted small">{check.description}</div>}
          {tolerance && <div className="muted small">{tolerance}</div>}
          {r?.error && <div className="error-message">{r.error}</div>}
        </td>
        <td className="nowrap">
          {check.severity}
          {check.blocking ? <span className="muted small"> · blocking</span> : null}
        </td>
        <td className="cell-number">
          {r ? <FailingRows result={r} /> : <span className="muted">–</span>}
          {hasSample && (
            <button type="button" className="link-button" onClick={onToggle} aria-expanded={open}>
              {open ? 'hide rows' : 'show rows'}
            </button>
          )}
        </td>
        <td className="nowrap" title={r ? formatDateTime(r.createdAt) : undefined}>
          {r ? (
            <>
              {formatAgo(r.createdAt)} · <a href={runHref(r.runId)}>{r.stage === 'staged' ? 'in run' : 'by sluice check'}</a>
            </>
          ) : (
            <span className="muted">never</span>
          )}
        </td>
      </tr>
      {open && r && <SampleRows result={r} />}
    </>
  );
}

function FailingRows({ result: r }: { result: CheckResultView }) {
  if (r.passed) return <>0</>;
  return <>{`${formatCount(r.failingCount)} of ${formatCount(r.totalCount)} (${formatNumber(r.failingPercent)}%)`}</>;
}

function SampleRows({ result: r }: { result: CheckResultView }) {
  const columns = Object.keys(r.sampleFailing[0] ?? {});
  return (
    <tr className="check-sample">
      <td colSpan={5}>
        <table className="data-table">
          <thead>
            <tr>
              {columns.map((c) => (
                <th key={c}>{c}</th>
              ))}
            </tr>
          </thead>
          <tbody>
            {r.sampleFailing.map((row, i) => (
              <tr key={i}>
                {columns.map((c) => (
                  <td key={c} className="mono small">
                    {formatValue(row[c])}
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </td>
    </tr>
  );
}
