// Runs spread over worker processes through the queue: every step runs once, a killed worker's step runs elsewhere.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { Sluice } from '../../src/runtime/sluice.js';
import { startWorker, type RunningWorker } from '../../src/cli/commands/worker.js';
import { createTestDatabase, postgresUnavailable, type TestDatabase } from '../helpers/postgres-database.js';
import { tempProject, type TempProject } from '../helpers/temp-project.js';

const skip = await postgresUnavailable();
const WORKER_SCRIPT = join(fileURLToPath(new URL('.', import.meta.url)), 'worker-process.ts');

/** A diamond-shaped DAG of SQL assets; `slow/step` sleeps so a test can kill the worker building it, `slow/long` so one can cancel it. */
const CONFIG = `
import { asset, checks, defineProject } from '@sluice';
const chain = Array.from({ length: 6 }, (_, i) => asset({
  key: 'mid/m' + i,
  sql: 'SELECT n * ' + (i + 2) + ' AS n FROM base.numbers',
}));
export const project = defineProject({
  name: 'queued',
  assets: [
    asset({ key: 'base/numbers', sql: 'SELECT g AS n FROM generate_series(1, 100) AS t(g)', checks: [checks.notNull(['n'])] }),
    ...chain,
    asset({ key: 'top/total', sql: 'SELECT ' + chain.map((_, i) => '(SELECT sum(n) FROM mid.m' + i + ')').join(' + ') + ' AS total' }),
    asset({ key: 'slow/step', sql: 'SELECT count(*) AS n FROM base.numbers, (SELECT pg_sleep(1.5)) AS pause' }),
    // Long enough that a cancel always lands while it runs, however slow the machine (the cancel ends it at once).
    asset({ key: 'slow/long', sql: 'SELECT 1 AS n FROM (SELECT pg_sleep(60)) AS pause' }),
  ],
});
`;

