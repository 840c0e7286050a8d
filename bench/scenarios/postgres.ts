// Child: store operations on SQLite and PostgreSQL side by side (the queue's runs are in postgres-queue.ts).
import { join } from 'node:path';
import type { MetadataStore } from '../../src/store/metadata-store.js';
import { PostgresStore } from '../../src/store/postgres/postgres-store.js';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { scratchDir } from '../lib/paths.js';
import { emitResult, scenarioArgs, timed } from '../lib/scenario-io.js';
import { createScratchDatabase } from '../lib/scratch-database.js';

interface Args {
  reps: number;
  storeOps: number;
}

const args = scenarioArgs<Args>();

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
const storeDb = await createScratchDatabase('store');
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
