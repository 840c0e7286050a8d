// POST /api/events/:source against hostile input: every event is accepted or quarantined with a reason, limits answer 400/413, nothing wedges.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { AutomationDaemon } from '../../src/automation/daemon.js';
import { Sluice } from '../../src/runtime/sluice.js';
import { createApp } from '../../src/server/app.js';
import { tempProject, type TempProject } from '../helpers/temp-project.js';

const CONFIG = `import { asset, defineProject } from '@sluice';
export const project = defineProject({
  assets: [
    asset({
      key: 'bronze/events', incremental: { strategy: 'merge', uniqueKey: ['event_id'] },
      sql: \`SELECT CAST(payload->>'event_id' AS BIGINT) AS event_id, CAST(payload->>'at' AS TIMESTAMP) AS at, payload->>'note' AS note
             FROM landing.events QUALIFY row_number() OVER (PARTITION BY event_id ORDER BY _seq DESC) = 1\`,
    }),
  ],
  sensors: [{
    type: 'events', name: 'intake', source: 'events', select: 'bronze/events',
    event: { id: 'event_id', idType: 'integer', fields: { at: { type: 'timestamp', required: true }, note: 'string' } },
  }],
});`;

interface Ack {
  accepted: number;
  quarantined: number;
  firstSeq: number;
  lastSeq: number;
  results: ({ status: 'accepted'; seq: number } | { status: 'quarantined'; reasons: string[] })[];
}

const good = (id: number, note = 'ok') => ({ event_id: id, at: '2001-01-01 00:01:00', note });

