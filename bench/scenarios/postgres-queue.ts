// Child: the queue executor beside the in-process executor, on one PostgreSQL warehouse and metadata database. A wide
// DAG run by 1, 2 and 4 worker processes, each run paired with an in-process run at the same number of steps in
// flight (wall time, the time per step outside its build, submit-to-build latency); then the time from a worker's
// kill -9 to its step running again on another worker.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { startWorker } from '../../src/cli/commands/worker.js';
import { Sluice } from '../../src/runtime/sluice.js';
import { BENCH_DIR, REPO_ROOT, scratchDir } from '../lib/paths.js';
import { emitResult, scenarioArgs, timed } from '../lib/scenario-io.js';
import { createScratchDatabase } from '../lib/scratch-database.js';

interface Args {
  reps: number;
  dagAssets: number;
  workers: number[];
  slotsPerWorker: number;
}

/** Per step of one run, in ms on the database clock. */
export interface StepTimes {
  /** Started-to-succeeded as the submitter recorded it, minus the build the executing process timed. */
  outsideBuild: number[];
  /** From the submitter's asset_started event to the build beginning (enqueue, pick-up, lock, checks). */
  toBuild: number[];
}

/** One worker count: runs in alternation with in-process runs at the same concurrency. */
export interface QueueRow {
  workers: number;
  slots: number;
  inProcessWallMs: number[];
  queueWallMs: number[];
  inProcess: StepTimes[];
  queue: StepTimes[];
}

const args = scenarioArgs<Args>();

/** A project folder whose sluice.config.ts imports this checkout's Sluice. */
function projectDir(label: string, config: string): { dir: string; remove: () => void } {
  const dir = join(scratchDir(`postgres-queue-${label}`), 'project');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ type: 'module', private: true }));
  writeFileSync(join(dir, 'sluice.config.ts'), config.replaceAll("'@sluice'", JSON.stringify(join(REPO_ROOT, 'src', 'index.ts'))));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/**
 * `n` one-row SQL assets; asset i reads assets (i-1)/2 and (i-1)/3: about log2(n) levels, the widest holding half the
 * assets, so 8 steps in flight always find work.
 */
function dagConfig(n: number): string {
  const parents = Array.from({ length: n }, (_, i) => (i === 0 ? [] : [...new Set([Math.floor((i - 1) / 2), Math.floor((i - 1) / 3)])]));
  return `import { asset, defineProject } from '@sluice';
const parents = ${JSON.stringify(parents)};
export const project = defineProject({ name: 'bench', assets: parents.map((mine, i) => asset({ key: 'dag/a' + i,
  sql: 'SELECT 1 + ' + (mine.length === 0 ? '0' : 'GREATEST(' + mine.map((p) => '(SELECT max(v) FROM dag.a' + p + ')').join(', ') + ')') + ' AS v' })) });`;
}

/** A `sluice worker` process (bench/scenarios/postgres-worker.ts), killable like a real one. */
function spawnWorker(dir: string, env: Record<string, string>, concurrency: number): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', join(BENCH_DIR, 'scenarios', 'postgres-worker.ts'), dir, String(concurrency)], {
    env: { ...process.env, ...env },
    stdio: 'ignore',
  });
}

