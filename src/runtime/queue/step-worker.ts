// The executing side of the queue (`sluice worker`): takes step jobs, builds each asset under an advisory lock.
import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { hostname } from 'node:os';
import type pg from 'pg';
import type { BuiltStep } from '../run-coordinator.js';
import { run, type Job, type JobHelpers, type Runner, type WorkerEvents } from 'graphile-worker';
import { serializeError } from '../../errors.js';
import { openPostgresPool } from '../../postgres/postgres-pool.js';
import { reconnect } from './reconnect.js';
import { QUEUE_SCHEMA, STEP_CANCEL_CHANNEL, STEP_DONE_CHANNEL, STEP_TASK, prepareQueue, silentLogger, type StepPayload } from './queue-schema.js';

/**
 * Builds one step of a run in this process (the runtime's own build: stage, audit, publish, record), unless the run
 * recorded it already (a re-queued step whose first worker died after recording it).
 */
type BuildStep = (runId: string, assetKey: string, signal: AbortSignal, partition: string | undefined) => Promise<BuiltStep>;

/** Construction options of a worker process. */
export interface StepWorkerConfig {
  /** The queue database: the metadata store's PostgreSQL URL. */
  url: string;
  build: BuildStep;
  /** Steps this process runs at once (default 1). */
  concurrency?: number;
  /** How often this process proves it is alive (default 1 s). */
  heartbeatMs?: number;
  /** Told when the worker lost its queue connection or runner (a database restart) and starts them again after `delayMs`. */
  onReconnect?: (error: unknown, delayMs: number) => void;
}

/** Three tries, 100 ms then 400 ms apart. */
async function withRetries(action: () => Promise<void>): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await action();
    } catch (error) {
      if (attempt >= 3) throw error;
      await new Promise((resolve) => setTimeout(resolve, 100 * 4 ** (attempt - 1)));
    }
  }
}

/**
 * Records a step's outcome and notifies submitters with `{"key", "status", "built"}`; completed by `FROM saved` (plus
 * more columns).
 */
const SAVE_OUTCOME = `WITH saved AS (
  INSERT INTO ${QUEUE_SCHEMA}.step_outcomes (job_key, run_id, asset_key, status, error, worker_id, built) VALUES ($1, $2, $3, $4, $5, $6, $7)
  ON CONFLICT (job_key) DO UPDATE SET status = excluded.status, error = excluded.error, worker_id = excluded.worker_id, built = excluded.built,
    finished_at = now()
  RETURNING job_key, status, built)
SELECT pg_notify('${STEP_DONE_CHANNEL}', json_build_object('key', job_key, 'status', status, 'built', built)::text)`;

/** How long a cancel for a step not (yet) running here is remembered: far longer than taking a job to starting it. */
const RECENT_CANCEL_MS = 5 * 60_000;
/** First key of the advisory locks that keep two workers from building one asset at once (second: the key's hash). */
const ASSET_LOCK_SPACE = 0x51_1c_e0_06;

/**
 * A worker process: any number of them, on any machines, share the queue.
 * @example const worker = await StepWorker.start({ url, build, concurrency: 4 }); ... await worker.stop();
 */
export class StepWorker {
  readonly id = `sluice-${hostname()}-${process.pid}-${randomUUID().slice(0, 8)}`;
  private readonly running = new Map<string, { jobId: string; controller: AbortController }>();
  /** Cancels of steps this worker was not running yet, by job key, with when they arrived. */
  private readonly recentCancels = new Map<string, number>();
  private runner: Runner | undefined;
  private heartbeat: NodeJS.Timeout | undefined;
  private listener: pg.PoolClient | undefined;
  /** graphile-worker's ids for this process's runners so far: jobs they took but could not mark complete stay locked by them. */
  private runnerIds: string[] = [];
  private recovering: Promise<void> | undefined;
  private stopping = false;

  private constructor(
    private readonly pool: pg.Pool,
    private readonly config: StepWorkerConfig,
  ) {}

  static async start(config: StepWorkerConfig): Promise<StepWorker> {
    const concurrency = config.concurrency ?? 1;
    // Per step: one connection for the asset lock; plus graphile-worker's, the heartbeat and the cancel listener.
    // Everything this pool writes is the queue's bookkeeping (taking and completing jobs, heartbeats, outcomes), so it
    // commits without waiting for the WAL flush (an fsync, ~3 ms, several per step). A database crash may lose the last
    // fraction of a second of it: a job taken or completed then runs again, and `build`, which skips a step its run
    // recorded (in the store, whose commits stay durable), keeps it from being built twice; a lost outcome is rewritten.
    const pool = await openPostgresPool({ url: config.url, role: 'queue', max: concurrency * 2 + 4, options: '-c synchronous_commit=off' });
    const worker = new StepWorker(pool, config);
    try {
      await prepareQueue(pool);
      await worker.begin(concurrency);
      return worker;
    } catch (error) {
      await worker.stop();
      throw error;
    }
  }

