// Turns a Sluice's run events into OpenLineage run events and delivers them in the background.
import { createRequire } from 'node:module';
import { isAbsolute, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Warehouse } from '../../engine/warehouse.js';
import { messageOf } from '../../errors.js';
import type { Logger } from '../../logger.js';
import type { AssetGraph } from '../../model/asset-graph.js';
import type { OpenLineageConfig } from '../../model/project-definition.js';
import type { RunEvent } from '../../model/run-event.js';
import type { MaterializationRecord, MetadataStore } from '../../store/metadata-store.js';
import { tableOfAsset, type AssetLineage } from '../asset-column-lineage.js';
import { loadColumnLineage } from '../load-column-lineage.js';
import { DeliveryQueue } from './delivery-queue.js';
import { resolveOpenLineageSettings, type OpenLineageSettings } from './openlineage-config.js';
import type { FacetMap, OpenLineageRunEvent, RunEventType } from './openlineage-types.js';
import { assetRunUuid, columnLineageBody, runEvent, runUuid, type DatasetFacts, type JobFacts } from './run-event-builder.js';
import { createTransport, TransportError, type Transport } from './transports.js';

/** The package version, for `producer` and the processing_engine facet. */
const SLUICE_VERSION = ((): string => {
  try {
    return (createRequire(import.meta.url)('../../../package.json') as { version?: string }).version ?? '0.0.0';
  } catch {
    return '0.0.0';
  }
})();

/** URI naming this producer and its version in every event and facet. */
export const SLUICE_PRODUCER = `https://www.npmjs.com/package/sluice/v/${SLUICE_VERSION}`;

/** Tuning of the emitter; the defaults suit production. */
export interface OpenLineageEmitterOptions {
  /** Replaces the configured transport (tests). */
  transport?: Transport;
  retries?: number;
  backoffMs?: number;
  /** Undelivered events held at most (default 1000). */
  capacity?: number;
  /** How long `close` waits for undelivered events (default 5000 ms). */
  flushTimeoutMs?: number;
}

/** What a facet provider learns about the output it may add facets to. */
export interface DatasetFacetContext {
  runId: string;
  assetKey: string;
  eventType: RunEventType;
  materialization?: MaterializationRecord;
}

/** Adds facets (e.g. dataQualityAssertions) to an asset's output dataset; it must not throw to stop a run. */
export type DatasetFacetProvider = (context: DatasetFacetContext) => Promise<FacetMap> | FacetMap;

interface Pending {
  event: OpenLineageRunEvent;
  runId: string;
  /** The run-level terminal event: its delivery closes the run's drop accounting. */
  final: boolean;
}

/** Counters for tests and benchmarks. */
export interface EmitterStats {
  built: number;
  delivered: number;
  dropped: number;
  /** Time spent building events (lineage, metadata look-ups), off the run's path. */
  buildMs: number;
}

/** The project facts events are built from. */
export interface OpenLineageProject {
  definition: { name: string };
  /** Folder of the project and its config file (the source of run-level jobs). */
  dir: string;
  file: string;
  graph: AssetGraph;
}

/** What the emitter works with, handed over by the composition root (`Sluice.open`). */
export interface OpenLineageDeps {
  bus: RunEventSource;
  store: MetadataStore;
  warehouse: Warehouse;
  project: OpenLineageProject;
  /** Writes a warning into a run's event log (and onto the bus); it must not throw. */
  warnRun: (runId: string, message: string, assetKey?: string) => Promise<void>;
  logger: Logger;
}

/** The run events the emitter listens to (the runtime's RunEventBus). */
export interface RunEventSource {
  on(type: 'event', listener: (event: RunEvent) => void): unknown;
  off(type: 'event', listener: (event: RunEvent) => void): unknown;
}

/**
 * The emitter for a project when its settings, the `OPENLINEAGE_*` variables in `env` or `explicit` enable
 * OpenLineage; undefined when it is off. A bad setting is logged as a warning and leaves it off.
 * @example
 * const emitter = createOpenLineageEmitter(deps, { env: process.env, warehousePath: '/p/data/warehouse.duckdb', explicit: { transport: { type: 'file', path: 'lineage.jsonl' } } });
 * await emitter?.close();
 */
