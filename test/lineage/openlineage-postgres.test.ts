// OpenLineage names of a PostgreSQL warehouse's tables: postgres://host:port + database.schema.table (spec/Naming.md).
import assert from 'node:assert/strict';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { postgresDatasource, resolveOpenLineageSettings } from '../../src/lineage/openlineage/openlineage-config.js';
import type { OpenLineageRunEvent } from '../../src/lineage/openlineage/openlineage-types.js';
import { Sluice } from '../../src/runtime/sluice.js';
import { createTestDatabase, postgresUnavailable, type TestDatabase } from '../helpers/postgres-database.js';
import { tempProject, type TempProject } from '../helpers/temp-project.js';
import { openLineageValidator } from './openlineage-validator.js';

const skip = await postgresUnavailable();

describe('OpenLineage on a PostgreSQL warehouse', () => {
  it('names the server (host and port, 5432 by default) as the namespace and the database in front of schema.table, never the credentials', () => {
    assert.deepEqual(postgresDatasource('postgres://sluice:s3cret@db.internal:6543/warehouse'), {
      namespace: 'postgres://db.internal:6543',
      database: 'warehouse',
    });
    assert.deepEqual(postgresDatasource('postgresql://sluice@db.internal/analytics'), { namespace: 'postgres://db.internal:5432', database: 'analytics' });
    // libpq connects to the database named after the user when the URL names none.
    assert.deepEqual(postgresDatasource('postgres://report@db'), { namespace: 'postgres://db:5432', database: 'report' });
    const settings = resolveOpenLineageSettings(
      { transport: { type: 'console' } },
      {},
      { projectName: 'p', projectDir: '/p', warehousePath: '/p/data/warehouse.duckdb', warehouseUrl: 'postgres://sluice:s3cret@db:5432/wh' },
    );
    assert.equal(settings?.datasetNamespace, 'postgres://db:5432');
    assert.equal(settings?.datasetNamePrefix, 'wh.');
    assert.doesNotMatch(JSON.stringify(settings), /s3cret|sluice@/);
    // A namespace the project sets still wins; table names keep their database.
    const custom = resolveOpenLineageSettings(
      { transport: { type: 'console' }, datasetNamespace: 'postgres://warehouse.example.com:5432' },
      {},
      { projectName: 'p', projectDir: '/p', warehousePath: '/p/w.duckdb', warehouseUrl: 'postgres://db/wh' },
    );
    assert.equal(custom?.datasetNamespace, 'postgres://warehouse.example.com:5432');
    assert.equal(custom?.datasetNamePrefix, 'wh.');
  });

  describe('a run', { skip }, () => {
    let warehouseDb: TestDatabase;
    let project: TempProject;
    let events: OpenLineageRunEvent[];

    before(async () => {
      warehouseDb = await createTestDatabase('ol_wh');
      project = tempProject({
        'sluice.config.ts': `import { asset, defineProject } from '@sluice';
export const project = defineProject({ name: 'olpg', assets: [
  asset({ key: 'raw/numbers', sql: 'SELECT g AS n FROM generate_series(1, 3) AS t(g)' }),
  asset({ key: 'mart/total', sql: 'SELECT sum(n) AS total FROM raw.numbers' }),
] });`,
      });
      const logFile = join(project.dir, 'openlineage.jsonl');
      const sluice = await Sluice.open({
        dir: project.dir,
        env: { SLUICE_WAREHOUSE_URL: warehouseDb.url },
        openLineage: { transport: { type: 'file', path: logFile } },
      });
      try {
        assert.equal((await sluice.materialize()).status, 'succeeded');
        await sluice.openLineage!.flush();
      } finally {
        await sluice.close();
      }
      events = readFileSync(logFile, 'utf8')
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line) as OpenLineageRunEvent);
    });
    after(async () => {
      if (project) rmSync(project.dir, { recursive: true, force: true });
      await warehouseDb?.drop();
    });

    it('emits valid events whose datasets and column lineage name postgres://127.0.0.1:5432 and database.schema.table', () => {
      const validate = openLineageValidator();
      for (const event of events) assert.deepEqual(validate(event), [], `${event.eventType} ${event.job.name}`);
      const namespace = `postgres://${new URL(warehouseDb.url).hostname}:5432`;
      const complete = events.find((e) => e.eventType === 'COMPLETE' && e.job.name === 'mart/total')!;
      assert.deepEqual(
        complete.inputs.map((d) => [d.namespace, d.name]),
        [[namespace, `${warehouseDb.name}.raw.numbers`]],
      );
      assert.deepEqual(
        complete.outputs.map((d) => [d.namespace, d.name]),
        [[namespace, `${warehouseDb.name}.mart.total`]],
      );
      const lineage = complete.outputs[0]!.facets!.columnLineage as unknown as {
        fields: Record<string, { inputFields: { namespace: string; name: string }[] }>;
      };
      assert.deepEqual(
        lineage.fields.total!.inputFields.map((f) => [f.namespace, f.name]),
        [[namespace, `${warehouseDb.name}.raw.numbers`]],
      );
      assert.ok(!events.some((e) => JSON.stringify(e).includes('duckdb://')), 'no dataset is named after a DuckDB file');
    });
  });
});
