// The daemon with a fake clock: schedule ticks, missed ticks after downtime, on/off, state across restarts, and asset conditions.
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { AutomationDaemon } from '../../src/automation/daemon.js';
import { Sluice } from '../../src/runtime/sluice.js';
import { tempProject, type TempProject } from '../helpers/temp-project.js';

const SCHEDULES = `import { asset, dailyPartitions, defineProject } from '@sluice';
export const project = defineProject({
  assets: [
    asset({ key: 'dims/airports', sql: 'SELECT 1 AS id' }),
    asset({ key: 'facts/daily', partitions: dailyPartitions({ start: '2024-01-01' }), partitionColumn: 'day', sql: 'SELECT CAST($partition_key AS DATE) AS day, 1 AS n' }),
  ],
  schedules: [
    { name: 'nightly', cron: '0 3 * * *', timezone: 'America/New_York', select: 'dims/airports' },
    { name: 'daily_partitions', cron: '0 3 * * *', timezone: 'America/New_York', select: 'facts/daily', missedTicks: 'all' },
  ],
});`;

const CONDITIONS = `import { asset, defineProject } from '@sluice';
export const project = defineProject({
  assets: [
    asset({ key: 'raw/src', sql: "SELECT * FROM read_csv('src.csv')" }),
    asset({ key: 'mart/agg', sql: 'SELECT count(*) AS n FROM raw.src', automation: { type: 'upstream_changed' } }),
    asset({ key: 'mart/fresh', sql: 'SELECT now() AS at', automation: [{ type: 'missing' }, { type: 'fresh_within', minutes: 60 }] }),
  ],
});`;