async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('the queue executor', { skip }, () => {
  let warehouseDb: TestDatabase;
  let metadataDb: TestDatabase;
  let project: TempProject;
  let meta: pg.Client;
  let env: Record<string, string>;

  before(async () => {
    [warehouseDb, metadataDb] = [await createTestDatabase('queue_wh'), await createTestDatabase('queue_meta')];
    env = { SLUICE_WAREHOUSE_URL: warehouseDb.url, SLUICE_METADATA_URL: metadataDb.url };
    project = tempProject({ 'sluice.config.ts': CONFIG });
    meta = new pg.Client({ connectionString: metadataDb.url });
    await meta.connect();
  });
  after(async () => {
    await meta?.end();
    project?.remove();
    await warehouseDb?.drop();
    await metadataDb?.drop();
  });

  it('two workers build every step of a queued run exactly once, and the run succeeds', async () => {
    const workers: RunningWorker[] = [
      await startWorker({ project: project.dir, concurrency: 2 }, env),
      await startWorker({ project: project.dir, concurrency: 2 }, env),
    ];
    const sluice = await Sluice.open({ dir: project.dir, env, executor: 'queue' });
    try {
      const result = await sluice.materialize({ select: '+top/total' });
      assert.equal(result.status, 'succeeded', JSON.stringify(result.assets));
      const counts = await meta.query<{ asset_key: string; n: number }>(
        `SELECT asset_key, count(*)::int AS n FROM sluice.materializations WHERE run_id = $1 GROUP BY asset_key`,
        [result.runId],
      );
      assert.equal(counts.rows.length, 8, 'base, six in the middle, top');
      assert.ok(
        counts.rows.every((r) => r.n === 1),
        'each step recorded once',
      );
      const builtBy = await meta.query<{ n: number }>(`SELECT count(DISTINCT worker_id)::int AS n FROM sluice_queue.step_outcomes WHERE run_id = $1`, [
        result.runId,
      ]);
      assert.equal(builtBy.rows[0]!.n, 2, 'both workers took steps');
      const total = await sluice.warehouse.session().then(async (s) => {
        try {
          return await s.query<{ total: number }>('SELECT total FROM top.total');
        } finally {
          s.close();
        }
      });
      assert.deepEqual(total, [{ total: 5050 * (2 + 3 + 4 + 5 + 6 + 7) }]);
    } finally {
      await sluice.close();
      await Promise.all(workers.map((w) => w.stop()));
    }
  });

  // Under load the cancel used to land between two statements of the step, where pg_cancel_backend stops nothing, and
  // the 60 s sleep ran to its end; an interrupted session now refuses every later statement (warehouse contract).
  it('canceling a queued run stops the step on its worker and the run ends canceled', async () => {
    const worker = await startWorker({ project: project.dir }, env);
    const sluice = await Sluice.open({ dir: project.dir, env, executor: 'queue' });
    try {
      const handle = await sluice.submit({ select: 'slow/long' });
      await waitFor('the step to be taken', async () =>
        (await meta.query(`SELECT 1 FROM graphile_worker.jobs WHERE locked_at IS NOT NULL`)).rows.length > 0 ? true : undefined,
      );
      assert.equal(sluice.cancel(handle.runId), true);
      const result = await handle.done;
      assert.equal(result.status, 'canceled');
      const outcome = await waitFor(
        'the worker to record the cancel',
        async () => (await meta.query<{ status: string }>(`SELECT status FROM sluice_queue.step_outcomes WHERE run_id = $1`, [handle.runId])).rows[0],
      );
      assert.equal(outcome.status, 'canceled');
      assert.equal((await meta.query(`SELECT 1 FROM sluice.materializations WHERE run_id = $1`, [handle.runId])).rows.length, 0);
    } finally {
      await sluice.close();
      await worker.stop();
    }
  });

  it('a worker outlives its database connections: with every backend terminated, it reconnects, builds the next run and still hears cancels', async () => {
    const reconnects: string[] = [];
    const worker = await startWorker({ project: project.dir, log: (line) => reconnects.push(line) }, env);
    let sluice: Sluice | undefined;
    try {
      const registered = async (): Promise<number> =>
        (await meta.query<{ backend_pid: number }>('SELECT backend_pid FROM sluice_queue.workers WHERE id = $1', [worker.worker.id])).rows[0]!.backend_pid;
      const before = await registered();
      await meta.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname IN ($1, $2) AND pid <> pg_backend_pid()`, [
        metadataDb.name,
        warehouseDb.name,
      ]);
      await waitFor('the worker to listen again', async () => ((await registered()) !== before ? true : undefined));
      assert.match(reconnects[0] ?? '', /lost the queue .*reconnecting in/);
      sluice = await Sluice.open({ dir: project.dir, env, executor: 'queue' });
      const built = await sluice.materialize({ select: 'base/numbers' });
      assert.equal(built.status, 'succeeded', JSON.stringify(built.assets));
      // Cancels arrive on the listening connection, the one that was replaced.
      const handle = await sluice.submit({ select: 'slow/long' });
      await waitFor('the step to be taken', async () =>
        (await meta.query(`SELECT 1 FROM graphile_worker.jobs WHERE locked_at IS NOT NULL`)).rows.length > 0 ? true : undefined,
      );
      assert.equal(sluice.cancel(handle.runId), true);
      assert.equal((await handle.done).status, 'canceled');
      const outcome = await waitFor(
        'the worker to record the cancel',
        async () => (await meta.query<{ status: string }>(`SELECT status FROM sluice_queue.step_outcomes WHERE run_id = $1`, [handle.runId])).rows[0],
      );
      assert.equal(outcome.status, 'canceled');
    } finally {
      await sluice?.close();
      await worker.stop();
    }
  });

  it('a dead worker is noticed by its ended connection, not the stale window: its step moves on with SLUICE_QUEUE_STALE_MS at 10 minutes', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', WORKER_SCRIPT, project.dir], { env: { ...process.env, ...env }, stdio: 'ignore' });
    const exited = new Promise((resolve) => child.once('exit', resolve));
    const sluice = await Sluice.open({ dir: project.dir, env: { ...env, SLUICE_QUEUE_STALE_MS: '600000' }, executor: 'queue' });
    let rescuer: RunningWorker | undefined;
    try {
      await waitFor('the worker process', async () =>
        (await meta.query('SELECT 1 FROM sluice_queue.workers WHERE pid = $1', [child.pid])).rows.length > 0 ? true : undefined,
      );
      const run = sluice.materialize({ select: 'slow/step' });
      // Listed by the worker as its step (it does so as it takes it), then killed.
      await waitFor('the step to be taken and listed', async () =>
        (await meta.query('SELECT 1 FROM sluice_queue.workers WHERE pid = $1 AND cardinality(running) > 0', [child.pid])).rows.length > 0 ? true : undefined,
      );
      child.kill('SIGKILL');
      await exited;
      rescuer = await startWorker({ project: project.dir }, env);
      const result = await Promise.race([
        run,
        new Promise<never>((_, reject) => setTimeout(() => reject(new Error('the step was not handed over within 30 s')), 30_000)),
      ]);
      assert.equal(result.status, 'succeeded', JSON.stringify(result.assets));
      const outcome = await meta.query<{ worker_id: string }>(`SELECT worker_id FROM sluice_queue.step_outcomes WHERE run_id = $1`, [result.runId]);
      assert.equal(outcome.rows[0]!.worker_id, rescuer.worker.id);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
      await sluice.close();
      await rescuer?.stop();
    }
  });

  it('a worker killed with -9 mid-step loses nothing: its step runs again on another worker and the run succeeds', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', WORKER_SCRIPT, project.dir], { env: { ...process.env, ...env }, stdio: 'ignore' });
    const exited = new Promise((resolve) => child.once('exit', resolve));
    const sluice = await Sluice.open({ dir: project.dir, env, executor: 'queue' });
    let rescuer: RunningWorker | undefined;
    try {
      await waitFor('the worker process', async () =>
        (await meta.query('SELECT 1 FROM sluice_queue.workers WHERE pid = $1', [child.pid])).rows.length > 0 ? true : undefined,
      );
      const run = sluice.materialize({ select: 'slow/step' });
      await waitFor('the step to be taken', async () =>
        (await meta.query(`SELECT 1 FROM graphile_worker.jobs WHERE locked_at IS NOT NULL`)).rows.length > 0 ? true : undefined,
      );
      child.kill('SIGKILL');
      await exited;
      rescuer = await startWorker({ project: project.dir }, env);
      const result = await run;
      assert.equal(result.status, 'succeeded', JSON.stringify(result.assets));
      const records = await meta.query(`SELECT 1 FROM sluice.materializations WHERE run_id = $1`, [result.runId]);
      assert.equal(records.rows.length, 1, 'recorded once');
      const outcome = await meta.query<{ worker_id: string }>(`SELECT worker_id FROM sluice_queue.step_outcomes WHERE run_id = $1`, [result.runId]);
      assert.equal(outcome.rows[0]!.worker_id, rescuer.worker.id);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
      await sluice.close();
      await rescuer?.stop();
    }
  });
});
