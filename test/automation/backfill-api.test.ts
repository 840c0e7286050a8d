// Backfills through the server that owns the warehouse: POST /api/backfills runs in the background, the CLI follows its progress.
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { AutomationDaemon } from '../../src/automation/daemon.js';
import { backfillCommand } from '../../src/cli/commands/backfill.js';
import { Sluice } from '../../src/runtime/sluice.js';
import { createApp } from '../../src/server/app.js';
import { listen, type RunningHttpServer } from '../../src/server/http-server.js';
import { tempProject, type TempProject } from '../helpers/temp-project.js';

const CONFIG = `import { asset, monthlyPartitions, defineProject, staticPartitions } from '@sluice';
export const project = defineProject({ assets: [
  asset({ key: 'gold/monthly', partitions: monthlyPartitions({ start: '2001-01' }), partitionColumn: 'month', sql: "SELECT CAST($partition_start AS DATE) AS month, 1 AS n" }),
  asset({ key: 'gold/regions', partitions: staticPartitions(['east', 'west']), partitionColumn: 'region', sql: 'SELECT $partition_key AS region' }),
], schedules: [{ name: 'monthly', cron: '@monthly', select: 'gold/monthly' }] });`;

describe('backfills through the API', () => {
  let project: TempProject;
  let sluice: Sluice;
  let daemon: AutomationDaemon;
  let server: RunningHttpServer;
  before(async () => {
    project = tempProject({ 'sluice.config.ts': CONFIG });
    sluice = await Sluice.open({ dir: project.dir, openLineage: false });
    daemon = await AutomationDaemon.start(sluice, { intervalMs: 0, log: () => undefined });
    server = await listen(createApp(sluice, { log: () => undefined, automation: () => daemon }), { port: 0, host: '127.0.0.1' });
  });
  after(async () => {
    await server?.close();
    await daemon?.stop();
    await sluice?.close();
    project?.remove();
  });

  it('sluice backfill submits to the server and prints each partition as the server finishes it', async () => {
    const out = new PassThrough();
    let printed = '';
    out.on('data', (chunk: Buffer) => (printed += chunk.toString()));
    const backfill = await backfillCommand({ url: server.url, select: 'gold/monthly', from: '2001-01', to: '2001-06' }, out);
    assert.equal(backfill.status, 'succeeded');
    assert.match(printed, new RegExp(`backfill ${backfill.id} submitted to ${server.url}: 6 partition\\(s\\)`));
    for (const month of ['2001-01', '2001-06']) assert.match(printed, new RegExp(`\\] ${month} succeeded`));
    assert.match(printed, /succeeded: 6 of 6 partition\(s\) succeeded/);
    assert.deepEqual([...(await sluice.store.materializedPartitions('gold/monthly'))].sort(), [
      '2001-01',
      '2001-02',
      '2001-03',
      '2001-04',
      '2001-05',
      '2001-06',
    ]);
  });

  it('static partitions backfill by key order, and bad ranges are refused before anything runs', async () => {
    const post = (body: unknown) =>
      fetch(`${server.url}/api/backfills`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const accepted = await post({ select: 'gold/regions', from: 'east', to: 'west' });
    assert.equal(accepted.status, 202);
    const { backfill } = (await accepted.json()) as { backfill: { id: string } };
    await daemon.idle();
    for (let i = 0; i < 100 && (await sluice.store.getBackfill(backfill.id))!.status === 'running'; i++)
      await new Promise((resolve) => setTimeout(resolve, 50));
    assert.deepEqual(
      (await sluice.store.getBackfill(backfill.id))!.partitions.map((p) => [p.key, p.status]),
      [
        ['east', 'succeeded'],
        ['west', 'succeeded'],
      ],
    );
    const reversed = await post({ select: 'gold/monthly', from: '2001-06', to: '2001-01' });
    assert.equal(reversed.status, 400);
    assert.match(((await reversed.json()) as { error: { message: string } }).error.message, /is reversed; put the earlier key first/);
  });
});
