// The submitting side of the queue: each step of a run becomes a graphile-worker job; this waits for its outcome.
import type pg from 'pg';
import { SluiceError, type SerializedError } from '../../errors.js';
import { openPostgresPool } from '../../postgres/postgres-pool.js';
import type { BuiltStep } from '../run-coordinator.js';
import { reconnect } from './reconnect.js';
import { QUEUE_SCHEMA, STEP_CANCEL_CHANNEL, STEP_DONE_CHANNEL, STEP_TASK, prepareQueue, stepJobKey, type StepPayload } from './queue-schema.js';

/** Construction options of the step runner. */
export interface QueueStepRunnerConfig {
  /** The queue database: the metadata store's PostgreSQL URL. */
  url: string;
  /** A worker whose heartbeat is older than this is dead, and its steps go back to the queue (default 5 s). */
  staleAfterMs?: number;
}

/** How often a cancel is sent before giving up (500 ms apart): the step then runs to its end, and its outcome is ignored. */
const CANCEL_ATTEMPTS = 60;
/** A step's outcome as its worker recorded it. */
interface Outcome {
  status: string;
  error?: SerializedError | null;
  built?: BuiltStep | null;
}
/** What woke a waiter: a worker's notification (with the outcome's status and what it built), or nothing (a timeout, a cancel). */
type Wake = Outcome | undefined;

interface Waiter {
  resolve: (wake: Wake) => void;
}

/** A step failed on its worker: the message and code travel as the worker serialized them. */
class RemoteStepError extends SluiceError {
  constructor(
    readonly assetKey: string,
    error: SerializedError,
  ) {
    super(error.code === 'CHECK_FAILED' ? 'CHECK_FAILED' : 'COMPUTE_ERROR', error.message);
    this.name = error.name;
  }
}

/**
 * Enqueues steps and waits for workers (`sluice worker`) to run them. A step whose worker stops heartbeating is
 * unlocked for another worker; the run's own retries and skips stay with the submitter.
 * @example const runner = await QueueStepRunner.open({ url }); await runner.runStep(runId, 'silver/flights', 1, signal);
 */
export class QueueStepRunner {
  private readonly waiters = new Map<string, Set<Waiter>>();
  private listener: pg.PoolClient | undefined;
  private closed = false;

  private constructor(
    private readonly pool: pg.Pool,
    private readonly staleAfterMs: number,
  ) {}

  static async open(config: QueueStepRunnerConfig): Promise<QueueStepRunner> {
    // Jobs and cancels are the queue's bookkeeping: they commit without waiting for the WAL flush (an fsync, ~3 ms
    // per step). A database crash may lose the last fraction of a second of them; `runStep` puts back a job that
    // vanished without an outcome.
    const pool = await openPostgresPool({ url: config.url, role: 'queue', max: 4, options: '-c synchronous_commit=off' });
    try {
      await prepareQueue(pool);
      const runner = new QueueStepRunner(pool, config.staleAfterMs ?? 5000);
      await runner.listen();
      return runner;
    } catch (error) {
      await pool.end();
      throw error;
    }
  }

  /**
   * One LISTEN connection wakes every waiter of a finished step at once. Polling (each wait ends after a second) keeps
   * steps moving while it is lost; it is opened again until that works or the runner closes.
   */
  private async listen(): Promise<void> {
    const listener = await this.pool.connect();
    this.listener = listener;
    listener.on('notification', (message) => {
      const done = parseNotification(message.payload);
      if (done) for (const waiter of this.waiters.get(done.key) ?? []) waiter.resolve(done.outcome);
    });
    listener.on('error', () => {
      listener.release(true);
      if (this.listener === listener) this.listener = undefined;
      void this.listenAgain();
    });
    await listener.query(`LISTEN ${STEP_DONE_CHANNEL}`);
  }

