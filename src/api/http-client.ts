// The SluiceClient of a project a server owns: every call goes over its HTTP API.
import type { BackfillProgress } from '../automation/backfill.js';
import { AssetVisibility } from '../access/grants/visibility.js';
import { loadColumnLineageDetached } from '../lineage/load-column-lineage.js';
import type { ProjectColumnLineage } from '../lineage/project-column-lineage.js';
import type { RunEvent } from '../model/run-event.js';
import type { StepOutcome } from '../runtime/executor.js';
import type { LoadedProject } from '../runtime/project-loader.js';
import { deriveSteps, type RunStep } from '../runtime/run-state.js';
import type { AssetListItem, LaunchRunResponse, MaterializationRecord } from '../server/api-types.js';
import type { ApiClient } from './api-client.js';
import { ApiReads } from './api-reads.js';
import type { BackfillListener, BackfillRequest, BackfillView, RunRequest, SluiceClient, SubmittedRun } from './sluice-client.js';

/**
 * Talks to the server that owns the project's warehouse (`sluice dev`, or the one `--url` names).
 * The definitions are still read from the project folder, which the server shares.
 * @example const client = new HttpClient(new ApiClient('http://127.0.0.1:3000'), () => Sluice.load({ dir: '.' }));
 */
/** The definitions as this caller may see them, with the server's asset listing they were narrowed by. */
interface VisibleProject {
  project: LoadedProject;
  assets: AssetListItem[];
  visibility: AssetVisibility;
}

export class HttpClient extends ApiReads implements SluiceClient {
  private loaded: Promise<VisibleProject> | undefined;

  constructor(
    api: ApiClient,
    private readonly loadProject: () => Promise<LoadedProject>,
  ) {
    super(api);
  }

  async project(): Promise<LoadedProject> {
    return (await this.visibleProject()).project;
  }

  async redact<T>(value: T): Promise<T> {
    return (await this.visibleProject()).visibility.scrub(value) as T;
  }

  /**
   * The definitions narrowed to the assets the server lists for this caller (it omits those the caller may not
   * read): the project folder holds every definition, but a hidden asset's key, SQL and edges must not reach the output.
   */
  private visibleProject(): Promise<VisibleProject> {
    return (this.loaded ??= Promise.all([this.loadProject(), this.assets()]).then(([project, assets]) => {
      const visible = new Set(assets.map((asset) => asset.key));
      const hidden = [...project.graph.keys()].filter((key) => !visible.has(key));
      if (hidden.length === 0) return { project, assets, visibility: AssetVisibility.hiding([]) };
      return { project: { ...project, graph: project.graph.restrictedTo(visible) }, assets, visibility: AssetVisibility.hiding(hidden) };
    }));
  }

  /** From the definitions plus the schemas the server last recorded: the server's warehouse file is not ours to open. */
  async columnLineage(keys?: string[]): Promise<ProjectColumnLineage> {
    // The listing the definitions were narrowed by also carries the schemas: no second GET /api/assets.
    const { project, assets } = await this.visibleProject();
    const known = new Map(
      assets.flatMap((a) =>
        a.lastMaterialization && a.lastMaterialization.schema.length > 0 ? [[a.key.replace('/', '.'), a.lastMaterialization.schema] as const] : [],
      ),
    );
    return loadColumnLineageDetached(project.graph, project.dir, known, keys ? { keys } : {});
  }

  async submit(request: RunRequest): Promise<SubmittedRun> {
    const concurrency = request.concurrency ? { concurrency: request.concurrency } : {};
    const { runId } =
      request.retryOf !== undefined
        ? await this.api.post<LaunchRunResponse>(`/api/runs/${encodeURIComponent(request.retryOf)}/reexecute`, concurrency)
        : await this.api.post<LaunchRunResponse>('/api/runs', {
            select: request.select ?? '*',
            ...concurrency,
            ...(request.partition ? { partition: request.partition } : {}),
          });
    const runPath = `/api/runs/${encodeURIComponent(runId)}`;
    const { run } = await this.run(runId);
    return {
      runId,
      assetKeys: run.assetKeys,
      server: this.api.baseUrl,
      follow: async (onEvent) => {
        const events: RunEvent[] = [];
        const ended = await this.api.followRun(runId, (event) => {
          events.push(event);
          onEvent(event);
        });
        // Steps are folded from the events already received: the server may be gone by now (stopped with Ctrl-C).
        return { runId, status: ended.status, assets: deriveSteps(ended, events).map(toOutcome) };
      },
      cancel: async () => void (await this.api.post(`${runPath}/cancel`).catch(() => undefined)),
    };
  }

  /** Submits the backfill and follows it by polling until it ends (or `signal` aborts); each finished partition is reported once. */
  async backfill(request: BackfillRequest, listener: BackfillListener): Promise<BackfillView> {
    let { backfill } = await this.api.post<{ backfill: BackfillView }>('/api/backfills', request);
    listener.onStart({ backfillId: backfill.id, total: backfill.partitions.length, done: 0, server: this.api.baseUrl });
    const reported = new Set<string>();
    for (;;) {
      const done = backfill.partitions.filter((p) => p.status === 'succeeded').length;
      backfill.partitions.forEach((p, i) => {
        if (p.status === 'pending' || reported.has(p.key)) return;
        reported.add(p.key);
        listener.onProgress({
          backfillId: backfill.id,
          index: i + 1,
          total: backfill.partitions.length,
          done,
          partition: p.key,
          phase: p.status as BackfillProgress['phase'],
          runId: p.runId ?? '',
        });
      });
      // Aborting stops following: the server's backfill goes on.
      if (backfill.status !== 'running' || listener.signal?.aborted) return backfill;
      await new Promise((resolve) => setTimeout(resolve, 300));
      ({ backfill } = await this.api.get<{ backfill: BackfillView }>(`/api/backfills/${encodeURIComponent(backfill.id)}`));
    }
  }

  /** The most a server returns per asset. */
  static readonly HISTORY_LIMIT = 1000;

  async materializations(key: string, limit: number): Promise<MaterializationRecord[]> {
    return (await this.asset(key, Math.min(limit, HttpClient.HISTORY_LIMIT))).materializations;
  }

  async close(): Promise<void> {
    // Nothing is held open: each call is its own request.
  }
}

/** A run step as the executor would have reported it. */
function toOutcome(step: RunStep): StepOutcome {
  const durationMs = step.startedAt && step.endedAt ? Date.parse(step.endedAt) - Date.parse(step.startedAt) : 0;
  const status: StepOutcome['status'] = step.status === 'pending' || step.status === 'running' ? 'not_executed' : step.status;
  return { key: step.assetKey, status, attempts: step.attempts, durationMs, ...(step.error ? { error: { name: 'Error', message: step.error } } : {}) };
}
