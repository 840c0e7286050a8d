// `sluice automation list|on|off|history` and `sluice daemon` as real processes: switches persist, the daemon reacts to a landing file and stops on Ctrl-C.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { runBackfill } from '../../src/automation/backfill.js';
import { automationHistory, automationList, automationSwitch } from '../../src/cli/commands/automation.js';
import { Sluice } from '../../src/runtime/sluice.js';
import { SLUICE_SRC, tempProject } from '../helpers/temp-project.js';

const CONFIG = `import { asset, dailyPartitions, defineProject } from '@sluice';
export const project = defineProject({
  assets: [
    asset({ key: 'bronze/drops', incremental: { strategy: 'merge', uniqueKey: ['id'] }, sql: "SELECT * FROM read_csv('landing/*.csv', header = true, columns = {'id': 'INTEGER'})" }),
    asset({ key: 'gold/count', sql: 'SELECT count(*) AS n FROM bronze.drops', automation: { type: 'upstream_changed' } }),
    asset({ key: 'gold/daily', partitions: dailyPartitions({ start: '2024-01-01', end: '2024-01-08' }), partitionColumn: 'day', sql: 'SELECT CAST($partition_key AS DATE) AS day' }),
  ],
  schedules: [{ name: 'nightly', cron: '0 3 * * *', timezone: 'Europe/Berlin', select: 'gold/count', missedTicks: 'skip' }],
  sensors: [{ type: 'file', name: 'drops', path: 'landing', pattern: '*.csv', select: 'bronze/drops' }],
});`;

function cli(
  cwd: string,
  args: string[],
): { child: ChildProcess; done: Promise<{ code: number | null; stdout: string; stderr: string }>; output: () => string } {
  const main = JSON.stringify(join(SLUICE_SRC, '..', 'cli', 'main.ts'));
  const script = `const { main } = await import(${main}); process.exitCode = await main(['node', 'sluice', ...process.argv.slice(1)]);`;
  const child = spawn(process.execPath, ['--import', import.meta.resolve('tsx'), '--input-type=module', '-e', script, '--', ...args], {
    cwd,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const done = new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => child.on('exit', (code) => resolve({ code, stdout, stderr })));
  return { child, done, output: () => stdout + stderr };
}

async function waitFor(what: string, check: () => boolean, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('sluice automation and sluice daemon', () => {
  const project = tempProject({ 'sluice.config.ts': CONFIG });
  after(() => project.remove());

  it('lists schedules, sensors and conditions, and switches them off and on persistently', async () => {
    const off = await cli(project.dir, ['automation', 'off', 'nightly']).done;
    assert.equal(off.code, 0, off.stderr);
    assert.equal(off.stdout, 'nightly: off\n');
    const rows = await automationList({ project: project.dir });
    assert.deepEqual(
      rows.map((r) => [r.name, r.kind, r.enabled]),
      [
        ['nightly', 'schedule', false],
        ['drops', 'sensor', true],
        ['gold/count', 'asset', true],
      ],
    );
    assert.equal(rows[0]!.detail, 'cron "0 3 * * *" Europe/Berlin, missed ticks: skip -> gold/count');
    assert.equal(rows[2]!.detail, 'on any upstream change');
    await assert.rejects(
      automationSwitch({ project: project.dir }, 'nigthly', true),
      /no schedule, sensor or asset condition is named "nigthly"; known: nightly, drops, gold\/count/,
    );
    await automationSwitch({ project: project.dir }, 'nightly', true);
    assert.equal((await automationList({ project: project.dir }))[0]!.enabled, true);
  });

  it('sluice daemon builds what lands, follows with downstream conditions, records why, and stops cleanly on Ctrl-C', async () => {
    const daemon = cli(project.dir, ['daemon', '--interval-ms', '200']);
    try {
      await waitFor('the daemon to start', () => /press Ctrl-C to stop/.test(daemon.output()));
      assert.match(daemon.output(), /sluice daemon: project "sluice": 3 automation\(s\) \(1 schedule\(s\), 1 sensor\(s\), 1 asset condition\(s\)\)/);
      project.write('landing/one.csv', 'id\n1\n2\n');
      let history = '';
      const deadline = Date.now() + 30_000;
      while (!/gold\/count\s+launched/.test(history)) {
        if (Date.now() > deadline) throw new Error(`no condition run:\n${history}\n${daemon.output()}`);
        await new Promise((resolve) => setTimeout(resolve, 300));
        history = (await automationHistory({ project: project.dir }, undefined, 50))
          .map((r) => `${r.name}  ${r.launched ? 'launched' : 'skipped'}  ${r.runId ?? '-'}  ${r.reason}`)
          .join('\n');
      }
      assert.match(history, /drops\s+launched\s+[0-9a-f-]{36}\s+1 new or changed file\(s\) in landing: one\.csv/);
      assert.match(history, /gold\/count\s+launched\s+[0-9a-f-]{36}\s+never materialized and its upstream data is available/);
    } finally {
      daemon.child.kill('SIGINT');
    }
    const exited = await daemon.done;
    assert.equal(exited.code, 0, exited.stderr);
    assert.match(exited.stderr, /SIGINT: stopping the daemon/);
  });

  it('backfills only the missing partitions of a range, or every missing partition', async () => {
    const sluice = await Sluice.open({ dir: project.dir, openLineage: false });
    try {
      await sluice.materialize({ select: 'gold/daily', partition: '2024-01-02' });
      const { backfill } = await runBackfill(sluice, { select: 'gold/daily', from: '2024-01-01', to: '2024-01-04', missingOnly: true });
      assert.deepEqual(
        backfill.partitions.map((p) => p.key),
        ['2024-01-01', '2024-01-03', '2024-01-04'],
      );
      assert.equal(backfill.status, 'succeeded');
      assert.deepEqual([...(await sluice.store.materializedPartitions('gold/daily'))].sort(), ['2024-01-01', '2024-01-02', '2024-01-03', '2024-01-04']);
      // Without a range: every complete partition that is still missing.
      const all = await runBackfill(sluice, { select: 'gold/daily', missingOnly: true });
      assert.deepEqual(
        all.backfill.partitions.map((p) => p.key),
        ['2024-01-05', '2024-01-06', '2024-01-07'],
      );
      assert.deepEqual([all.backfill.fromKey, all.backfill.toKey], ['2024-01-01', '2024-01-07']);
    } finally {
      await sluice.close();
    }
  });
});
