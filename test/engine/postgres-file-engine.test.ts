// The PostgreSQL warehouse's file engine: file-reading SQL and DuckDB computes run on DuckDB, their tables arrive by COPY
// with every value intact, and an ingestion's rejected rows reach only the quarantine table.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { duckDbCompute, ingestCsv, type AssetContext } from '../../src/index.js';
import { columnTransfer } from '../../src/engine/postgres/postgres-duckdb-copy.js';
import { PostgresWarehouse } from '../../src/engine/postgres/postgres-warehouse.js';
import type { WarehouseSession } from '../../src/engine/warehouse.js';
import { createTestDatabase, postgresUnavailable, type TestDatabase } from '../helpers/postgres-database.js';

const skip = await postgresUnavailable();

describe('columnTransfer', () => {
  it('maps DuckDB types to PostgreSQL ones, nested values to jsonb and unknown ones to text', () => {
    const map = (type: string) => columnTransfer('c', type).pgType;
    assert.deepEqual(
      ['DOUBLE', 'HUGEINT', 'DECIMAL(18,3)', 'TIMESTAMP WITH TIME ZONE', 'TIMESTAMP_NS', 'INTEGER[]', 'STRUCT(a INTEGER)', 'BLOB', "ENUM('a')"].map(map),
      ['double precision', 'numeric', 'numeric(18,3)', 'timestamptz', 'timestamp', 'jsonb', 'jsonb', 'bytea', 'text'],
    );
  });
});

describe('the PostgreSQL file engine', { skip }, () => {
  let db: TestDatabase;
  let warehouse: PostgresWarehouse;
  let session: WarehouseSession;
  const dir = mkdtempSync(join(tmpdir(), 'sluice-file-engine-'));

  before(async () => {
    db = await createTestDatabase('file_engine');
    warehouse = await PostgresWarehouse.open({ url: db.url, fileSearchPath: dir });
    session = await warehouse.session();
    await session.ensureSchema('bronze');
  });
  after(async () => {
    session?.close();
    await warehouse?.close();
    await db?.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('stages a file-reading SELECT through DuckDB and COPY, every value intact (NULL apart from "", doubles to the bit)', async () => {
    writeFileSync(join(dir, 'values.csv'), 'id,label,ratio\n1,"a ""quoted"", multi\nline",0.1\n2,,\n3,"",1e-300\n');
    const staging = await session.stagingName({ schema: 'bronze', name: 'values' }, 'run-1');
    const select = `SELECT id, label, ratio, ratio / 3 AS third, [id, id] AS pair, TIMESTAMPTZ '2025-01-02 03:04:05.123456+00' AS at
      FROM read_csv('values.csv', header = true, allow_quoted_nulls = false, columns = {'id': 'INTEGER', 'label': 'VARCHAR', 'ratio': 'DOUBLE'}) ORDER BY id`;
    await session.stageQuery(staging, select);
    const rows = await session.query(
      `SELECT id, label, label IS NULL AS is_null, ratio, third, pair::text AS pair, extract(epoch FROM at) * 1e6 AS micros FROM bronze."${staging.name}" ORDER BY id`,
    );
    assert.deepEqual(
      rows.map((r) => [r.id, r.label, r.is_null, r.ratio, r.third, r.pair]),
      [
        [1, 'a "quoted", multi\nline', false, 0.1, 0.1 / 3, '[1, 1]'],
        [2, null, true, null, null, '[2, 2]'],
        [3, '', false, 1e-300, 1e-300 / 3, '[3, 3]'],
      ],
    );
    assert.equal(Number(rows[0]!.micros), Date.UTC(2025, 0, 2, 3, 4, 5) * 1000 + 123_456);
  });

  it('refuses a statement that reads files and warehouse tables at once, saying how to split it', async () => {
    const staging = await session.stagingName({ schema: 'bronze', name: 'mixed' }, 'run-2');
    await assert.rejects(
      session.stageQuery(staging, `SELECT * FROM read_csv('values.csv') AS v JOIN bronze.other AS o ON o.id = v.id`),
      /reads files \(read_csv\) and warehouse tables \(bronze\.other\) at once.*Load the files in an asset of their own/,
    );
  });

  it('refuses a view that reads files, saying to make it a table', async () => {
    await assert.rejects(
      session.publishView({ schema: 'bronze', name: 'v' }, `SELECT * FROM read_csv('values.csv')`),
      /bronze\.v is a view that reads files.*make it a table/,
    );
  });

  it('runs a duckDbCompute ingestion on DuckDB: accepted rows in the target, rejected ones only in the quarantine', async () => {
    writeFileSync(join(dir, 'events.csv'), 'id,value\n1,10\n2,not-a-number\n3,30\n');
    const staging = await session.stagingName({ schema: 'bronze', name: 'events' }, 'run-3');
    const sides: string[] = [];
    const context = {
      runId: 'run-3',
      assetKey: 'bronze/events',
      projectDir: dir,
      sql: session,
      target: `"bronze"."${staging.name}"`,
      sideOutput: (name: string) => {
        sides.push(`"bronze"."${staging.name}_${name}"`);
        return sides.at(-1)!;
      },
      addMetadata: () => undefined,
    } as unknown as AssetContext;
    const compute = duckDbCompute(async (ctx) => {
      const result = await ingestCsv(ctx.sql, {
        files: [join(ctx.projectDir, 'events.csv')],
        columns: [
          { name: 'id', type: 'INTEGER', required: true },
          { name: 'value', type: 'INTEGER' },
        ],
        target: ctx.target,
        quarantine: ctx.sideOutput('quarantine'),
      });
      assert.deepEqual([result.accepted, result.quarantined], [2, 1]);
    });
    await compute(context);
    assert.deepEqual(await session.query(`SELECT id, value FROM ${context.target} ORDER BY id`), [
      { id: 1, value: 10 },
      { id: 3, value: 30 },
    ]);
    assert.deepEqual(await session.query(`SELECT _line_number::int AS line, _column, _error_type, _raw_line FROM ${sides[0]}`), [
      { line: 3, _column: 'value', _error_type: 'bad_cast', _raw_line: '2,not-a-number' },
    ]);
  });
});
