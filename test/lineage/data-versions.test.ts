// Data and code versions change exactly when code or inputs change, and staleness follows them downstream.
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { Sluice } from '../../src/index.js';
import type { MaterializationRecord } from '../../src/store/metadata-store.js';
import { tempProject } from '../helpers/temp-project.js';

const project = tempProject({
  'sluice.config.ts': `import { join } from 'node:path';
import { asset, defineProject, sqlString } from '@sluice';
export const project = defineProject({ name: 'versions', assets: [
  asset({ key: 'raw/source', codeVersion: '1', compute: async (ctx) => {
    await ctx.sql.exec(\`CREATE TABLE \${ctx.target} AS SELECT * FROM read_csv(\${sqlString(join(ctx.projectDir, 'input.csv'))}, header = true)\`);
  } }),
  asset({ key: 'mid/clean', sqlFile: 'clean.sql' }),
  asset({ key: 'mid/view', kind: 'view', sql: 'SELECT id, amount * 2 AS doubled FROM mid.clean' }),
  asset({ key: 'out/total', sql: 'SELECT sum(doubled) AS total FROM mid.view' }),
] });`,
  'input.csv': 'id,amount\n1,10\n2,20\n3,-5\n',
  'clean.sql': 'SELECT id, amount FROM raw.source WHERE amount > 0',
});

type Versions = Record<string, Pick<MaterializationRecord, 'codeVersion' | 'dataVersion'>>;

/** Opens the project afresh (definitions are read at open, as every CLI command does), runs `work`, closes. */
async function withProject<T>(work: (sluice: Sluice) => Promise<T>): Promise<T> {
  const sluice = await Sluice.open({ dir: project.dir, openLineage: false });
  try {
    return await work(sluice);
  } finally {
    await sluice.close();
  }
}

async function materialize(select: string): Promise<Versions> {
  return withProject(async (sluice) => {
    const result = await sluice.materialize({ select });
    assert.equal(result.status, 'succeeded', JSON.stringify(result.assets));
    return versions(sluice);
  });
}

async function versions(sluice: Sluice): Promise<Versions> {
  const latest = await sluice.store.latestMaterializations();
  return Object.fromEntries([...latest].map(([k, m]) => [k, { codeVersion: m.codeVersion, dataVersion: m.dataVersion }]));
}

async function statuses(): Promise<Record<string, string>> {
  return withProject(async (sluice) =>
    Object.fromEntries([...(await sluice.assetStatuses())].map(([k, s]) => [k, s.reason ? `${s.status}: ${s.reason}` : s.status])),
  );
}

async function staleSelection(): Promise<string[]> {
  return withProject(async (sluice) => [...sluice.plan('stale', await sluice.selectionContext()).steps.map((s) => s.key)]);
}

const ALL_FRESH = { 'raw/source': 'fresh', 'mid/clean': 'fresh', 'mid/view': 'fresh', 'out/total': 'fresh' };

