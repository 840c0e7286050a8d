// On a PostgreSQL warehouse, rows cannot go through the governed reader (it parses and renders SQL with DuckDB):
// `sluice query` and every other governed read say so and where to read the data, instead of a parser error.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { LocalClient } from '../../src/api/local-client.js';
import { Sluice } from '../../src/runtime/sluice.js';
import { createTestDatabase, postgresUnavailable, type TestDatabase } from '../helpers/postgres-database.js';
import { tempProject, type TempProject } from '../helpers/temp-project.js';

const skip = await postgresUnavailable();

describe('governed reads on a PostgreSQL warehouse', { skip }, () => {
  let warehouseDb: TestDatabase;
  let project: TempProject;

  before(async () => {
    warehouseDb = await createTestDatabase('governed_pg');
    project = tempProject({
      'sluice.config.ts': `import { asset, defineProject } from '@sluice';
export const project = defineProject({ assets: [asset({ key: 'gold/answer', sql: 'SELECT 42 AS answer' })] });`,
    });
  });
  after(async () => {
    project?.remove();
    await warehouseDb?.drop();
  });

  it('answers a query with what to use instead, naming the warehouse without a password', async () => {
    const sluice = await Sluice.open({ dir: project.dir, env: { SLUICE_WAREHOUSE_URL: warehouseDb.url.replace('postgres@', 'postgres:secret@') } });
    const client = await LocalClient.open(sluice);
    try {
      assert.equal((await sluice.materialize()).status, 'succeeded');
      await assert.rejects(client.query('SELECT answer FROM gold.answer'), (error: Error & { code?: string }) => {
        assert.equal(error.code, 'GOVERNED_READS_NEED_DUCKDB');
        assert.match(error.message, /only from a DuckDB warehouse; this project's warehouse is PostgreSQL at postgres:\/\//);
        assert.match(error.message, /sluice access compile --engine postgres/);
        assert.doesNotMatch(error.message, /secret/);
        return true;
      });
    } finally {
      await client.close();
    }
  });
});