export function createOpenLineageEmitter(
  deps: OpenLineageDeps,
  config: { env: Readonly<Record<string, string | undefined>>; warehousePath: string; projectConfig?: OpenLineageConfig; explicit?: OpenLineageConfig | false },
  options: OpenLineageEmitterOptions = {},
): OpenLineageEmitter | undefined {
  const { project } = deps;
  let settings: OpenLineageSettings | undefined;
  try {
    const warehousePath = isAbsolute(config.warehousePath) || config.warehousePath === ':memory:' ? config.warehousePath : resolve(config.warehousePath);
    settings = resolveOpenLineageSettings(
      config.projectConfig,
      config.env,
      {
        projectName: project.definition.name,
        projectDir: project.dir,
        warehousePath,
        ...(deps.warehouse.dialect === 'postgres' ? { warehouseUrl: deps.warehouse.location } : {}),
      },
      config.explicit,
    );
  } catch (error) {
    // Lineage is an extra: a bad setting is reported loudly but never stops the project from opening.
    deps.logger.warn(`OpenLineage is off: ${messageOf(error)}`);
    return undefined;
  }
  if (!settings) return undefined;
  return new OpenLineageEmitter(deps, settings, options.transport ?? createTransport(settings.transport), options);
}

/**
 * Listens to the run bus: per asset START (first attempt), COMPLETE, FAIL or ABORT (canceled after it
 * started), each with the Sluice run as parent; the Sluice run itself as a job of its own. Building and
 * delivery run in the background, in order; failures become warnings in the run's event log.
 */
export class OpenLineageEmitter {
  readonly stats: EmitterStats = { built: 0, delivered: 0, dropped: 0, buildMs: 0 };
  private chain: Promise<void> = Promise.resolve();
  private readonly queue: DeliveryQueue<Pending>;
  private readonly started = new Map<string, Set<string>>();
  private readonly drops = new Map<string, { logged: boolean; more: number }>();
  private readonly warnings = new Set<Promise<void>>();
  private readonly providers: DatasetFacetProvider[] = [];
  private readonly listener = (event: RunEvent): void => this.onEvent(event);

  constructor(
    private readonly deps: OpenLineageDeps,
    readonly settings: OpenLineageSettings,
    readonly transport: Transport,
    private readonly options: OpenLineageEmitterOptions = {},
  ) {
    this.queue = new DeliveryQueue<Pending>({
      send: (item, signal) => transport.send(item.event, signal),
      isRetryable: (error) => !(error instanceof TransportError) || error.retryable,
      onDelivered: (item) => {
        this.stats.delivered++;
        if (item.final) this.closeRunAccounting(item.runId);
      },
      onDrop: (item, reason, attempts) => this.onDrop(item, reason, attempts),
      ...(options.capacity !== undefined ? { capacity: options.capacity } : {}),
      ...(options.retries !== undefined ? { retries: options.retries } : {}),
      ...(options.backoffMs !== undefined ? { backoffMs: options.backoffMs } : {}),
    });
    deps.bus.on('event', this.listener);
  }

  /**
   * Adds facets to every COMPLETE event's output dataset: the extension point for data-quality assertions.
   * @example emitter.addDatasetFacetProvider(({ assetKey }) => ({ dataQualityAssertions: dataQualityAssertionsFacet(SLUICE_PRODUCER, results(assetKey)) }))
   */
  addDatasetFacetProvider(provider: DatasetFacetProvider): void {
    this.providers.push(provider);
  }

  /** Stops listening (pending events are still delivered by `flush`). */
  detach(): void {
    this.deps.bus.off('event', this.listener);
  }

  /** Builds and delivers everything pending, at most `timeoutMs`; undelivered events are dropped with a warning. */
  async flush(timeoutMs = this.options.flushTimeoutMs ?? 5000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    await Promise.race([this.chain, new Promise((r) => setTimeout(r, timeoutMs).unref())]);
    await this.queue.flush(Math.max(0, deadline - Date.now()));
    for (const runId of [...this.drops.keys()]) this.closeRunAccounting(runId);
    await Promise.all([...this.warnings]);
  }

  async close(): Promise<void> {
    this.detach();
    await this.flush();
  }

