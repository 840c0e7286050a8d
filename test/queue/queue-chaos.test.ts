// Chaos: three worker processes on a 200-asset DAG, killed with -9 at random moments; nothing is lost or doubled.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { Sluice } from '../../src/runtime/sluice.js';
import { startWorker } from '../../src/cli/commands/worker.js';
import { createTestDatabase, postgresUnavailable, type TestDatabase } from '../helpers/postgres-database.js';
import { tempProject, type TempProject } from '../helpers/temp-project.js';

const skip = await postgresUnavailable();
const WORKER_SCRIPT = join(fileURLToPath(new URL('.', import.meta.url)), 'worker-process.ts');
const ASSETS = 200;

/** A seeded DAG: asset i reads up to two earlier ones; its one row holds its depth, so a wrong build shows. */
function dag(): { parents: number[][]; depth: number[] } {
  let seed = 42;
  const random = (): number => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
  const parents: number[][] = [];
  const depth: number[] = [];
  for (let i = 0; i < ASSETS; i++) {
    const mine = i === 0 ? [] : [...new Set([Math.floor(random() * i), Math.floor(random() * i)])].slice(0, i < 3 ? 1 : 2);
    parents.push(mine);
    depth.push(1 + Math.max(0, ...mine.map((p) => depth[p]!)));
  }
  return { parents, depth };
}

const { parents, depth } = dag();
const CONFIG = `
import { asset, defineProject } from '@sluice';
const parents = ${JSON.stringify(parents)};
export const project = defineProject({
  name: 'chaos',
  concurrency: 6,
  assets: parents.map((mine, i) => asset({
    key: 'chaos/a' + i,
    sql: 'SELECT 1 + ' + (mine.length === 0 ? '0' : 'GREATEST(' + mine.map((p) => '(SELECT max(v) FROM chaos.a' + p + ')').join(', ') + ')') + ' AS v',
  })),
});
`;

