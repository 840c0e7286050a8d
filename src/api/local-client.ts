// The SluiceClient of a project opened in this process: reads and SQL through the API's own routes in process, runs directly.
import { runBackfill } from '../automation/backfill.js';
import type { ProjectColumnLineage } from '../lineage/project-column-lineage.js';
import { loadColumnLineage } from '../lineage/load-column-lineage.js';
import type { RunEvent } from '../model/run-event.js';
import type { LoadedProject } from '../runtime/project-loader.js';
import type { Sluice } from '../runtime/sluice.js';
import type { MaterializationRecord } from '../store/records.js';
import { ApiClient, type FetchLike } from './api-client.js';
import { ApiReads } from './api-reads.js';
import type { BackfillListener, BackfillRequest, BackfillView, RunRequest, SluiceClient, SubmittedRun } from './sluice-client.js';

/**
 * Works on a project this process opened (and owns: one process per DuckDB file). Reads and SQL answer through
 * the HTTP API's routes called in process, as the local admin, so they are the server's answers to the byte and
 * pass the same governed reader (no local query drops a published table or reads a host file); runs go
 * straight to the runtime.
 * @example
 * const client = await LocalClient.open(await Sluice.open({ dir: 'examples/flights' }));
 * const { runId } = await client.submit({ select: 'gold/region_monthly_summary' });
 */
export class LocalClient extends ApiReads implements SluiceClient {
  private constructor(
    private readonly sluice: Sluice,
    api: ApiClient,
  ) {
    super(api);
  }

  /** Wraps an opened project; `close()` closes it. */
  static async open(sluice: Sluice): Promise<LocalClient> {
    // The app (the server's routes, hono, zod: ~150 ms of modules) is loaded by the first read, so commands that
    // only run assets (`sluice materialize`) never load it.
    let app: ReturnType<typeof loadApp> | undefined;
    const request: FetchLike = async (input, init) => (await (app ??= loadApp(sluice))).request(input, init);
    return new LocalClient(sluice, new ApiClient('http://localhost', request));
  }

  async project(): Promise<LoadedProject> {
    return this.sluice.project;
  }

  /** This process opened the project's files: nothing in them is hidden from it. */
  async redact<T>(value: T): Promise<T> {
    return value;
  }

  columnLineage(keys?: string[]): Promise<ProjectColumnLineage> {
    return loadColumnLineage(this.sluice.project.graph, this.sluice.warehouse, keys ? { keys } : {});
  }

  async submit(request: RunRequest): Promise<SubmittedRun> {
    // Events are kept from the run's first one until someone follows it.
    const seen: RunEvent[] = [];
    let listener: ((event: RunEvent) => void) | undefined;
    const controller = new AbortController();
    const handle = await this.sluice.submit({
      signal: controller.signal,
      ...(request.retryOf !== undefined ? { retryOf: request.retryOf } : { select: request.select ?? '*' }),
      ...(request.concurrency ? { concurrency: request.concurrency } : {}),
      ...(request.partition ? { partition: request.partition } : {}),
      onEvent: (event) => (listener ? listener(event) : void seen.push(event)),
    });
    return {
      runId: handle.runId,
      assetKeys: handle.plan.steps.map((s) => s.key),
      server: undefined,
      follow: (onEvent) => {
        for (const event of seen.splice(0)) onEvent(event);
        listener = onEvent;
        return handle.done;
      },
      cancel: async () => controller.abort(),
    };
  }

  /** Runs the backfill in this process, one partition run at a time. */
  async backfill(request: BackfillRequest, listener: BackfillListener): Promise<BackfillView> {
    let started = false;
    const { backfill } = await runBackfill(this.sluice, {
      ...request,
      ...(listener.signal ? { signal: listener.signal } : {}),
      onProgress: (progress) => {
        if (!started) {
          started = true;
          listener.onStart({ backfillId: progress.backfillId, total: progress.total, done: progress.done, server: undefined });
        }
        listener.onProgress(progress);
      },
    });
    return backfill;
  }

  materializations(key: string, limit: number): Promise<MaterializationRecord[]> {
    return this.sluice.store.materializationHistory(key, limit);
  }

  close(): Promise<void> {
    return this.sluice.close();
  }
}

/** The HTTP app of an opened project, for reads in process. */
async function loadApp(sluice: Sluice): Promise<{ request: FetchLike }> {
  const { createApp } = await import('../server/app.js');
  const app = createApp(sluice);
  return { request: async (input, init) => app.request(input, init) };
}
