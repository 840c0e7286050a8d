import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { after, describe, it } from 'node:test';
import { DuckDBInstance } from '@duckdb/node-api';
import { Sluice } from '../../src/index.js';
import { SLUICE_BIN, tempProject } from '../helpers/temp-project.js';

const ROWS = 1_000_000;
const bigSql = (version: number) => `SELECT range AS n, ${version} AS v, md5(range::VARCHAR || '${version}') AS h FROM range(${ROWS})`;

const project = tempProject({
  'sluice.config.ts': `import { asset, defineProject } from '@sluice';
const version = Number(process.env.SLUICE_TEST_VERSION ?? '0');
export const project = defineProject({ assets: [
  asset({ key: 'bronze/big', sql: \`${bigSql(0).replace('0 AS v', '${version} AS v').replace("'0'", "'${version}'")}\` }),
  asset({ key: 'silver/summary', sql: 'SELECT v, count(*) AS c, sum(n) AS s FROM bronze.big GROUP BY v' }),
] });`,
});

/** Content hash of version `v` of bronze/big, computed apart from Sluice. */
async function expectedHash(version: number): Promise<string> {
  const db = await DuckDBInstance.create(':memory:');
  const c = await db.connect();
  const rows = (await c.runAndReadAll(`SELECT sum(hash(t))::VARCHAR AS h FROM (${bigSql(version)}) t`)).getRowObjectsJS();
  c.closeSync();
  db.closeSync();
  return String(rows[0]!.h);
}

function runAndKill(version: number, killAfterMs: number): Promise<string> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [SLUICE_BIN, 'materialize'], {
      cwd: project.dir,
      env: { ...process.env, SLUICE_TEST_VERSION: String(version) },
      stdio: 'ignore',
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), killAfterMs);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      resolve(signal ?? `exit ${code}`);
    });
  });
}

describe('crash safety', { timeout: 600_000 }, () => {
  after(() => project.remove());

  it('kill -9 at random points always leaves each table in its old or new version, and the next start recovers', async () => {
    const hashes = new Map<string, number>();
    for (let v = 0; v <= 20; v++) hashes.set(await expectedHash(v), v);
    assert.equal(hashes.size, 21);
    await runAndKill(0, 120_000);
    let published = 0;
    let summaryVersion = 0;
    let killed = 0;
    const seed = Number(process.env.SLUICE_TEST_SEED ?? Date.now() % 100000);
    let state = seed;
    const random = () => (state = (state * 1103515245 + 12345) % 2147483648) / 2147483648;
    for (let version = 1; version <= 20; version++) {
      const outcome = await runAndKill(version, 300 + Math.floor(random() * 1500));
      if (outcome === 'SIGKILL') killed++;
      const sluice = await Sluice.open({ dir: project.dir });
      try {
        const session = await sluice.warehouse.session();
        const [big] = await session.query<{ h: string; n: number; versions: number }>(
          `SELECT sum(hash(t))::VARCHAR AS h, count(*) AS n, count(DISTINCT v) AS versions FROM bronze.big t`,
        );
        const summary = await session.query<{ v: number; c: number }>('SELECT v, c FROM silver.summary');
        const staging = await session.query(`SELECT table_name FROM information_schema.tables WHERE starts_with(table_name, '__sluice_stage_')`);
        session.close();
        const seen = hashes.get(big!.h);
        assert.ok(seen === published || seen === version, `seed ${seed}: bronze.big holds neither version ${published} nor ${version} (hash ${big!.h})`);
        assert.equal(big!.n, ROWS);
        assert.equal(big!.versions, 1);
        assert.equal(summary.length, 1);
        // silver.summary is its own old version, or was rebuilt from the bronze version now published.
        assert.ok(summary[0]!.v === summaryVersion || summary[0]!.v === seen, `seed ${seed}: silver.summary is at version ${summary[0]!.v}`);
        summaryVersion = summary[0]!.v;
        assert.equal(summary[0]!.c, ROWS);
        assert.deepEqual(staging, [], 'no staging table survives the restart');
        const stuck = (await sluice.store.listRuns({ limit: 100 })).filter((r) => r.status === 'started' || r.status === 'queued');
        assert.deepEqual(stuck, [], 'no run stays "started" after the restart');
        published = seen!;
      } finally {
        await sluice.close();
      }
    }
    assert.ok(killed >= 5, `only ${killed} of 20 runs were killed mid-way (seed ${seed}); the kill window is too late`);
  });
});
