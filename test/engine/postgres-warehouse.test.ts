// The PostgreSQL warehouse passes the warehouse contract, keeps live staging tables of other processes, and explains bad URLs.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import pg from 'pg';
import { PostgresWarehouse } from '../../src/engine/postgres/postgres-warehouse.js';
import { createTestDatabase, postgresUnavailable } from '../helpers/postgres-database.js';
import { runWarehouseContract } from './warehouse-contract.js';

const skip = await postgresUnavailable();

runWarehouseContract({
  name: 'PostgreSQL',
  skip,
  open: async () => {
    const db = await createTestDatabase('warehouse');
    return { warehouse: await PostgresWarehouse.open({ url: db.url, poolSize: 4 }), cleanup: () => db.drop() };
  },
});

describe('PostgresWarehouse', { skip }, () => {
  it("leaves a live session's staging table alone when another process cleans up", async () => {
    const db = await createTestDatabase('staging');
    const [mine, theirs] = [await PostgresWarehouse.open({ url: db.url }), await PostgresWarehouse.open({ url: db.url })];
    try {
      const session = await theirs.session();
      try {
        await session.ensureSchema('s');
        const staging = await session.stagingName({ schema: 's', name: 't' }, 'run-live');
        await session.stageQuery(staging, 'SELECT 1 AS x');
        assert.deepEqual(await mine.dropAbandonedStaging(), []);
        assert.ok(await session.describe(staging));
      } finally {
        session.close();
      }
    } finally {
      await mine.close();
      await theirs.close();
      await db.drop();
    }
  });

  it("interrupting a session stops its statement when every one of the pool's connections is busy", async () => {
    const db = await createTestDatabase('cancel');
    // A pool of one: the running session holds the only connection, so the cancel cannot take one from the pool.
    const warehouse = await PostgresWarehouse.open({ url: db.url, poolSize: 1 });
    const watcher = new pg.Client({ connectionString: db.url });
    try {
      await watcher.connect();
      const session = await warehouse.session();
      try {
        const sleeping = session.query('SELECT pg_sleep(30) AS slept');
        // Interrupted once the statement runs (never before it starts, which would leave nothing to cancel).
        const running = async (): Promise<boolean> =>
          (await watcher.query(`SELECT 1 FROM pg_stat_activity WHERE state = 'active' AND query LIKE 'SELECT pg_sleep(30)%'`)).rowCount === 1;
        while (!(await running())) await new Promise((resolve) => setImmediate(resolve));
        session.interrupt();
        await assert.rejects(sleeping, /canceling statement due to user request/);
      } finally {
        session.close();
      }
    } finally {
      await watcher.end();
      await warehouse.close();
      await db.drop();
    }
  });

  it('says when the DuckDB parser cannot read a PostgreSQL-only statement, and what to do', async () => {
    const db = await createTestDatabase('parser');
    const warehouse = await PostgresWarehouse.open({ url: db.url });
    try {
      await assert.rejects(
        warehouse.tableReferences(`SELECT 'a.b'::regclass FROM s.t FOR UPDATE OF t NOWAIT SKIP LOCKED`),
        /DuckDB's SQL parser, which does not parse this PostgreSQL statement/,
      );
    } finally {
      await warehouse.close();
      await db.drop();
    }
  });

  it('an unreachable server is named without the password', async () => {
    await assert.rejects(PostgresWarehouse.open({ url: 'postgres://u:hunter2@127.0.0.1:1/w' }), (error: Error) => {
      assert.match(error.message, /cannot reach the PostgreSQL warehouse database at postgres:\/\/u:\*\*\*@127\.0\.0\.1:1\/w/);
      assert.match(error.message, /SLUICE_WAREHOUSE_URL/);
      assert.doesNotMatch(error.message, /hunter2/);
      return true;
    });
  });
});