  private async listenAgain(): Promise<void> {
    await reconnect(undefined, () => this.listen(), {
      stopped: () => this.closed,
      beforeWait: () => {
        this.listener?.release(true);
        this.listener = undefined;
      },
    });
  }

  /**
   * Runs one attempt of a step on some worker; resolves when it succeeded (with what it built, when its worker said),
   * rejects with its error otherwise. On abort the job is removed (or, when running, its worker is told to cancel it).
   */
  async runStep(runId: string, assetKey: string, attempt: number, signal: AbortSignal, partition?: string): Promise<BuiltStep | undefined> {
    const key = stepJobKey(runId, assetKey, attempt);
    const payload: StepPayload = { runId, assetKey, attempt, ...(partition !== undefined ? { partition } : {}) };
    // Waiting before the job exists, so even an outcome that lands before add_job returns wakes this step.
    let woken = this.wait(key, 1000);
    try {
      await this.addJob(key, payload);
    } catch (error) {
      woken.cancel();
      throw error;
    }
    let canceled = false;
    const onAbort = (): void => {
      canceled = true;
      void this.cancel(key);
    };
    signal.addEventListener('abort', onAbort, { once: true });
    try {
      for (;;) {
        // A fresh job has no outcome and no stale worker yet: nothing to read until a notification or the timeout.
        const wake = await woken.promise;
        // Listen again before looking, so an outcome that lands in between still wakes the next wait at once.
        woken = this.wait(key, 1000);
        const { outcome, queued } = wake?.status === 'succeeded' ? { outcome: wake, queued: false } : await this.state(key);
        if (outcome) {
          woken.cancel();
          if (outcome.status === 'succeeded') return outcome.built ?? undefined;
          if (outcome.status === 'canceled' || canceled) throw new SluiceError('RUN_CANCELED', `step "${assetKey}" of run ${runId} was canceled`);
          throw new RemoteStepError(assetKey, outcome.error ?? { name: 'Error', message: 'the step failed on its worker' });
        }
        if (!queued) {
          if (canceled) {
            woken.cancel();
            throw new SluiceError('RUN_CANCELED', `step "${assetKey}" of run ${runId} was canceled before a worker took it`);
          }
          // Gone without an outcome (a worker writes it before its job completes): a database crash lost the job.
          await this.addJob(key, payload);
          continue;
        }
        await this.requeueIfWorkerDied(key);
      }
    } finally {
      signal.removeEventListener('abort', onAbort);
    }
  }

  private async addJob(key: string, payload: StepPayload): Promise<void> {
    // Many attempts: a job comes back only when its worker died; failures are outcomes, never graphile retries.
    await this.pool.query(`SELECT graphile_worker.add_job($1, $2::json, job_key := $3, max_attempts := 1000, job_key_mode := 'preserve_run_at')`, [
      STEP_TASK,
      JSON.stringify(payload),
      key,
    ]);
  }

  /** The step's outcome, if any, and whether its job is still in the queue, read in one snapshot. */
  private async state(key: string): Promise<{ outcome: Outcome | undefined; queued: boolean }> {
    const { rows } = await this.pool.query<{ status: string | null; error: SerializedError | null; built: BuiltStep | null; queued: boolean }>(
      `SELECT o.status, o.error, o.built, EXISTS (SELECT 1 FROM graphile_worker.jobs WHERE key = $1) AS queued
       FROM (SELECT 1) AS one LEFT JOIN ${QUEUE_SCHEMA}.step_outcomes AS o ON o.job_key = $1`,
      [key],
    );
    const row = rows[0]!;
    return { outcome: row.status === null ? undefined : { status: row.status, error: row.error, built: row.built }, queued: row.queued };
  }

