// The checks role of the metadata store: results of data-quality checks, per run and latest per check.
import type { CheckResult } from '../checks/run-check.js';

/** Where a check ran: on the staged table before the publish, or on the published one (`sluice check`). */
export type CheckStage = 'staged' | 'published';

/** A check result as stored, with its run and time. */
export interface StoredCheckResult extends CheckResult {
  id: number;
  runId: string;
  stage: CheckStage;
  createdAt: string;
}

/**
 * Check results.
 * @example const failing = (await store.latestCheckResults('silver/flights')).filter((r) => !r.passed);
 */
export interface CheckResultStore {
  /** Stores the results of one evaluation of an asset's checks (all or none). */
  recordCheckResults(runId: string, results: readonly CheckResult[], stage: CheckStage): Promise<void>;
  /** The latest result of every check, optionally of one asset, ordered by asset and check name. */
  latestCheckResults(assetKey?: string): Promise<StoredCheckResult[]>;
  /** Results of one run, in the order they were recorded. */
  runCheckResults(runId: string): Promise<StoredCheckResult[]>;
}
