// What schedules, sensors and conditions share: the project, launching runs, persisted state, the clock; and the list of all automations.
import type { AutomationCondition } from '../model/asset-definition.js';
import type { MaterializeResult, Sluice } from '../runtime/sluice.js';
import type { LoadedProject } from '../runtime/project-loader.js';
import type { AutomationCursorUpdate, AutomationKind, AutomationState, NewEvaluation } from '../store/metadata-store.js';

/** A run the daemon wants started. */
export interface LaunchRequest {
  select: string;
  partition?: string;
}

/** A started run and its outcome. */
export interface LaunchedRun {
  runId: string;
  /** Settles when the run ends; rejects when it could not start (a bad selection). */
  done: Promise<MaterializeResult>;
}

/** The services a schedule or sensor runs with (the daemon provides them). */
export interface AutomationContext {
  readonly sluice: Sluice;
  launch(request: LaunchRequest): Promise<LaunchedRun>;
  isEnabled(name: string): boolean;
  state(name: string): AutomationState | undefined;
  saveState(name: string, kind: AutomationKind, update: AutomationCursorUpdate): Promise<void>;
  record(evaluation: NewEvaluation): Promise<void>;
  log(line: string): void;
  now(): Date;
}

/** One schedule, sensor or asset condition, as `sluice automation list` shows it. */
export interface AutomationEntry {
  /** Schedule or sensor name, or the asset key for conditions. */
  name: string;
  kind: AutomationKind;
  /** What it does, e.g. `cron 0 3 * * * (America/New_York) -> group:dim_ingestion`. */
  detail: string;
  /** Whether it runs when nobody switched it. */
  enabledByDefault: boolean;
}

/**
 * Every schedule, sensor and asset with conditions in a project, in a stable order.
 * @example automationEntries(project).map((e) => e.name) // ['dimensions_nightly', 'flight_events', 'gold/region_monthly_summary']
 */
export function automationEntries(project: LoadedProject): AutomationEntry[] {
  const { schedules = [], sensors = [] } = project.definition;
  const entries: AutomationEntry[] = [];
  for (const s of schedules) {
    const policy = s.missedTicks ?? 'latest';
    entries.push({
      name: s.name,
      kind: 'schedule',
      detail: `cron "${s.cron}" ${s.timezone ?? 'UTC'}, missed ticks: ${policy} -> ${s.select}`,
      enabledByDefault: s.enabled ?? true,
    });
  }
  for (const s of sensors) {
    const input =
      s.type === 'file'
        ? `files ${s.path}/${s.pattern ?? '*'}`
        : `events POST /api/events/${s.source}${s.nats ? ` + NATS stream ${s.nats.stream}` : ''} -> landing.${s.source}`;
    entries.push({ name: s.name, kind: 'sensor', detail: `${input} -> ${s.select}`, enabledByDefault: s.enabled ?? true });
  }
  for (const key of project.graph.order) {
    const conditions = project.graph.require(key).definition.automation;
    if (!conditions || conditions.length === 0) continue;
    entries.push({ name: key, kind: 'asset', detail: conditions.map(describeCondition).join(' or '), enabledByDefault: true });
  }
  return entries;
}

function describeCondition(condition: AutomationCondition): string {
  switch (condition.type) {
    case 'upstream_changed':
      return `on any upstream change${condition.minIntervalSeconds ? ` (at most every ${condition.minIntervalSeconds} s)` : ''}`;
    case 'missing':
      return 'when missing';
    case 'fresh_within':
      return `fresh within ${condition.minutes} min`;
    case 'cron':
      return `on cron "${condition.cron}" ${condition.timezone ?? 'UTC'}`;
  }
}