  private onEvent(event: RunEvent): void {
    const build = this.builderFor(event);
    if (!build) return;
    const final = event.type === 'run_succeeded' || event.type === 'run_failed' || event.type === 'run_canceled';
    this.chain = this.chain.then(async () => {
      const started = performance.now();
      try {
        const built = await build();
        this.stats.built++;
        this.queue.push({ event: built, runId: event.runId, final });
      } catch (error) {
        this.warn(
          event.runId,
          `OpenLineage: could not build the event for "${event.type}"${event.assetKey ? ` of ${event.assetKey}` : ''}: ${messageOf(error)}; it was not sent. The run itself is unaffected.`,
          event.assetKey ?? undefined,
        );
      } finally {
        this.stats.buildMs += performance.now() - started;
      }
    });
  }

  private builderFor(event: RunEvent): (() => Promise<OpenLineageRunEvent>) | undefined {
    const time = new Date(event.ts);
    const key = event.assetKey ?? undefined;
    switch (event.type) {
      case 'run_started':
        return async () => this.runLevel('START', event.runId, time);
      case 'run_succeeded':
        return async () => this.runLevel('COMPLETE', event.runId, time);
      case 'run_failed':
        return async () => this.runLevel('FAIL', event.runId, time, event.message);
      case 'run_canceled':
        return async () => this.runLevel('ABORT', event.runId, time);
      case 'asset_started': {
        if (!key || event.data.attempt !== 1) return undefined;
        const started = this.started.get(event.runId) ?? new Set<string>();
        started.add(key);
        this.started.set(event.runId, started);
        return async () => this.assetEvent('START', event.runId, key, time);
      }
      case 'asset_succeeded':
        return key ? async () => this.assetEvent('COMPLETE', event.runId, key, time) : undefined;
      case 'asset_failed':
        return key ? async () => this.assetEvent('FAIL', event.runId, key, time, event.data.error.message || event.message) : undefined;
      case 'asset_not_executed':
        // Only a started asset has a run to abort; one that never began emits nothing.
        return key && event.data.reason === 'canceled' && this.started.get(event.runId)?.has(key)
          ? async () => this.assetEvent('ABORT', event.runId, key, time)
          : undefined;
      default:
        return undefined;
    }
  }

  private runJob(): JobFacts {
    return {
      namespace: this.settings.namespace,
      name: this.deps.project.definition.name,
      jobType: 'JOB',
      sourceUrl: pathToFileURL(this.deps.project.file).href,
    };
  }

  private runLevel(eventType: RunEventType, runId: string, time: Date, errorMessage?: string): OpenLineageRunEvent {
    if (eventType !== 'START') this.started.delete(runId);
    return runEvent(SLUICE_PRODUCER, {
      eventType,
      eventTime: time,
      runId: runUuid(runId),
      job: this.runJob(),
      engineVersion: SLUICE_VERSION,
      ...(errorMessage ? { error: { message: errorMessage } } : {}),
    });
  }

  private async assetEvent(eventType: RunEventType, runId: string, key: string, time: Date, errorMessage?: string): Promise<OpenLineageRunEvent> {
    const node = this.deps.project.graph.get(key);
    if (!node) throw new Error(`asset "${key}" is not in the project`);
    const definition = node.definition;
    const source = definition.sqlSource && isAbsolute(definition.sqlSource) ? definition.sqlSource : this.deps.project.file;
    const job: JobFacts = {
      namespace: this.settings.namespace,
      name: key,
      jobType: 'ASSET',
      owners: definition.owners,
      tags: definition.tags,
      sourceUrl: pathToFileURL(source).href,
      ...(definition.description ? { description: definition.description } : {}),
      ...(definition.sql !== undefined ? { sql: definition.sql } : {}),
    };
    const output: DatasetFacts = { ...this.dataset(tableOfAsset(key)), kind: definition.kind === 'view' ? 'VIEW' : 'TABLE' };
    let inputs: DatasetFacts[] = node.deps.map((dep) => this.dataset(tableOfAsset(dep)));
    if (eventType === 'COMPLETE') {
      const details = await this.completeDetails(runId, key, node.deps, eventType);
      Object.assign(output, details.output, { description: definition.description, owners: definition.owners });
      inputs = details.inputs;
    }
    return runEvent(SLUICE_PRODUCER, {
      eventType,
      eventTime: time,
      runId: assetRunUuid(runId, key),
      parent: { runId: runUuid(runId), ...this.runJob() },
      job,
      inputs,
      outputs: [output],
      ...(errorMessage ? { error: { message: errorMessage } } : {}),
    });
  }

