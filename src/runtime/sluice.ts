// The runtime facade and composition root: builds the adapters and extensions of a project, plans and submits runs.
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { dirname, join } from 'node:path';
import { RunNotFoundError, SluiceError } from '../errors.js';
import { createLogger, type Logger } from '../logger.js';
import { assertPartitionKey } from '../model/partitions.js';
import type { OpenLineageConfig, ProjectDefinition } from '../model/project-definition.js';
import type { RunEvent } from '../model/run-event.js';
import { ColumnLineageCache } from '../lineage/column-lineage-cache.js';
import { createOpenLineageEmitter, type OpenLineageEmitter, type OpenLineageEmitterOptions } from '../lineage/openlineage/openlineage-emitter.js';
import { checkAssertionsProvider } from '../lineage/openlineage/check-assertions.js';
import { CachedSqlParser } from '../engine/duckdb/sql-analysis-cache.js';
import type { Warehouse } from '../engine/warehouse.js';
import type { MetadataStore } from '../store/metadata-store.js';
import type { AssetStatus } from '../store/records.js';
import { ActiveRuns } from './active-runs.js';
import { openAdapters, type AdapterConfig } from './adapters.js';
import { openQueueExecutor, type ExecutorKind } from './queue/queue-executor.js';
import type { QueueStepRunner } from './queue/queue-step-runner.js';
import type { Leadership } from './queue/leader-election.js';
import { computeAssetStatuses } from './asset-status.js';
import { planKeys, planRun, type Plan } from './planner.js';
import type { SelectionContext } from '../model/selection.js';
import { findProjectFile, loadProject, resolveProject, type LoadedProject } from './project-loader.js';
import { projectCacheDir } from './compiled-config.js';
import { RunEventBus } from './run-events.js';
import { formatMs } from './format-ms.js';
import { RunCoordinator, type BuiltStep, type CheckRunResult, type ExecuteOptions, type MaterializeResult } from './run-coordinator.js';
import { RunJournal } from './run-journal.js';
import { isProcessAlive } from './process-alive.js';

/** Options of one materialization. */
export interface MaterializeOptions extends ExecuteOptions {
  /** Selection expression (default `*`). */
  select?: string;
}

/** Options of a submitted run. */
export interface SubmitOptions extends MaterializeOptions {
  /** Re-run what did not succeed in this failed or canceled run (and its downstream in it), instead of `select`. */
  retryOf?: string;
  /** Called with each event of this run from its very first one (subscribed before the run is recorded). */
  onEvent?: (event: RunEvent) => void;
}

/** A submitted run: recorded, planned, and running in the background. */
export interface RunHandle {
  runId: string;
  /** The plan the run executes (planned once, here). */
  plan: Plan;
  /** Settles when the run has stopped; rejects only when the run itself could not go on (never for asset failures). */
  done: Promise<MaterializeResult>;
}

export type { CheckRunResult, MaterializeResult };
export { formatMs };

/** Marks failed the runs of this host's processes that died; runs owned by another host cannot be probed and are left alone. */
export async function failAbandonedRuns(store: MetadataStore): Promise<void> {
  const host = hostname();
  await store.failAbandonedRuns((owner) => owner.host !== host || isProcessAlive(owner.pid));
}

/** How to open a project. */
export interface SluiceConfig extends AdapterConfig {
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
  /** Tuning of the OpenLineage emitter (a transport of your own, retries, the flush limit at close). */
  openLineageEmitter?: OpenLineageEmitterOptions;
  /** Environment variables Sluice reads (`OPENLINEAGE_*`); default: the process's environment. */
  env?: Readonly<Record<string, string | undefined>>;
  /** Where Sluice logs (default: readable lines on stderr). */
  logger?: Logger;
  /** Where steps run: in this process (default), or on `sluice worker` processes (`queue`; or SLUICE_EXECUTOR=queue). */
  executor?: ExecutorKind;
}

/** What the facade is built from (the composition root hands it over). */
interface SluiceParts {
  project: LoadedProject;
  warehouse: Warehouse;
  store: MetadataStore;
  bus: RunEventBus;
  journal: RunJournal;
  logger: Logger;
  openLineage: OpenLineageEmitter | undefined;
  queue: QueueStepRunner | undefined;
  leadership: Leadership | undefined;
}

/**
 * A project opened for work. One process should own it at a time (DuckDB allows one writer per file).
 * @example
 * const sluice = await Sluice.open({ dir: 'examples/flights' });
 * const result = await sluice.materialize({ select: '+gold/airport_daily_delays' });
 * await sluice.close();
 */
export class Sluice {
  readonly project: LoadedProject;
  readonly warehouse: Warehouse;
  readonly store: MetadataStore;
  readonly bus: RunEventBus;
  readonly logger: Logger;
  /** The runs in flight in this process. */
  readonly runs: ActiveRuns;
  /** The project's column lineage, analysed once per warehouse state. */
  readonly columnLineage: ColumnLineageCache;
  /** The OpenLineage emitter, when OpenLineage is on. */
  readonly openLineage: OpenLineageEmitter | undefined;
  private readonly coordinator: RunCoordinator;
  private readonly journal: RunJournal;
  private readonly queue: QueueStepRunner | undefined;
  /** With a PostgreSQL store: whether this process is the project's automation leader (one across processes). */
  readonly leadership: Leadership | undefined;
  private closing: Promise<void> | undefined;

