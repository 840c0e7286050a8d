// Executes plans: creates the run, drives the executor, builds each asset under its lock, records the outcome.
import { randomUUID } from 'node:crypto';
import { CheckFailedError, messageOf, serializeError } from '../errors.js';
import type { CheckResult } from '../checks/run-check.js';
import type { Warehouse, WarehouseSession } from '../engine/warehouse.js';
import type { AssetDefinition } from '../model/asset-definition.js';
import { parseAssetKey, type QualifiedName } from '../model/asset-key.js';
import type { MetadataStore } from '../store/metadata-store.js';
import type { RunStatus } from '../store/records.js';
import { auditRelation, blockingFailuresOf } from './asset-audit.js';
import type { ActiveRuns } from './active-runs.js';
import { AssetLocks } from './asset-locks.js';
import { executePlan, type StepOutcome } from './executor.js';
import type { Plan } from './planner.js';
import type { LoadedProject } from './project-loader.js';
import type { RunJournal } from './run-journal.js';
import { PendingWrites } from './pending-writes.js';
import { materializeStep } from './step-materializer.js';
import { formatMs } from './format-ms.js';

/** Options of one run. */
export interface ExecuteOptions {
  signal?: AbortSignal;
  concurrency?: number;
  /** Id to use for the run (default: a new UUID). */
  runId?: string;
  /** The partition key to build for the planned partitioned assets. */
  partition?: string;
  parentRunId?: string;
}

/** The outcome of a run: one entry per planned asset. */
export interface MaterializeResult {
  runId: string;
  status: RunStatus;
  assets: StepOutcome[];
}

/** The outcome of checking published assets (`sluice check`). */
export interface CheckRunResult {
  runId: string;
  status: RunStatus;
  results: CheckResult[];
}

/** What a built step tells its run (its asset_succeeded event carries it), so the run need not read it back. */
export interface BuiltStep {
  rowCount: number | null;
  dataVersion: string | null;
}

/** What the coordinator works with; owned by the facade. */
export interface RunResources {
  project: LoadedProject;
  warehouse: Warehouse;
  store: MetadataStore;
  journal: RunJournal;
  /** Where started runs are registered until they stop. */
  runs: ActiveRuns;
  /** Runs one attempt of a step on another process (the queue executor, src/runtime/queue); absent: in this one. */
  remoteStep?: (runId: string, key: string, attempt: number, signal: AbortSignal, partition: string | undefined) => Promise<BuiltStep | undefined>;
}

/**
 * Runs plans against the warehouse and store. One per opened project.
 * @example const result = await coordinator.execute(plan, { concurrency: 4 });
 */
export class RunCoordinator {
  private readonly locks = new AssetLocks();
  private schemaChain: Promise<void> = Promise.resolve();
  private readonly project: LoadedProject;
  private readonly warehouse: Warehouse;
  private readonly store: MetadataStore;
  private readonly journal: RunJournal;
  private readonly runs: ActiveRuns;
  private readonly remoteStep: RunResources['remoteStep'];

  constructor(resources: RunResources) {
    ({ project: this.project, warehouse: this.warehouse, store: this.store, journal: this.journal, runs: this.runs, remoteStep: this.remoteStep } = resources);
  }

  /** Evaluates the checks of the planned assets on their published tables, without rebuilding anything. */
  async check(plan: Plan): Promise<CheckRunResult> {
    const runId = randomUUID();
    const started = performance.now();
    const assetKeys = plan.steps.map((s) => s.key).filter((k) => this.project.graph.require(k).definition.checks.length > 0);
    await this.store.createRun({ id: runId, selection: `check ${plan.selection}`, assetKeys });
    await this.journal.setStatus(runId, 'started');
    await this.journal.emit(runId, 'run_started', undefined, `checking ${assetKeys.length} asset(s)`, { assetKeys, selection: plan.selection });
    const results: CheckResult[] = [];
    const session = await this.warehouse.session();
    try {
      for (const key of assetKeys) {
        const asset = this.project.graph.require(key).definition;
        const relation = parseAssetKey(key);
        if (!(await session.describe(relation))) {
          await this.journal.emit(runId, 'asset_skipped', key, `not checked: "${key}" is not published yet; materialize it first`, {
            reason: 'not_published',
            failedUpstream: [],
          });
          continue;
        }
        const assetResults = await auditRelation(session, asset, relation);
        await this.journal.recordChecks(runId, key, 'published', assetResults);
        results.push(...assetResults);
      }
    } finally {
      session.close();
    }
    const failed = results.filter((r) => !r.passed && r.severity === 'error');
    const status: RunStatus = failed.length > 0 ? 'failed' : 'succeeded';
    const durationMs = performance.now() - started;
    if (status === 'failed') {
      const message = `${failed.length} check(s) failed: ${failed.map((r) => `${r.assetKey} ${r.checkName}`).join(', ')}`;
      await this.journal.setStatus(runId, status, { name: 'CheckFailedError', code: 'CHECK_FAILED', message });
      await this.journal.emit(runId, 'run_failed', undefined, message, { durationMs, failed: [...new Set(failed.map((r) => r.assetKey))] });
    } else {
      await this.journal.setStatus(runId, status);
      await this.journal.emit(runId, 'run_succeeded', undefined, `${results.length} check(s) evaluated`, { durationMs });
    }
    return { runId, status, results };
  }

