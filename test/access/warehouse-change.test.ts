// POST /api/warehouse/change: admins change the warehouse by hand, never around a run's staging, never out to the host.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Sluice } from '../../src/runtime/sluice.js';
import { createApp } from '../../src/server/app.js';
import { principalWithRoles } from '../../src/access/principal.js';
import { tempProject, type TempProject } from '../helpers/temp-project.js';

describe('changing the warehouse by hand', () => {
  let project: TempProject;
  let sluice: Sluice;
  let app: ReturnType<typeof createApp>;
  const send = async (role: 'admin' | 'analyst', path: string, sql: string) => {
    const response = await app.request(path, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-role': role },
      body: JSON.stringify({ sql }),
    });
    return { status: response.status, body: (await response.json()) as { error?: { code: string; message: string }; rows?: Record<string, unknown>[] } };
  };

  before(async () => {
    project = tempProject({
      'sluice.config.ts': `import { asset, defineProject } from '@sluice';
export const project = defineProject({ assets: [asset({ key: 'clean/numbers', sql: 'SELECT range AS n FROM range(5)' })] });`,
    });
    sluice = await Sluice.open({ dir: project.dir });
    assert.equal((await sluice.materialize()).status, 'succeeded');
    app = createApp(sluice, {
      resolvePrincipal: (request) => principalWithRoles('someone', [request.headers.get('x-role') === 'admin' ? 'admin' : 'analyst']),
    });
  });
  after(async () => {
    await sluice.close();
    project.remove();
  });

  test('an admin fixes rows and adds a scratch table; a governed query sees the change', async () => {
    assert.equal((await send('admin', '/api/warehouse/change', 'DELETE FROM clean.numbers WHERE n > 2')).status, 200);
    assert.equal((await send('admin', '/api/warehouse/change', 'CREATE SCHEMA scratch; CREATE TABLE scratch.notes AS SELECT 1 AS x')).status, 200);
    assert.deepEqual((await send('analyst', '/api/query', 'SELECT count(*) AS n FROM clean.numbers')).body.rows, [{ n: 3 }]);
  });

  test('dropping, altering or replacing a published asset by hand is refused: only a run may', async () => {
    for (const sql of [
      'DROP TABLE clean.numbers',
      'drop table "clean"."numbers"',
      'ALTER TABLE clean.numbers RENAME TO old',
      'CREATE OR REPLACE TABLE clean.numbers AS SELECT 1',
      'SELECT 1; DROP TABLE clean.numbers',
    ]) {
      const { status, body } = await send('admin', '/api/warehouse/change', sql);
      assert.equal(status, 403, sql);
      assert.match(body.error!.message, /published asset.*sluice materialize --select clean\/numbers/, sql);
    }
    assert.deepEqual((await send('admin', '/api/query', 'SELECT count(*) AS n FROM clean.numbers')).body.rows, [{ n: 3 }]);
  });

  test('reaching the host is refused even for an admin', async () => {
    for (const sql of [
      "COPY clean.numbers TO '/tmp/sluice-change.csv'",
      "ATTACH '/tmp/x.duckdb'",
      'INSTALL httpfs',
      'SET threads = 1',
      "CREATE TABLE scratch.f AS SELECT * FROM read_text('/etc/hostname')",
    ]) {
      assert.equal((await send('admin', '/api/warehouse/change', sql)).status, 403, sql);
    }
  });

  test('anyone but an admin is refused, and the read-only query refuses changes for admins too', async () => {
    assert.equal((await send('analyst', '/api/warehouse/change', 'DELETE FROM clean.numbers')).status, 403);
    const { status, body } = await send('admin', '/api/query', 'DELETE FROM clean.numbers');
    assert.equal(status, 403);
    assert.match(body.error!.message, /only read-only queries/);
  });
});
