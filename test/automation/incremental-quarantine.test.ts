// No poison pills on the incremental path: an untypeable row is quarantined with its reason, the rest of the batch publishes, later batches flow.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Sluice } from '../../src/runtime/sluice.js';
import { tempProject, type TempProject } from '../helpers/temp-project.js';

const CONFIG = `import { asset, defineProject } from '@sluice';
export const project = defineProject({
  externalTables: ['raw/readings'],
  assets: [
    asset({
      key: 'bronze/readings', incremental: { strategy: 'merge', uniqueKey: ['id'], rejectColumn: 'reject_reason' },
      sql: \`SELECT id, TRY_CAST(ts AS TIMESTAMP) AS ts, TRY_CAST(value AS INTEGER) AS value, batch,
               CASE WHEN TRY_CAST(ts AS TIMESTAMP) IS NULL THEN 'ts is not a timestamp: ' || coalesce(ts, 'NULL')
                    WHEN TRY_CAST(value AS INTEGER) IS NULL THEN 'value is not an integer' END AS reject_reason
             FROM raw.readings WHERE batch = (SELECT max(batch) FROM raw.readings)\`,
    }),
    asset({
      key: 'gold/daily', incremental: { strategy: 'merge', uniqueKey: ['day'], deleteColumn: 'gone' },
      sql: \`WITH days AS (SELECT DISTINCT CAST(TRY_CAST(ts AS TIMESTAMP) AS DATE) AS day FROM raw.readings WHERE TRY_CAST(ts AS TIMESTAMP) IS NOT NULL)
             SELECT d.day, count(r.id) AS readings, count(r.id) = 0 AS gone FROM days AS d LEFT JOIN bronze.readings AS r ON CAST(r.ts AS DATE) = d.day GROUP BY d.day\`,
    }),
  ],
});`;

describe('incremental assets with a reject column', () => {
  let project: TempProject;
  let sluice: Sluice;
  const sql = async (text: string): Promise<Record<string, unknown>[]> => {
    const session = await sluice.warehouse.session();
    try {
      return await session.query(text);
    } finally {
      session.close();
    }
  };
  const land = async (batch: number, rows: [number, string | null, string][]) => {
    await sql(
      `INSERT INTO raw.readings VALUES ${rows.map(([id, at, value]) => `(${id}, ${at === null ? 'NULL' : `'${at}'`}, '${value}', ${batch})`).join(', ')}`,
    );
    const result = await sluice.materialize({ select: 'bronze/readings,gold/daily' });
    assert.equal(result.status, 'succeeded', JSON.stringify(result));
  };

  before(async () => {
    project = tempProject({ 'sluice.config.ts': CONFIG });
    sluice = await Sluice.open({ dir: project.dir, openLineage: false });
    await sql('CREATE SCHEMA raw; CREATE TABLE raw.readings (id INTEGER, ts VARCHAR, value VARCHAR, batch INTEGER)');
  });
  after(async () => {
    await sluice?.close();
    project?.remove();
  });

  it('quarantines the rows that cannot be typed with their reason and publishes the rest, batch after batch', async () => {
    await land(1, [
      [1, '2001-01-01 10:00:00', '5'],
      [2, 'yesterday', '6'],
      [3, '2001-02-30 10:00:00', '7'],
      [4, '2001-01-02 10:00:00', 'x'],
      [5, '2001-01-02 11:00:00', '8'],
    ]);
    assert.deepEqual(await sql('SELECT id FROM bronze.readings ORDER BY id'), [{ id: 1 }, { id: 5 }]);
    assert.deepEqual(await sql('SELECT id, reject_reason FROM bronze.readings_quarantine ORDER BY id'), [
      { id: 2, reject_reason: 'ts is not a timestamp: yesterday' },
      { id: 3, reject_reason: 'ts is not a timestamp: 2001-02-30 10:00:00' },
      { id: 4, reject_reason: 'value is not an integer' },
    ]);
    assert.equal((await sql('SELECT * FROM bronze.readings LIMIT 0')).length, 0);
    // Later batches keep flowing; the poison rows are not read again.
    await land(2, [
      [6, '2001-01-03 10:00:00', '9'],
      [7, '', '1'],
    ]);
    assert.deepEqual(await sql('SELECT id FROM bronze.readings ORDER BY id'), [{ id: 1 }, { id: 5 }, { id: 6 }]);
    assert.deepEqual(await sql('SELECT count(*)::INTEGER AS n FROM bronze.readings_quarantine'), [{ n: 4 }]);
    const [materialization] = await sluice.store.materializationHistory('bronze/readings', 1);
    assert.deepEqual((materialization?.metadata as { sideOutputs?: unknown } | undefined)?.sideOutputs, {
      'bronze.readings_quarantine': { rowCount: 1, reasonColumn: 'reject_reason' },
    });
  });

  it('a later untypeable version of a key takes the key out of the table (latest version wins), into the quarantine', async () => {
    await land(3, [[5, 'not a time', '8']]);
    assert.deepEqual(await sql('SELECT id FROM bronze.readings ORDER BY id'), [{ id: 1 }, { id: 6 }]);
    assert.deepEqual(await sql('SELECT count(*)::INTEGER AS n FROM bronze.readings_quarantine WHERE id = 5'), [{ n: 1 }]);
  });

  it('a tombstone row (deleteColumn) removes its key: a day left without readings leaves gold', async () => {
    assert.deepEqual(await sql('SELECT day::VARCHAR AS day, readings::INTEGER AS readings FROM gold.daily ORDER BY day'), [
      { day: '2001-01-01', readings: 1 },
      { day: '2001-01-03', readings: 1 },
    ]);
    assert.deepEqual(
      (await sql('DESCRIBE gold.daily')).map((c) => c.column_name),
      ['day', 'readings'],
    );
  });
});
