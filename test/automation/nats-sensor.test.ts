// The NATS JetStream sensor against the real server on 127.0.0.1:4222: ack after landing, redelivery on failure, exactly-once effect.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { connect, type NatsConnection } from 'nats';
import { AutomationDaemon } from '../../src/automation/daemon.js';
import { landingTableSql } from '../../src/automation/event-inbox.js';
import { Sluice } from '../../src/runtime/sluice.js';
import { tempProject, type TempProject } from '../helpers/temp-project.js';

const SERVER = process.env.NATS_URL ?? 'nats://127.0.0.1:4222';
const natsUnavailable = await connect({ servers: SERVER, timeout: 1500, reconnect: false }).then(
  async (nc) => {
    try {
      await (await nc.jetstreamManager()).getAccountInfo();
      return false;
    } catch (error) {
      return `NATS at ${SERVER} runs without JetStream (start nats-server with -js): ${(error as Error).message}`;
    } finally {
      await nc.close();
    }
  },
  (error: Error) => `NATS is not reachable at ${SERVER} (${error.message}); start nats-server -js to run this test`,
);

const RUN = randomUUID().slice(0, 8);
const STREAM = `SLUICE_TEST_${RUN}`;
const SUBJECT = `sluice.test.${RUN}`;

const CONFIG = `import { asset, defineProject } from '@sluice';
export const project = defineProject({
  assets: [
    asset({
      key: 'bronze/readings', incremental: { strategy: 'merge', uniqueKey: ['reading_id'] },
      sql: \`SELECT CAST(payload->>'reading_id' AS INTEGER) AS reading_id, CAST(payload->>'value' AS INTEGER) AS value, _origin
             FROM landing.readings QUALIFY row_number() OVER (PARTITION BY payload->>'reading_id' ORDER BY _seq DESC) = 1\`,
    }),
  ],
  sensors: [{
    type: 'events', name: 'readings_stream', source: 'readings', select: 'bronze/readings', event: { id: 'reading_id', fields: { value: 'integer' } },
    nats: { servers: ${JSON.stringify(SERVER)}, stream: ${JSON.stringify(STREAM)}, subjects: [${JSON.stringify(SUBJECT)}] },
  }],
});`;