  private constructor(parts: SluiceParts) {
    ({ project: this.project, warehouse: this.warehouse, store: this.store, bus: this.bus, logger: this.logger, openLineage: this.openLineage } = parts);
    this.runs = new ActiveRuns(this.bus);
    this.columnLineage = new ColumnLineageCache({ bus: this.bus, graph: this.project.graph, warehouse: this.warehouse });
    this.queue = parts.queue;
    this.leadership = parts.leadership;
    this.journal = parts.journal;
    const remoteStep = parts.queue ? parts.queue.runStep.bind(parts.queue) : undefined;
    this.coordinator = new RunCoordinator({
      project: this.project,
      warehouse: this.warehouse,
      store: this.store,
      journal: parts.journal,
      runs: this.runs,
      ...(remoteStep ? { remoteStep } : {}),
    });
  }

  /**
   * Loads the project, opens its warehouse and store (the given adapters, or DuckDB and SQLite), wires the
   * extensions (OpenLineage, column lineage) and recovers from any crashed run.
   * @example const sluice = await Sluice.open({ dir: 'examples/flights', store: (p) => SqliteStore.open({ path: p.metadataPath }) });
   */
  static async open(config: SluiceConfig = {}): Promise<Sluice> {
    const loaded = await Sluice.load(config);
    const project = {
      ...loaded,
      warehousePath: config.warehousePath ?? loaded.warehousePath,
      metadataPath: config.metadataPath ?? loaded.metadataPath,
    };
    const logger = config.logger ?? createLogger();
    const { warehouse, store } = await openAdapters(project, config);
    const bus = new RunEventBus();
    const journal = new RunJournal(store, bus);
    const openLineage = createOpenLineageEmitter(
      {
        bus,
        store,
        warehouse,
        project,
        logger,
        warnRun: (runId, message, assetKey) => journal.emit(runId, 'asset_log', assetKey, message, { source: 'openlineage' }, 'warn'),
      },
      {
        env: config.env ?? process.env,
        warehousePath: project.warehousePath,
        ...(project.definition.openLineage ? { projectConfig: project.definition.openLineage } : {}),
        ...(config.openLineage !== undefined ? { explicit: config.openLineage } : {}),
      },
      config.openLineageEmitter,
    );
    openLineage?.addDatasetFacetProvider(checkAssertionsProvider(store, project.graph));
    const queue = await openQueueExecutor({
      env: config.env ?? process.env,
      project,
      warehouse,
      ...(config.executor ? { executor: config.executor } : {}),
    }).catch(async (error: unknown) => {
      await Promise.all([openLineage?.close(), warehouse.close(), store.close()]);
      throw error;
    });
    const metadataUrl = (config.env ?? process.env).SLUICE_METADATA_URL || project.definition.metadataUrl;
    const leadership =
      metadataUrl && !config.store
        ? await import('./queue/leader-election.js')
            .then(({ Leadership }) => Leadership.open({ url: metadataUrl, project: project.definition.name }))
            .catch(async (error: unknown) => {
              await Promise.all([queue?.close(), openLineage?.close(), warehouse.close(), store.close()]);
              throw error;
            })
        : undefined;
    const sluice = new Sluice({ project, warehouse, store, bus, journal, logger, openLineage, queue, leadership });
    await sluice.recover();
    return sluice;
  }

  /** Loads and validates a project without opening its warehouse (for listing and validation). */
  static async load(config: SluiceConfig = {}): Promise<LoadedProject> {
    const dir = config.dir ?? process.cwd();
    // SQL analyses are remembered under a project file's folder; a definition handed over in memory keeps them in memory.
    const parser = CachedSqlParser.open(config.project ? undefined : join(projectCacheDir(dirname(findProjectFile(dir))), 'sql-analyses.json'));
    try {
      return config.project ? await resolveProject(config.project, dir, dir, parser) : await loadProject(dir, parser);
    } finally {
      await parser.close();
    }
  }

