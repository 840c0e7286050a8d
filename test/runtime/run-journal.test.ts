// A run's events and materializations are written behind its steps, in batches, and still reach other readers at once.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { asset, defineProject, Sluice } from '../../src/index.js';
import type { MetadataStore } from '../../src/store/metadata-store.js';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';

const dir = mkdtempSync(join(tmpdir(), 'sluice-journal-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const CHAIN = 20;
const chain = Array.from({ length: CHAIN }, (_, i) => asset({ key: `c/a${i}`, sql: i === 0 ? 'SELECT 1 AS x' : `SELECT x + 1 AS x FROM c.a${i - 1}` }));

describe('the run journal', () => {
  it("writes a chain's events in batches (a step's success with the next one's start) and each step's inputs at their new versions", async () => {
    const projectDir = join(dir, 'batches');
    const sqlite = SqliteStore.open({ path: join(projectDir, 'sluice.sqlite') });
    const batches: number[] = [];
    const store = new Proxy(sqlite, {
      get(target, property, receiver) {
        if (property === 'appendEvents') {
          return (events: Parameters<MetadataStore['appendEvents']>[0]) => {
            batches.push(events.length);
            return target.appendEvents(events);
          };
        }
        const value: unknown = Reflect.get(target, property, receiver);
        return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
      },
    });
    const project = defineProject({ name: 'batches', assets: chain, warehouse: { path: join(projectDir, 'warehouse.duckdb') } });
    const sluice = await Sluice.open({ dir: projectDir, project, store });
    try {
      const result = await sluice.materialize({ select: '*' });
      assert.equal(result.status, 'succeeded');
      const events = await sqlite.listEvents(result.runId);
      // run_started, a start and a success per step, run_succeeded.
      assert.equal(events.length, 2 * CHAIN + 2);
      assert.equal(
        batches.reduce((sum, n) => sum + n, 0),
        events.length,
        'every event went through a batch',
      );
      assert.ok(batches.length <= CHAIN + 3, `${events.length} events in ${batches.length} writes: ${batches.join(',')}`);
      const latest = await sqlite.latestMaterializations();
      for (let i = 1; i < CHAIN; i++) {
        const inputs = latest.get(`c/a${i}`)!.metadata.inputVersions as Record<string, string>;
        assert.equal(inputs[`c/a${i - 1}`], latest.get(`c/a${i - 1}`)!.dataVersion, `c/a${i} read c/a${i - 1} at the version this run published`);
      }
    } finally {
      await sluice.close();
    }
  });

  it('lets another connection see a step start while the step is still running', async () => {
    const projectDir = join(dir, 'prompt');
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    const slow = asset({
      key: 'p/slow',
      compute: async () => {
        await released;
        return [{ x: 1 }];
      },
    });
    const project = defineProject({ name: 'prompt', assets: [slow], warehouse: { path: join(projectDir, 'warehouse.duckdb') } });
    const sluice = await Sluice.open({ dir: projectDir, project, metadataPath: join(projectDir, 'sluice.sqlite') });
    const reader = SqliteStore.open({ path: join(projectDir, 'sluice.sqlite') });
    try {
      const { runId, done } = await sluice.submit({ select: '*' });
      const deadline = Date.now() + 5_000;
      let seen: string[] = [];
      while (!seen.includes('asset_started') && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 5));
        seen = (await reader.listEvents(runId)).map((e) => e.type);
      }
      assert.deepEqual(seen, ['run_started', 'asset_started'], 'the start is stored while the step runs');
      release();
      assert.equal((await done).status, 'succeeded');
    } finally {
      release();
      await reader.close();
      await sluice.close();
    }
  });
});
