// Re-publishing through Sluice: every run records what it actually published, and no step sees another's session state.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { asset, defineProject, Sluice, type AssetDefinition } from '../../src/index.js';
import { queryRows } from '../helpers/query-rows.js';

const dirs: string[] = [];
after(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

function scratch(): string {
  const dir = mkdtempSync(join(tmpdir(), 'sluice-republish-'));
  dirs.push(dir);
  return dir;
}

async function run(dir: string, assets: AssetDefinition[]): Promise<Sluice> {
  const sluice = await Sluice.open({
    dir,
    project: defineProject({ assets, warehouse: { path: 'data/warehouse.duckdb' }, metadata: { path: 'data/sluice.sqlite' } }),
  });
  const result = await sluice.materialize();
  assert.equal(result.status, 'succeeded', result.assets.map((a) => a.error?.message).join('; '));
  return sluice;
}

describe('re-publishing assets', () => {
  it('records the new schema, statistics and data version each time an asset changes shape, kind or content', async () => {
    const dir = scratch();
    const downstream = asset({ key: 'gold/summary', sql: 'SELECT count(*) AS n FROM silver.shape' });
    const versions: { sql: string; kind: 'table' | 'view'; schema: string[]; rows: number }[] = [
      { sql: 'SELECT range AS id FROM range(3)', kind: 'table', schema: ['id:BIGINT'], rows: 3 },
      { sql: "SELECT range::INTEGER AS id, 'x' || range AS label FROM range(4)", kind: 'table', schema: ['id:INTEGER', 'label:VARCHAR'], rows: 4 },
      { sql: 'SELECT 1.5 AS price, range AS id FROM range(5)', kind: 'view', schema: ['price:DECIMAL(2,1)', 'id:BIGINT'], rows: 5 },
      { sql: 'SELECT range AS id, range * 2 AS twice FROM range(6)', kind: 'table', schema: ['id:BIGINT', 'twice:BIGINT'], rows: 6 },
      { sql: 'SELECT range AS id, range * 3 AS twice FROM range(6)', kind: 'table', schema: ['id:BIGINT', 'twice:BIGINT'], rows: 6 },
    ];
    const dataVersions = new Set<string | null>();
    for (const [i, version] of versions.entries()) {
      const sluice = await run(dir, [asset({ key: 'silver/shape', kind: version.kind, sql: version.sql }), downstream]);
      try {
        const [record] = await sluice.store.materializationHistory('silver/shape', 1);
        assert.deepEqual(
          record!.schema.map((c) => `${c.name}:${c.type}`),
          version.schema,
          `version ${i}`,
        );
        assert.equal(record!.rowCount, version.kind === 'view' ? null : version.rows, `version ${i}`);
        if (version.kind === 'table') {
          assert.deepEqual(
            (record!.metadata.columnStats as { name: string }[]).map((c) => c.name),
            version.schema.map((c) => c.split(':')[0]),
          );
        }
        dataVersions.add(record!.dataVersion);
        const columns = await queryRows(
          sluice,
          `SELECT column_name FROM information_schema.columns WHERE table_schema = 'silver' AND table_name = 'shape' ORDER BY ordinal_position`,
        );
        assert.deepEqual(
          columns.map((c) => c.column_name),
          version.schema.map((c) => c.split(':')[0]),
        );
        const kind = await queryRows(sluice, `SELECT table_type FROM information_schema.tables WHERE table_schema = 'silver' AND table_name = 'shape'`);
        assert.deepEqual(kind, [{ table_type: version.kind === 'view' ? 'VIEW' : 'BASE TABLE' }]);
        assert.deepEqual(await queryRows(sluice, 'SELECT n FROM gold.summary'), [{ n: version.rows }]);
        const [summary] = await sluice.store.materializationHistory('gold/summary', 1);
        assert.equal((summary!.metadata.inputVersions as Record<string, string>)['silver/shape'], record!.dataVersion);
      } finally {
        await sluice.close();
      }
    }
    assert.equal(dataVersions.size, versions.length, 'every change of content gets its own data version');
  });

  it("a step's session settings and temp tables never reach later steps or runs", async () => {
    const dir = scratch();
    writeFileSync(join(dir, 'points.csv'), 'id\n1\n2\n3\n');
    const assets = [
      asset({
        key: 'bronze/messy',
        compute: async (ctx) => {
          await ctx.sql.exec(`SET file_search_path = '/nonexistent'`);
          await ctx.sql.exec('CREATE TEMP TABLE leaked AS SELECT 1 AS x');
          return [{ ok: true }];
        },
      }),
      asset({ key: 'silver/points', deps: ['bronze/messy'], sql: `SELECT count(*) AS n FROM read_csv('points.csv')` }),
      asset({
        key: 'silver/observer',
        deps: ['bronze/messy'],
        compute: async (ctx) => {
          const leaked = await ctx.sql.query(`SELECT count(*) AS n FROM duckdb_tables() WHERE temporary AND table_name = 'leaked'`);
          const [setting] = await ctx.sql.query(`SELECT current_setting('file_search_path') AS path`);
          return [{ leaked: Number(leaked[0]!.n), path: String(setting!.path) }];
        },
      }),
    ];
    for (let round = 0; round < 2; round++) {
      const sluice = await run(dir, assets);
      try {
        assert.deepEqual(await queryRows(sluice, 'SELECT n FROM silver.points'), [{ n: 3 }]);
        assert.deepEqual(await queryRows(sluice, 'SELECT leaked, path FROM silver.observer'), [{ leaked: 0, path: dir }]);
      } finally {
        await sluice.close();
      }
    }
  });
});