describe('data versions', { timeout: 120_000 }, () => {
  after(() => project.remove());
  let first: Versions;

  it('are identical when nothing changed and everything is re-run', async () => {
    first = await materialize('*');
    assert.deepEqual(await statuses(), ALL_FRESH);
    assert.deepEqual(await materialize('*'), first);
    assert.deepEqual(await statuses(), ALL_FRESH);
  });

  it('ignore a whitespace-only edit of the SQL: same code version, nothing stale', async () => {
    project.write('clean.sql', 'SELECT id,\n       amount\nFROM raw.source\nWHERE amount > 0\n');
    assert.deepEqual(await statuses(), ALL_FRESH);
    assert.deepEqual(await staleSelection(), []);
  });

  it('change with the code: the edited asset is stale for its code, downstream for it, and rebuilding changes code and data versions', async () => {
    project.write('clean.sql', 'SELECT id, amount FROM raw.source WHERE amount > 10');
    assert.deepEqual(await statuses(), {
      'raw/source': 'fresh',
      'mid/clean': 'stale: its code changed since the last materialization',
      'mid/view': 'stale: upstream "mid/clean" is stale',
      'out/total': 'stale: upstream "mid/view" is stale',
    });
    assert.deepEqual(await staleSelection(), ['mid/clean', 'mid/view', 'out/total']);
    const after = await materialize('stale');
    assert.notEqual(after['mid/clean']!.codeVersion, first['mid/clean']!.codeVersion);
    assert.notEqual(after['mid/clean']!.dataVersion, first['mid/clean']!.dataVersion);
    assert.equal(after['mid/view']!.codeVersion, first['mid/view']!.codeVersion, 'the view itself did not change');
    assert.notEqual(after['mid/view']!.dataVersion, first['mid/view']!.dataVersion, "a view's data version follows its inputs");
    assert.notEqual(after['out/total']!.dataVersion, first['out/total']!.dataVersion);
    assert.deepEqual(after['raw/source'], first['raw/source']);
    first = after;
    assert.deepEqual(await statuses(), ALL_FRESH);
  });

  it('stay put when new code yields the same rows: the code version changes, the data version does not, so downstream stays fresh', async () => {
    project.write('clean.sql', 'SELECT id, amount FROM raw.source WHERE amount > 10 AND id IS NOT NULL');
    const after = await materialize('mid/clean');
    assert.notEqual(after['mid/clean']!.codeVersion, first['mid/clean']!.codeVersion);
    assert.equal(after['mid/clean']!.dataVersion, first['mid/clean']!.dataVersion);
    assert.deepEqual(await statuses(), ALL_FRESH);
    first = after;
  });

  it('change with the input data: new upstream content makes everything downstream stale, and `stale` selects exactly that', async () => {
    const unchanged = await materialize('raw/source');
    assert.deepEqual(unchanged['raw/source'], first['raw/source'], 'rebuilding unchanged input gives the same version');
    assert.deepEqual(await statuses(), ALL_FRESH);
    project.write('input.csv', 'id,amount\n1,10\n2,25\n3,-5\n');
    const changed = await materialize('raw/source');
    assert.equal(changed['raw/source']!.codeVersion, first['raw/source']!.codeVersion);
    assert.notEqual(changed['raw/source']!.dataVersion, first['raw/source']!.dataVersion);
    assert.deepEqual(await statuses(), {
      'raw/source': 'fresh',
      'mid/clean': 'stale: upstream "raw/source" has new data since mid/clean was built',
      'mid/view': 'stale: upstream "mid/clean" is stale',
      'out/total': 'stale: upstream "mid/view" is stale',
    });
    assert.deepEqual(await staleSelection(), ['mid/clean', 'mid/view', 'out/total']);
    const rebuilt = await materialize('stale');
    assert.notEqual(rebuilt['out/total']!.dataVersion, first['out/total']!.dataVersion);
    assert.deepEqual(await statuses(), ALL_FRESH);
  });

  it('record the input versions each build read, row count, schema with nullability, column stats, duration and SQL', async () => {
    await withProject(async (sluice) => {
      const [total] = await sluice.store.materializationHistory('out/total', 1);
      const view = (await sluice.store.latestMaterializations()).get('mid/view')!;
      assert.deepEqual(total!.metadata.inputVersions, { 'mid/view': view.dataVersion });
      assert.equal(total!.rowCount, 1);
      assert.deepEqual(total!.schema, [{ name: 'total', type: 'HUGEINT', nullable: true }]);
      assert.deepEqual(total!.metadata.columnStats, [
        { name: 'total', type: 'HUGEINT', nullCount: 0, distinctApprox: 1, distinctExact: true, min: '50', max: '50' },
      ]);
      assert.equal(total!.sql, 'SELECT sum(doubled) AS total FROM mid.view');
      assert.ok(total!.durationMs > 0);
    });
  });
});
