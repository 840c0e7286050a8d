import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { after, describe, it } from 'node:test';
import { SLUICE_BIN, tempProject } from '../helpers/temp-project.js';

const project = tempProject({
  'sluice.config.ts': `import { asset, checks, defineProject } from '@sluice';
export const project = defineProject({ assets: [
  asset({ key: 'bronze/numbers', group: 'ingest', sql: 'SELECT range AS n FROM range(5)', checks: [
    checks.rowCount({ min: 1 }),
    checks.acceptedRange('n', { max: 3 }, { blocking: false }),
  ] }),
  asset({ key: 'silver/doubled', group: 'transform', sqlFile: 'sql/doubled.sql' }),
  asset({ key: 'silver/broken', group: 'transform', sql: 'SELECT missing_column FROM bronze.numbers' }),
] });`,
  'sql/doubled.sql': 'SELECT n * 2 AS d FROM bronze.numbers',
});

function sluice(...args: string[]) {
  const result = spawnSync(process.execPath, [SLUICE_BIN, ...args], { cwd: project.dir, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
  return { code: result.status, out: result.stdout, err: result.stderr };
}

describe('the sluice CLI', () => {
  after(() => project.remove());

  it('lists assets with group, kind, status and deps', () => {
    const { code, out } = sluice('list');
    assert.equal(code, 0);
    assert.match(out, /silver\/doubled\s+transform\s+table\s+never\s+-\s+-\s+bronze\/numbers/);
  });

  it('materializes a selection and exits 0', () => {
    const { code, out } = sluice('materialize', '--select', '+silver/doubled');
    assert.equal(code, 0, out);
    assert.match(out, /succeeded: 2 succeeded/);
    const query = sluice('query', 'SELECT sum(d) AS total FROM silver.doubled');
    assert.match(query.out, /total\s*\n-+\s*\n20\b/);
  });

  it('exits 1 when an asset fails, naming the asset, the error and how to retry', () => {
    const { code, out, err } = sluice('materialize', '--select', 'silver/broken');
    assert.equal(code, 1);
    assert.match(out, /silver\/broken: asset "silver\/broken" failed in inline SQL: .*missing_column/s);
    assert.match(err, /sluice materialize --retry-failed [0-9a-f-]{36}/);
    const runId = /--retry-failed ([0-9a-f-]{36})/.exec(err)![1]!;
    const run = sluice('run', runId);
    assert.equal(run.code, 0);
    assert.match(run.out, /failed/);
    assert.match(run.out, /asset_failed/);
    assert.match(sluice('runs').out, new RegExp(`${runId}\\s+failed`));
  });

  it('exits 2 on an unknown selection, with a did-you-mean', () => {
    const { code, err } = sluice('materialize', '--select', 'silver/dubled');
    assert.equal(code, 2);
    assert.match(err, /error \[INVALID_SELECTION\]: selection term "silver\/dubled": asset "silver\/dubled" is not defined; did you mean "silver\/doubled"\?/);
  });

  it('prints the lineage as a tree', () => {
    const { code, out } = sluice('lineage');
    assert.equal(code, 0);
    assert.match(out, /bronze\/numbers \[ingest, table\]\n[├└]── silver\/broken/);
    assert.match(sluice('lineage', 'silver/doubled').out, /upstream:\nsilver\/doubled \[transform, table\]\n└── bronze\/numbers/);
  });

  it('check evaluates published tables, lists failures with samples, and exits 1 on a failing error check', () => {
    const { code, out, err } = sluice('check', '--select', 'bronze/numbers');
    assert.equal(code, 1, out + err);
    assert.match(out, /bronze\/numbers\s+row_count\s+passed/);
    assert.match(out, /bronze\/numbers\s+accepted_range_n\s+FAILED\s+error\s+1\/5/);
    assert.match(out, /\{"n":4\}/);
    assert.match(err, /checks failed in run/);
  });

  it('exits 2 with a clear message outside a project', () => {
    const result = spawnSync(process.execPath, [SLUICE_BIN, 'list'], { cwd: '/', encoding: 'utf8' });
    assert.equal(result.status, 2);
    assert.match(result.stderr, /no sluice.config.ts in "\/" or its parents/);
  });
});