  /**
   * Records a new run of `plan` and starts it; resolves once the run is recorded (so it can be listed and
   * followed at once), with `done` settling when it has stopped. Rejects when the run cannot be recorded.
   */
  async start(plan: Plan, options: ExecuteOptions): Promise<{ runId: string; done: Promise<MaterializeResult> }> {
    const runId = options.runId ?? randomUUID();
    const controller = new AbortController();
    let recorded!: (value: boolean) => void;
    const isRecorded = new Promise<boolean>((resolve) => (recorded = resolve));
    const done = this.execute(runId, plan, options, controller, recorded);
    this.runs.add(runId, plan, controller, done);
    // Whichever comes first: the run is recorded, or it stopped before (an error the caller must see).
    if (!(await Promise.race([isRecorded, done.then(() => true)]))) await done;
    return { runId, done };
  }

  private async execute(
    runId: string,
    plan: Plan,
    options: ExecuteOptions,
    controller: AbortController,
    recorded: (value: boolean) => void,
  ): Promise<MaterializeResult> {
    const onOuterAbort = (): void => controller.abort();
    options.signal?.addEventListener('abort', onOuterAbort, { once: true });
    const started = performance.now();
    const assetKeys = plan.steps.map((s) => s.key);
    const newRun = { id: runId, selection: plan.selection, assetKeys, ...(options.parentRunId ? { parentRunId: options.parentRunId } : {}) };
    try {
      await this.store.createRun(newRun);
      await this.journal.setStatus(runId, 'started');
      await this.journal.emit(runId, 'run_started', undefined, `run started: ${assetKeys.length} asset(s)`, { assetKeys, selection: plan.selection });
    } catch (error) {
      options.signal?.removeEventListener('abort', onOuterAbort);
      recorded(false);
      throw error;
    }
    recorded(true);
    // Steps running now: a run that fails outside its steps stops them and waits before it records the failure, and
    // from then on it alone writes the run's events (so none lands after run_failed).
    const inFlight = new Map<string, Promise<void>>();
    const built = new Map<string, BuiltStep>();
    let gaveUp = false;
    // A step's events and its materialization are written behind it (see RunJournal): the next step need not wait for
    // their commit. A write the store refuses stops the run's steps, and the run fails with it below.
    const stepWrites = new PendingWrites(() => controller.abort());
    try {
      await this.ensureSchemas(assetKeys);
      const outcomes = await executePlan(
        plan,
        {
          retryPolicy: (key) => {
            const asset = this.project.graph.require(key).definition;
            return { retries: asset.retries, delayMs: asset.retryDelayMs };
          },
          onStart: (key, attempt) => {
            if (!gaveUp) stepWrites.add(this.journal.emit(runId, 'asset_started', key, attempt > 1 ? `attempt ${attempt}` : 'started', { attempt }));
          },
          onRetry: async (key, attempt, delayMs, error) => {
            if (gaveUp) return;
            await this.journal.emit(runId, 'asset_retrying', key, `attempt ${attempt} failed, retrying in ${delayMs} ms: ${messageOf(error)}`, {
              attempt,
              delayMs,
              error: serializeError(error),
            });
          },
          onFinish: (outcome) => {
            if (!gaveUp) stepWrites.add(this.reportOutcome(runId, outcome, built.get(outcome.key)));
          },
          run: (key, attempt, signal) => {
            const step = this.runStep(runId, key, attempt, signal, options.partition, (recorded) => stepWrites.add(recorded)).then((summary) => {
              if (summary) built.set(key, summary);
            });
            inFlight.set(key, step);
            return step.finally(() => inFlight.delete(key));
          },
        },
        { concurrency: options.concurrency ?? this.project.definition.concurrency, signal: controller.signal },
      );
      await stepWrites.settled();
      const assets = plan.steps.map((s) => outcomes.get(s.key)!);
      const failed = assets.filter((a) => a.status === 'failed').map((a) => a.key);
      const status: RunStatus = controller.signal.aborted ? 'canceled' : failed.length > 0 ? 'failed' : 'succeeded';
      const durationMs = performance.now() - started;
      const runError = failed.length > 0 ? { name: 'RunFailedError', message: `${failed.length} asset(s) failed: ${failed.join(', ')}` } : undefined;
      await this.journal.setStatus(runId, status, runError);
      if (status === 'succeeded') await this.journal.emit(runId, 'run_succeeded', undefined, `run succeeded in ${formatMs(durationMs)}`, { durationMs });
      else if (status === 'canceled') await this.journal.emit(runId, 'run_canceled', undefined, 'run canceled', { durationMs });
      else await this.journal.emit(runId, 'run_failed', undefined, runError!.message, { durationMs, failed });
      return { runId, status, assets };
    } catch (error) {
      // Something outside the steps failed (the store refused an event): the executor gave up, but steps it started
      // would go on building and publishing. Abort them and wait, so the run ends failed with nothing left running.
      gaveUp = true;
      controller.abort();
      const stopped = [...inFlight.entries()].map(async ([key, step]) => ({
        key,
        started: performance.now(),
        finished: await step.then(
          () => true,
          () => false,
        ),
      }));
      for (const { key, started: at, finished } of await Promise.all(stopped)) {
        // A step that finished its publish before the abort reached it is reported as built; the others as canceled.
        const outcome: StepOutcome = { key, status: finished ? 'succeeded' : 'canceled', attempts: 1, durationMs: performance.now() - at };
        await this.reportOutcome(runId, outcome, built.get(key)).catch(() => undefined);
      }
      const serialized = serializeError(error);
      await this.journal.setStatus(runId, 'failed', serialized);
      await this.journal.emit(runId, 'run_failed', undefined, `run failed: ${serialized.message}`, {
        durationMs: performance.now() - started,
        failed: [],
        error: serialized,
      });
      throw error;
    } finally {
      options.signal?.removeEventListener('abort', onOuterAbort);
    }
  }

