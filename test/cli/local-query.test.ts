// `sluice query` without a server reads through the same governed reader as POST /api/query (the local developer is
// the admin): assets and their quarantine tables and tables outside the assets answer; DDL, DML and host access do not.
// `sluice exec` is the one way to change the warehouse by hand, under the same rules as POST /api/warehouse/change.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { SLUICE_BIN, tempProject } from '../helpers/temp-project.js';

const project = tempProject({
  'sluice.config.ts': `import { join } from 'node:path';
import { asset, defineProject, ingestCsv } from '@sluice';
export const project = defineProject({
  externalTables: ['raw/scratch'],
  assets: [
    asset({ key: 'bronze/things', compute: async (ctx) => {
      await ingestCsv(ctx.sql, {
        files: [join(ctx.projectDir, 'things.csv')],
        columns: [{ name: 'id', type: 'INTEGER', required: true }, { name: 'day', type: 'DATE' }],
        target: ctx.target,
        quarantine: ctx.sideOutput('things_quarantine'),
        errorBudgetPercent: 50,
      });
    } }),
    asset({ key: 'silver/things', sql: 'SELECT id, day FROM bronze.things' }),
  ],
});`,
  'things.csv': 'id,day\n1,2024-01-02\n2,2024-01-03\nnot-a-number,2024-01-04\n',
});

function sluice(...args: string[]) {
  const result = spawnSync(process.execPath, [SLUICE_BIN, ...args], { cwd: project.dir, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
  return { code: result.status, out: result.stdout, err: result.stderr };
}

describe('sluice query and sluice exec without a server', () => {
  before(() => {
    const built = sluice('materialize');
    assert.equal(built.code, 0, built.out + built.err);
  });
  after(() => project.remove());

  it('reads assets, with dates printed as dates', () => {
    const { code, out, err } = sluice('query', 'SELECT id, day FROM silver.things ORDER BY id');
    assert.equal(code, 0, err);
    assert.match(out, /1\s+2024-01-02\s*\n2\s+2024-01-03\s*\n\(2 rows\)/);
  });

  it("reads an asset's quarantine table (a side output) under its owner's policy", () => {
    const { code, out, err } = sluice('query', 'SELECT _error_type, _line_number FROM bronze.things_quarantine');
    assert.equal(code, 0, err);
    assert.match(out, /\(1 row\)/);
  });

  it('refuses DDL and DML through query, and the published table stays', () => {
    for (const sql of ['DROP TABLE silver.things', 'DELETE FROM silver.things', "COPY (SELECT 42) TO '/tmp/sluice-local-query.csv'"]) {
      const { code, err } = sluice('query', sql);
      assert.notEqual(code, 0, sql);
      assert.match(err, /only read-only queries \(SELECT, WITH, VALUES\) may run here/, sql);
    }
    assert.match(sluice('query', 'SELECT count(*) AS n FROM silver.things').out, /\n2\s*\n/);
  });

  it('refuses reading host files, naming the function', () => {
    const { code, err } = sluice('query', "SELECT content FROM read_text('/etc/hostname')");
    assert.notEqual(code, 0);
    assert.match(err, /read_text/);
  });

  it('changes the warehouse by hand with exec, but never drops a published asset', () => {
    const made = sluice('exec', 'CREATE SCHEMA IF NOT EXISTS raw; CREATE TABLE raw.scratch AS SELECT 42 AS answer');
    assert.equal(made.code, 0, made.err);
    assert.match(sluice('query', 'SELECT answer FROM raw.scratch').out, /\n42\s*\n/, 'an admin reads a table outside the assets as it is');
    const dropped = sluice('exec', 'DROP TABLE silver.things');
    assert.notEqual(dropped.code, 0);
    assert.match(dropped.err, /"silver\/things" is a published asset: .*sluice materialize --select silver\/things/);
    assert.match(sluice('query', 'SELECT count(*) AS n FROM silver.things').out, /\n2\s*\n/);
  });

  it('names an unknown relation with a did-you-mean', () => {
    const { code, err } = sluice('query', 'SELECT * FROM silver.thing');
    assert.notEqual(code, 0);
    assert.match(err, /relation "silver\.thing" is not an asset you may read; did you mean "silver\.things"\?/);
  });
});