  /** Marks runs of dead processes failed and drops their staging tables. */
  private async recover(): Promise<void> {
    await failAbandonedRuns(this.store);
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
   * Plans a run once, records it and starts it; resolves with its handle as soon as the run is recorded.
   * A bad selection, a missing partition or an unknown run to retry rejects here, before anything is recorded.
   * @example
   * const { runId, plan, done } = await sluice.submit({ select: 'stale+' });
   * console.log(`run ${runId}: ${plan.steps.length} asset(s)`);
   * const result = await done;
   */
  async submit(options: SubmitOptions = {}): Promise<RunHandle> {
    const { retryOf, onEvent, select: _select, ...execute } = options;
    const plan = retryOf !== undefined ? await this.retryPlan(retryOf) : await this.planSelection(options.select ?? '*');
    if (retryOf === undefined) this.checkPartition(plan, options.partition);
    const runOptions: ExecuteOptions = { ...execute, ...(retryOf !== undefined ? { parentRunId: retryOf } : {}) };
    if (!onEvent) return { ...(await this.coordinator.start(plan, runOptions)), plan };
    // The listener is on before the run exists, so it sees the run's first event; it comes off when the run stops.
    const runId = runOptions.runId ?? randomUUID();
    const listener = (event: RunEvent): void => {
      if (event.runId === runId) onEvent(event);
    };
    this.bus.on('event', listener);
    try {
      const started = await this.coordinator.start(plan, { ...runOptions, runId });
      const off = (): void => void this.bus.off('event', listener);
      started.done.then(off, off);
      return { ...started, plan };
    } catch (error) {
      this.bus.off('event', listener);
      throw error;
    }
  }

  /**
   * Materializes the selected assets in dependency order and waits for the run.
   * Never throws for asset failures: they are reported per asset in the result.
   */
  async materialize(options: MaterializeOptions = {}): Promise<MaterializeResult> {
    return (await this.submit(options)).done;
  }

  /** Re-runs the assets of a failed or canceled run that did not succeed (and their downstream in it). */
  async retryFailed(runId: string, options: Omit<MaterializeOptions, 'select' | 'parentRunId'> = {}): Promise<MaterializeResult> {
    return (await this.submit({ ...options, retryOf: runId })).done;
  }

  /** The one place a selection is planned for a run: `stale` needs the assets' statuses, nothing else does. */
  private async planSelection(select: string): Promise<Plan> {
    return this.plan(select, /\bstale\b/.test(select) ? await this.selectionContext() : {});
  }

  private async retryPlan(runId: string): Promise<Plan> {
    const run = await this.store.getRun(runId);
    if (!run) throw new RunNotFoundError(runId);
    if (run.status === 'succeeded') throw new SluiceError('INVALID_SELECTION', `run "${runId}" succeeded; there is nothing to retry`);
    const events = await this.store.listEvents(runId);
    const succeeded = new Set(events.flatMap((e) => (e.type === 'asset_succeeded' && e.assetKey !== null ? [e.assetKey] : [])));
    const remaining = new Set(run.assetKeys.filter((k) => this.project.graph.has(k) && !succeeded.has(k)));
    return planKeys(this.project.graph, remaining, `retry of ${runId}`);
  }

  /** A partition must be given exactly when the plan has partitioned assets, and be one of theirs. */
  private checkPartition(plan: Plan, partition: string | undefined): void {
    const partitioned = plan.steps.map((s) => this.project.graph.require(s.key).definition).filter((a) => a.partitions);
    if (partition === undefined) {
      if (partitioned.length > 0) {
        throw new SluiceError(
          'INVALID_SELECTION',
          `asset "${partitioned[0]!.key}" is partitioned; pass a partition key (--partition KEY) or run \`sluice backfill\``,
        );
      }
      return;
    }
    if (partitioned.length === 0) throw new SluiceError('INVALID_SELECTION', `--partition ${partition} given, but no selected asset is partitioned`);
    for (const asset of partitioned) assertPartitionKey(asset.partitions!, partition);
  }

  /** Cancels a run of this process; returns false when it is not running here. */
  cancel(runId: string): boolean {
    return this.runs.cancel(runId);
  }

  /**
   * Evaluates the checks of the selected assets on their published tables, without rebuilding.
   * @example const { results } = await sluice.check({ select: 'group:curation' });
   */
  async check(options: { select?: string } = {}): Promise<CheckRunResult> {
    return this.coordinator.check(this.plan(options.select ?? '*'));
  }

  /**
   * Builds one step of a recorded run in this process, unless the run recorded it already (a step whose first worker
   * died after recording it): what `sluice worker` runs for each job it takes, holding the asset's lock.
   * @example await sluice.buildStep(runId, 'silver/flights', signal);
   */
  buildStep(runId: string, key: string, signal: AbortSignal, partition?: string): Promise<BuiltStep> {
    return this.coordinator.buildAsset(runId, key, signal, partition, { unlessRecorded: true });
  }

  /** Status (fresh, stale, failed, never) of every asset. */
  async assetStatuses(): Promise<Map<string, { status: AssetStatus; reason?: string }>> {
    const [latest, failures] = await Promise.all([this.store.latestMaterializations(), this.store.latestAssetFailures()]);
    return computeAssetStatuses(this.project.graph, latest, failures);
  }

  /**
   * Delivers pending OpenLineage events (within their time limit), cancels this process's runs, and closes
   * the warehouse and the store. Calling it again waits for the first call.
   */
  close(): Promise<void> {
    return (this.closing ??= (async () => {
      try {
        await this.openLineage?.close();
      } finally {
        await this.columnLineage.close();
        this.runs.cancelAll();
        await this.queue?.close();
        await this.leadership?.close();
        await this.warehouse.close();
        // Events are written a turn of the event loop after they are said (see RunJournal): the last ones go in now.
        await this.journal.flush();
        await this.store.close();
      }
    })());
  }
}
