// The inbox's group commit: a failing round is retried in smaller writes, so one bad caller never fails the others, and the writer never wedges.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { EventInbox, landingTableSql } from '../../src/automation/event-inbox.js';
import { DuckDbWarehouse } from '../../src/engine/duckdb/duckdb-warehouse.js';

describe('EventInbox', () => {
  let warehouse: DuckDbWarehouse;
  let inbox: EventInbox;
  const query = async (sql: string): Promise<Record<string, unknown>[]> => {
    const session = await warehouse.session();
    try {
      return await session.query(sql);
    } finally {
      session.close();
    }
  };

  before(async () => {
    warehouse = await DuckDbWarehouse.open({ path: ':memory:' });
    inbox = await EventInbox.open(warehouse, 'readings', 0);
  });
  after(async () => {
    await inbox?.close();
    await warehouse?.close();
  });

  it('lands the callers of a failing round separately; only the event the warehouse refuses is set aside, with the reason', async () => {
    const callers = Array.from({ length: 12 }, (_, i) =>
      inbox.append({ events: [`{"id": ${i * 2}}`, `{"id": ${i * 2 + 1}}`], origin: 'http', receivedAt: Date.now() }),
    );
    // Text the door would never let through (it is not JSON): the warehouse refuses it, and it alone.
    const broken = inbox.append({ events: ['{"id": 100}', '{"id": }', '{"id": 101}'], origin: 'http', receivedAt: Date.now() });
    const batches = await Promise.all(callers);
    assert.deepEqual(
      batches.map((b) => b.count),
      batches.map(() => 2),
    );
    const mixed = await broken;
    assert.equal(mixed.count, 2);
    assert.deepEqual([...(mixed.refused ?? new Map()).keys()], [1]);
    assert.match(mixed.refused!.get(1)!, /the warehouse could not store it/);
    assert.deepEqual(await query('SELECT count(*)::INTEGER AS n, count(DISTINCT _seq)::INTEGER AS seqs, max(_seq)::INTEGER AS last FROM landing.readings'), [
      { n: 26, seqs: 26, last: 26 },
    ]);
    assert.deepEqual(await query('SELECT raw FROM landing.readings_rejected'), [{ raw: '{"id": }' }]);
  });

  it('rejects a caller when the warehouse cannot write at all, and keeps landing once it can', async () => {
    const session = await warehouse.session();
    try {
      await session.exec('DROP TABLE landing.readings');
      await assert.rejects(inbox.append({ events: ['{"id": 1}'], origin: 'http', receivedAt: Date.now() }), /could not land 1 event\(s\) in landing\.readings/);
      await session.exec(landingTableSql({ schema: 'landing', name: 'readings' }));
    } finally {
      session.close();
    }
    const batch = await inbox.append({ events: ['{"id": 2}'], origin: 'http', receivedAt: Date.now() });
    assert.equal(batch.count, 1);
    assert.equal(batch.firstSeq, 27);
  });
});