  /**
   * A job goes back to the queue when the worker that took it is gone: the backend of its listening connection ended
   * and it missed two heartbeats (its process died; a worker that only lost that connection keeps beating on
   * others), or it has been silent for a whole stale window (a hung or cut-off machine).
   */
  private async requeueIfWorkerDied(key: string): Promise<void> {
    const { rows } = await this.pool.query<{ locked_by: string }>(
      `SELECT j.locked_by FROM graphile_worker.jobs AS j
       WHERE j.key = $1 AND j.locked_at IS NOT NULL AND (
         EXISTS (SELECT 1 FROM ${QUEUE_SCHEMA}.workers AS w
                 WHERE j.id = ANY (w.running) AND w.backend_pid IS NOT NULL
                   AND w.heartbeat_at < now() - make_interval(secs => 2 * w.heartbeat_ms / 1000.0)
                   AND NOT EXISTS (SELECT 1 FROM pg_stat_activity AS a WHERE a.pid = w.backend_pid))
         OR (j.locked_at < now() - make_interval(secs => $2::float / 1000)
             AND NOT EXISTS (SELECT 1 FROM ${QUEUE_SCHEMA}.workers AS w
                             WHERE j.id = ANY (w.running) AND w.heartbeat_at > now() - make_interval(secs => $2::float / 1000))))`,
      [key, this.staleAfterMs],
    );
    const lockedBy = rows[0]?.locked_by;
    if (lockedBy) await this.pool.query(`SELECT graphile_worker.force_unlock_workers($1::text[])`, [[lockedBy]]);
  }

  private async cancel(key: string): Promise<void> {
    for (const waiter of this.waiters.get(key) ?? []) waiter.resolve(undefined);
    // Not taken yet: removing it is enough. Taken: its worker aborts the build and records 'canceled'. One statement,
    // retried for a while: a cancel dropped on a busy server (no free connection) would leave the step running to its end.
    for (let attempt = 1; ; attempt++) {
      try {
        await this.pool.query(`SELECT graphile_worker.remove_job($1), pg_notify($2, $1)`, [key, STEP_CANCEL_CHANNEL]);
        return;
      } catch {
        if (attempt >= CANCEL_ATTEMPTS) return;
        await new Promise((resolve) => setTimeout(resolve, 500));
      }
    }
  }

  /** Settles on the step's notification or after `ms`, whichever comes first; `cancel` settles it now. */
  private wait(key: string, ms: number): { promise: Promise<Wake>; cancel: () => void } {
    let waiter!: Waiter;
    const promise = new Promise<Wake>((resolve) => {
      const waiters = this.waiters.get(key) ?? new Set<Waiter>();
      this.waiters.set(key, waiters);
      waiter = {
        resolve: (wake) => {
          clearTimeout(timer);
          waiters.delete(waiter);
          if (waiters.size === 0) this.waiters.delete(key);
          resolve(wake);
        },
      };
      const timer = setTimeout(() => waiter.resolve(undefined), ms);
      waiters.add(waiter);
    });
    return { promise, cancel: () => waiter.resolve(undefined) };
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const waiters of this.waiters.values()) for (const waiter of waiters) waiter.resolve(undefined);
    this.listener?.release();
    await this.pool.end();
  }
}

/** A worker's `{"key", "status", "built"}` notification, or undefined for anything else on the channel. */
function parseNotification(payload: string | undefined): { key: string; outcome: Outcome } | undefined {
  try {
    const parsed = JSON.parse(payload ?? '') as { key?: unknown; status?: unknown; built?: unknown };
    if (typeof parsed.key !== 'string' || typeof parsed.status !== 'string') return undefined;
    return { key: parsed.key, outcome: { status: parsed.status, built: isBuiltStep(parsed.built) ? parsed.built : null } };
  } catch {
    return undefined;
  }
}

function isBuiltStep(value: unknown): value is BuiltStep {
  if (typeof value !== 'object' || value === null) return false;
  const { rowCount, dataVersion } = value as Record<string, unknown>;
  return (rowCount === null || typeof rowCount === 'number') && (dataVersion === null || typeof dataVersion === 'string');
}