async function until(probe: () => Promise<boolean>, what: string, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const [warehouseDb, metadataDb] = [await createScratchDatabase('qwh'), await createScratchDatabase('qmeta')];
const env = { SLUICE_WAREHOUSE_URL: warehouseDb.url, SLUICE_METADATA_URL: metadataDb.url };
const project = projectDir('dag', dagConfig(args.dagAssets));
const meta = new pg.Client({ connectionString: metadataDb.url });
await meta.connect();

/** Step times of one run, from its events and materializations. */
async function stepTimes(runId: string): Promise<StepTimes> {
  const { rows } = await meta.query<{ observed: number; build: number; to_build: number }>(
    `SELECT extract(epoch FROM (s.ts - b.ts)) * 1000 AS observed, m.duration_ms AS build,
            extract(epoch FROM (m.created_at - b.ts)) * 1000 - m.duration_ms AS to_build
     FROM sluice.events AS b JOIN sluice.events AS s ON s.run_id = b.run_id AND s.asset_key = b.asset_key AND s.type = 'asset_succeeded'
     JOIN sluice.materializations AS m ON m.run_id = b.run_id AND m.asset_key = b.asset_key
     WHERE b.run_id = $1 AND b.type = 'asset_started'`,
    [runId],
  );
  return { outsideBuild: rows.map((r) => Number(r.observed) - Number(r.build)), toBuild: rows.map((r) => Number(r.to_build)) };
}

const rows: QueueRow[] = [];
const deathToRerunMs: number[] = [];
try {
  const inProcess = await Sluice.open({ dir: project.dir, env, executor: 'in-process' });
  const submitter = await Sluice.open({ dir: project.dir, env, executor: 'queue' });
  try {
    // The first build creates every table; the measured runs replace them, as every later run does.
    const first = await inProcess.materialize({ concurrency: 8 });
    if (first.status !== 'succeeded') throw new Error(`the first in-process run ended ${first.status}`);
    for (const count of args.workers) {
      const slots = count * args.slotsPerWorker;
      const workers = Array.from({ length: count }, () => spawnWorker(project.dir, env, args.slotsPerWorker));
      const row: QueueRow = { workers: count, slots, inProcessWallMs: [], queueWallMs: [], inProcess: [], queue: [] };
      try {
        await until(
          async () => (await meta.query(`SELECT 1 FROM sluice_queue.workers WHERE pid = ANY($1)`, [workers.map((w) => w.pid)])).rows.length === count,
          `${count} worker(s) to join the queue`,
        );
        // Unmeasured: new processes compile, warm up and fill their connection pools, as the in-process side did.
        const warmUp = await submitter.materialize({ concurrency: slots });
        if (warmUp.status !== 'succeeded') throw new Error(`the warm-up queue run ended ${warmUp.status}`);
        // Alternating which goes first, so drifting load hits both alike.
        for (let rep = 0; rep < args.reps; rep++) {
          for (const mode of rep % 2 === 0 ? (['in-process', 'queue'] as const) : (['queue', 'in-process'] as const)) {
            const sluice = mode === 'queue' ? submitter : inProcess;
            const [ms, result] = await timed(() => sluice.materialize({ concurrency: slots }));
            if (result.status !== 'succeeded') throw new Error(`${mode} run ${result.runId} ended ${result.status}`);
            const times = await stepTimes(result.runId);
            if (mode === 'queue') {
              row.queueWallMs.push(ms);
              row.queue.push(times);
            } else {
              row.inProcessWallMs.push(ms);
              row.inProcess.push(times);
            }
          }
        }
      } finally {
        for (const worker of workers) worker.kill('SIGTERM');
        await Promise.all(workers.map((w) => (w.exitCode === null ? new Promise((resolve) => w.once('exit', resolve)) : undefined)));
      }
      rows.push(row);
    }
  } finally {
    await Promise.all([inProcess.close(), submitter.close()]);
  }

  // A worker killed with -9 while it builds a slow step: time until another worker has started that step again.
  const slow = projectDir(
    'slow',
    `import { asset, defineProject } from '@sluice';
export const project = defineProject({ name: 'slow', assets: [asset({ key: 'slow/step', sql: 'SELECT 1 AS v FROM (SELECT pg_sleep(1)) AS pause' })] });`,
  );
  try {
    for (let rep = 0; rep < Math.min(args.reps, 3); rep++) {
      const child = spawnWorker(slow.dir, env, 1);
      const exited = new Promise((resolve) => child.once('exit', resolve));
      const submitter = await Sluice.open({ dir: slow.dir, env, executor: 'queue' });
      try {
        await until(async () => (await meta.query('SELECT 1 FROM sluice_queue.workers WHERE pid = $1', [child.pid])).rows.length > 0, 'the worker to join');
        const run = submitter.materialize();
        await until(async () => (await meta.query('SELECT 1 FROM graphile_worker.jobs WHERE locked_at IS NOT NULL')).rows.length > 0, 'the step to start');
        const rescuer = await startWorker({ project: slow.dir }, env);
        const killedAt = (await meta.query<{ now: Date }>('SELECT clock_timestamp() AS now')).rows[0]!.now;
        child.kill('SIGKILL');
        await exited;
        const result = await run;
        const { rows: started } = await meta.query<{ started: Date }>(
          `SELECT created_at - make_interval(secs => duration_ms / 1000) AS started FROM sluice.materializations WHERE run_id = $1`,
          [result.runId],
        );
        deathToRerunMs.push(started[0]!.started.getTime() - killedAt.getTime());
        await rescuer.stop();
      } finally {
        if (child.exitCode === null) child.kill('SIGKILL');
        await submitter.close();
      }
    }
  } finally {
    slow.remove();
  }
  emitResult({ dagAssets: args.dagAssets, rows, deathToRerunMs });
} finally {
  await meta.end();
  project.remove();
  await Promise.all([warehouseDb.drop(), metadataDb.drop()]);
}
