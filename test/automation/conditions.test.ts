// Declarative conditions as a pure function: each asset's decision and its reason, from materializations and a clock.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { asset, type AutomationCondition } from '../../src/model/asset-definition.js';
import { AssetGraph } from '../../src/model/asset-graph.js';
import { dailyPartitions } from '../../src/model/partitions.js';
import { evaluateConditions, type ConditionFacts } from '../../src/automation/conditions.js';
import type { MaterializationRecord } from '../../src/store/metadata-store.js';

const NOW = new Date('2024-03-10T12:00:00Z');

function graphOf(automation: Record<string, AutomationCondition[] | undefined>): AssetGraph {
  const node = (key: string, deps: string[]) => ({
    definition: asset({ key, sql: 'SELECT 1', ...(automation[key] ? { automation: automation[key] } : {}) }),
    deps,
  });
  return AssetGraph.build([node('raw/a', []), node('raw/b', []), node('mid/c', ['raw/a', 'raw/b']), node('top/d', ['mid/c'])]);
}

let nextId = 1;
function built(key: string, dataVersion: string, minutesAgo: number, inputVersions: Record<string, string> = {}): [string, MaterializationRecord] {
  const createdAt = new Date(NOW.getTime() - minutesAgo * 60_000).toISOString();
  return [
    key,
    {
      id: nextId++,
      runId: 'r',
      assetKey: key,
      partition: null,
      createdAt,
      rowCount: 1,
      durationMs: 1,
      codeVersion: 'x',
      dataVersion,
      schema: [],
      sql: null,
      metadata: { inputVersions },
    },
  ];
}

function facts(overrides: Partial<ConditionFacts> = {}): ConditionFacts {
  return { now: NOW, latest: new Map(), failures: new Map(), inFlight: new Set(), cronCursors: new Map(), disabled: new Set(), ...overrides };
}

const decisionOf = (graph: AssetGraph, f: ConditionFacts, key: string) => evaluateConditions(graph, f).find((d) => d.key === key)!;

