// File and HTTP event sensors end to end: arrivals launch runs at once, duplicates leave no duplicate rows, cursors survive restarts.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { AutomationDaemon } from '../../src/automation/daemon.js';
import { Sluice } from '../../src/runtime/sluice.js';
import { createApp } from '../../src/server/app.js';
import { listen, type RunningHttpServer } from '../../src/server/http-server.js';
import { tempProject, type TempProject } from '../helpers/temp-project.js';

const CONFIG = `import { asset, defineProject } from '@sluice';
export const project = defineProject({
  assets: [
    asset({
      key: 'bronze/events', incremental: { strategy: 'merge', uniqueKey: ['event_id'] },
      sql: \`SELECT CAST(payload->>'event_id' AS INTEGER) AS event_id, CAST(payload->>'value' AS INTEGER) AS value
             FROM landing.events QUALIFY row_number() OVER (PARTITION BY payload->>'event_id' ORDER BY _seq DESC) = 1\`,
    }),
    asset({ key: 'gold/totals', sql: 'SELECT count(*) AS events, sum(value) AS total FROM bronze.events' }),
    asset({
      key: 'bronze/files', incremental: { strategy: 'merge', uniqueKey: ['id'] },
      sql: "SELECT DISTINCT * FROM read_csv('landing/*.csv', header = true, columns = {'id': 'INTEGER', 'v': 'INTEGER'})",
    }),
  ],
  sensors: [
    { type: 'events', name: 'event_intake', source: 'events', select: 'bronze/events,gold/totals' },
    { type: 'file', name: 'landing_files', path: 'landing', pattern: '*.csv', select: 'bronze/files' },
  ],
});`;