describe('queue chaos', { skip }, () => {
  let warehouseDb: TestDatabase;
  let metadataDb: TestDatabase;
  let project: TempProject;
  let meta: pg.Client;
  let env: Record<string, string>;
  const workers = new Set<ChildProcess>();

  const spawnWorker = (): void => {
    const child = spawn(process.execPath, ['--import', 'tsx', WORKER_SCRIPT, project.dir, '2'], { env: { ...process.env, ...env }, stdio: 'ignore' });
    workers.add(child);
    child.once('exit', () => workers.delete(child));
  };

  before(async () => {
    [warehouseDb, metadataDb] = [await createTestDatabase('chaos_wh'), await createTestDatabase('chaos_meta')];
    env = { SLUICE_WAREHOUSE_URL: warehouseDb.url, SLUICE_METADATA_URL: metadataDb.url, SLUICE_QUEUE_STALE_MS: '1500', SLUICE_WORKER_HEARTBEAT_MS: '300' };
    project = tempProject({ 'sluice.config.ts': CONFIG });
    meta = new pg.Client({ connectionString: metadataDb.url });
    await meta.connect();
  });
  after(async () => {
    for (const child of workers) child.kill('SIGKILL');
    await meta?.end();
    project?.remove();
    await warehouseDb?.drop();
    await metadataDb?.drop();
  });

  it('ten kills -9 during runs: every run ends, each success recorded once, no half-published table, and a final run makes all fresh', async () => {
    for (let i = 0; i < 3; i++) spawnWorker();
    const sluice = await Sluice.open({ dir: project.dir, env, executor: 'queue' });
    let kills = 0;
    let killing = true;
    // Kill a random worker every 0.2-0.6 s while steps are flowing, and start a replacement at once.
    const killer = (async () => {
      let seed = 7;
      const random = (): number => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
      while (killing && kills < 10) {
        await new Promise((resolve) => setTimeout(resolve, 200 + random() * 400));
        const alive = [...workers];
        const busy = (await meta.query(`SELECT count(*)::int AS n FROM graphile_worker.jobs WHERE locked_at IS NOT NULL`).catch(() => ({ rows: [{ n: 0 }] })))
          .rows[0]!.n;
        if (alive.length === 0 || busy === 0) continue;
        alive[Math.floor(random() * alive.length)]!.kill('SIGKILL');
        kills++;
        spawnWorker();
      }
    })();
    const runs = [];
    try {
      while (kills < 10 && runs.length < 6) runs.push(await sluice.materialize());
      killing = false;
      await killer;
      assert.ok(kills >= 10, `only ${kills} kills happened`);
      for (const run of runs) assert.ok(['succeeded', 'failed', 'canceled'].includes(run.status), `run ${run.runId} ended ${run.status}`);

      // A final run of whatever is not fresh (nothing, when the last run under fire succeeded).
      const stale = [...(await sluice.assetStatuses()).values()].some((s) => s.status !== 'fresh');
      if (stale) {
        const final = await sluice.materialize({ select: 'stale' });
        assert.equal(final.status, 'succeeded', JSON.stringify(final.assets.filter((a) => a.status !== 'succeeded')));
        runs.push(final);
      }
      assert.ok(
        [...(await sluice.assetStatuses()).values()].every((s) => s.status === 'fresh'),
        'everything is fresh',
      );

      for (const run of runs) {
        const { rows } = await meta.query<{ asset_key: string; n: number }>(
          `SELECT asset_key, count(*)::int AS n FROM sluice.materializations WHERE run_id = $1 GROUP BY asset_key`,
          [run.runId],
        );
        const recorded = new Map(rows.map((r) => [r.asset_key, r.n]));
        for (const step of run.assets) {
          assert.equal(recorded.get(step.key) ?? 0, step.status === 'succeeded' ? 1 : 0, `run ${run.runId} ${step.key} (${step.status})`);
        }
      }
      const session = await sluice.warehouse.session();
      try {
        for (let i = 0; i < ASSETS; i++)
          assert.deepEqual(await session.query(`SELECT v FROM chaos.a${i}`), [{ v: depth[i] }], `chaos.a${i} holds its whole, correct version`);
      } finally {
        session.close();
      }
    } finally {
      killing = false;
      await killer;
      await sluice.close();
    }
  });

  // Workers outlive it: graphile-worker's runner, whose job completion fails when its backend is terminated, and the
  // listening connection are replaced (StepWorker.recover); the submitter listens again.
  it('every backend of both databases terminated mid-run: the run ends cleanly or recovers, and nothing is lost', async () => {
    // Everything opened is closed whatever fails (a worker left running keeps this test file from ever exiting).
    const local = await Promise.all([startWorker({ project: project.dir, concurrency: 3 }, env), startWorker({ project: project.dir, concurrency: 3 }, env)]);
    let sluice: Sluice | undefined;
    const admin = new pg.Client({ connectionString: metadataDb.url });
    try {
      sluice = await Sluice.open({ dir: project.dir, env, executor: 'queue' });
      await admin.connect();
      const run = sluice.materialize().then(
        (result) => result,
        (error: unknown) => error as Error,
      );
      await waitForSteps(meta, 20);
      await admin.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname IN ($1, $2) AND pid <> pg_backend_pid() AND pid <> $3`, [
        metadataDb.name,
        warehouseDb.name,
        (meta as unknown as { processID: number }).processID,
      ]);
      const outcome = await run;
      const runId = outcome instanceof Error ? undefined : outcome.runId;
      if (runId) {
        assert.ok(['succeeded', 'failed'].includes(outcome instanceof Error ? '' : outcome.status));
        assert.equal((await sluice.store.getRun(runId))!.status, (outcome as { status: string }).status, 'the store says how the run ended');
        const doubled = await admin.query(`SELECT asset_key FROM sluice.materializations WHERE run_id = $1 GROUP BY asset_key HAVING count(*) > 1`, [runId]);
        assert.deepEqual(doubled.rows, []);
      }
      const final = await sluice.materialize({ select: 'stale' }).catch(() => sluice!.materialize());
      assert.equal(final.status, 'succeeded');
      const notFresh = [...(await sluice.assetStatuses())].filter(([, s]) => s.status !== 'fresh');
      assert.deepEqual(notFresh, [], 'the final run makes everything fresh');
    } finally {
      await admin.end().catch(() => undefined);
      await sluice?.close();
      await Promise.all(local.map((w) => w.stop()));
    }
  });
});

/** Waits until a run has recorded `n` materializations (so the terminations land mid-run). */
async function waitForSteps(client: pg.Client, n: number): Promise<void> {
  const start = (await client.query<{ n: number }>('SELECT count(*)::int AS n FROM sluice.materializations')).rows[0]!.n;
  for (;;) {
    const now = (await client.query<{ n: number }>('SELECT count(*)::int AS n FROM sluice.materializations')).rows[0]!.n;
    if (now - start >= n) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