  /** One attempt of one step: on a queue worker, or here under the asset's lock (`recording`: its record's write, under way). */
  private async runStep(
    runId: string,
    key: string,
    attempt: number,
    signal: AbortSignal,
    partition: string | undefined,
    recording: (write: Promise<void>) => void,
  ): Promise<BuiltStep | undefined> {
    // Queue workers take the asset's lock across processes themselves (an advisory lock).
    if (this.remoteStep) return this.remoteStep(runId, key, attempt, signal, partition);
    const release = await this.locks.acquire(key, runId, signal, (holder) =>
      this.journal.logger(runId, key).info(`waiting for run ${holder} to finish building this asset`),
    );
    try {
      return await this.buildAsset(runId, key, signal, partition, { recording });
    } finally {
      release();
    }
  }

  /**
   * Builds one asset and records its materialization; resolves once it is recorded, or with `recording`, once it is
   * published, handing over the record's write under way (see RunJournal). A queue worker runs it for a step with
   * `unlessRecorded`: a step given to another worker after its first one died may have been recorded already.
   */
  async buildAsset(
    runId: string,
    key: string,
    signal: AbortSignal,
    runPartition: string | undefined,
    options: { unlessRecorded?: boolean; recording?: (write: Promise<void>) => void } = {},
  ): Promise<BuiltStep> {
    const node = this.project.graph.require(key);
    const partition = node.definition.partitions ? runPartition : undefined;
    const { sql } = node.definition;
    const sqlParameters = sql === undefined ? [] : (this.project.sqlParameters?.get(key) ?? (await this.warehouse.sqlParameters(sql)));
    // Read under the asset's lock, so a concurrent run's fresh upstream publish is seen.
    // Looked up side by side: one round trip's wait per step on a PostgreSQL store, for all dependencies (and a queue
    // worker's question whether the run recorded this step already, before its worker died).
    const [earlier, versions] = await Promise.all([
      options.unlessRecorded ? this.store.runMaterialization(runId, key) : undefined,
      node.deps.length > 0 ? this.journal.latestDataVersions(node.deps) : new Map<string, string | null>(),
    ]);
    if (earlier) return { rowCount: earlier.rowCount, dataVersion: earlier.dataVersion };
    const inputVersions: Record<string, string | null> = Object.fromEntries(versions);
    const session = await this.warehouse.session();
    const started = performance.now();
    try {
      const result = await materializeStep({
        asset: node.definition,
        runId,
        projectDir: this.project.dir,
        session,
        signal,
        log: this.journal.logger(runId, key),
        inputVersions,
        sqlParameters,
        ...(node.definition.checks.length > 0 ? { audit: (staging: QualifiedName) => this.audit(runId, node.definition, session, staging) } : {}),
        ...(partition !== undefined ? { partition } : {}),
      });
      const recorded = this.journal.recordMaterialization({
        runId,
        assetKey: key,
        ...(partition !== undefined ? { partition } : {}),
        rowCount: result.rowCount,
        durationMs: performance.now() - started,
        codeVersion: result.codeVersion,
        dataVersion: result.dataVersion,
        schema: result.schema,
        sql: result.sql,
        metadata: {
          ...(result.userMetadata ?? {}),
          inputVersions,
          columnStats: result.columnStats,
          kind: node.definition.kind,
          ...(result.batchRows !== undefined ? { batchRows: result.batchRows } : {}),
          ...(result.sideOutputs ? { sideOutputs: result.sideOutputs } : {}),
        },
      });
      if (options.recording) options.recording(recorded.then(() => undefined));
      else await recorded;
      return { rowCount: result.rowCount, dataVersion: result.dataVersion };
    } finally {
      session.close();
    }
  }