  /** Schema, statistics, version and column lineage of a published asset, and the schemas of its inputs. */
  private async completeDetails(
    runId: string,
    key: string,
    deps: readonly string[],
    eventType: RunEventType,
  ): Promise<{ output: Partial<DatasetFacts>; inputs: DatasetFacts[] }> {
    const { store, warehouse, project } = this.deps;
    const [record] = await store.materializationHistory(key, 1);
    const materialization = record?.runId === runId ? record : undefined;
    const latest = await store.latestMaterializations();
    let lineage: AssetLineage | undefined;
    try {
      lineage = (await loadColumnLineage(project.graph, warehouse, { keys: [key] })).assets.get(key);
    } catch {
      // Column lineage is an extra: an event without it beats no event.
      lineage = undefined;
    }
    const inputs: DatasetFacts[] = deps.map((dep) => ({ ...this.dataset(tableOfAsset(dep)), schema: latest.get(dep)?.schema ?? [] }));
    const files = new Set(
      [...(lineage?.columns.flatMap((c) => c.sources) ?? []), ...(lineage?.indirect ?? [])].map((s) => s.table).filter((t) => t.startsWith('file:')),
    );
    for (const file of files) inputs.push({ ...this.dataset(file), kind: 'FILE' });
    const extraFacets: FacetMap = {};
    for (const provider of this.providers) {
      Object.assign(extraFacets, await provider({ runId, assetKey: key, eventType, ...(materialization ? { materialization } : {}) }));
    }
    const output: Partial<DatasetFacts> = { extraFacets };
    if (materialization) {
      output.schema = materialization.schema;
      output.rowCount = materialization.rowCount;
      output.dataVersion = materialization.dataVersion;
      output.columnStats = (materialization.metadata.columnStats ?? []) as DatasetFacts['columnStats'];
    }
    if (lineage) output.columnLineage = columnLineageBody(lineage, (table) => this.dataset(table));
    return { output, inputs };
  }

  /** Warehouse relations live in the dataset namespace (on PostgreSQL named with their database); files in `file`, by absolute path (OpenLineage naming). */
  private dataset(table: string): { namespace: string; name: string } {
    if (table.startsWith('file:')) {
      const path = table.slice('file:'.length);
      return { namespace: 'file', name: isAbsolute(path) ? path : resolve(this.deps.project.dir, path) };
    }
    return { namespace: this.settings.datasetNamespace, name: `${this.settings.datasetNamePrefix ?? ''}${table}` };
  }

  private onDrop(item: Pending, reason: string, attempts: number): void {
    this.stats.dropped++;
    const drops = this.drops.get(item.runId) ?? { logged: false, more: 0 };
    this.drops.set(item.runId, drops);
    if (!drops.logged) {
      drops.logged = true;
      const tries = attempts > 0 ? ` after ${attempts} attempt${attempts > 1 ? 's' : ''}` : '';
      this.warn(
        item.runId,
        `OpenLineage: the ${item.event.eventType} event of ${item.event.job.name} was dropped: ${this.transport.description} failed${tries} (${reason}). Further undelivered events of this run are counted, not listed. The run itself is unaffected.`,
      );
    } else {
      drops.more++;
    }
    if (item.final) this.closeRunAccounting(item.runId);
  }

  private closeRunAccounting(runId: string): void {
    const drops = this.drops.get(runId);
    this.drops.delete(runId);
    if (drops && drops.more > 0)
      this.warn(runId, `OpenLineage: ${drops.more} more event(s) of this run were dropped (${this.transport.description} unavailable).`);
  }

  /** A warning in the run's event log (and on the bus, for live viewers); it must never throw. */
  private warn(runId: string, message: string, assetKey?: string): void {
    const write = this.deps.warnRun(runId, message, assetKey).catch(() => this.deps.logger.warn(message));
    this.warnings.add(write);
    void write.finally(() => this.warnings.delete(write));
  }
}