  private async begin(concurrency: number): Promise<void> {
    await this.connect(concurrency);
    this.heartbeat = setInterval(() => void this.beat(), this.config.heartbeatMs ?? 1000);
  }

  /** Listens for cancels, registers this process, and starts a graphile-worker runner. */
  private async connect(concurrency: number): Promise<void> {
    const listener = await this.pool.connect();
    this.listener = listener;
    listener.on('notification', (message) => this.cancelStep(message.payload ?? ''));
    // A lost listening connection (pg_terminate_backend, a restart) would lose every later cancel: reconnect. Only the
    // current one's: a replaced listener or runner failing late must not tear down the ones that replaced it.
    listener.on('error', (error) => {
      if (this.listener === listener) this.recover(error, concurrency);
    });
    await listener.query(`LISTEN ${STEP_CANCEL_CHANNEL}`);
    // Registered from the listening connection, whose backend ends when this process dies (kill -9, a lost machine):
    // a submitter that sees that backend gone and two heartbeats missed gives the worker's steps to another worker
    // without waiting out the whole stale window.
    await listener.query(
      `INSERT INTO ${QUEUE_SCHEMA}.workers (id, host, pid, concurrency, backend_pid, heartbeat_ms) VALUES ($1, $2, $3, $4, pg_backend_pid(), $5)
       ON CONFLICT (id) DO UPDATE SET backend_pid = excluded.backend_pid, heartbeat_at = now()`,
      [this.id, hostname(), process.pid, concurrency, this.config.heartbeatMs ?? 1000],
    );
    const events = new EventEmitter() as WorkerEvents;
    events.on('pool:create', ({ workerPool }) => this.runnerIds.push(workerPool.id));
    const runner = await run({
      pgPool: this.pool,
      concurrency,
      noHandleSignals: true,
      pollInterval: 500,
      logger: silentLogger(),
      events,
      // Completions go through graphile-worker's batcher, whose failure (its connection terminated) stops the runner,
      // which `recover` then replaces; unbatched, the failure is an unhandled rejection that would end the process.
      preset: { worker: { completeJobBatchDelay: 0, failJobBatchDelay: 0 } },
      taskList: { [STEP_TASK]: (payload, helpers) => this.runJob(payload as StepPayload, helpers) },
    });
    this.runner = runner;
    // The runner ends on stop(), or on an error it cannot go on after.
    runner.promise.catch((error: unknown) => {
      if (this.runner === runner) this.recover(error, concurrency);
    });
  }

  /**
   * Replaces a failed runner and listening connection, retrying with backoff (0.5 s doubling to 30 s) until it works
   * or the worker is stopped: a worker outlives a database restart.
   */
  private recover(error: unknown, concurrency: number): void {
    if (this.stopping || this.recovering) return;
    this.recovering = reconnect(
      error,
      async () => {
        await this.releaseJobsOf(this.runnerIds);
        this.runnerIds = [];
        await this.connect(concurrency);
      },
      {
        stopped: () => this.stopping,
        beforeWait: async (cause, delayMs) => {
          // The old runner finishes the steps in hand first (their builds use connections of their own).
          await this.runner?.stop().catch(() => undefined);
          this.runner = undefined;
          this.listener?.release(true);
          this.listener = undefined;
          this.config.onReconnect?.(cause, delayMs);
        },
      },
    ).finally(() => (this.recovering = undefined));
  }

  private async beat(): Promise<void> {
    const jobs = [...this.running.values()].map((r) => r.jobId);
    await this.pool
      .query(`UPDATE ${QUEUE_SCHEMA}.workers SET heartbeat_at = now(), running = $2::bigint[] WHERE id = $1`, [this.id, jobs])
      .catch(() => undefined);
  }

  /**
   * A cancel can arrive between graphile-worker taking the job and `runJob` listing it (the submitter sees the job
   * locked and notifies at once): a key no step here runs is remembered for a while, and `runJob` checks it first.
   */
  private cancelStep(key: string): void {
    const running = this.running.get(key);
    if (running) return running.controller.abort();
    const now = Date.now();
    for (const [old, at] of this.recentCancels) if (now - at > RECENT_CANCEL_MS) this.recentCancels.delete(old);
    this.recentCancels.set(key, now);
  }

