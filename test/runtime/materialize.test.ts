import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { Sluice, SluiceError } from '../../src/index.js';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { queryRows } from '../helpers/query-rows.js';
import { tempProject, type TempProject } from '../helpers/temp-project.js';

const CONFIG = `
import { asset, defineProject } from '@sluice';
const fail = process.env.SLUICE_TEST_FAIL === '1';
export const project = defineProject({
  assets: [
    asset({ key: 'bronze/numbers', group: 'ingest', sql: 'SELECT range AS n FROM range(10)' }),
    asset({ key: 'silver/evens', group: 'transform', sql: fail ? 'SELECT n, no_such_column FROM bronze.numbers' : 'SELECT n FROM bronze.numbers WHERE n % 2 = 0' }),
    asset({ key: 'gold/total', group: 'curate', sql: 'SELECT sum(n) AS total FROM silver.evens' }),
    asset({ key: 'gold/total_view', group: 'curate', kind: 'view', sql: 'SELECT total * 2 AS doubled FROM gold.total' }),
    asset({ key: 'bronze/rows', group: 'ingest', compute: async (ctx) => [{ id: 1, label: 'a', run: ctx.runId }, { id: 2, label: 'b', run: ctx.runId }] }),
  ],
});
`;

describe('materialize (DuckDB + SQLite)', () => {
  const projects: TempProject[] = [];
  after(() => projects.forEach((p) => p.remove()));
  const newProject = () => {
    const p = tempProject({ 'sluice.config.ts': CONFIG });
    projects.push(p);
    return p;
  };

  it('infers upstream assets from the SQL and builds everything in dependency order', async () => {
    const sluice = await Sluice.open({ dir: newProject().dir });
    try {
      assert.deepEqual(sluice.project.graph.parentsOf('gold/total'), ['silver/evens']);
      assert.deepEqual(sluice.project.graph.parentsOf('gold/total_view'), ['gold/total']);
      const result = await sluice.materialize();
      assert.equal(result.status, 'succeeded');
      assert.deepEqual(await queryRows(sluice, 'SELECT * FROM gold.total_view'), [{ doubled: 40 }]);
      assert.deepEqual(await queryRows(sluice, 'SELECT id, label FROM bronze.rows ORDER BY id'), [
        { id: 1, label: 'a' },
        { id: 2, label: 'b' },
      ]);
      const history = await sluice.store.materializationHistory('silver/evens');
      assert.equal(history[0]!.rowCount, 5);
      assert.deepEqual(history[0]!.schema, [{ name: 'n', type: 'BIGINT', nullable: true }]);
      assert.match(history[0]!.sql!, /WHERE n % 2 = 0/);
      const events = await sluice.store.listEvents(result.runId);
      assert.equal(events[0]!.type, 'run_started');
      assert.equal(events.at(-1)!.type, 'run_succeeded');
      assert.equal((await sluice.store.getRun(result.runId))!.status, 'succeeded');
    } finally {
      await sluice.close();
    }
  });

  it('a failing SQL leaves the old table intact and readable and skips downstream', async () => {
    const project = newProject();
    let sluice = await Sluice.open({ dir: project.dir });
    await sluice.materialize();
    await sluice.close();
    process.env.SLUICE_TEST_FAIL = '1';
    try {
      // A cache-busting query makes Node re-import the config with the failing SQL.
      project.write('sluice.config.ts', `${CONFIG}\n// v2`);
      sluice = await Sluice.open({ dir: project.dir });
      const result = await sluice.materialize({ select: 'silver/evens+' });
      assert.equal(result.status, 'failed');
      const byKey = new Map(result.assets.map((a) => [a.key, a]));
      assert.equal(byKey.get('silver/evens')!.status, 'failed');
      assert.match(byKey.get('silver/evens')!.error!.message, /asset "silver\/evens" failed in inline SQL: .*no_such_column/s);
      assert.equal(byKey.get('gold/total')!.status, 'skipped');
      assert.deepEqual(await queryRows(sluice, 'SELECT count(*) AS n FROM silver.evens'), [{ n: 5 }]);
      const staging = await queryRows(sluice, `SELECT table_name FROM information_schema.tables WHERE table_name LIKE '__sluice_stage_%'`);
      assert.deepEqual(staging, []);
      const statuses = await sluice.assetStatuses();
      assert.equal(statuses.get('silver/evens')!.status, 'failed');
      await sluice.close();
    } finally {
      delete process.env.SLUICE_TEST_FAIL;
    }
  });

  it('running twice in a row is idempotent and leaves every asset fresh', async () => {
    const sluice = await Sluice.open({ dir: newProject().dir });
    try {
      await sluice.materialize({ select: '+gold/total_view' });
      const first = await sluice.store.latestMaterializations();
      await sluice.materialize({ select: '+gold/total_view' });
      const second = await sluice.store.latestMaterializations();
      for (const key of ['bronze/numbers', 'silver/evens', 'gold/total', 'gold/total_view']) {
        assert.equal(second.get(key)!.dataVersion, first.get(key)!.dataVersion, key);
      }
      const statuses = await sluice.assetStatuses();
      assert.equal(statuses.get('gold/total')!.status, 'fresh');
      assert.equal(statuses.get('bronze/rows')!.status, 'never');
    } finally {
      await sluice.close();
    }
  });

  it('a run left started by a killed process is marked failed at the next start', async () => {
    const project = newProject();
    const store = SqliteStore.open({ path: `${project.dir}/data/sluice.sqlite` });
    await store.createRun({ id: 'crashed-run', selection: '*', assetKeys: ['bronze/numbers'] });
    await store.setRunStatus('crashed-run', 'started');
    // Pretend the run belonged to a process that no longer exists.
    (store as unknown as { db: { prepare(sql: string): { run(...a: unknown[]): void } } }).db
      .prepare(`UPDATE runs SET pid = 2147483646 WHERE id = 'crashed-run'`)
      .run();
    await store.close();
    const sluice = await Sluice.open({ dir: project.dir });
    try {
      const run = await sluice.store.getRun('crashed-run');
      assert.equal(run!.status, 'failed');
      assert.match(run!.error!.message, /stopped before it finished/);
      const retry = await sluice.retryFailed('crashed-run');
      assert.equal(retry.status, 'succeeded');
      assert.deepEqual(
        retry.assets.map((a) => a.key),
        ['bronze/numbers'],
      );
    } finally {
      await sluice.close();
    }
  });

  it('an SQL asset reading an undefined table is rejected at load time with a suggestion', async () => {
    const project = tempProject({
      'sluice.config.ts': `import { asset, defineProject } from '@sluice';
export const project = defineProject({ assets: [
  asset({ key: 'bronze/flights', sql: 'SELECT 1 AS x' }),
  asset({ key: 'silver/flights', sql: 'SELECT x FROM bronze.flight' }),
] });`,
    });
    projects.push(project);
    await assert.rejects(
      Sluice.load({ dir: project.dir }),
      (e: unknown) => e instanceof SluiceError && e.code === 'UNKNOWN_DEPENDENCY' && /did you mean "bronze\/flights"/.test(e.message),
    );
  });

  it('a folder without a project file gets an error naming the folder and the fix', async () => {
    const project = tempProject({ 'README.md': 'empty' });
    projects.push(project);
    await assert.rejects(Sluice.load({ dir: project.dir }), /no sluice.config.ts in .* or its parents; create one/);
  });

  it('two runs that select the same asset never build it at the same time: the second waits its turn', async () => {
    const project = tempProject({
      'sluice.config.ts': `import { asset, defineProject } from '@sluice';
export const intervals: [number, number][] = [];
(globalThis as any).sluiceIntervals = intervals;
export const project = defineProject({ assets: [
  asset({ key: 'bronze/slow', compute: async () => {
    const start = performance.now();
    await new Promise((r) => setTimeout(r, 150));
    intervals.push([start, performance.now()]);
    return [{ at: start }];
  } }),
] });`,
    });
    projects.push(project);
    const sluice = await Sluice.open({ dir: project.dir });
    try {
      const [a, b] = await Promise.all([sluice.materialize(), sluice.materialize()]);
      assert.equal(a.status, 'succeeded');
      assert.equal(b.status, 'succeeded');
      const intervals = (globalThis as unknown as { sluiceIntervals: [number, number][] }).sluiceIntervals;
      assert.equal(intervals.length, 2);
      const [first, second] = intervals.sort((x, y) => x[0] - y[0]) as [[number, number], [number, number]];
      assert.ok(second[0] >= first[1], 'the second build started only after the first one finished');
      const waited = [...(await sluice.store.listEvents(a.runId)), ...(await sluice.store.listEvents(b.runId))].filter((e) =>
        /waiting for run/.test(e.message),
      );
      assert.equal(waited.length, 1);
    } finally {
      await sluice.close();
    }
  });

  it('a side output is published with its asset in one transaction, or not at all', async () => {
    const project = tempProject({
      'sluice.config.ts': `import { asset, defineProject } from '@sluice';
export const project = defineProject({ assets: [
  asset({ key: 'bronze/readings', compute: async (ctx) => {
    await ctx.sql.exec(\`CREATE TABLE \${ctx.target} AS SELECT range AS id FROM range(5)\`);
    await ctx.sql.exec(\`CREATE TABLE \${ctx.sideOutput('readings_rejects')} AS SELECT 99 AS id, 'bad' AS reason\`);
    if (process.env.SLUICE_SIDE_FAIL === '1') throw new Error('source vanished');
  } }),
] });`,
    });
    projects.push(project);
    const sluice = await Sluice.open({ dir: project.dir });
    try {
      assert.equal((await sluice.materialize()).status, 'succeeded');
      assert.deepEqual(await queryRows(sluice, 'SELECT count(*) AS n FROM bronze.readings_rejects'), [{ n: 1 }]);
      const [latest] = await sluice.store.materializationHistory('bronze/readings', 1);
      assert.deepEqual(latest!.metadata.sideOutputs, { 'bronze.readings_rejects': { rowCount: 1 } });
      process.env.SLUICE_SIDE_FAIL = '1';
      const failed = await sluice.materialize();
      assert.equal(failed.status, 'failed');
      assert.deepEqual(await queryRows(sluice, 'SELECT count(*) AS n FROM bronze.readings'), [{ n: 5 }]);
      const leftovers = await queryRows(sluice, `SELECT table_name FROM information_schema.tables WHERE starts_with(table_name, '__sluice_stage_')`);
      assert.deepEqual(leftovers, []);
    } finally {
      delete process.env.SLUICE_SIDE_FAIL;
      await sluice.close();
    }
  });

  it('canceling a run interrupts the running statement promptly and publishes nothing', async () => {
    const project = tempProject({
      'sluice.config.ts': `import { asset, defineProject } from '@sluice';
export const project = defineProject({ assets: [
  asset({ key: 'bronze/slow', sql: 'SELECT sum(a.range * b.range) AS s FROM range(200000) a, range(200000) b' }),
  asset({ key: 'silver/after', sql: 'SELECT s FROM bronze.slow' }),
] });`,
    });
    projects.push(project);
    const sluice = await Sluice.open({ dir: project.dir });
    try {
      const controller = new AbortController();
      const started = performance.now();
      setTimeout(() => controller.abort(), 300);
      const result = await sluice.materialize({ signal: controller.signal });
      const elapsed = performance.now() - started;
      assert.equal(result.status, 'canceled');
      assert.deepEqual(
        result.assets.map((a) => a.status),
        ['canceled', 'canceled'],
      );
      assert.ok(elapsed < 10_000, `the run ended ${Math.round(elapsed)} ms after start`);
      assert.deepEqual(
        await queryRows(
          sluice,
          `SELECT count(*) AS n FROM information_schema.tables WHERE table_name IN ('slow', 'after') OR starts_with(table_name, '__sluice_stage_')`,
        ),
        [{ n: 0 }],
      );
      assert.equal((await sluice.store.getRun(result.runId))!.status, 'canceled');
    } finally {
      await sluice.close();
    }
  });
});
