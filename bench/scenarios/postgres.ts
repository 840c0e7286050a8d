// Child: production mode side by side. Store operations on SQLite and PostgreSQL; a DAG run by 1, 2 and 4 queue
// workers (wall time, per-step overhead, enqueue-to-start latency); the time from a worker's kill -9 to its step
// running again on another worker.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import pg from 'pg';
import { Sluice } from '../../src/runtime/sluice.js';
import { startWorker } from '../../src/cli/commands/worker.js';
import type { MetadataStore } from '../../src/store/metadata-store.js';
import { PostgresStore } from '../../src/store/postgres/postgres-store.js';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { BENCH_DIR, REPO_ROOT, scratchDir } from '../lib/paths.js';
import { emitResult, scenarioArgs, timed } from '../lib/scenario-io.js';

interface Args {
  reps: number;
  storeOps: number;
  dagAssets: number;
  workers: number[];
}

const args = scenarioArgs<Args>();
const ADMIN_URL = process.env.SLUICE_BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

/** A scratch database on the local server (dropped at the end). */
async function createDatabase(label: string): Promise<{ url: string; drop: () => Promise<void> }> {
  const name = `sluice_bench_${label}_${randomBytes(4).toString('hex')}`;
  const admin = async (sql: string): Promise<void> => {
    const client = new pg.Client({ connectionString: ADMIN_URL });
    await client.connect();
    try {
      await client.query(sql);
    } finally {
      await client.end();
    }
  };
  await admin(`CREATE DATABASE "${name}"`);
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  return { url: url.toString(), drop: () => admin(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`) };
}

/** A project folder whose sluice.config.ts imports this checkout's Sluice. */
function projectDir(label: string, config: string): { dir: string; remove: () => void } {
  const dir = join(scratchDir(`postgres-${label}`), 'project');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ type: 'module', private: true }));
  writeFileSync(join(dir, 'sluice.config.ts'), config.replaceAll("'@sluice'", JSON.stringify(join(REPO_ROOT, 'src', 'index.ts'))));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Per store: ms for `storeOps` event appends, materializations, and one latestMaterializations over them. */
async function storeOps(open: () => Promise<MetadataStore>, rep: number): Promise<{ appendMs: number; recordMs: number; latestMs: number; runMs: number }> {
  const store = await open();
  try {
    const runId = `bench-${rep}`;
    const [runMs] = await timed(async () => {
      await store.createRun({ id: runId, selection: '*', assetKeys: [] });
      await store.setRunStatus(runId, 'started');
    });
    const [appendMs] = await timed(async () => {
      for (let i = 0; i < args.storeOps; i++)
        await store.appendEvent({ runId, type: 'asset_succeeded', assetKey: `a/x${i % 100}`, level: 'info', message: 'materialized', data: { rowCount: 3 } });
    });
    const [recordMs] = await timed(async () => {
      for (let i = 0; i < args.storeOps; i++) {
        await store.recordMaterialization({
          runId,
          assetKey: `a/x${i % 100}`,
          rowCount: 3,
          durationMs: 1,
          codeVersion: 'c',
          dataVersion: `v${i}`,
          schema: [],
          sql: null,
          metadata: {},
        });
      }
    });
    const [latestMs] = await timed(() => store.latestMaterializations());
    return { appendMs, recordMs, latestMs, runMs };
  } finally {
    await store.close();
  }
}

/** A DAG of `n` one-row SQL assets, each reading up to two earlier ones. */
function dagConfig(n: number): string {
  const parents = Array.from({ length: n }, (_, i) => (i < 2 ? [] : [Math.floor(i / 2), i - 1]));
  return `import { asset, defineProject } from '@sluice';
const parents = ${JSON.stringify(parents)};
export const project = defineProject({ name: 'bench', concurrency: 8, assets: parents.map((mine, i) => asset({ key: 'dag/a' + i,
  sql: 'SELECT 1 + ' + (mine.length === 0 ? '0' : 'GREATEST(' + mine.map((p) => '(SELECT max(v) FROM dag.a' + p + ')').join(', ') + ')') + ' AS v' })) });`;
}

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted.length === 0 ? Number.NaN : sorted[Math.floor(sorted.length / 2)]!;
};
const p99 = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor(values.length * 0.99))] ?? Number.NaN;

const dir = scratchDir('postgres');
const [warehouseDb, metadataDb, storeDb] = [await createDatabase('wh'), await createDatabase('meta'), await createDatabase('store')];
const env = { SLUICE_WAREHOUSE_URL: warehouseDb.url, SLUICE_METADATA_URL: metadataDb.url };
const project = projectDir('dag', dagConfig(args.dagAssets));
try {
  const sqlite: Awaited<ReturnType<typeof storeOps>>[] = [];
  const postgres: Awaited<ReturnType<typeof storeOps>>[] = [];
  // Alternating, so drifting machine load hits both alike.
  for (let rep = 0; rep < args.reps; rep++) {
    sqlite.push(await storeOps(async () => SqliteStore.open({ path: join(dir, 'bench.sqlite') }), rep));
    postgres.push(await storeOps(() => PostgresStore.open({ url: storeDb.url }), rep));
  }

  // The same DAG in one process, then through the queue with 1, 2 and 4 workers (2 steps at a time each).
  const inProcess = await Sluice.open({ dir: project.dir, env, executor: 'in-process' });
  await inProcess.materialize();
  const inProcessMs: number[] = [];
  for (let rep = 0; rep < args.reps; rep++) inProcessMs.push((await timed(() => inProcess.materialize()))[0]);
  await inProcess.close();

  const meta = new pg.Client({ connectionString: metadataDb.url });
  await meta.connect();
  const queued: { workers: number; wallMs: number[]; overheadMs: number[]; startLatencyMs: number[] }[] = [];
  for (const count of args.workers) {
    const workers = await Promise.all(Array.from({ length: count }, () => startWorker({ project: project.dir, concurrency: 2 }, env)));
    const submitter = await Sluice.open({ dir: project.dir, env, executor: 'queue' });
    const row = { workers: count, wallMs: [] as number[], overheadMs: [] as number[], startLatencyMs: [] as number[] };
    try {
      for (let rep = 0; rep < args.reps; rep++) {
        const [ms, result] = await timed(() => submitter.materialize());
        if (result.status !== 'succeeded') throw new Error(`queued run ${result.runId} ended ${result.status}`);
        row.wallMs.push(ms);
        // Per step, all on the database clock: observed by the submitter (started -> succeeded event) minus the build
        // the worker timed; and from the submitter's start event to the worker beginning the build.
        const { rows } = await meta.query<{ observed: number; build: number; latency: number }>(
          `SELECT extract(epoch FROM (s.ts - b.ts)) * 1000 AS observed, m.duration_ms AS build,
                  extract(epoch FROM (m.created_at - b.ts)) * 1000 - m.duration_ms AS latency
           FROM sluice.events AS b JOIN sluice.events AS s ON s.run_id = b.run_id AND s.asset_key = b.asset_key AND s.type = 'asset_succeeded'
           JOIN sluice.materializations AS m ON m.run_id = b.run_id AND m.asset_key = b.asset_key
           WHERE b.run_id = $1 AND b.type = 'asset_started'`,
          [result.runId],
        );
        row.overheadMs.push(...rows.map((r) => Number(r.observed) - Number(r.build)));
        row.startLatencyMs.push(...rows.map((r) => Number(r.latency)));
      }
    } finally {
      await submitter.close();
      await Promise.all(workers.map((w) => w.stop()));
    }
    queued.push(row);
  }

  // A worker killed with -9 while it builds a slow step: time until another worker has started that step again.
  const slow = projectDir(
    'slow',
    `import { asset, defineProject } from '@sluice';
export const project = defineProject({ name: 'slow', assets: [asset({ key: 'slow/step', sql: 'SELECT 1 AS v FROM (SELECT pg_sleep(1)) AS pause' })] });`,
  );
  const deathToRerunMs: number[] = [];
  try {
    for (let rep = 0; rep < Math.min(args.reps, 3); rep++) {
      const child = spawn(process.execPath, ['--import', 'tsx', join(BENCH_DIR, 'scenarios', 'postgres-worker.ts'), slow.dir], {
        env: { ...process.env, ...env },
        stdio: 'ignore',
      });
      const exited = new Promise((resolve) => child.once('exit', resolve));
      const submitter = await Sluice.open({ dir: slow.dir, env, executor: 'queue' });
      try {
        while ((await meta.query('SELECT 1 FROM sluice_queue.workers WHERE pid = $1', [child.pid])).rows.length === 0)
          await new Promise((r) => setTimeout(r, 50));
        const run = submitter.materialize();
        while ((await meta.query('SELECT 1 FROM graphile_worker.jobs WHERE locked_at IS NOT NULL')).rows.length === 0)
          await new Promise((r) => setTimeout(r, 20));
        const rescuer = await startWorker({ project: slow.dir }, env);
        const killedAt = (await meta.query<{ now: Date }>('SELECT clock_timestamp() AS now')).rows[0]!.now;
        child.kill('SIGKILL');
        await exited;
        const result = await run;
        const { rows } = await meta.query<{ started: Date }>(
          `SELECT created_at - make_interval(secs => duration_ms / 1000) AS started FROM sluice.materializations WHERE run_id = $1`,
          [result.runId],
        );
        deathToRerunMs.push(rows[0]!.started.getTime() - killedAt.getTime());
        await rescuer.stop();
      } finally {
        if (child.exitCode === null) child.kill('SIGKILL');
        await submitter.close();
      }
    }
  } finally {
    slow.remove();
  }
  await meta.end();
  emitResult({
    storeOps: args.storeOps,
    dagAssets: args.dagAssets,
    sqlite,
    postgres,
    inProcessMs,
    queued: queued.map((q) => ({
      ...q,
      overheadMedianMs: median(q.overheadMs),
      overheadP99Ms: p99(q.overheadMs),
      startP50Ms: median(q.startLatencyMs),
      startP99Ms: p99(q.startLatencyMs),
    })),
    deathToRerunMs,
  });
} finally {
  project.remove();
  await Promise.all([warehouseDb.drop(), metadataDb.drop(), storeDb.drop()]);
}
