// The production metadata store: PostgreSQL, pooled, migrated on open, safe for many processes writing at once.
import type pg from 'pg';
import { assertIdentifier, quoteIdentifier } from '../../model/asset-key.js';
import { openPostgresPool } from '../../postgres/postgres-pool.js';
import { redactUrl } from '../../postgres/redact-url.js';
import type { SerializedError } from '../../errors.js';
import type { CheckResult } from '../../checks/run-check.js';
import type { MetadataStore } from '../metadata-store.js';
import type { RunStatus } from '../records.js';
import type { ListRunsOptions, NewRun, NewRunEvent, RunOwner } from '../run-store.js';
import type { NewMaterialization } from '../materialization-store.js';
import type { CheckStage } from '../check-result-store.js';
import type { AutomationCursorUpdate, AutomationKind, NewEvaluation } from '../automation-store.js';
import type { BackfillPartitionStatus, BackfillStatus, NewBackfill } from '../backfill-store.js';
import { migratePostgres } from './postgres-migrator.js';
import { PgDatabase } from './pg-database.js';
import { PgRunStore } from './pg-run-store.js';
import { PgMaterializationStore } from './pg-materialization-store.js';
import { PgCheckResultStore } from './pg-check-result-store.js';
import { PgAutomationStore } from './pg-automation-store.js';
import { PgBackfillStore } from './pg-backfill-store.js';

/** Construction options of the PostgreSQL store. */
export interface PostgresStoreConfig {
  /** `postgres://user:password@host:port/database` */
  url: string;
  /** Schema holding the metadata tables (default `sluice`); the database may also hold warehouse data. */
  schema?: string;
  /** Most connections this process opens (default 10). */
  poolSize?: number;
  /** Creates the database when missing (default true). */
  createDatabase?: boolean;
}

/**
 * Opens (creating the schema and migrating if needed) the PostgreSQL metadata store.
 * @example const store = await PostgresStore.open({ url: 'postgres://postgres@127.0.0.1:5432/sluice' });
 */
export class PostgresStore implements MetadataStore {
  private readonly runs: PgRunStore;
  private readonly materializations: PgMaterializationStore;
  private readonly checks: PgCheckResultStore;
  private readonly automation: PgAutomationStore;
  private readonly backfills: PgBackfillStore;

  private constructor(
    private readonly pool: pg.Pool,
    schema: string,
    readonly location: string,
  ) {
    const db = new PgDatabase(pool, schema);
    this.runs = new PgRunStore(db);
    this.materializations = new PgMaterializationStore(db);
    this.checks = new PgCheckResultStore(db);
    this.automation = new PgAutomationStore(db);
    this.backfills = new PgBackfillStore(db);
  }

  static async open(config: PostgresStoreConfig): Promise<PostgresStore> {
    const schema = quoteIdentifier(assertIdentifier(config.schema ?? 'sluice', 'metadata schema'));
    const location = redactUrl(config.url);
    const pool = await openPostgresPool({ url: config.url, role: 'metadata', max: config.poolSize ?? 10, createDatabase: config.createDatabase ?? true });
    try {
      await migratePostgres(pool, schema, location);
    } catch (error) {
      await pool.end();
      throw error;
    }
    return new PostgresStore(pool, schema, location);
  }

  createRun = (run: NewRun) => this.runs.createRun(run);
  setRunStatus = (runId: string, status: RunStatus, error?: SerializedError) => this.runs.setRunStatus(runId, status, error);
  getRun = (runId: string) => this.runs.getRun(runId);
  listRuns = (options?: ListRunsOptions) => this.runs.listRuns(options);
  failAbandonedRuns = (isOwnerAlive: (owner: RunOwner) => boolean) => this.runs.failAbandonedRuns(isOwnerAlive);
  appendEvent = (event: NewRunEvent) => this.runs.appendEvent(event);
  appendEvents = (events: readonly NewRunEvent[]) => this.runs.appendEvents(events);
  listEvents = (runId: string, afterId?: number) => this.runs.listEvents(runId, afterId);
  latestAssetFailures = () => this.runs.latestAssetFailures();

  recordMaterialization = (m: NewMaterialization) => this.materializations.recordMaterialization(m);
  latestMaterializations = () => this.materializations.latestMaterializations();
  materializationHistory = (assetKey: string, limit?: number) => this.materializations.materializationHistory(assetKey, limit);
  runMaterialization = (runId: string, assetKey: string) => this.materializations.runMaterialization(runId, assetKey);
  latestDataVersions = (assetKeys: readonly string[]) => this.materializations.latestDataVersions(assetKeys);
  materializedPartitions = (assetKey: string) => this.materializations.materializedPartitions(assetKey);

  recordCheckResults = (runId: string, results: readonly CheckResult[], stage: CheckStage) => this.checks.recordCheckResults(runId, results, stage);
  latestCheckResults = (assetKey?: string) => this.checks.latestCheckResults(assetKey);
  runCheckResults = (runId: string) => this.checks.runCheckResults(runId);

  automationStates = () => this.automation.automationStates();
  setAutomationEnabled = (name: string, kind: AutomationKind, enabled: boolean) => this.automation.setAutomationEnabled(name, kind, enabled);
  saveAutomationCursor = (name: string, kind: AutomationKind, update: AutomationCursorUpdate) => this.automation.saveAutomationCursor(name, kind, update);
  recordEvaluation = (evaluation: NewEvaluation) => this.automation.recordEvaluation(evaluation);
  listEvaluations = (options?: { name?: string; limit?: number }) => this.automation.listEvaluations(options);

  createBackfill = (backfill: NewBackfill) => this.backfills.createBackfill(backfill);
  getBackfill = (id: string) => this.backfills.getBackfill(id);
  listBackfills = (limit?: number) => this.backfills.listBackfills(limit);
  setBackfillPartition = (id: string, partition: string, status: BackfillPartitionStatus, runId?: string) =>
    this.backfills.setBackfillPartition(id, partition, status, runId);
  setBackfillStatus = (id: string, status: BackfillStatus, error?: SerializedError) => this.backfills.setBackfillStatus(id, status, error);

  async close(): Promise<void> {
    await this.pool.end();
  }
}
