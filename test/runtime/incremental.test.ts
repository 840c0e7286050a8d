import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { Sluice, SluiceError } from '../../src/index.js';
import { tempProject, type TempProject } from '../helpers/temp-project.js';
import { queryRows } from '../helpers/query-rows.js';

const CONFIG = `import { asset, dailyPartitions, defineProject, staticPartitions } from '@sluice';
export const project = defineProject({ assets: [
  asset({ key: 'bronze/events', sql: \`SELECT * FROM read_csv('landing/*.csv', header = true, columns = {'event_id': 'INTEGER', 'ts': 'TIMESTAMP', 'value': 'INTEGER'})\` }),
  asset({
    key: 'silver/events', incremental: { strategy: 'merge', uniqueKey: ['event_id'] },
    sql: 'SELECT event_id, ts, value FROM bronze.events QUALIFY row_number() OVER (PARTITION BY event_id ORDER BY ts DESC) = 1',
  }),
  asset({ key: 'silver/event_log', incremental: { strategy: 'append' }, sql: 'SELECT count(*) AS n, $run_id AS run_id FROM bronze.events' }),
  asset({
    key: 'gold/daily', partitions: dailyPartitions({ start: '2001-01-01' }), partitionColumn: 'day',
    sql: 'SELECT CAST(ts AS DATE) AS day, count(*) AS events, sum(value) AS total FROM silver.events WHERE ts >= $partition_start AND ts < $partition_end GROUP BY ALL',
  }),
  asset({
    key: 'gold/leaky', partitions: dailyPartitions({ start: '2001-01-01' }), partitionColumn: 'day',
    sql: 'SELECT CAST(ts AS DATE) AS day, count(*) AS events FROM silver.events GROUP BY ALL',
  }),
  asset({
    key: 'gold/by_kind', partitions: staticPartitions(['odd', 'even']), partitionColumn: 'kind',
    sql: "SELECT $partition_key AS kind, count(*) AS n FROM silver.events WHERE (value % 2 = 1) = ($partition_key = 'odd')",
  }),
] });`;