async function until<T>(what: string, probe: () => Promise<T | undefined | false>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('sensors', () => {
  let project: TempProject;
  let sluice: Sluice;
  let daemon: AutomationDaemon;
  let server: RunningHttpServer;
  const query = async (sql: string): Promise<Record<string, unknown>[]> => {
    const session = await sluice.warehouse.session();
    try {
      return await session.query(sql);
    } finally {
      session.close();
    }
  };
  const post = (path: string, body: unknown) =>
    fetch(`${server.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const startDaemon = async () => (daemon = await AutomationDaemon.start(sluice, { intervalMs: 200, log: () => undefined }));

  before(async () => {
    project = tempProject({ 'sluice.config.ts': CONFIG });
    sluice = await Sluice.open({ dir: project.dir, openLineage: false });
    await startDaemon();
    server = await listen(createApp(sluice, { log: () => undefined, automation: () => daemon }), { port: 0, host: '127.0.0.1' });
  });
  after(async () => {
    await server?.close();
    await daemon?.stop();
    await sluice?.close();
    project?.remove();
  });

  it('a file landing in the folder launches a run; re-delivered rows merge by key; the cursor survives a restart', async () => {
    project.write('landing/a.csv', 'id,v\n1,10\n2,20\n');
    await until(
      'the first file to be built',
      async () =>
        (await query("SELECT count(*)::INTEGER AS n FROM information_schema.tables WHERE table_name = 'files'"))[0]!.n === 1 &&
        (await query('SELECT count(*)::INTEGER AS n FROM bronze.files'))[0]!.n === 2,
    );
    const [first] = await sluice.store.listEvaluations({ name: 'landing_files', limit: 1 });
    assert.match(first!.reason, /1 new or changed file\(s\) in landing: a\.csv/);
    // The same rows again in a second file, plus one new row.
    project.write('landing/b.csv', 'id,v\n1,10\n2,20\n3,30\n');
    await until('the second file', async () => (await query('SELECT count(*)::INTEGER AS n FROM bronze.files'))[0]!.n === 3);
    assert.deepEqual(await query('SELECT id, count(*)::INTEGER AS copies FROM bronze.files GROUP BY id HAVING count(*) > 1'), []);
    await daemon.idle();

    await daemon.stop();
    const runsBefore = (await sluice.store.listRuns({ limit: 500 })).length;
    project.write('landing/c.csv', 'id,v\n4,40\n');
    await startDaemon();
    await until('the file that arrived while the daemon was down', async () => (await query('SELECT count(*)::INTEGER AS n FROM bronze.files'))[0]!.n === 4);
    await daemon.idle();
    const launched = (await sluice.store.listEvaluations({ name: 'landing_files', limit: 5 })).filter((e) => e.launched);
    assert.match(launched[0]!.reason, /1 new or changed file\(s\) in landing: c\.csv/, 'only the new file counts after a restart');
    assert.equal((await sluice.store.listRuns({ limit: 500 })).length, runsBefore + 1);
  });

  it('HTTP events are landed before 202, built at once, and duplicates leave no duplicate rows', async () => {
    const events = Array.from({ length: 40 }, (_, i) => ({ event_id: i, value: i }));
    const response = await post('/api/events/events', events);
    assert.equal(response.status, 202);
    const ack = (await response.json()) as { accepted: number; firstSeq: number; lastSeq: number };
    assert.equal(ack.accepted, 40);
    assert.equal(ack.lastSeq - ack.firstSeq + 1, 40);
    // Every event twice more: within one request, and across requests, as an at-least-once sender does after a timeout.
    assert.equal((await post('/api/events/events', [...events.slice(0, 20), ...events.slice(0, 20)])).status, 202);
    assert.equal((await post('/api/events/events', { events: events.slice(20) })).status, 202);
    assert.equal((await post('/api/events/events', { event_id: 40, value: 40 })).status, 202, 'one event object');
    await until('all events in gold', async () => {
      const status = (await (await fetch(`${server.url}/api/events/events`)).json()) as { pending: number; latency: { visible: number } };
      return status.pending === 0 && status.latency.visible === 101;
    });
    assert.deepEqual(await query('SELECT count(*)::INTEGER AS n, count(DISTINCT event_id)::INTEGER AS ids FROM bronze.events'), [{ n: 41, ids: 41 }]);
    assert.deepEqual(await query('SELECT events::INTEGER AS events, total::INTEGER AS total FROM gold.totals'), [{ events: 41, total: 820 }]);
    assert.deepEqual(await query('SELECT count(*)::INTEGER AS n FROM landing.events'), [{ n: 0 }], 'consumed events leave the landing table');
    const status = (await (await fetch(`${server.url}/api/events/events?asset=gold/totals`)).json()) as { latency: { p50: number; p99: number } };
    assert.ok(status.latency.p99 >= status.latency.p50 && status.latency.p50 > 0);
  });

  it('while the sensor is off events are still landed durably, and switching it on processes them', async () => {
    assert.equal((await post('/api/automation/switch', { name: 'event_intake', enabled: false })).status, 200);
    assert.equal((await post('/api/events/events', [{ event_id: 100, value: 1 }])).status, 202);
    await new Promise((resolve) => setTimeout(resolve, 400));
    assert.deepEqual(await query('SELECT count(*)::INTEGER AS n FROM landing.events'), [{ n: 1 }]);
    assert.deepEqual(await query('SELECT count(*)::INTEGER AS n FROM bronze.events WHERE event_id = 100'), [{ n: 0 }]);
    assert.equal((await post('/api/automation/switch', { name: 'event_intake', enabled: true })).status, 200);
    await until('the backlog to be built', async () => (await query('SELECT count(*)::INTEGER AS n FROM bronze.events WHERE event_id = 100'))[0]!.n === 1);
  });

  it('answers bad requests with the fix', async () => {
    const notJson = await fetch(`${server.url}/api/events/events`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{oops' });
    assert.equal(notJson.status, 400);
    const unknown = await post('/api/events/nope', [{}]);
    assert.equal(unknown.status, 404);
    assert.match(((await unknown.json()) as { error: { message: string } }).error.message, /no event sensor has source "nope"; known sources: events/);
    const list = (await (await fetch(`${server.url}/api/automation`)).json()) as { daemonRunning: boolean; automations: { name: string; enabled: boolean }[] };
    assert.equal(list.daemonRunning, true);
    assert.deepEqual(list.automations.map((a) => a.name).sort(), ['event_intake', 'landing_files']);
  });
});
