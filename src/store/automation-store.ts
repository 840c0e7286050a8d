// The automation role of the metadata store: schedule/sensor/condition state and the daemon's decisions.

/** What the automation daemon runs: schedules, sensors and per-asset conditions (named by asset key). */
export type AutomationKind = 'schedule' | 'sensor' | 'asset';

/** Persisted state of one schedule, sensor or asset condition; it survives daemon restarts. */
export interface AutomationState {
  name: string;
  kind: AutomationKind;
  /** Set by `sluice automation on|off`; null means the definition's default. */
  enabled: boolean | null;
  /** The sensor's or condition's own progress marker (JSON text), e.g. files seen or the last landed event. */
  cursor: string | null;
  /** ISO time of the newest schedule tick handled (launched or deliberately skipped). */
  lastTickAt: string | null;
  lastRunId: string | null;
  updatedAt: string;
}

/** A partial update of an automation's state. */
export interface AutomationCursorUpdate {
  cursor?: string | null;
  lastTickAt?: string | null;
  lastRunId?: string | null;
}

/** One decision of the daemon about one schedule, sensor or asset. */
export interface NewEvaluation {
  name: string;
  kind: AutomationKind;
  launched: boolean;
  /** Why it launched or did not, in plain words. */
  reason: string;
  runId?: string;
  data?: Record<string, unknown>;
}

/** A stored evaluation. */
export interface EvaluationRecord {
  id: number;
  ts: string;
  name: string;
  kind: AutomationKind;
  launched: boolean;
  reason: string;
  runId: string | null;
  data: Record<string, unknown>;
}

/**
 * Automation state and evaluations.
 * @example await store.saveAutomationCursor('nightly', 'schedule', { lastTickAt: tick.toISOString() });
 */
export interface AutomationStore {
  /** Persisted state of every schedule, sensor and asset condition that has any, by kind then name. */
  automationStates(): Promise<AutomationState[]>;
  /** Turns a schedule, sensor or asset condition on or off (overrides its definition's default). */
  setAutomationEnabled(name: string, kind: AutomationKind, enabled: boolean): Promise<void>;
  /** Saves a cursor and/or the last tick or run; fields left undefined keep their value. */
  saveAutomationCursor(name: string, kind: AutomationKind, update: AutomationCursorUpdate): Promise<void>;
  /** Records one evaluation: what was decided, and why. */
  recordEvaluation(evaluation: NewEvaluation): Promise<EvaluationRecord>;
  /** Latest evaluations first, optionally of one name. */
  listEvaluations(options?: { name?: string; limit?: number }): Promise<EvaluationRecord[]>;
}