describe('incremental and partitioned assets', () => {
  const projects: TempProject[] = [];
  after(() => projects.forEach((p) => p.remove()));
  const open = async (files: Record<string, string>) => {
    const project = tempProject({ 'sluice.config.ts': CONFIG, ...files });
    projects.push(project);
    return { project, sluice: await Sluice.open({ dir: project.dir }) };
  };

  it('merge by key makes re-delivered events idempotent and updates changed ones', async () => {
    const { project, sluice } = await open({ 'landing/a.csv': 'event_id,ts,value\n1,2001-01-01 10:00,5\n2,2001-01-01 11:00,7\n' });
    try {
      assert.equal((await sluice.materialize({ select: '+silver/events' })).status, 'succeeded');
      // The same file again, plus a corrected event 2 and a new event 3.
      project.write('landing/b.csv', 'event_id,ts,value\n1,2001-01-01 10:00,5\n2,2001-01-01 12:00,8\n3,2001-01-02 09:00,1\n');
      await sluice.materialize({ select: '+silver/events' });
      await sluice.materialize({ select: '+silver/events' });
      assert.deepEqual(await queryRows(sluice, 'SELECT event_id, value FROM silver.events ORDER BY event_id'), [
        { event_id: 1, value: 5 },
        { event_id: 2, value: 8 },
        { event_id: 3, value: 1 },
      ]);
      const [latest] = await sluice.store.materializationHistory('silver/events', 1);
      assert.equal(latest!.rowCount, 3);
      assert.equal(latest!.metadata.batchRows, 3);
    } finally {
      await sluice.close();
    }
  });

  it('append adds each batch and binds $run_id', async () => {
    const { sluice } = await open({ 'landing/a.csv': 'event_id,ts,value\n1,2001-01-01 10:00,5\n' });
    try {
      const first = await sluice.materialize({ select: '+silver/event_log' });
      const second = await sluice.materialize({ select: 'silver/event_log' });
      assert.deepEqual(
        await queryRows(sluice, 'SELECT run_id FROM silver.event_log ORDER BY run_id'),
        [{ run_id: first.runId }, { run_id: second.runId }].sort((a, b) => a.run_id.localeCompare(b.run_id)),
      );
    } finally {
      await sluice.close();
    }
  });

  it('a daily partition replaces only its own rows and is recorded per partition', async () => {
    const { sluice } = await open({ 'landing/a.csv': 'event_id,ts,value\n1,2001-01-01 10:00,5\n2,2001-01-01 11:00,7\n3,2001-01-02 09:00,1\n' });
    try {
      await sluice.materialize({ select: '+silver/events' });
      await sluice.materialize({ select: 'gold/daily', partition: '2001-01-01' });
      await sluice.materialize({ select: 'gold/daily', partition: '2001-01-02' });
      await sluice.materialize({ select: 'gold/daily', partition: '2001-01-01' });
      assert.deepEqual(await queryRows(sluice, `SELECT strftime(day, '%Y-%m-%d') AS day, events, total FROM gold.daily ORDER BY day`), [
        { day: '2001-01-01', events: 2, total: 12 },
        { day: '2001-01-02', events: 1, total: 1 },
      ]);
      assert.deepEqual([...(await sluice.store.materializedPartitions('gold/daily'))].sort(), ['2001-01-01', '2001-01-02']);
      const [latest] = await sluice.store.materializationHistory('gold/daily', 1);
      assert.equal(latest!.partition, '2001-01-01');
    } finally {
      await sluice.close();
    }
  });

  it('a partition whose SQL returns rows outside its window fails and publishes nothing', async () => {
    const { sluice } = await open({ 'landing/a.csv': 'event_id,ts,value\n1,2001-01-01 10:00,5\n3,2001-01-02 09:00,1\n' });
    try {
      await sluice.materialize({ select: '+silver/events' });
      const result = await sluice.materialize({ select: 'gold/leaky', partition: '2001-01-01' });
      assert.equal(result.status, 'failed');
      assert.match(result.assets[0]!.error!.message, /1 staged row\(s\) have day outside the partition/);
      assert.deepEqual(await queryRows(sluice, `SELECT count(*) AS n FROM information_schema.tables WHERE table_name = 'leaky'`), [{ n: 0 }]);
    } finally {
      await sluice.close();
    }
  });

  it('static partitions bind $partition_key and replace only that key', async () => {
    const { sluice } = await open({ 'landing/a.csv': 'event_id,ts,value\n1,2001-01-01 10:00,5\n2,2001-01-01 11:00,8\n3,2001-01-02 09:00,1\n' });
    try {
      await sluice.materialize({ select: '+silver/events' });
      await sluice.materialize({ select: 'gold/by_kind', partition: 'odd' });
      await sluice.materialize({ select: 'gold/by_kind', partition: 'even' });
      await sluice.materialize({ select: 'gold/by_kind', partition: 'odd' });
      assert.deepEqual(await queryRows(sluice, 'SELECT kind, n FROM gold.by_kind ORDER BY kind'), [
        { kind: 'even', n: 1 },
        { kind: 'odd', n: 2 },
      ]);
    } finally {
      await sluice.close();
    }
  });

  it('a partitioned selection without a partition, or with an invalid key, is refused with the fix', async () => {
    const { sluice } = await open({ 'landing/a.csv': 'event_id,ts,value\n' });
    try {
      await assert.rejects(
        sluice.materialize({ select: 'gold/daily' }),
        (e: unknown) => e instanceof SluiceError && /is partitioned; pass a partition key/.test(e.message),
      );
      await assert.rejects(sluice.materialize({ select: 'gold/daily', partition: '2001-13-01' }), SluiceError);
      await assert.rejects(sluice.materialize({ select: 'silver/events', partition: '2001-01-01' }), /no selected asset is partitioned/);
    } finally {
      await sluice.close();
    }
  });
});