describe('the automation daemon', () => {
  const projects: TempProject[] = [];
  after(() => projects.forEach((p) => p.remove()));
  const open = async (config: string, files: Record<string, string> = {}) => {
    const project = tempProject({ 'sluice.config.ts': config, ...files });
    projects.push(project);
    return Sluice.open({ dir: project.dir, openLineage: false });
  };

  it('fires schedules on a fake clock, applies missed-tick policies after downtime, honours off, and keeps its cursor across restarts', async () => {
    const sluice = await open(SCHEDULES);
    let now = new Date('2024-03-09T12:00:00Z');
    const start = () => AutomationDaemon.start(sluice, { clock: () => now, intervalMs: 0, log: () => undefined });
    const runsOf = async (name: string) => (await sluice.store.listEvaluations({ name, limit: 100 })).filter((e) => e.launched);
    try {
      let daemon = await start();
      await daemon.idle();
      assert.equal((await sluice.store.listRuns()).length, 0, 'a new schedule does not replay past ticks');

      // 03:00 in New York on the day clocks spring forward is 07:00 UTC.
      now = new Date('2024-03-10T07:00:20Z');
      await daemon.evaluate();
      await daemon.idle();
      const [nightly] = await runsOf('nightly');
      assert.match(nightly!.reason, /^tick 2024-03-10T07:00:00.000Z$/);
      assert.equal((await sluice.store.getRun(nightly!.runId!))!.status, 'succeeded');
      const [partition] = await runsOf('daily_partitions');
      assert.match(partition!.reason, /for partition 2024-03-09/, 'a tick builds the partition completed before it');
      await daemon.evaluate();
      assert.equal((await runsOf('nightly')).length, 1, 'a tick fires once');

      // Three nights of downtime: `latest` runs once, late; `all` runs each missed partition.
      await daemon.stop();
      now = new Date('2024-03-13T12:00:00Z');
      daemon = await start();
      await daemon.idle();
      const nightlies = await runsOf('nightly');
      assert.equal(nightlies.length, 2);
      assert.match(nightlies[0]!.reason, /tick 2024-03-13T07:00:00.000Z, 300 min late after downtime \(older missed ticks dropped by the "latest" policy\)/);
      const partitions = (await runsOf('daily_partitions')).map((e) => e.data.partition).sort();
      assert.deepEqual(partitions, ['2024-03-09', '2024-03-10', '2024-03-11', '2024-03-12']);
      assert.deepEqual([...(await sluice.store.materializedPartitions('facts/daily'))].sort(), partitions);

      // Off: the tick is skipped and recorded; on again: no replay of the skipped tick.
      await daemon.setEnabled('nightly', false);
      now = new Date('2024-03-14T07:00:05Z');
      await daemon.evaluate();
      await daemon.idle();
      const [skipped] = await sluice.store.listEvaluations({ name: 'nightly', limit: 1 });
      assert.equal(skipped!.launched, false);
      assert.match(skipped!.reason, /tick 2024-03-14T07:00:00.000Z skipped: the schedule is off/);
      await daemon.setEnabled('nightly', true);
      await daemon.evaluate();
      assert.equal((await runsOf('nightly')).length, 2);
      await daemon.stop();

      const states = new Map((await sluice.store.automationStates()).map((s) => [s.name, s]));
      assert.equal(states.get('nightly')!.lastTickAt, '2024-03-14T07:00:00.000Z');
      assert.equal(states.get('nightly')!.enabled, true);
      assert.equal(states.get('daily_partitions')!.lastTickAt, '2024-03-14T07:00:00.000Z');
    } finally {
      await sluice.close();
    }
  });

  it('materializes assets on upstream change and staleness, records why, and does not repeat itself', async () => {
    const sluice = await open(CONDITIONS, { 'src.csv': 'v\n1\n2\n' });
    let now = new Date();
    const daemon = await AutomationDaemon.start(sluice, { clock: () => now, intervalMs: 0, log: () => undefined });
    try {
      await daemon.idle();
      const [waiting] = await sluice.store.listEvaluations({ name: 'mart/agg', limit: 1 });
      assert.match(waiting!.reason, /upstream "raw\/src" is not materialized yet/);
      const missing = (await sluice.store.listEvaluations({ name: 'mart/fresh', limit: 10 })).find((e) => e.launched);
      assert.match(missing!.reason, /never materialized/);

      // A run of the upstream (by anyone) makes the daemon launch the downstream at once, without a timer.
      await sluice.materialize({ select: 'raw/src' });
      await daemon.idle();
      const launched = (await sluice.store.listEvaluations({ name: 'mart/agg', limit: 10 })).find((e) => e.launched)!;
      assert.match(launched.reason, /never materialized and its upstream data is available/);
      assert.equal((await sluice.store.getRun(launched.runId!))!.status, 'succeeded');

      await sluice.materialize({ select: 'raw/src' });
      await daemon.idle();
      const evaluations = await sluice.store.listEvaluations({ name: 'mart/agg', limit: 10 });
      assert.equal(evaluations.filter((e) => e.launched).length, 1, 'the same data again is no change: no run');
      assert.match(evaluations[0]!.reason, /no upstream has new data since the last materialization/);
      const before = (await sluice.store.listEvaluations({ limit: 1000 })).length;
      await daemon.evaluate();
      await daemon.evaluate();
      assert.equal((await sluice.store.listEvaluations({ limit: 1000 })).length, before, 'an unchanged decision is not recorded again');

      now = new Date(Date.now() + 2 * 3_600_000);
      await daemon.evaluate();
      // Back to real time, or the new materialization would look two hours old at once.
      now = new Date();
      await daemon.idle();
      const [stale] = await sluice.store.listEvaluations({ name: 'mart/fresh', limit: 1 });
      assert.equal(stale!.launched, false, 'after its run: fresh again');
      const refresh = (await sluice.store.listEvaluations({ name: 'mart/fresh', limit: 10 })).filter((e) => e.launched);
      assert.equal(refresh.length, 2);
      assert.match(refresh[0]!.reason, /last materialized 120 min ago, over the 60 min limit/);
    } finally {
      await daemon.stop();
      await sluice.close();
    }
  });

  it('refuses a schedule with a bad cron or selection before it starts', async () => {
    const sluice = await open(`import { asset, defineProject } from '@sluice';
export const project = defineProject({ assets: [asset({ key: 'a/b', sql: 'SELECT 1 AS x' })], schedules: [{ name: 'bad', cron: '0 25 * * *', select: 'a/b' }] });`);
    try {
      await assert.rejects(AutomationDaemon.start(sluice, { intervalMs: 0 }), /schedule "bad": cron expression "0 25 \* \* \*" is not valid/);
    } finally {
      await sluice.close();
    }
  });
});
