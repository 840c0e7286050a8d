// The runtime facade: opens a project's warehouse and store, plans and executes runs, reports status.
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { SluiceError, serializeError, type SerializedError } from '../errors.js';
import type { AssetLogger } from '../model/asset-definition.js';
import { parseAssetKey } from '../model/asset-key.js';
import { assertPartitionKey } from '../model/partitions.js';
import type { OpenLineageConfig, ProjectDefinition } from '../model/project-definition.js';
import { attachOpenLineage } from '../lineage/openlineage/openlineage-emitter.js';
import { DuckDbWarehouse } from '../engine/duckdb/duckdb-warehouse.js';
import type { Warehouse } from '../engine/warehouse.js';
import type { MetadataStore } from '../store/metadata-store.js';
import { SqliteStore } from '../store/sqlite/sqlite-store.js';
import type { AssetStatus, RunStatus } from '../server/api-types.js';
import { computeAssetStatuses } from './asset-status.js';
import { executePlan, type StepOutcome } from './executor.js';
import { planKeys, planRun, type Plan } from './planner.js';
import type { SelectionContext } from '../model/selection.js';
import { loadProject, resolveProject, type LoadedProject } from './project-loader.js';
import { EVENT_LEVELS, RunEventBus, type RunEventMap, type RunEventType } from './run-events.js';
import { materializeStep } from './step-materializer.js';
import { AssetLocks } from './asset-locks.js';

/** Options of one materialization. */
export interface MaterializeOptions {
  /** Selection expression (default `*`). */
  select?: string;
  signal?: AbortSignal;
  concurrency?: number;
  /** Id to use for the run (default: a new UUID). */
  runId?: string;
  /** The partition key to build for the selected partitioned assets (e.g. `2001-03-15`). */
  partition?: string;
  parentRunId?: string;
}

/** The outcome of a run: one entry per planned asset. */
export interface MaterializeResult {
  runId: string;
  status: RunStatus;
  assets: StepOutcome[];
}

/** How to open a project. */
export interface SluiceConfig {
  /** Folder holding sluice.config.ts (or below it). Default: the current directory. */
  dir?: string;
  /** An already imported definition (skips the file lookup); `dir` is then its folder. */
  project?: ProjectDefinition;
  /** Overrides the project's warehouse file (e.g. a scratch copy for tests and benchmarks). */
  warehousePath?: string;
  /** Overrides the project's metadata file. */
  metadataPath?: string;
  /** Overrides the project's OpenLineage settings and the OPENLINEAGE_* variables; `false` turns it off. */
  openLineage?: OpenLineageConfig | false;
}

/**
 * A project opened for work. One process should own it at a time (DuckDB allows one writer per file).
 * @example
 * const sluice = await Sluice.open({ dir: 'examples/flights' });
 * const result = await sluice.materialize({ select: '+gold/airport_daily_delays' });
 * await sluice.close();
 */
export class Sluice {
  readonly bus = new RunEventBus();
  private readonly active = new Map<string, AbortController>();
  private readonly locks = new AssetLocks();

  private constructor(
    readonly project: LoadedProject,
    readonly warehouse: Warehouse,
    readonly store: MetadataStore,
  ) {}

  /** Loads the project, opens its warehouse and store, and recovers from any crashed run. */
  static async open(config: SluiceConfig = {}): Promise<Sluice> {
    const loaded = await Sluice.load(config);
    const project = {
      ...loaded,
      warehousePath: config.warehousePath ?? loaded.warehousePath,
      metadataPath: config.metadataPath ?? loaded.metadataPath,
    };
    const store = SqliteStore.open({ path: project.metadataPath });
    let warehouse: Warehouse;
    try {
      warehouse = await DuckDbWarehouse.open({ path: project.warehousePath, fileSearchPath: project.dir });
    } catch (error) {
      await store.close();
      throw error;
    }
    const sluice = new Sluice(project, warehouse, store);
    attachOpenLineage(sluice, config.openLineage);
    await sluice.recover();
    return sluice;
  }

