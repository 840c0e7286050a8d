// The PostgreSQL store passes the store contract, migrates once under concurrent starts, and explains bad URLs.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import pg from 'pg';
import { PostgresStore } from '../../src/store/postgres/postgres-store.js';
import { PgDatabase } from '../../src/store/postgres/pg-database.js';
import { PgMaterializationStore } from '../../src/store/postgres/pg-materialization-store.js';
import { DatabaseUnavailableError } from '../../src/postgres/postgres-pool.js';
import { createTestDatabase, databaseUrl, postgresUnavailable } from '../helpers/postgres-database.js';
import { runStoreContract } from './store-contract.js';

const skip = await postgresUnavailable();

runStoreContract({
  name: 'PostgreSQL',
  skip,
  location: async () => {
    const db = await createTestDatabase('store');
    return {
      open: () => PostgresStore.open({ url: db.url, poolSize: 4 }),
      markNewerSchema: async () => {
        const client = new pg.Client({ connectionString: db.url });
        await client.connect();
        await client.query(`INSERT INTO sluice.schema_migrations (version, name) VALUES (999, 'from the future')`);
        await client.end();
      },
      cleanup: () => db.drop(),
    };
  },
});

describe('PostgresStore', { skip }, () => {
  it('five processes opening a new database at once migrate it exactly once', async () => {
    const db = await createTestDatabase('migrate');
    try {
      const stores = await Promise.all(Array.from({ length: 5 }, () => PostgresStore.open({ url: db.url, poolSize: 2 })));
      await Promise.all(stores.map((s) => s.close()));
      const client = new pg.Client({ connectionString: db.url });
      await client.connect();
      const { rows } = await client.query<{ version: number }>('SELECT version FROM sluice.schema_migrations ORDER BY version');
      await client.end();
      assert.deepEqual(
        rows.map((r) => r.version),
        [1, 2, 3],
      );
    } finally {
      await db.drop();
    }
  });

  it('records a materialization once when the connection is lost under it: after its commit (reply lost) or before', async () => {
    const db = await createTestDatabase('lost_reply');
    const store = await PostgresStore.open({ url: db.url, poolSize: 2 });
    const pool = new pg.Pool({ connectionString: db.url, max: 2 });
    try {
      await store.createRun({ id: 'r', selection: '*', assetKeys: ['a/x', 'a/y'] });
      // The network failing at a chosen moment of the next insert (pg_terminate_backend cannot aim at a reply).
      let lose: 'after commit' | 'before' | undefined;
      const flaky = new Proxy(pool, {
        get(target, property) {
          if (property !== 'query') return Reflect.get(target, property) as unknown;
          return async (sql: string, params: unknown[]) => {
            const when = /INSERT INTO/.test(sql) ? lose : undefined;
            lose = undefined;
            if (when === 'after commit') await target.query(sql, params);
            if (when) throw new Error('Connection terminated unexpectedly');
            return target.query(sql, params);
          };
        },
      });
      const materializations = new PgMaterializationStore(new PgDatabase(flaky, '"sluice"'));
      const record = (assetKey: string, durationMs: number) =>
        materializations.recordMaterialization({
          runId: 'r',
          assetKey,
          rowCount: 1,
          durationMs,
          codeVersion: 'c',
          dataVersion: 'd',
          schema: [],
          sql: null,
          metadata: {},
        });
      lose = 'after commit';
      const x = await record('a/x', 12.345678901234);
      lose = 'before';
      const y = await record('a/y', 3.25);
      assert.deepEqual(
        (await store.materializationHistory('a/x')).map((m) => m.id),
        [x.id],
        'the committed record is found, not written again',
      );
      assert.deepEqual(
        (await store.materializationHistory('a/y')).map((m) => m.id),
        [y.id],
        'the lost one is written once',
      );
      assert.equal((await store.latestMaterializations()).get('a/x')?.id, x.id);
    } finally {
      await pool.end();
      await store.close();
      await db.drop();
    }
  });

  it('creates its database when it does not exist yet, in its own schema', async () => {
    const name = `sluice_test_created_${process.pid}_${Date.now()}`;
    const store = await PostgresStore.open({ url: databaseUrl(name), schema: 'meta' });
    try {
      assert.equal(store.location, databaseUrl(name));
      await store.createRun({ id: 'r', selection: '*', assetKeys: [] });
    } finally {
      await store.close();
      const admin = new pg.Client({ connectionString: databaseUrl('postgres') });
      await admin.connect();
      await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      await admin.end();
    }
  });

  it('an unreachable server is named (without the password) with the fix', async () => {
    const url = 'postgres://sluice:hunter2@127.0.0.1:1/meta';
    await assert.rejects(PostgresStore.open({ url }), (error: unknown) => {
      assert.ok(error instanceof DatabaseUnavailableError);
      assert.match(error.message, /cannot reach the PostgreSQL metadata database at postgres:\/\/sluice:\*\*\*@127\.0\.0\.1:1\/meta \(ECONNREFUSED\)/);
      assert.match(error.message, /SLUICE_METADATA_URL/);
      assert.doesNotMatch(error.message, /hunter2/);
      return true;
    });
  });

  it('wrong credentials are named (without the password) with the fix', async () => {
    const admin = new pg.Client({ connectionString: databaseUrl('postgres') });
    await admin.connect();
    const role = `sluice_test_role_${process.pid}`;
    // Trust auth accepts any password, so a role without LOGIN is how this server refuses credentials.
    await admin.query(`DROP ROLE IF EXISTS ${role}`);
    await admin.query(`CREATE ROLE ${role} NOLOGIN`);
    try {
      const url = new URL(databaseUrl('postgres'));
      url.username = role;
      url.password = 'hunter2';
      await assert.rejects(PostgresStore.open({ url: url.toString() }), (error: unknown) => {
        assert.ok(error instanceof DatabaseUnavailableError);
        assert.match(error.message, new RegExp(`refused the credentials of user "${role}"`));
        assert.match(error.message, /correct the user and password in SLUICE_METADATA_URL/);
        assert.doesNotMatch(error.message, /hunter2/);
        return true;
      });
    } finally {
      await admin.query(`DROP ROLE IF EXISTS ${role}`);
      await admin.end();
    }
  });
});
