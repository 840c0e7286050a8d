// Failed and warned check counts at a glance; nothing is drawn when every check passed.
import type { CheckSummary } from '../../../src/server/api-types';

export function ChecksBadge({ checks, showPassed = false }: { checks: CheckSummary; showPassed?: boolean }) {
  const parts = [];
  if (checks.failed > 0)
    parts.push(
      <span key="f" className="check-count check-failed" title={`${checks.failed} failed checks`}>
        ✕ {checks.failed}
      </span>,
    );
  if (checks.warned > 0)
    parts.push(
      <span key="w" className="check-count check-warned" title={`${checks.warned} warned checks`}>
        ! {checks.warned}
      </span>,
    );
  if (showPassed && checks.passed > 0)
    parts.push(
      <span key="p" className="check-count check-passed" title={`${checks.passed} passed checks`}>
        ✓ {checks.passed}
      </span>,
    );
  if (parts.length === 0) return null;
  return <span className="checks-badge">{parts}</span>;
}
