// What changed between materializations: schema diffs, row deltas, version and input changes, periods.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { changesSince, describeChanges, diffSchemas, historyEntries, parseSince } from '../../src/lineage/materialization-history.js';
import type { MaterializationRecord } from '../../src/store/metadata-store.js';

let nextId = 1;
function record(over: Partial<MaterializationRecord>): MaterializationRecord {
  return {
    id: nextId++,
    runId: `run-${nextId}`,
    assetKey: 'gold/daily',
    partition: null,
    createdAt: '2026-11-24T10:00:00.000Z',
    rowCount: 100,
    durationMs: 50,
    codeVersion: 'c1',
    dataVersion: 'd1',
    schema: [
      { name: 'day', type: 'DATE', nullable: true },
      { name: 'flights', type: 'INTEGER', nullable: true },
    ],
    sql: 'SELECT 1',
    metadata: { inputVersions: { 'silver/flights': 'v1' } },
    ...over,
  };
}

describe('materialization history', () => {
  it('diffs schemas by name: added, removed, retyped and nullability', () => {
    const diff = diffSchemas(
      [
        { name: 'a', type: 'INTEGER', nullable: true },
        { name: 'b', type: 'VARCHAR', nullable: true },
        { name: 'c', type: 'DATE', nullable: true },
      ],
      [
        { name: 'A', type: 'BIGINT', nullable: true },
        { name: 'c', type: 'DATE', nullable: false },
        { name: 'd', type: 'DOUBLE', nullable: true },
      ],
    );
    assert.deepEqual(diff, {
      added: [{ name: 'd', type: 'DOUBLE', nullable: true }],
      removed: [{ name: 'b', type: 'VARCHAR', nullable: true }],
      retyped: [{ name: 'A', from: 'INTEGER', to: 'BIGINT' }],
      nullability: [{ name: 'c', nullable: false }],
    });
  });

  it('describes each materialization against the one before: code, columns, rows and new input data', () => {
    const oldest = record({ createdAt: '2026-11-23T10:00:00.000Z' });
    const rerun = record({ createdAt: '2026-11-23T11:00:00.000Z' });
    const newInput = record({
      createdAt: '2026-11-24T10:00:00.000Z',
      rowCount: 103,
      dataVersion: 'd2',
      metadata: { inputVersions: { 'silver/flights': 'v2' } },
    });
    const newCode = record({
      createdAt: '2026-11-25T10:00:00.000Z',
      rowCount: 103,
      codeVersion: 'c2',
      dataVersion: 'd3',
      schema: [
        { name: 'day', type: 'DATE', nullable: true },
        { name: 'flights', type: 'BIGINT', nullable: true },
        { name: 'delayed', type: 'BIGINT', nullable: true },
      ],
      metadata: { inputVersions: { 'silver/flights': 'v2' } },
    });
    const entries = historyEntries([newCode, newInput, rerun, oldest]);
    assert.deepEqual(entries.map(describeChanges), [
      'code changed; +column delayed BIGINT; flights INTEGER -> BIGINT',
      'rows +3 (+3.0%); new input data: silver/flights',
      'no change',
      'first materialization',
    ]);
    assert.equal(entries[1]!.rowDelta, 3);
  });

  it('says whether new code or new input produced the same data or different data of the same shape', () => {
    const [sameData] = historyEntries([record({ codeVersion: 'c2' }), record({})]);
    assert.equal(describeChanges(sameData!), 'code changed; same data');
    const [newData] = historyEntries([record({ dataVersion: 'd2', metadata: { inputVersions: { 'silver/flights': 'v2' } } }), record({})]);
    assert.equal(describeChanges(newData!), 'new input data: silver/flights; data changed');
  });

  it('sums up a period against the last materialization before it', () => {
    const records = [
      record({ createdAt: '2026-11-25T09:00:00.000Z', rowCount: 120, dataVersion: 'd3', codeVersion: 'c2' }),
      record({ createdAt: '2026-11-24T20:00:00.000Z', rowCount: 110, dataVersion: 'd2' }),
      record({ createdAt: '2026-11-23T20:00:00.000Z', rowCount: 100 }),
    ];
    const since = changesSince(records, '2026-11-24T00:00:00.000Z');
    assert.equal(since.materializations, 2);
    assert.equal(since.baseline, records[2]);
    assert.equal(describeChanges(since.change!), 'code changed; rows +20 (+20.0%)');
    assert.equal(changesSince(records, '2026-11-20T00:00:00.000Z').change, undefined);
  });

  it('reads --since as a date, a timestamp, yesterday or a duration ago', () => {
    const now = new Date('2026-11-25T12:00:00.000Z');
    assert.equal(parseSince('24h', now), '2026-11-24T12:00:00.000Z');
    assert.equal(parseSince('90m', now), '2026-11-25T10:30:00.000Z');
    assert.equal(parseSince('7d', now), '2026-11-18T12:00:00.000Z');
    assert.equal(parseSince('yesterday', now), '2026-11-24T12:00:00.000Z');
    assert.equal(parseSince('2026-11-24', now), '2026-11-24T00:00:00.000Z');
    assert.equal(parseSince('last tuesday', now), undefined);
  });
});