  /** Runs the checks on a staged relation, records them, and throws when a blocking one failed. */
  private async audit(runId: string, asset: AssetDefinition, session: WarehouseSession, staging: QualifiedName): Promise<void> {
    const results = await auditRelation(session, asset, staging);
    await this.journal.recordChecks(runId, asset.key, 'staged', results);
    const blocking = blockingFailuresOf(results);
    if (blocking.length > 0) throw new CheckFailedError(asset.key, blocking);
  }

  /** Schemas are created up front: concurrent CREATE SCHEMA in parallel steps conflict in DuckDB. */
  private ensureSchemas(keys: readonly string[]): Promise<void> {
    // Runs starting together would race on CREATE SCHEMA too: one creation at a time per process.
    const next = this.schemaChain.then(async () => {
      const session = await this.warehouse.session();
      try {
        for (const schema of new Set(keys.map((k) => parseAssetKey(k).schema))) await session.ensureSchema(schema);
      } finally {
        session.close();
      }
    });
    this.schemaChain = next.catch(() => undefined);
    return next;
  }

  /** `built`: what the step reported; read back from the store only when it did not (a worker of an older Sluice). */
  private async reportOutcome(runId: string, outcome: StepOutcome, built: BuiltStep | undefined): Promise<void> {
    const { key } = outcome;
    switch (outcome.status) {
      case 'succeeded': {
        const record = built ?? (await this.store.materializationHistory(key, 1))[0];
        await this.journal.emit(
          runId,
          'asset_succeeded',
          key,
          `materialized${record?.rowCount != null ? ` ${record.rowCount} rows` : ''} in ${formatMs(outcome.durationMs)}`,
          {
            durationMs: outcome.durationMs,
            rowCount: record?.rowCount ?? null,
            dataVersion: record?.dataVersion ?? null,
            attempts: outcome.attempts,
          },
        );
        return;
      }
      case 'failed':
        await this.journal.emit(runId, 'asset_failed', key, outcome.error!.message, {
          durationMs: outcome.durationMs,
          attempts: outcome.attempts,
          error: outcome.error!,
        });
        return;
      case 'skipped':
        await this.journal.emit(runId, 'asset_skipped', key, `skipped because upstream ${outcome.failedUpstream!.map((k) => `"${k}"`).join(', ')} failed`, {
          reason: 'upstream_failed',
          failedUpstream: outcome.failedUpstream!,
        });
        return;
      default:
        await this.journal.emit(runId, 'asset_not_executed', key, outcome.status === 'canceled' ? 'canceled' : 'not executed', { reason: outcome.status });
    }
  }
}