  /** Loads and validates a project without opening its warehouse (for listing and validation). */
  static async load(config: SluiceConfig = {}): Promise<LoadedProject> {
    const parser = await DuckDbWarehouse.open({ path: ':memory:' });
    try {
      const dir = config.dir ?? process.cwd();
      return config.project ? await resolveProject(config.project, dir, dir, parser) : await loadProject(dir, parser);
    } finally {
      await parser.close();
    }
  }

  /** Marks runs of dead processes failed and drops their staging tables. */
  private async recover(): Promise<void> {
    const host = hostname();
    // Runs owned by another host cannot be probed; they are left alone.
    await this.store.failAbandonedRuns((owner) => owner.host !== host || isProcessAlive(owner.pid));
    await this.warehouse.dropAbandonedStaging();
  }

  /** Plans a selection without running it (pass `selectionContext()` when the selection may say `stale`). */
  plan(select = '*', context: SelectionContext = {}): Plan {
    return planRun(this.project.graph, select, context);
  }

  /** Facts the selection language needs beyond the graph: which assets are stale (or never built). */
  async selectionContext(): Promise<SelectionContext> {
    const statuses = await this.assetStatuses();
    return { stale: new Set([...statuses].filter(([, s]) => s.status !== 'fresh').map(([key]) => key)) };
  }

  /**
   * Materializes the selected assets in dependency order.
   * Never throws for asset failures: they are reported per asset in the result.
   */
  async materialize(options: MaterializeOptions = {}): Promise<MaterializeResult> {
    const select = options.select ?? '*';
    const context = /\bstale\b/.test(select) ? await this.selectionContext() : {};
    const plan = this.plan(select, context);
    this.checkPartition(plan, options.partition);
    return this.execute(plan, options);
  }

  /** Re-runs the assets of a failed or canceled run that did not succeed (and their downstream in it). */
  async retryFailed(runId: string, options: Omit<MaterializeOptions, 'select' | 'parentRunId'> = {}): Promise<MaterializeResult> {
    const run = await this.store.getRun(runId);
    if (!run) throw new SluiceError('RUN_NOT_FOUND', `run "${runId}" does not exist; run \`sluice runs\` to see recent run ids`);
    if (run.status === 'succeeded') throw new SluiceError('INVALID_SELECTION', `run "${runId}" succeeded; there is nothing to retry`);
    const events = await this.store.listEvents(runId);
    const succeeded = new Set(events.filter((e) => e.type === 'asset_succeeded').map((e) => e.assetKey!));
    const remaining = new Set(run.assetKeys.filter((k) => this.project.graph.has(k) && !succeeded.has(k)));
    return this.execute(planKeys(this.project.graph, remaining, `retry of ${runId}`), { ...options, parentRunId: runId });
  }

  /** A partition must be given exactly when the plan has partitioned assets, and be one of theirs. */
  private checkPartition(plan: Plan, partition: string | undefined): void {
    const partitioned = plan.steps.map((s) => this.project.graph.get(s.key)!.definition).filter((a) => a.partitions);
    if (partition === undefined) {
      if (partitioned.length > 0) {
        throw new SluiceError('INVALID_SELECTION', `asset "${partitioned[0]!.key}" is partitioned; pass a partition key (--partition KEY) or run \`sluice backfill\``);
      }
      return;
    }
    if (partitioned.length === 0) throw new SluiceError('INVALID_SELECTION', `--partition ${partition} given, but no selected asset is partitioned`);
    for (const asset of partitioned) assertPartitionKey(asset.partitions!, partition);
  }

  /** Cancels a run of this process; returns false when it is not running here. */
  cancel(runId: string): boolean {
    const controller = this.active.get(runId);
    controller?.abort();
    return controller !== undefined;
  }

