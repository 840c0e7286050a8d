// One behaviour contract every metadata store adapter passes: each adapter's test file calls runStoreContract().
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { CheckResult } from '../../src/checks/run-check.js';
import type { MetadataStore, NewMaterialization } from '../../src/store/metadata-store.js';
import { SchemaTooNewError } from '../../src/store/store-errors.js';

/** One empty store location; `open()` may be called several times, like several processes sharing it. */
export interface StoreLocation {
  open(): Promise<MetadataStore>;
  /** Makes the stored schema look written by a newer Sluice (the next open must refuse it). */
  markNewerSchema(): Promise<void>;
  cleanup(): Promise<void>;
}

/** How the contract reaches an adapter. */
export interface StoreContractAdapter {
  name: string;
  /** A reason to skip the whole suite (e.g. the database server is not reachable), or false. */
  skip: string | false;
  location(): Promise<StoreLocation>;
}

export function materialization(runId: string, assetKey: string, dataVersion: string, partition?: string): NewMaterialization {
  return {
    runId,
    assetKey,
    ...(partition ? { partition } : {}),
    rowCount: 3_000_000_000,
    durationMs: 12.5,
    codeVersion: 'c1',
    dataVersion,
    schema: [{ name: 'x', type: 'INTEGER', nullable: true }],
    sql: 'SELECT 1 AS x',
    metadata: { inputVersions: { 'a/up': 'v0' }, columnStats: [{ name: 'x', type: 'INTEGER', nullCount: 0, distinctApprox: 1, min: '1', max: '1' }] },
  };
}

function checkResult(assetKey: string, checkName: string, passed: boolean, extra: Partial<CheckResult> = {}): CheckResult {
  return {
    assetKey,
    checkName,
    checkType: 'not_null',
    passed,
    severity: 'error',
    blocking: true,
    failingCount: passed ? 0 : 2,
    totalCount: 10,
    failingPercent: passed ? 0 : 20,
    sampleFailing: passed
      ? []
      : [
          { id: 1, note: 'ü "quoted"' },
          { id: 2, note: null },
        ],
    sql: 'SELECT 1',
    durationMs: 1.5,
    ...extra,
  };
}

