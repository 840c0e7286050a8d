// A coloured pill for asset, run and step statuses; the colour always comes with a word.
import type { AssetStatus, RunStatus, StepStatus } from '../../../src/server/api-types';

type AnyStatus = AssetStatus | RunStatus | StepStatus;

const LABELS: Partial<Record<AnyStatus, string>> = {
  never: 'never materialized',
  not_executed: 'not executed',
  started: 'running',
};

export function StatusBadge({ status }: { status: AnyStatus }) {
  return <span className={`badge status-${status}`}>{LABELS[status] ?? status}</span>;
}