  /** Status (fresh, stale, failed, never) of every asset. */
  async assetStatuses(): Promise<Map<string, { status: AssetStatus; reason?: string }>> {
    const [latest, failures] = await Promise.all([this.store.latestMaterializations(), this.store.latestAssetFailures()]);
    return computeAssetStatuses(this.project.graph, latest, failures);
  }

  async close(): Promise<void> {
    for (const controller of this.active.values()) controller.abort();
    await this.warehouse.close();
    await this.store.close();
  }

  private async execute(plan: Plan, options: MaterializeOptions): Promise<MaterializeResult> {
    const runId = options.runId ?? randomUUID();
    const controller = new AbortController();
    const onOuterAbort = (): void => controller.abort();
    options.signal?.addEventListener('abort', onOuterAbort, { once: true });
    this.active.set(runId, controller);
    const started = performance.now();
    const assetKeys = plan.steps.map((s) => s.key);
    const newRun = { id: runId, selection: plan.selection, assetKeys, ...(options.parentRunId ? { parentRunId: options.parentRunId } : {}) };
    await this.store.createRun(newRun);
    await this.setStatus(runId, 'started');
    await this.emit(runId, 'run_started', undefined, `run started: ${assetKeys.length} asset(s)`, { assetKeys, selection: plan.selection });
    try {
      await this.ensureSchemas(assetKeys);
      const outcomes = await executePlan(
        plan,
        {
          retryPolicy: (key) => {
            const asset = this.project.graph.get(key)!.definition;
            return { retries: asset.retries, delayMs: asset.retryDelayMs };
          },
          onStart: (key, attempt) => this.emit(runId, 'asset_started', key, attempt > 1 ? `attempt ${attempt}` : 'started', { attempt }),
          onRetry: (key, attempt, delayMs, error) =>
            this.emit(runId, 'asset_retrying', key, `attempt ${attempt} failed, retrying in ${delayMs} ms: ${errorMessage(error)}`, { attempt, delayMs, error: serializeError(error) }),
          onFinish: (outcome) => this.reportOutcome(runId, outcome),
          run: async (key, _attempt, signal) => {
            const release = await this.locks.acquire(key, runId, signal, (holder) =>
              this.assetLogger(runId, key).info(`waiting for run ${holder} to finish building this asset`),
            );
            try {
              await this.buildAsset(runId, key, signal, options.partition);
            } finally {
              release();
            }
          },
        },
        { concurrency: options.concurrency ?? this.project.definition.concurrency, signal: controller.signal },
      );
      const assets = plan.steps.map((s) => outcomes.get(s.key)!);
      const failed = assets.filter((a) => a.status === 'failed').map((a) => a.key);
      const status: RunStatus = controller.signal.aborted ? 'canceled' : failed.length > 0 ? 'failed' : 'succeeded';
      const durationMs = performance.now() - started;
      const runError = failed.length > 0 ? { name: 'RunFailedError', message: `${failed.length} asset(s) failed: ${failed.join(', ')}` } : undefined;
      await this.setStatus(runId, status, runError);
      if (status === 'succeeded') await this.emit(runId, 'run_succeeded', undefined, `run succeeded in ${formatMs(durationMs)}`, { durationMs });
      else if (status === 'canceled') await this.emit(runId, 'run_canceled', undefined, 'run canceled', { durationMs });
      else await this.emit(runId, 'run_failed', undefined, runError!.message, { durationMs, failed });
      return { runId, status, assets };
    } catch (error) {
      const serialized = serializeError(error);
      await this.setStatus(runId, 'failed', serialized);
      await this.emit(runId, 'run_failed', undefined, `run failed: ${serialized.message}`, { durationMs: performance.now() - started, failed: [], error: serialized });
      throw error;
    } finally {
      this.active.delete(runId);
      options.signal?.removeEventListener('abort', onOuterAbort);
    }
  }

