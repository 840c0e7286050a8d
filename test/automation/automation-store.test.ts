// The metadata store's automation state: on/off, cursors, evaluations and backfills survive a reopen.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';

describe('automation state in the SQLite store', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sluice-automation-store-'));
  const path = join(dir, 'sluice.sqlite');
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('keeps on/off, cursors and last ticks across a reopen, and partial updates keep other fields', async () => {
    const store = SqliteStore.open({ path });
    await store.setAutomationEnabled('nightly', 'schedule', false);
    await store.saveAutomationCursor('nightly', 'schedule', { lastTickAt: '2024-01-01T03:00:00.000Z', lastRunId: 'r1' });
    await store.saveAutomationCursor('landing_files', 'sensor', { cursor: '{"a.csv":"1:2"}' });
    await store.saveAutomationCursor('nightly', 'schedule', { lastRunId: 'r2' });
    await store.close();
    const reopened = SqliteStore.open({ path });
    const states = new Map((await reopened.automationStates()).map((s) => [s.name, s]));
    assert.equal(states.get('nightly')!.enabled, false);
    assert.equal(states.get('nightly')!.lastTickAt, '2024-01-01T03:00:00.000Z');
    assert.equal(states.get('nightly')!.lastRunId, 'r2');
    assert.equal(states.get('landing_files')!.enabled, null, 'never switched: the definition decides');
    assert.equal(states.get('landing_files')!.cursor, '{"a.csv":"1:2"}');
    await reopened.saveAutomationCursor('landing_files', 'sensor', { cursor: null });
    assert.equal((await reopened.automationStates()).find((s) => s.name === 'landing_files')!.cursor, null);
    await reopened.close();
  });

  it('lists evaluations newest first, per name', async () => {
    const store = SqliteStore.open({ path });
    await store.recordEvaluation({ name: 'gold/x', kind: 'asset', launched: false, reason: 'no upstream changed' });
    await store.recordEvaluation({ name: 'gold/x', kind: 'asset', launched: true, reason: 'upstream changed', runId: 'r9', data: { upstream: ['silver/y'] } });
    await store.recordEvaluation({ name: 'other', kind: 'sensor', launched: false, reason: 'off' });
    const [latest, first] = await store.listEvaluations({ name: 'gold/x' });
    assert.equal(latest!.launched, true);
    assert.equal(latest!.runId, 'r9');
    assert.deepEqual(latest!.data, { upstream: ['silver/y'] });
    assert.equal(first!.reason, 'no upstream changed');
    assert.equal((await store.listEvaluations()).length, 3);
    await store.close();
  });

  it('records a backfill and the state of each partition in order', async () => {
    const store = SqliteStore.open({ path });
    await store.createBackfill({
      id: 'b1',
      selection: 'gold/daily',
      fromKey: '2001-01-01',
      toKey: '2001-01-03',
      partitions: ['2001-01-01', '2001-01-02', '2001-01-03'],
    });
    await store.setBackfillPartition('b1', '2001-01-02', 'succeeded', 'run-2');
    await store.setBackfillPartition('b1', '2001-01-01', 'failed', 'run-1');
    await store.setBackfillStatus('b1', 'failed', { name: 'Error', message: 'boom' });
    const backfill = (await store.getBackfill('b1'))!;
    assert.equal(backfill.status, 'failed');
    assert.equal(backfill.error!.message, 'boom');
    assert.deepEqual(
      backfill.partitions.map((p) => [p.key, p.status, p.runId]),
      [
        ['2001-01-01', 'failed', 'run-1'],
        ['2001-01-02', 'succeeded', 'run-2'],
        ['2001-01-03', 'pending', null],
      ],
    );
    await store.setBackfillStatus('b1', 'running');
    assert.equal((await store.listBackfills())[0]!.status, 'running');
    assert.equal((await store.getBackfill('b1'))!.owner.pid, process.pid);
    await assert.rejects(store.setBackfillStatus('nope', 'running'), /backfill "nope" does not exist/);
    await store.close();
  });
});