describe('NATS JetStream sensor', { skip: natsUnavailable }, () => {
  let project: TempProject;
  let sluice: Sluice;
  let daemon: AutomationDaemon | undefined;
  let nc: NatsConnection;
  const logs: string[] = [];
  const count = async (sql: string): Promise<number> => {
    const session = await sluice.warehouse.session();
    try {
      return Number((await session.query<{ n: number }>(sql))[0]!.n);
    } finally {
      session.close();
    }
  };
  const publish = async (events: unknown[]) => {
    const js = nc.jetstream();
    for (const event of events) await js.publish(SUBJECT, JSON.stringify(event));
  };
  const settled = async (expected: number) => {
    const deadline = Date.now() + 20_000;
    for (;;) {
      const consumer = await (await nc.jetstreamManager()).consumers.info(STREAM, 'sluice_readings_stream');
      const rows = await count('SELECT count(*) AS n FROM bronze.readings').catch(() => -1);
      if (rows === expected && consumer.num_pending === 0 && consumer.num_ack_pending === 0) return consumer;
      if (Date.now() > deadline)
        throw new Error(
          `waited for ${expected} rows and every message acknowledged: ${rows} rows, ${consumer.num_pending} pending, ${consumer.num_ack_pending} unacknowledged\n${logs.join('\n')}`,
        );
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  };
  const start = async () => (daemon = await AutomationDaemon.start(sluice, { intervalMs: 200, log: (line) => logs.push(line) }));

  before(async () => {
    nc = await connect({ servers: SERVER });
    project = tempProject({ 'sluice.config.ts': CONFIG });
    sluice = await Sluice.open({ dir: project.dir, openLineage: false });
    await start();
  });
  after(async () => {
    await daemon?.stop();
    await sluice?.close();
    await (await nc.jetstreamManager()).streams.delete(STREAM).catch(() => undefined);
    await nc.close();
    project?.remove();
  });

  it('consumes the stream, and a message delivered twice leaves one row', async () => {
    const readings = Array.from({ length: 30 }, (_, i) => ({ reading_id: i, value: i * 2 }));
    await publish(readings);
    // The broker delivers at least once: the same readings again, and a batch message holding several.
    await publish(readings.slice(0, 10));
    await publish([readings.slice(10, 15)]);
    await settled(30);
    assert.equal(await count('SELECT count(DISTINCT reading_id) AS n FROM bronze.readings'), 30);
    assert.equal(await count("SELECT count(*) AS n FROM bronze.readings WHERE _origin LIKE 'nats:" + STREAM + ":%'"), 30);
  });

  it('does not acknowledge what it could not land: the message is redelivered and nothing is lost', async () => {
    const session = await sluice.warehouse.session();
    try {
      // Landing fails while the table is gone (as a full disk or a crash would make it fail).
      await session.exec('DROP TABLE landing.readings');
      await publish([
        { reading_id: 100, value: 1 },
        { reading_id: 101, value: 2 },
      ]);
      const deadline = Date.now() + 10_000;
      while (!logs.some((l) => /could not be landed/.test(l))) {
        if (Date.now() > deadline) throw new Error(`the failed landing was not reported:\n${logs.join('\n')}`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      const consumer = await (await nc.jetstreamManager()).consumers.info(STREAM, 'sluice_readings_stream');
      assert.ok(consumer.num_ack_pending + consumer.num_pending > 0, 'the messages are not acknowledged');
      await session.exec(landingTableSql({ schema: 'landing', name: 'readings' }));
    } finally {
      session.close();
    }
    await settled(32);
  });

  it('acknowledges a message that is not JSON or holds an invalid event, keeping it with the reason in landing.readings_rejected', async () => {
    const js = nc.jetstream();
    await js.publish(SUBJECT, 'not json {');
    await js.publish(
      SUBJECT,
      JSON.stringify([
        { reading_id: '0x10', value: 1 },
        { reading_id: 300, value: 3 },
      ]),
    );
    await settled(33);
    const session = await sluice.warehouse.session();
    try {
      const rejected = await session.query<{ raw: string; reason: string }>(
        "SELECT raw, _reason AS reason FROM landing.readings_rejected WHERE _origin LIKE 'nats:%' ORDER BY raw",
      );
      assert.deepEqual(
        rejected.map((r) => r.raw),
        ['not json {', '{"reading_id":"0x10","value":1}'],
      );
      assert.match(rejected[0]!.reason, /not valid JSON/);
      assert.match(rejected[1]!.reason, /reading_id must be a JSON integer/);
    } finally {
      session.close();
    }
  });

  it('keeps its place across a restart: messages published while it was down are consumed once', async () => {
    await daemon!.stop();
    daemon = undefined;
    await publish([
      { reading_id: 200, value: 5 },
      { reading_id: 201, value: 6 },
      { reading_id: 0, value: 0 },
    ]);
    await start();
    await settled(35);
    assert.equal(await count('SELECT count(*) AS n FROM bronze.readings WHERE reading_id = 0'), 1);
  });
});

describe('NATS JetStream sensor with the broker down', () => {
  it('starts anyway, keeps taking HTTP events, and says it retries', async () => {
    const project = tempProject({ 'sluice.config.ts': CONFIG.replace(JSON.stringify(SERVER), JSON.stringify('nats://127.0.0.1:1')) });
    const sluice = await Sluice.open({ dir: project.dir, openLineage: false });
    const logs: string[] = [];
    const daemon = await AutomationDaemon.start(sluice, { intervalMs: 0, log: (line) => logs.push(line) });
    try {
      const batch = await daemon.eventSensor('readings')!.ingest(JSON.stringify([{ reading_id: 1, value: 1 }]), 'http', Date.now());
      assert.equal(batch.accepted, 1);
      const deadline = Date.now() + 10_000;
      while (!logs.some((l) => /cannot connect to NATS at nats:\/\/127\.0\.0\.1:1.*retrying every 5 s \(HTTP events still work\)/.test(l))) {
        if (Date.now() > deadline) throw new Error(`no retry message:\n${logs.join('\n')}`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      await daemon.idle();
      const session = await sluice.warehouse.session();
      try {
        assert.deepEqual(await session.query('SELECT count(*)::INTEGER AS n FROM bronze.readings'), [{ n: 1 }]);
      } finally {
        session.close();
      }
    } finally {
      await daemon.stop();
      await sluice.close();
      project.remove();
    }
  });
});