  /** Builds one asset and records its materialization. */
  private async buildAsset(runId: string, key: string, signal: AbortSignal, runPartition: string | undefined): Promise<void> {
    const node = this.project.graph.get(key)!;
    const partition = node.definition.partitions ? runPartition : undefined;
    const sqlParameters = node.definition.sql !== undefined ? await this.warehouse.sqlParameters(node.definition.sql) : [];
    // Read under the asset's lock, so a concurrent run's fresh upstream publish is seen.
    const inputVersions: Record<string, string | null> = {};
    for (const dep of node.deps) inputVersions[dep] = (await this.store.materializationHistory(dep, 1))[0]?.dataVersion ?? null;
    const session = await this.warehouse.session();
    const started = performance.now();
    try {
      const result = await materializeStep({
        asset: node.definition,
        runId,
        projectDir: this.project.dir,
        session,
        signal,
        log: this.assetLogger(runId, key),
        inputVersions,
        sqlParameters,
        ...(partition !== undefined ? { partition } : {}),
      });
      await this.store.recordMaterialization({
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
          inputVersions,
          columnStats: result.columnStats,
          kind: node.definition.kind,
          ...(result.batchRows !== undefined ? { batchRows: result.batchRows } : {}),
        },
      });
    } finally {
      session.close();
    }
  }

  /** Schemas are created up front: concurrent CREATE SCHEMA in parallel steps conflict in DuckDB. */
  private async ensureSchemas(keys: readonly string[]): Promise<void> {
    const session = await this.warehouse.session();
    try {
      for (const schema of new Set(keys.map((k) => parseAssetKey(k).schema))) await session.ensureSchema(schema);
    } finally {
      session.close();
    }
  }

  private async reportOutcome(runId: string, outcome: StepOutcome): Promise<void> {
    const { key } = outcome;
    switch (outcome.status) {
      case 'succeeded': {
        const record = (await this.store.materializationHistory(key, 1))[0];
        await this.emit(runId, 'asset_succeeded', key, `materialized${record?.rowCount != null ? ` ${record.rowCount} rows` : ''} in ${formatMs(outcome.durationMs)}`, {
          durationMs: outcome.durationMs,
          rowCount: record?.rowCount ?? null,
          dataVersion: record?.dataVersion ?? null,
          attempts: outcome.attempts,
        });
        return;
      }
      case 'failed':
        await this.emit(runId, 'asset_failed', key, outcome.error!.message, { durationMs: outcome.durationMs, attempts: outcome.attempts, error: outcome.error! });
        return;
      case 'skipped':
        await this.emit(runId, 'asset_skipped', key, `skipped because upstream ${outcome.failedUpstream!.map((k) => `"${k}"`).join(', ')} failed`, {
          reason: 'upstream_failed',
          failedUpstream: outcome.failedUpstream!,
        });
        return;
      default:
        await this.emit(runId, 'asset_not_executed', key, outcome.status === 'canceled' ? 'canceled' : 'not executed', { reason: outcome.status });
    }
  }

  private async setStatus(runId: string, status: RunStatus, error?: SerializedError): Promise<void> {
    await this.store.setRunStatus(runId, status, error);
    this.bus.emit('status', { runId, status });
  }

  private async emit<T extends RunEventType>(runId: string, type: T, assetKey: string | undefined, message: string, data: RunEventMap[T]): Promise<void> {
    const event = await this.store.appendEvent({ runId, type, level: EVENT_LEVELS[type], message, data: data as Record<string, unknown>, ...(assetKey ? { assetKey } : {}) });
    this.bus.emit('event', event);
  }

  private assetLogger(runId: string, assetKey: string): AssetLogger {
    const write = (level: 'info' | 'warn' | 'error') => (message: string, data?: Record<string, unknown>) => {
      void this.store
        .appendEvent({ runId, assetKey, type: 'asset_log', level, message, data: data ?? {} })
        .then((event) => this.bus.emit('event', event));
    };
    return { info: write('info'), warn: write('warn'), error: write('error') };
  }
}

function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** `850 ms`, `12.3 s`. */
export function formatMs(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`;
}