describe('declarative automation conditions', () => {
  it('upstream_changed launches when an upstream data version differs from the one the asset was built from, naming it', () => {
    const graph = graphOf({ 'mid/c': [{ type: 'upstream_changed' }] });
    const latest = new Map([built('raw/a', 'a2', 1), built('raw/b', 'b1', 30), built('mid/c', 'c1', 10, { 'raw/a': 'a1', 'raw/b': 'b1' })]);
    const decision = decisionOf(graph, facts({ latest }), 'mid/c');
    assert.equal(decision.launch, true);
    assert.match(decision.reason, /upstream "raw\/a" has new data since the last materialization/);
  });

  it('upstream_changed does not launch when every upstream is as it was, and says so', () => {
    const graph = graphOf({ 'mid/c': [{ type: 'upstream_changed' }] });
    const latest = new Map([built('raw/a', 'a1', 20), built('raw/b', 'b1', 30), built('mid/c', 'c1', 10, { 'raw/a': 'a1', 'raw/b': 'b1' })]);
    assert.deepEqual(decisionOf(graph, facts({ latest }), 'mid/c'), {
      key: 'mid/c',
      launch: false,
      reason: 'no upstream has new data since the last materialization',
    });
  });

  it('an asset whose upstream is launched in the same pass is launched with it, in one run', () => {
    const graph = graphOf({ 'mid/c': [{ type: 'upstream_changed' }], 'top/d': [{ type: 'upstream_changed' }] });
    const latest = new Map([
      built('raw/a', 'a2', 1),
      built('raw/b', 'b1', 30),
      built('mid/c', 'c1', 10, { 'raw/a': 'a1', 'raw/b': 'b1' }),
      built('top/d', 'd1', 9, { 'mid/c': 'c1' }),
    ]);
    const decisions = evaluateConditions(graph, facts({ latest }));
    assert.deepEqual(
      decisions.map((d) => [d.key, d.launch]),
      [
        ['mid/c', true],
        ['top/d', true],
      ],
    );
    assert.match(decisions[1]!.reason, /upstream "mid\/c" is materialized in the same run/);
  });

  it('missing waits for unmaterialized upstream, then launches once', () => {
    const graph = graphOf({ 'mid/c': [{ type: 'missing' }] });
    assert.match(decisionOf(graph, facts({ latest: new Map([built('raw/a', 'a1', 1)]) }), 'mid/c').reason, /upstream "raw\/b" is not materialized yet/);
    const ready = new Map([built('raw/a', 'a1', 1), built('raw/b', 'b1', 1)]);
    assert.deepEqual(decisionOf(graph, facts({ latest: ready }), 'mid/c'), { key: 'mid/c', launch: true, reason: 'never materialized' });
    ready.set(...built('mid/c', 'c1', 0));
    assert.equal(decisionOf(graph, facts({ latest: ready }), 'mid/c').launch, false);
  });

  it('fresh_within launches only when the latest materialization is older than the limit', () => {
    const graph = graphOf({ 'raw/a': [{ type: 'fresh_within', minutes: 60 }] });
    assert.match(decisionOf(graph, facts({ latest: new Map([built('raw/a', 'a1', 30)]) }), 'raw/a').reason, /fresh: materialized 30 min ago \(limit 60 min\)/);
    const stale = decisionOf(graph, facts({ latest: new Map([built('raw/a', 'a1', 75)]) }), 'raw/a');
    assert.equal(stale.launch, true);
    assert.match(stale.reason, /last materialized 75 min ago, over the 60 min limit/);
  });

  it('cron launches at a due tick and returns the cursor to store; a new asset does not replay past ticks', () => {
    const graph = graphOf({ 'raw/a': [{ type: 'cron', cron: '0 * * * *' }] });
    const fresh = decisionOf(graph, facts({ now: new Date('2024-03-10T12:30:00Z') }), 'raw/a');
    assert.equal(fresh.launch, false);
    const due = decisionOf(graph, facts({ cronCursors: new Map([['raw/a', new Date('2024-03-10T11:00:00Z')]]) }), 'raw/a');
    assert.equal(due.launch, true);
    assert.match(due.reason, /cron tick 2024-03-10T12:00:00.000Z/);
    assert.equal(due.cronCursor!.toISOString(), '2024-03-10T12:00:00.000Z');
  });

  it('does not launch an asset that is being built, that is off, or whose last attempt failed within the retry delay', () => {
    const graph = graphOf({ 'raw/a': [{ type: 'missing' }] });
    assert.match(decisionOf(graph, facts({ inFlight: new Set(['raw/a']) }), 'raw/a').reason, /a run is building it now/);
    assert.match(decisionOf(graph, facts({ disabled: new Set(['raw/a']) }), 'raw/a').reason, /automation is off/);
    const failures = new Map([['raw/a', new Date(NOW.getTime() - 10_000).toISOString()]]);
    assert.match(decisionOf(graph, facts({ failures }), 'raw/a').reason, /its last attempt failed at .*; retrying in 50 s/);
    assert.equal(decisionOf(graph, facts({ failures, retryAfterMs: 5_000 }), 'raw/a').launch, true);
  });

  it('launches an asset at most once per minimum interval, saying it waits', () => {
    const graph = graphOf({ 'mid/c': [{ type: 'upstream_changed' }] });
    const latest = new Map([built('raw/a', 'a2', 1), built('raw/b', 'b1', 30), built('mid/c', 'c1', 10, { 'raw/a': 'a1', 'raw/b': 'b1' })]);
    const throttled = decisionOf(graph, facts({ latest, lastLaunched: new Map([['mid/c', NOW.getTime() - 400]]), minIntervalMs: 1000 }), 'mid/c');
    assert.equal(throttled.launch, false);
    assert.match(throttled.reason, /has new data since the last materialization; waiting: at most one run per 1000 ms/);
    assert.equal(decisionOf(graph, facts({ latest, lastLaunched: new Map([['mid/c', NOW.getTime() - 1400]]), minIntervalMs: 1000 }), 'mid/c').launch, true);
    const slow = graphOf({ 'mid/c': [{ type: 'upstream_changed', minIntervalSeconds: 10 }] });
    assert.match(
      decisionOf(slow, facts({ latest, lastLaunched: new Map([['mid/c', NOW.getTime() - 5000]]), minIntervalMs: 1000 }), 'mid/c').reason,
      /at most one run per 10000 ms/,
    );
  });

  it('several conditions mean any of them, and a partitioned asset only takes cron', () => {
    const graph = graphOf({ 'raw/a': [{ type: 'fresh_within', minutes: 60 }, { type: 'missing' }] });
    assert.equal(decisionOf(graph, facts(), 'raw/a').launch, true);
    const partitioned = AssetGraph.build([
      {
        definition: asset({
          key: 'p/x',
          sql: 'SELECT 1 AS d',
          partitions: dailyPartitions({ start: '2024-01-01' }),
          partitionColumn: 'd',
          automation: { type: 'missing' },
        }),
        deps: [],
      },
    ]);
    assert.match(decisionOf(partitioned, facts(), 'p/x').reason, /"missing" is not supported on partitioned assets/);
  });

  it('asset() refuses malformed conditions with the fix', () => {
    assert.throws(() => asset({ key: 'a/b', sql: 'SELECT 1', automation: { type: 'fresh_within', minutes: 0 } }), /fresh_within` needs `minutes` > 0/);
    assert.throws(
      () => asset({ key: 'a/b', sql: 'SELECT 1', automation: { type: 'sometimes' } as never }),
      /is not one of upstream_changed, cron, fresh_within, missing/,
    );
  });
});
