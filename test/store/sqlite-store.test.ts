// The SQLite store passes the store contract; its cached latest-materialization view stays exact across writes, processes and callers.
import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { materialization, runStoreContract } from './store-contract.js';

const dir = mkdtempSync(join(tmpdir(), 'sluice-store-'));
after(() => rmSync(dir, { recursive: true, force: true }));

let locations = 0;
runStoreContract({
  name: 'SQLite',
  skip: false,
  location: async () => {
    const path = join(dir, `contract-${++locations}.sqlite`);
    return {
      open: async () => SqliteStore.open({ path }),
      markNewerSchema: async () => {
        const db = new Database(path);
        db.pragma('user_version = 999');
        db.close();
      },
      cleanup: async () => undefined,
    };
  },
});

const versions = (latest: Map<string, { dataVersion: string | null }>): Record<string, string | null> =>
  Object.fromEntries([...latest].map(([key, m]) => [key, m.dataVersion]).sort(([a], [b]) => String(a).localeCompare(String(b))));

describe('SqliteStore write-ahead log', () => {
  it('is copied into the database file from another thread while the store stays open and writes', async () => {
    const path = join(dir, 'checkpointed.sqlite');
    const store = SqliteStore.open({ path });
    try {
      await store.createRun({ id: 'r1', selection: '*', assetKeys: ['a/one'] });
      await store.appendEvents([{ runId: 'r1', type: 'asset_started', assetKey: 'a/one', level: 'info', message: 'started' }]);
      await store.recordMaterialization(materialization('r1', 'a/one', 'v1'));
      // A few pages only: SQLite's own checkpoint (at 1,000 pages) would leave all of it in the WAL.
      const fileAlone = join(dir, 'checkpointed-copy.sqlite');
      const deadline = Date.now() + 10_000;
      let copied: { events: number; materializations: number } | undefined;
      do {
        await new Promise((resolve) => setTimeout(resolve, 100));
        copyFileSync(path, fileAlone);
        const copy = new Database(fileAlone, { readonly: true });
        try {
          copied = copy
            .prepare(`SELECT (SELECT count(*) FROM events) AS events, (SELECT count(*) FROM materializations) AS materializations`)
            .get() as typeof copied;
        } catch {
          copied = undefined; // the copy was taken before the tables were checkpointed
        } finally {
          copy.close();
        }
      } while (copied?.materializations !== 1 && Date.now() < deadline);
      assert.deepEqual(copied, { events: 1, materializations: 1 }, 'the database file alone holds what was written');
    } finally {
      await store.close();
    }
  });
});

describe('SqliteStore latest materializations', () => {
  it('reflect every materialization recorded since the last call, by this store or another process on the same file', async () => {
    const path = join(dir, 'shared.sqlite');
    const reader = SqliteStore.open({ path });
    const writer = SqliteStore.open({ path });
    try {
      assert.equal((await reader.latestMaterializations()).size, 0);
      await reader.createRun({ id: 'r1', selection: '*', assetKeys: ['a/one', 'a/two'] });
      await reader.recordMaterialization(materialization('r1', 'a/one', 'v1'));
      await reader.recordMaterialization(materialization('r1', 'a/two', 'v1'));
      assert.deepEqual(versions(await reader.latestMaterializations()), { 'a/one': 'v1', 'a/two': 'v1' });

      await writer.createRun({ id: 'r2', selection: '*', assetKeys: ['a/one', 'a/three'] });
      await writer.recordMaterialization(materialization('r2', 'a/one', 'v2'));
      await writer.recordMaterialization(materialization('r2', 'a/three', 'v1', '2024-01-01'));
      await writer.recordMaterialization(materialization('r2', 'a/three', 'v2', '2024-01-02'));
      assert.deepEqual(versions(await reader.latestMaterializations()), { 'a/one': 'v2', 'a/three': 'v2', 'a/two': 'v1' });

      await reader.recordMaterialization(materialization('r1', 'a/two', 'v3'));
      const latest = await reader.latestMaterializations();
      assert.deepEqual(versions(latest), { 'a/one': 'v2', 'a/three': 'v2', 'a/two': 'v3' });
      assert.deepEqual(latest.get('a/two'), (await reader.materializationHistory('a/two', 1))[0], 'the same record as the history reads');

      const fresh = SqliteStore.open({ path });
      try {
        assert.deepEqual(versions(await fresh.latestMaterializations()), versions(latest), 'a store opened later reads the same');
      } finally {
        await fresh.close();
      }
    } finally {
      await writer.close();
      await reader.close();
    }
  });

  it('give each caller its own map, whose records no caller can change for the others', async () => {
    const store = SqliteStore.open({ path: join(dir, 'frozen.sqlite') });
    try {
      await store.createRun({ id: 'r1', selection: '*', assetKeys: ['a/one'] });
      await store.recordMaterialization(materialization('r1', 'a/one', 'v1'));
      const first = await store.latestMaterializations();
      first.delete('a/one');
      const record = (await store.latestMaterializations()).get('a/one')!;
      assert.throws(() => {
        (record as { dataVersion: string | null }).dataVersion = 'tampered';
      }, TypeError);
      assert.throws(() => {
        (record.metadata.columnStats as { min: string }[])[0]!.min = 'tampered';
      }, TypeError);
      const again = (await store.latestMaterializations()).get('a/one')!;
      assert.equal(again.dataVersion, 'v1');
      assert.deepEqual(again.metadata.columnStats, materialization('r1', 'a/one', 'v1').metadata.columnStats);
    } finally {
      await store.close();
    }
  });
});
