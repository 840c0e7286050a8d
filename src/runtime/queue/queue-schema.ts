// The queue's tables: graphile-worker's own (its migrations) plus worker heartbeats and step outcomes.
import type pg from 'pg';
import { Logger, runMigrations } from 'graphile-worker';

/** Where the queue's own tables live (graphile-worker keeps its jobs in `graphile_worker`). */
export const QUEUE_SCHEMA = 'sluice_queue';
/** The graphile-worker task that builds one step. */
export const STEP_TASK = 'sluice_step';
/** Channel a worker notifies when a step has an outcome (payload: the job key). */
export const STEP_DONE_CHANNEL = 'sluice_step_done';
/** Channel a submitter notifies to cancel a running step (payload: the job key). */
export const STEP_CANCEL_CHANNEL = 'sluice_step_cancel';

const SETUP_LOCK = 0x51_1c_e0_05;

/**
 * Installs graphile-worker's schema and the queue's tables, once, whoever starts first.
 * @example await prepareQueue(pool);
 */
export async function prepareQueue(pool: pg.Pool): Promise<void> {
  await runMigrations({ pgPool: pool, logger: silentLogger() });
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await client.query('SELECT pg_advisory_xact_lock($1)', [SETUP_LOCK]);
    await client.query(`CREATE SCHEMA IF NOT EXISTS ${QUEUE_SCHEMA}`);
    // One row per worker process; `running` lists the job ids it works on, so a stale row frees exactly those.
    await client.query(`CREATE TABLE IF NOT EXISTS ${QUEUE_SCHEMA}.workers (
      id TEXT PRIMARY KEY, host TEXT NOT NULL, pid INTEGER NOT NULL, concurrency INTEGER NOT NULL,
      started_at TIMESTAMPTZ NOT NULL DEFAULT now(), heartbeat_at TIMESTAMPTZ NOT NULL DEFAULT now(),
      running BIGINT[] NOT NULL DEFAULT '{}')`);
    // The backend of the worker's listening connection (gone from pg_stat_activity once the worker's process is) and
    // how often the worker beats.
    await client.query(`ALTER TABLE ${QUEUE_SCHEMA}.workers ADD COLUMN IF NOT EXISTS backend_pid INTEGER, ADD COLUMN IF NOT EXISTS heartbeat_ms INTEGER`);
    await client.query(`CREATE TABLE IF NOT EXISTS ${QUEUE_SCHEMA}.step_outcomes (
      job_key TEXT PRIMARY KEY, run_id TEXT NOT NULL, asset_key TEXT NOT NULL,
      status TEXT NOT NULL CHECK (status IN ('succeeded', 'failed', 'canceled')),
      error JSONB, worker_id TEXT NOT NULL, finished_at TIMESTAMPTZ NOT NULL DEFAULT now())`);
    // What a succeeded step built (its row count and data version), so the run reports it without reading it back.
    await client.query(`ALTER TABLE ${QUEUE_SCHEMA}.step_outcomes ADD COLUMN IF NOT EXISTS built JSONB`);
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}

/** The job key of one attempt of one step: a run builds each asset once, a re-queued attempt keeps its key. */
export function stepJobKey(runId: string, assetKey: string, attempt: number): string {
  return `${runId}:${assetKey}:${attempt}`;
}

/** What a step job carries. */
export interface StepPayload {
  runId: string;
  assetKey: string;
  attempt: number;
  partition?: string;
}

/** graphile-worker logs every job at info level; Sluice reports steps itself. */
export function silentLogger(): Logger {
  return new Logger(() => () => undefined);
}
