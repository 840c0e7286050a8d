// The metadata store, composed of one interface per role; SQLite and PostgreSQL implement all of them.
import type { AutomationStore } from './automation-store.js';
import type { BackfillStore } from './backfill-store.js';
import type { CheckResultStore } from './check-result-store.js';
import type { MaterializationStore } from './materialization-store.js';
import type { RunStore } from './run-store.js';

export type { ColumnSchema, MaterializationRecord, RunEvent } from './records.js';
export type { NewMaterialization } from './materialization-store.js';
export type { StoredCheckResult } from './check-result-store.js';
export type { AutomationCursorUpdate, AutomationKind, AutomationState, EvaluationRecord, NewEvaluation } from './automation-store.js';
export type { BackfillRecord, BackfillStatus } from './backfill-store.js';

/**
 * Everything Sluice keeps about runs, materializations, checks, automation and backfills.
 * Consumers that need one role may depend on that role's interface alone.
 * @example
 * const store: MetadataStore = SqliteStore.open({ path: 'data/sluice.sqlite' });
 * const runs = await store.listRuns({ limit: 10 });
 */
export interface MetadataStore extends RunStore, MaterializationStore, CheckResultStore, AutomationStore, BackfillStore {
  /** Where the metadata lives, for messages (a file path or a URL without its password). */
  readonly location: string;
  close(): Promise<void>;
}
