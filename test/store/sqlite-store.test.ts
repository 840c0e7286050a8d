// The SQLite store's latest-materialization view stays exact across writes, processes and callers.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import type { NewMaterialization } from '../../src/store/metadata-store.js';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';

const dir = mkdtempSync(join(tmpdir(), 'sluice-store-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function materialization(runId: string, assetKey: string, dataVersion: string, partition?: string): NewMaterialization {
  return {
    runId,
    assetKey,
    ...(partition ? { partition } : {}),
    rowCount: 1,
    durationMs: 1,
    codeVersion: 'c1',
    dataVersion,
    schema: [{ name: 'x', type: 'INTEGER', nullable: true }],
    sql: 'SELECT 1 AS x',
    metadata: { inputVersions: {}, columnStats: [{ name: 'x', type: 'INTEGER', nullCount: 0, distinctApprox: 1, min: '1', max: '1' }] },
  };
}

const versions = (latest: Map<string, { dataVersion: string | null }>): Record<string, string | null> =>
  Object.fromEntries([...latest].map(([key, m]) => [key, m.dataVersion]).sort(([a], [b]) => String(a).localeCompare(String(b))));

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