describe('the events route under hostile input', () => {
  let project: TempProject;
  let sluice: Sluice;
  let daemon: AutomationDaemon;
  let app: ReturnType<typeof createApp>;
  const post = (body: string | unknown, headers: Record<string, string> = {}) =>
    app.request('/api/events/events', {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: typeof body === 'string' || body instanceof Uint8Array ? body : JSON.stringify(body),
    });
  const query = async (sql: string): Promise<Record<string, unknown>[]> => {
    const session = await sluice.warehouse.session();
    try {
      return await session.query(sql);
    } finally {
      session.close();
    }
  };
  const landed = async (ids: number[]): Promise<void> => {
    await daemon.idle();
    const rows = await query(
      `SELECT event_id::INTEGER AS id, count(*)::INTEGER AS n FROM bronze.events WHERE event_id IN (${ids.join(',')}) GROUP BY ALL ORDER BY id`,
    );
    assert.deepEqual(
      rows,
      ids.sort((a, b) => a - b).map((id) => ({ id, n: 1 })),
    );
  };

  before(async () => {
    project = tempProject({ 'sluice.config.ts': CONFIG });
    sluice = await Sluice.open({ dir: project.dir, openLineage: false });
    daemon = await AutomationDaemon.start(sluice, { intervalMs: 0, log: () => undefined });
    app = createApp(sluice, { log: () => undefined, automation: () => daemon });
  });
  after(async () => {
    await daemon?.stop();
    await sluice?.close();
    project?.remove();
  });

  it('an event nested 20,000 levels deep gets a 400 naming the limit, and the route keeps landing good events', async () => {
    const deep = `[${'{"a":'.repeat(20_000)}1${'}'.repeat(20_000)}]`;
    const refused = await post(deep);
    assert.equal(refused.status, 400);
    assert.match(((await refused.json()) as { error: { message: string } }).error.message, /event 0 is nested more than 32 levels deep \(the limit\)/);
    // Before the fix, every POST after that hung: the inbox's writer was stuck.
    const ack = await post([good(1), good(2)]);
    assert.equal(ack.status, 202);
    await landed([1, 2]);
  });

  it('a lone surrogate is quarantined alone: its neighbours, and 53 requests sent at the same moment, all land', async () => {
    const bad = `[{"event_id": 10, "at": "2001-01-01 00:00:00", "note": "\\ud800"}, ${JSON.stringify(good(11))}]`;
    const requests = [post(bad), ...Array.from({ length: 53 }, (_, i) => post([good(100 + i)]))];
    const answers = await Promise.all(requests);
    assert.deepEqual(
      answers.map((a) => a.status),
      answers.map(() => 202),
    );
    const first = (await answers[0]!.json()) as Ack;
    assert.equal(first.accepted, 1);
    assert.equal(first.results[0]!.status, 'quarantined');
    assert.match(JSON.stringify(first.results[0]), /lone UTF-16 surrogate/);
    // A producer retrying the same batch gets the same answer, never a 500.
    assert.equal((await post(bad)).status, 202);
    await landed([11, ...Array.from({ length: 53 }, (_, i) => 100 + i)]);
    assert.deepEqual(await query('SELECT count(*)::INTEGER AS n FROM bronze.events WHERE event_id = 10'), [{ n: 0 }]);
  });

  it('ids are exact: rounded, hex, huge, fractional or missing ids are quarantined and never replace a good event', async () => {
    assert.equal((await post([good(7, 'the real seven')])).status, 202);
    const hostile = [
      { event_id: '7-0.5', at: '2001-01-01 00:00:00', note: 'rounds to 7' },
      { event_id: '0x10', at: '2001-01-01 00:00:00' },
      { event_id: 'abc', at: '2001-01-01 00:00:00' },
      { event_id: null, at: '2001-01-01 00:00:00' },
      { at: '2001-01-01 00:00:00' },
      { event_id: { nested: 1 }, at: '2001-01-01 00:00:00' },
    ];
    const body = `[${hostile.map((e) => JSON.stringify(e)).join(',')}, {"event_id": 1e30, "at": "2001-01-01 00:00:00"}, {"event_id": 7.0, "at": "2001-01-01 00:00:00"}, {"event_id": 9007199254740993, "at": "2001-01-01 00:00:00"}]`;
    const answer = await post(body);
    assert.equal(answer.status, 202);
    const ack = (await answer.json()) as Ack;
    assert.equal(ack.accepted, 0);
    assert.equal(ack.quarantined, 9);
    for (const result of ack.results) assert.ok(result.status === 'quarantined' && result.reasons.some((r) => /event_id/.test(r)), JSON.stringify(result));
    await daemon.idle();
    assert.deepEqual(await query('SELECT note FROM bronze.events WHERE event_id = 7'), [{ note: 'the real seven' }]);
    assert.deepEqual(await query('SELECT count(*)::INTEGER AS n FROM bronze.events WHERE event_id = 16'), [{ n: 0 }]);
  });

  it('nothing acknowledged vanishes: non-objects, wrappers and bad timestamps are quarantined with reasons, stored in landing.<source>_rejected', async () => {
    const before = Number((await query('SELECT count(*) AS n FROM landing.events_rejected'))[0]!.n);
    const answer = await post([
      'just a string',
      [1, 2],
      null,
      { flights: [good(50)] },
      { event_id: 51, at: 'yesterday' },
      { event_id: 52, at: 20010101 },
      { event_id: 53, at: '2001-02-30 10:00:00' },
      { event_id: 54, at: '' },
      { event_id: 55 },
      good(56),
    ]);
    assert.equal(answer.status, 202);
    const ack = (await answer.json()) as Ack;
    assert.deepEqual(
      ack.results.map((r) => r.status),
      [...Array(9).fill('quarantined'), 'accepted'],
    );
    assert.match(JSON.stringify(ack.results[3]), /send the array itself \(or \{\\"events\\": \[...\]\}\), not \{\\"flights\\": \[...\]\}/);
    assert.match(JSON.stringify(ack.results[6]), /at must be a timestamp/);
    const rejected = await query(`SELECT raw, _reason FROM landing.events_rejected ORDER BY rowid OFFSET ${before}`);
    assert.equal(rejected.length, 9);
    assert.deepEqual(rejected.map((r) => r.raw)[4], '{"event_id":51,"at":"yesterday"}');
    for (const row of rejected) assert.ok(String(row._reason).length > 10);
    await landed([56]);
  });

  it('refuses malformed bodies with 400 and oversized ones with 413, each naming the limit and the fix', async () => {
    const message = async (response: Response, status: number): Promise<string> => {
      assert.equal(response.status, status);
      return ((await response.json()) as { error: { message: string } }).error.message;
    };
    assert.match(await message(await post('{oops'), 400), /the body is not valid JSON: .* at line 1, column 2/);
    assert.match(await message(await post(''), 400), /expected a JSON array of event objects/);
    assert.match(await message(await post(new Uint8Array([0x5b, 0xff, 0x5d])), 400), /not valid UTF-8/);
    const many = `[${Array.from({ length: 10_001 }, (_, i) => `{"event_id":${i},"at":"2001-01-01 00:00:00"}`).join(',')}]`;
    assert.match(await message(await post(many), 413), /more than 10000 events in one request \(the limit\); split the batch/);
    const huge = `[{"event_id": 1, "at": "2001-01-01 00:00:00", "note": "${'x'.repeat(9 * 1024 * 1024)}"}]`;
    assert.match(await message(await post(huge), 413), /larger than 8388608 bytes \(the limit\); split the batch/);
    // Declared as 32 MB: refused before a byte is read.
    assert.match(await message(await post('[]', { 'content-length': String(32 * 1024 * 1024) }), 413), /larger than 8388608 bytes/);
    const long = `[{"event_id": 1, "at": "2001-01-01 00:00:00", "note": "${'x'.repeat(70_000)}"}]`;
    assert.match(await message(await post(long), 400), /event 0 has a string longer than 65536 characters \(the limit\)/);
    assert.equal((await post([good(60)])).status, 202, 'the route still answers');
    await landed([60]);
  });
});

describe('the events route before its sensor runs and after it stopped', () => {
  it('answers 503 with Retry-After while the sensor is not up (nothing landed), 202 once it is, 503 again once it stopped', async () => {
    const project = tempProject({ 'sluice.config.ts': CONFIG });
    const sluice = await Sluice.open({ dir: project.dir, openLineage: false });
    let daemon: AutomationDaemon | undefined;
    try {
      const app = createApp(sluice, { log: () => undefined, automation: () => daemon });
      const post = () =>
        app.request('/api/events/events', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify([good(1)]) });
      // A daemon whose sensors have not started yet, as during start-up.
      daemon = await AutomationDaemon.start(sluice, { intervalMs: 0, sensors: false, log: () => undefined });
      const starting = await post();
      assert.equal(starting.status, 503);
      assert.equal(starting.headers.get('retry-after'), '1');
      assert.match(
        ((await starting.json()) as { error: { message: string } }).error.message,
        /the event sensor of "events" is not running yet .* nothing was landed, retry in 1 s/,
      );
      await daemon.stop();
      daemon = await AutomationDaemon.start(sluice, { intervalMs: 0, log: () => undefined });
      assert.equal((await post()).status, 202);
      await daemon.stop();
      const stopped = await post();
      assert.equal(stopped.status, 503);
      assert.equal(stopped.headers.get('retry-after'), '1');
    } finally {
      await daemon?.stop();
      await sluice.close();
      project.remove();
    }
  });
});