/** Every store adapter behaves the same: run once per adapter. */
export function runStoreContract(adapter: StoreContractAdapter): void {
  describe(`${adapter.name} metadata store contract`, { skip: adapter.skip }, () => {
    let location: StoreLocation;
    let store: MetadataStore;
    before(async () => {
      location = await adapter.location();
      store = await location.open();
    });
    after(async () => {
      await store?.close();
      await location?.cleanup();
    });

    it('a run moves through its lifecycle with start and end times, and keeps its error', async () => {
      const created = await store.createRun({ id: 'life', selection: '+gold/x', assetKeys: ['a/one', 'gold/x'], parentRunId: 'earlier' });
      assert.equal(created.status, 'queued');
      assert.deepEqual(created.assetKeys, ['a/one', 'gold/x']);
      assert.equal(created.startedAt, null);
      assert.ok(!Number.isNaN(Date.parse(created.createdAt)));
      await store.setRunStatus('life', 'started');
      const started = (await store.getRun('life'))!;
      assert.equal(started.status, 'started');
      assert.ok(started.startedAt && started.endedAt === null);
      await store.setRunStatus('life', 'failed', { name: 'RunFailedError', message: '1 asset(s) failed: a/one', code: 'CHECK_FAILED' });
      await store.setRunStatus('life', 'failed');
      const ended = (await store.getRun('life'))!;
      assert.equal(ended.status, 'failed');
      assert.ok(ended.endedAt);
      assert.deepEqual(ended.error, { name: 'RunFailedError', message: '1 asset(s) failed: a/one', code: 'CHECK_FAILED' });
      assert.equal(await store.getRun('nope'), undefined);
      await assert.rejects(store.setRunStatus('nope', 'started'), { code: 'RUN_NOT_FOUND' });
    });

    it('runs list newest first, filtered by status and limited', async () => {
      for (const id of ['l1', 'l2', 'l3']) await store.createRun({ id, selection: '*', assetKeys: [] });
      await store.setRunStatus('l2', 'succeeded');
      const ids = (await store.listRuns({ limit: 3 })).map((r) => r.id);
      assert.deepEqual(ids, ['l3', 'l2', 'l1']);
      assert.deepEqual(
        (await store.listRuns({ status: 'succeeded' })).map((r) => r.id),
        ['l2'],
      );
    });

    it('events append in order, tail after an id, keep their data, and feed the latest failure per asset', async () => {
      await store.createRun({ id: 'ev', selection: '*', assetKeys: ['a/one'] });
      const first = await store.appendEvent({ runId: 'ev', type: 'asset_started', assetKey: 'a/one', level: 'info', message: 'started', data: { attempt: 1 } });
      const second = await store.appendEvent({
        runId: 'ev',
        type: 'asset_failed',
        assetKey: 'a/one',
        level: 'error',
        message: 'boom',
        data: { nested: { list: [1, 'two', null] } },
      });
      await store.appendEvent({ runId: 'ev', type: 'run_failed', level: 'error', message: 'run failed' });
      assert.ok(second.id > first.id);
      const all = await store.listEvents('ev');
      assert.deepEqual(
        all.map((e) => e.type),
        ['asset_started', 'asset_failed', 'run_failed'],
      );
      assert.deepEqual(all[1], second);
      assert.deepEqual(all[2]!.data, {});
      assert.equal(all[2]!.assetKey, null);
      assert.deepEqual(
        (await store.listEvents('ev', first.id)).map((e) => e.id),
        [second.id, all[2]!.id],
      );
      const failures = await store.latestAssetFailures();
      assert.equal(failures.get('a/one'), second.ts);
    });

    it('a batch of events, of several runs, appends in the order given and reads back as returned', async () => {
      await store.createRun({ id: 'batch-a', selection: '*', assetKeys: ['a/one'] });
      await store.createRun({ id: 'batch-b', selection: '*', assetKeys: ['a/two'] });
      const before = await store.appendEvent({ runId: 'batch-a', type: 'run_started', level: 'info', message: 'run started', data: { assetKeys: ['a/one'] } });
      const batch = await store.appendEvents([
        { runId: 'batch-a', type: 'asset_started', assetKey: 'a/one', level: 'info', message: 'started', data: { attempt: 1 } },
        { runId: 'batch-b', type: 'asset_log', assetKey: 'a/two', level: 'warn', message: 'ü "quoted", {braces}', data: { nested: [null, 'x'] } },
        { runId: 'batch-a', type: 'run_failed', level: 'error', message: 'run failed' },
      ]);
      assert.deepEqual(
        batch.map((e) => [e.runId, e.type, e.assetKey]),
        [
          ['batch-a', 'asset_started', 'a/one'],
          ['batch-b', 'asset_log', 'a/two'],
          ['batch-a', 'run_failed', null],
        ],
      );
      assert.ok(batch[0]!.id > before.id && batch[1]!.id > batch[0]!.id && batch[2]!.id > batch[1]!.id, 'ids ascend in the order given');
      assert.deepEqual(await store.listEvents('batch-a', before.id), [batch[0], batch[2]]);
      assert.deepEqual(await store.listEvents('batch-b'), [batch[1]]);
      assert.deepEqual(await store.appendEvents([]), []);
    });

    it('runs of dead processes are failed with an explanation; live ones are left alone', async () => {
      await store.createRun({ id: 'orphan', selection: '*', assetKeys: [] });
      await store.setRunStatus('orphan', 'started');
      const abandoned = await store.failAbandonedRuns((owner) => owner.pid === process.pid);
      assert.equal(abandoned.length, 0, 'our own runs are alive');
      const failed = await store.failAbandonedRuns(() => false);
      assert.ok(failed.includes('orphan') && !failed.includes('l2'));
      const run = (await store.getRun('orphan'))!;
      assert.equal(run.status, 'failed');
      assert.match(run.error!.message, /retry-failed/);
      assert.deepEqual(
        (await store.listEvents('orphan')).map((e) => e.type),
        ['run_failed'],
      );
    });

    it('materializations keep every field, list newest first, and the latest per asset spans partitions', async () => {
      await store.createRun({ id: 'm1', selection: '*', assetKeys: [] });
      const recorded = await store.recordMaterialization(materialization('m1', 'a/one', 'v1'));
      assert.equal(recorded.partition, null);
      assert.equal(recorded.rowCount, 3_000_000_000);
      assert.deepEqual(recorded.metadata, materialization('m1', 'a/one', 'v1').metadata);
      await store.recordMaterialization(materialization('m1', 'a/one', 'v2'));
      await store.recordMaterialization(materialization('m1', 'a/part', 'p1', '2024-01-01'));
      await store.recordMaterialization(materialization('m1', 'a/part', 'p2', '2024-01-02'));
      const history = await store.materializationHistory('a/one');
      assert.deepEqual(
        history.map((m) => m.dataVersion),
        ['v2', 'v1'],
      );
      assert.deepEqual(
        (await store.materializationHistory('a/one', 1)).map((m) => m.dataVersion),
        ['v2'],
      );
      const latest = await store.latestMaterializations();
      assert.equal(latest.get('a/one')!.dataVersion, 'v2');
      assert.equal(latest.get('a/part')!.partition, '2024-01-02');
      assert.deepEqual(latest.get('a/one'), history[0]);
      assert.deepEqual([...(await store.materializedPartitions('a/part'))].sort(), ['2024-01-01', '2024-01-02']);
      assert.equal((await store.materializedPartitions('a/one')).size, 0);
    });

    it("a run's materialization of an asset is found past any number of newer ones, and none for a run that recorded none", async () => {
      await store.createRun({ id: 'rm1', selection: '*', assetKeys: [] });
      await store.createRun({ id: 'rm2', selection: '*', assetKeys: [] });
      await store.recordMaterialization(materialization('rm1', 'rm/hot', 'first'));
      await store.recordMaterialization(materialization('rm1', 'rm/other', 'other'));
      for (let i = 0; i < 30; i++) await store.recordMaterialization(materialization('rm2', 'rm/hot', `later-${i}`));
      assert.equal((await store.runMaterialization('rm1', 'rm/hot'))?.dataVersion, 'first');
      assert.equal((await store.runMaterialization('rm2', 'rm/hot'))?.dataVersion, 'later-29');
      assert.equal(await store.runMaterialization('rm2', 'rm/other'), undefined);
      assert.equal(await store.runMaterialization('rm-none', 'rm/hot'), undefined);
      assert.deepEqual(await store.runMaterialization('rm1', 'rm/other'), (await store.materializationHistory('rm/other', 1))[0]);
    });

    it('latest data versions give the newest record of each asset, any partition, and null for an asset never materialized', async () => {
      await store.createRun({ id: 'dv1', selection: '*', assetKeys: [] });
      await store.recordMaterialization(materialization('dv1', 'dv/one', 'v1'));
      await store.recordMaterialization(materialization('dv1', 'dv/one', 'v2'));
      await store.recordMaterialization(materialization('dv1', 'dv/part', 'p1', '2024-01-02'));
      await store.recordMaterialization(materialization('dv1', 'dv/part', 'p2', '2024-01-01'));
      await store.recordMaterialization({ ...materialization('dv1', 'dv/unversioned', 'v1'), dataVersion: null });
      const versions = await store.latestDataVersions(['dv/part', 'dv/never', 'dv/one', 'dv/unversioned']);
      assert.deepEqual(
        [...versions],
        [
          ['dv/part', 'p2'],
          ['dv/never', null],
          ['dv/one', 'v2'],
          ['dv/unversioned', null],
        ],
      );
      assert.equal((await store.latestDataVersions([])).size, 0);
    });

    it('another process on the same store sees every write at once', async () => {
      const other = await location.open();
      try {
        await other.createRun({ id: 'x1', selection: '*', assetKeys: [] });
        await other.recordMaterialization(materialization('x1', 'a/one', 'v3'));
        assert.equal((await store.latestMaterializations()).get('a/one')!.dataVersion, 'v3');
        assert.equal((await store.getRun('x1'))!.id, 'x1');
      } finally {
        await other.close();
      }
    });

    it('check results are stored together, latest per check and per run, with samples and errors intact', async () => {
      await store.createRun({ id: 'c1', selection: '*', assetKeys: [] });
      await store.createRun({ id: 'c2', selection: '*', assetKeys: [] });
      await store.recordCheckResults(
        'c1',
        [checkResult('a/one', 'not_null_x', false), checkResult('a/one', 'unique_x', true), checkResult('b/two', 'rows', true)],
        'staged',
      );
      await store.recordCheckResults('c2', [checkResult('a/one', 'not_null_x', true, { error: { name: 'Error', message: 'no column x' } })], 'published');
      await store.recordCheckResults('c2', [], 'published');
      const latest = await store.latestCheckResults();
      assert.deepEqual(
        latest.map((r) => [r.assetKey, r.checkName, r.runId, r.passed]),
        [
          ['a/one', 'not_null_x', 'c2', true],
          ['a/one', 'unique_x', 'c1', true],
          ['b/two', 'rows', 'c1', true],
        ],
      );
      assert.deepEqual(latest[0]!.error, { name: 'Error', message: 'no column x' });
      assert.equal(latest[0]!.stage, 'published');
      assert.deepEqual(
        (await store.latestCheckResults('b/two')).map((r) => r.checkName),
        ['rows'],
      );
      const run = await store.runCheckResults('c1');
      assert.deepEqual(
        run.map((r) => r.checkName),
        ['not_null_x', 'unique_x', 'rows'],
      );
      const { id: _id, runId: _run, stage: _stage, createdAt: _at, ...stored } = run[0]!;
      assert.deepEqual(stored, checkResult('a/one', 'not_null_x', false));
    });

    it('automation state: on/off, cursors that keep untouched fields, null clears, sorted by kind and name', async () => {
      await store.setAutomationEnabled('nightly', 'schedule', false);
      await store.saveAutomationCursor('nightly', 'schedule', { lastTickAt: '2026-01-01T00:00:00.000Z', lastRunId: 'r9' });
      await store.saveAutomationCursor('nightly', 'schedule', { cursor: '{"seen":1}' });
      await store.saveAutomationCursor('landing', 'sensor', { cursor: 'c' });
      await store.saveAutomationCursor('landing', 'sensor', { cursor: null });
      await store.setAutomationEnabled('Zeta', 'asset', true);
      const states = await store.automationStates();
      assert.deepEqual(
        states.map((s) => [s.kind, s.name]),
        [
          ['asset', 'Zeta'],
          ['schedule', 'nightly'],
          ['sensor', 'landing'],
        ],
      );
      const nightly = states.find((s) => s.name === 'nightly')!;
      assert.deepEqual(
        { ...nightly, updatedAt: 'x' },
        { name: 'nightly', kind: 'schedule', enabled: false, cursor: '{"seen":1}', lastTickAt: '2026-01-01T00:00:00.000Z', lastRunId: 'r9', updatedAt: 'x' },
      );
      assert.equal(states.find((s) => s.name === 'landing')!.cursor, null);
      assert.equal(states.find((s) => s.name === 'landing')!.enabled, null);
    });

    it('evaluations list newest first, by name', async () => {
      const first = await store.recordEvaluation({ name: 'nightly', kind: 'schedule', launched: true, reason: 'tick', runId: 'r1', data: { tick: 1 } });
      await store.recordEvaluation({ name: 'other', kind: 'sensor', launched: false, reason: 'no new files' });
      await store.recordEvaluation({ name: 'nightly', kind: 'schedule', launched: false, reason: 'already ran' });
      assert.deepEqual(
        (await store.listEvaluations({ name: 'nightly' })).map((e) => e.reason),
        ['already ran', 'tick'],
      );
      assert.deepEqual(
        (await store.listEvaluations({ limit: 1 })).map((e) => e.reason),
        ['already ran'],
      );
      assert.deepEqual((await store.listEvaluations({ name: 'nightly' }))[1], first);
      assert.deepEqual(first.data, { tick: 1 });
      assert.equal((await store.listEvaluations({ name: 'other' }))[0]!.runId, null);
    });

    it('backfills keep their partitions in order, record each one, and refuse an unknown id', async () => {
      const created = await store.createBackfill({
        id: 'b1',
        selection: 'daily',
        fromKey: '2024-01-03',
        toKey: '2024-01-01',
        partitions: ['2024-01-03', '2024-01-01', '2024-01-02'],
      });
      assert.equal(created.status, 'running');
      assert.deepEqual(created.owner.pid, process.pid);
      assert.deepEqual(
        created.partitions.map((p) => [p.key, p.status]),
        [
          ['2024-01-03', 'pending'],
          ['2024-01-01', 'pending'],
          ['2024-01-02', 'pending'],
        ],
      );
      await store.setBackfillPartition('b1', '2024-01-01', 'succeeded', 'run-a');
      await store.setBackfillPartition('b1', '2024-01-02', 'failed', 'run-b');
      await store.setBackfillPartition('b1', '2024-01-02', 'pending');
      await store.setBackfillStatus('b1', 'failed', { name: 'Error', message: 'partition failed' });
      const stored = (await store.getBackfill('b1'))!;
      assert.equal(stored.status, 'failed');
      assert.deepEqual(stored.error, { name: 'Error', message: 'partition failed' });
      assert.ok(stored.endedAt);
      const one = stored.partitions[1]!;
      assert.equal(one.status, 'succeeded');
      assert.equal(one.runId, 'run-a');
      assert.ok(one.endedAt && !Number.isNaN(Date.parse(one.endedAt)));
      assert.deepEqual(stored.partitions[2], { key: '2024-01-02', status: 'pending', runId: 'run-b', endedAt: null });
      await store.setBackfillStatus('b1', 'running');
      assert.equal((await store.getBackfill('b1'))!.endedAt, null);
      await store.createBackfill({ id: 'b2', selection: 'daily', fromKey: 'a', toKey: 'a', partitions: ['a'] });
      assert.deepEqual(
        (await store.listBackfills()).map((b) => b.id),
        ['b2', 'b1'],
      );
      assert.equal(await store.getBackfill('none'), undefined);
      await assert.rejects(store.setBackfillStatus('none', 'failed'), /backfill "none" does not exist/);
    });

    it('many writers at once through several connections lose nothing and write nothing twice', async () => {
      const writers = await Promise.all([location.open(), location.open(), location.open()]);
      try {
        const all = [store, ...writers];
        await store.createRun({ id: 'busy', selection: '*', assetKeys: [] });
        await Promise.all(
          Array.from({ length: 120 }, (_, i) => {
            const writer = all[i % all.length]!;
            return Promise.all([
              writer.appendEvent({ runId: 'busy', type: 'asset_log', assetKey: `w/a${i % 10}`, level: 'info', message: `m${i}` }),
              writer.recordMaterialization(materialization('busy', `w/a${i % 10}`, `v${i}`)),
            ]);
          }),
        );
        const events = await store.listEvents('busy');
        assert.equal(events.length, 120);
        assert.equal(new Set(events.map((e) => e.message)).size, 120);
        const latest = await store.latestMaterializations();
        for (let a = 0; a < 10; a++) {
          const history = await store.materializationHistory(`w/a${a}`, 1000);
          assert.equal(history.length, 12);
          assert.deepEqual(latest.get(`w/a${a}`), history[0], 'the latest is the newest record');
        }
      } finally {
        await Promise.all(writers.map((w) => w.close()));
      }
    });

    it('a store written by a newer Sluice is refused with the version and the fix', async () => {
      await location.markNewerSchema();
      await assert.rejects(location.open(), (error: unknown) => {
        assert.ok(error instanceof SchemaTooNewError);
        assert.match(error.message, /newer Sluice/);
        assert.match(error.message, /Upgrade Sluice/);
        return true;
      });
    });
  });
}