  /** Never throws for a failed build: the failure is the step's outcome, and the submitter decides on retries. */
  private async runJob(payload: StepPayload, helpers: JobHelpers): Promise<void> {
    const job: Job = helpers.job;
    const key = job.key ?? `${payload.runId}:${payload.assetKey}:${payload.attempt}`;
    const controller = new AbortController();
    this.running.set(key, { jobId: job.id, controller });
    if (this.recentCancels.delete(key)) controller.abort();
    const lock = await this.pool.connect();
    let status: 'succeeded' | 'failed' | 'canceled' = 'succeeded';
    let error: unknown;
    let built: BuiltStep | undefined;
    try {
      await this.lockAsset(lock, payload.assetKey, controller.signal);
      built = await this.config.build(payload.runId, payload.assetKey, controller.signal, payload.partition);
    } catch (caught) {
      status = controller.signal.aborted ? 'canceled' : 'failed';
      error = caught;
    } finally {
      this.running.delete(key);
    }
    const outcome = [
      key,
      payload.runId,
      payload.assetKey,
      status,
      error === undefined ? null : JSON.stringify(serializeError(error)),
      this.id,
      built === undefined ? null : JSON.stringify(built),
    ];
    try {
      // One round trip on the connection holding the asset's lock: the outcome, its notification (delivered at
      // commit, carrying the status so a submitter need not read it back) and the unlock.
      await lock.query(`${SAVE_OUTCOME}, pg_advisory_unlock_all() FROM saved`, outcome);
      lock.release();
      return;
    } catch (caught) {
      // The connection is gone (pg_terminate_backend, a restart): its session, and so the lock, went with it.
      lock.release(caught as Error);
    }
    // Retried on fresh connections; if the outcome still cannot be written the job fails, graphile-worker runs it
    // again, and the recorded materialization is reused.
    await withRetries(async () => {
      await this.pool.query(`${SAVE_OUTCOME} FROM saved`, outcome);
    });
  }

  /**
   * Jobs old runners took but could not mark complete: those whose outcome was recorded are done (completed, so a failed
   * step is not built again behind its run's back); the others go back to the queue. One transaction, so no other
   * worker takes a job between its unlock and its completion.
   */
  private async releaseJobsOf(runnerIds: readonly string[]): Promise<void> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      const { rows } = await client.query<{ ids: string[] | null }>(
        `SELECT array_agg(j.id) AS ids FROM graphile_worker.jobs AS j
         JOIN ${QUEUE_SCHEMA}.step_outcomes AS o ON o.job_key = j.key WHERE j.locked_by = ANY ($1::text[])`,
        [runnerIds],
      );
      await client.query(`SELECT graphile_worker.force_unlock_workers($1::text[])`, [runnerIds]);
      // complete_jobs removes only unlocked jobs: after the unlock, before anyone else sees it (our row locks).
      await client.query(`SELECT graphile_worker.complete_jobs($1::bigint[])`, [rows[0]!.ids ?? []]);
      await client.query('COMMIT');
      client.release();
    } catch (error) {
      client.release(error as Error);
      throw error;
    }
  }

  /** Waits for the asset's lock (another run may be building it), giving up when the step is canceled. */
  private async lockAsset(client: pg.PoolClient, assetKey: string, signal: AbortSignal): Promise<void> {
    // The first try also lists the step as this worker's (a heartbeat), in the same round trip: if this process dies
    // mid-step, its submitter sees the step orphaned within a second instead of after a whole stale window.
    const running = [...this.running.values()].map((r) => r.jobId);
    const { rows: first } = await client.query<{ ok: boolean }>(
      `WITH listed AS (UPDATE ${QUEUE_SCHEMA}.workers SET heartbeat_at = now(), running = $3::bigint[] WHERE id = $2 RETURNING 1)
       SELECT pg_try_advisory_lock(${ASSET_LOCK_SPACE}, hashtext($1)) AS ok FROM (SELECT count(*) FROM listed) AS beat`,
      [assetKey, this.id, running],
    );
    if (first[0]!.ok) return;
    for (let delay = 20; ; delay = Math.min(delay * 2, 500)) {
      if (signal.aborted) throw new Error(`canceled while waiting for another run to finish building "${assetKey}"`);
      await new Promise((resolve) => setTimeout(resolve, delay));
      const { rows } = await client.query<{ ok: boolean }>(`SELECT pg_try_advisory_lock(${ASSET_LOCK_SPACE}, hashtext($1)) AS ok`, [assetKey]);
      if (rows[0]!.ok) return;
    }
  }

  /** Finishes the steps in hand, then leaves the queue. */
  async stop(): Promise<void> {
    this.stopping = true;
    if (this.heartbeat) clearInterval(this.heartbeat);
    await this.recovering;
    await this.runner?.stop().catch(() => undefined);
    this.listener?.release();
    await this.pool.query(`DELETE FROM ${QUEUE_SCHEMA}.workers WHERE id = $1`, [this.id]).catch(() => undefined);
    await this.pool.end();
  }
}
