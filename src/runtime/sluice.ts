// The runtime facade: opens a project's warehouse and store, plans and executes runs, reports status.
import { hostname } from 'node:os';
import { SluiceError } from '../errors.js';
import { assertPartitionKey } from '../model/partitions.js';
import type { OpenLineageConfig, ProjectDefinition } from '../model/project-definition.js';
import { attachOpenLineage } from '../lineage/openlineage/openlineage-emitter.js';
import { checkAssertionsProvider } from '../lineage/openlineage/check-assertions.js';
import { DuckDbWarehouse } from '../engine/duckdb/duckdb-warehouse.js';
import type { Warehouse } from '../engine/warehouse.js';
import type { MetadataStore } from '../store/metadata-store.js';
import { SqliteStore } from '../store/sqlite/sqlite-store.js';
import type { AssetStatus } from '../store/records.js';
import { computeAssetStatuses } from './asset-status.js';
import { planKeys, planRun, type Plan } from './planner.js';
import type { SelectionContext } from '../model/selection.js';
import { loadProject, resolveProject, type LoadedProject } from './project-loader.js';
import { RunEventBus } from './run-events.js';
import { formatMs } from './format-ms.js';
import { RunCoordinator, type CheckRunResult, type ExecuteOptions, type MaterializeResult } from './run-coordinator.js';
import { RunJournal } from './run-journal.js';
import { isProcessAlive } from './process-alive.js';

/** Options of one materialization. */
export interface MaterializeOptions extends ExecuteOptions {
  /** Selection expression (default `*`). */
  select?: string;
}

export type { CheckRunResult, MaterializeResult };
export { formatMs };

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
  private readonly runs: RunCoordinator;

  private constructor(
    readonly project: LoadedProject,
    readonly warehouse: Warehouse,
    readonly store: MetadataStore,
  ) {
    this.runs = new RunCoordinator({ project, warehouse, store, journal: new RunJournal(store, this.bus) });
  }

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
    attachOpenLineage(sluice, config.openLineage)?.addDatasetFacetProvider(checkAssertionsProvider(store, project.graph));
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
    return this.runs.execute(plan, options);
  }

  /** Re-runs the assets of a failed or canceled run that did not succeed (and their downstream in it). */
  async retryFailed(runId: string, options: Omit<MaterializeOptions, 'select' | 'parentRunId'> = {}): Promise<MaterializeResult> {
    const run = await this.store.getRun(runId);
    if (!run) throw new SluiceError('RUN_NOT_FOUND', `run "${runId}" does not exist; run \`sluice runs\` to see recent run ids`);
    if (run.status === 'succeeded') throw new SluiceError('INVALID_SELECTION', `run "${runId}" succeeded; there is nothing to retry`);
    const events = await this.store.listEvents(runId);
    const succeeded = new Set(events.filter((e) => e.type === 'asset_succeeded').map((e) => e.assetKey!));
    const remaining = new Set(run.assetKeys.filter((k) => this.project.graph.has(k) && !succeeded.has(k)));
    return this.runs.execute(planKeys(this.project.graph, remaining, `retry of ${runId}`), { ...options, parentRunId: runId });
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
    return this.runs.cancel(runId);
  }

  /**
   * Evaluates the checks of the selected assets on their published tables, without rebuilding.
   * @example const { results } = await sluice.check({ select: 'group:curation' });
   */
  async check(options: { select?: string } = {}): Promise<CheckRunResult> {
    return this.runs.check(this.plan(options.select ?? '*'));
  }

  /** Status (fresh, stale, failed, never) of every asset. */
  async assetStatuses(): Promise<Map<string, { status: AssetStatus; reason?: string }>> {
    const [latest, failures] = await Promise.all([this.store.latestMaterializations(), this.store.latestAssetFailures()]);
    return computeAssetStatuses(this.project.graph, latest, failures);
  }

  async close(): Promise<void> {
    this.runs.cancelAll();
    await this.warehouse.close();
    await this.store.close();
  }

}

