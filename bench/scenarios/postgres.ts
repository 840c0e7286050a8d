// Child: store operations on SQLite and PostgreSQL side by side (the queue's runs are in postgres-queue.ts).
import { join } from 'node:path';
import pg from 'pg';
import type { MetadataStore } from '../../src/store/metadata-store.js';
import { PostgresStore } from '../../src/store/postgres/postgres-store.js';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { randomBytes } from 'node:crypto';
import { scratchDir } from '../lib/paths.js';
import { emitResult, scenarioArgs, timed } from '../lib/scenario-io.js';

interface Args {
  reps: number;
  storeOps: number;
}

const args = scenarioArgs<Args>();
const ADMIN_URL = process.env.SLUICE_BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

/** A scratch database on the local server (dropped at the end). */
async function createDatabase(label: string): Promise<{ url: string; drop: () => Promise<void> }> {
  const name = `sluice_bench_${label}_${randomBytes(4).toString('hex')}`;
  const admin = async (sql: string): Promise<void> => {
    const client = new pg.Client({ connectionString: ADMIN_URL });
    await client.connect();
    try {
      await client.query(sql);
    } finally {
      await client.end();
    }
  };
  await admin(`CREATE DATABASE "${name}"`);
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  return { url: url.toString(), drop: () => admin(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`) };
}

/** Per store: ms for `storeOps` event appends, materializations, and one latestMaterializations over them. */
async function storeOps(open: () => Promise<MetadataStore>, rep: number): Promise<{ appendMs: number; recordMs: number; latestMs: number; runMs: number }> {
  const store = await open();
  try {
    const runId = `bench-${rep}`;
    const [runMs] = await timed(async () => {
      await store.createRun({ id: runId, selection: '*', assetKeys: [] });
      await store.setRunStatus(runId, 'started');
    });
    const [appendMs] = await timed(async () => {
      for (let i = 0; i < args.storeOps; i++)
        await store.appendEvent({ runId, type: 'asset_succeeded', assetKey: `a/x${i % 100}`, level: 'info', message: 'materialized', data: { rowCount: 3 } });
    });
    const [recordMs] = await timed(async () => {
      for (let i = 0; i < args.storeOps; i++) {
        await store.recordMaterialization({
          runId,
          assetKey: `a/x${i % 100}`,
          rowCount: 3,
          durationMs: 1,
          codeVersion: 'c',
          dataVersion: `v${i}`,
          schema: [],
          sql: null,
          metadata: {},
        });
      }
    });
    const [latestMs] = await timed(() => store.latestMaterializations());
    return { appendMs, recordMs, latestMs, runMs };
  } finally {
    await store.close();
  }
}

const dir = scratchDir('postgres');
const storeDb = await createDatabase('store');
try {
  const sqlite: Awaited<ReturnType<typeof storeOps>>[] = [];
  const postgres: Awaited<ReturnType<typeof storeOps>>[] = [];
  // Alternating, so drifting machine load hits both alike.
  for (let rep = 0; rep < args.reps; rep++) {
    sqlite.push(await storeOps(async () => SqliteStore.open({ path: join(dir, 'bench.sqlite') }), rep));
    postgres.push(await storeOps(() => PostgresStore.open({ url: storeDb.url }), rep));
  }

  emitResult({ storeOps: args.storeOps, sqlite, postgres });
} finally {
  await storeDb.drop();
}
