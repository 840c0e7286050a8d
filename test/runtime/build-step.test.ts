// A queue worker's step (Sluice.buildStep): built once per run, however many times it is handed out and however busy
// the asset is meanwhile.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { asset, defineProject, Sluice } from '../../src/index.js';

const dir = mkdtempSync(join(tmpdir(), 'sluice-build-step-'));
after(() => rmSync(dir, { recursive: true, force: true }));

describe('Sluice.buildStep', () => {
  it("answers a step its run recorded already with that record, past any number of other runs' newer records", async () => {
    const sluice = await Sluice.open({
      dir,
      project: defineProject({
        // Appends a row per build: a step built twice would show.
        assets: [asset({ key: 'bronze/ticks', sql: 'SELECT 1 AS tick', incremental: { strategy: 'append' } })],
        warehouse: { path: 'data/warehouse.duckdb' },
        metadata: { path: 'data/sluice.sqlite' },
      }),
    });
    try {
      // A first run creates the asset's schema, as a queued run's setup does before its steps are handed out.
      assert.equal((await sluice.materialize({ select: 'bronze/ticks' })).status, 'succeeded');
      await sluice.store.createRun({ id: 'handed-out-twice', selection: 'bronze/ticks', assetKeys: ['bronze/ticks'] });
      const signal = new AbortController().signal;
      const first = await sluice.buildStep('handed-out-twice', 'bronze/ticks', signal);
      // The asset is busy: thirty other runs materialize it before the step is handed out again.
      for (let i = 0; i < 30; i++) assert.equal((await sluice.materialize({ select: 'bronze/ticks' })).status, 'succeeded');
      const again = await sluice.buildStep('handed-out-twice', 'bronze/ticks', signal);
      assert.deepEqual(again, { rowCount: first.rowCount, dataVersion: first.dataVersion });
      const records = (await sluice.store.materializationHistory('bronze/ticks', 100)).filter((m) => m.runId === 'handed-out-twice');
      assert.equal(records.length, 1);
    } finally {
      await sluice.close();
    }
  });
});
