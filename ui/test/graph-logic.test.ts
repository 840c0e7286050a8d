import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { lineageHasChecks, toGraphAssets } from '../src/graph/graph-data';
import { assetEmphasis } from '../src/graph/highlight-context';
import { buildAdjacency, isLineageEdge, lineageOf } from '../src/graph/lineage';
import { NODE_HEIGHT, NODE_WIDTH, type LayoutResult } from '../src/graph/layout';
import { hitTest, layoutBounds } from '../src/graph/overview-draw';
import { searchKeys } from '../src/graph/search';
import { containsRect, expandRect, visibleRect, windowContents } from '../src/graph/viewport-window';

const edges = [
  { from: 'bronze/flights', to: 'silver/flights' },
  { from: 'bronze/airports', to: 'silver/airports' },
  { from: 'silver/flights', to: 'gold/enriched' },
  { from: 'silver/airports', to: 'gold/enriched' },
  { from: 'silver/flights', to: 'gold/daily' },
  { from: 'gold/enriched', to: 'gold/summary' },
];
const adjacency = buildAdjacency(edges);

describe('lineage highlighting', () => {
  it('finds everything upstream and downstream of an asset, but not its siblings', () => {
    const lineage = lineageOf('gold/enriched', adjacency);
    assert.deepEqual([...lineage.upstream].sort(), ['bronze/airports', 'bronze/flights', 'silver/airports', 'silver/flights']);
    assert.deepEqual([...lineage.downstream], ['gold/summary']);
    assert.equal(assetEmphasis('gold/daily', { selectedKey: 'gold/enriched', lineage }), 'dimmed');
    assert.equal(assetEmphasis('gold/enriched', { selectedKey: 'gold/enriched', lineage }), 'selected');
    assert.equal(assetEmphasis('bronze/flights', { selectedKey: 'gold/enriched', lineage }), 'lit');
    assert.equal(assetEmphasis('gold/daily', { selectedKey: null, lineage: null }), 'plain');
  });

  it('lights only the edges on a path through the selected asset', () => {
    const lineage = lineageOf('silver/flights', adjacency);
    // gold/enriched is downstream and bronze/flights upstream, yet bronze/airports -> silver/airports is not on a path.
    assert.equal(isLineageEdge({ from: 'bronze/flights', to: 'silver/flights' }, 'silver/flights', lineage), true);
    assert.equal(isLineageEdge({ from: 'gold/enriched', to: 'gold/summary' }, 'silver/flights', lineage), true);
    assert.equal(isLineageEdge({ from: 'silver/airports', to: 'gold/enriched' }, 'silver/flights', lineage), false);
  });

  it('terminates on cycles', () => {
    const cyclic = buildAdjacency([
      { from: 'a', to: 'b' },
      { from: 'b', to: 'a' },
    ]);
    assert.deepEqual([...lineageOf('a', cyclic).downstream], ['b']);
  });
});

describe('graph search', () => {
  const keys = ['silver/flights', 'bronze/flights', 'gold/flights_enriched', 'gold/airport_daily_delays', 'silver/airports'];

  it('ranks an exact name first, then name prefixes, then substrings', () => {
    assert.deepEqual(searchKeys(keys, 'flights'), ['bronze/flights', 'silver/flights', 'gold/flights_enriched']);
    assert.deepEqual(searchKeys(keys, 'DAILY'), ['gold/airport_daily_delays']);
    assert.deepEqual(searchKeys(keys, 'silver/'), ['silver/flights', 'silver/airports']);
  });

  it('returns nothing for a blank query and respects the limit', () => {
    assert.deepEqual(searchKeys(keys, '   '), []);
    assert.equal(searchKeys(keys, 'i', 2).length, 2);
  });
});

describe('zoomed-out canvas and viewport window', () => {
  const layout: LayoutResult = {
    positions: { 'a/one': { x: 0, y: 0 }, 'a/two': { x: 1000, y: 0 }, 'b/far': { x: 9000, y: 9000 } },
    groups: [{ group: 'a', x: -20, y: -48, width: 1300, height: 150 }],
    elapsedMs: 0,
    strategy: 'two-level',
  };

  it('finds the asset under a point and nothing between boxes', () => {
    assert.equal(hitTest(layout, { x: 10, y: 10 }), 'a/one');
    assert.equal(hitTest(layout, { x: 1000 + NODE_WIDTH - 1, y: NODE_HEIGHT - 1 }), 'a/two');
    assert.equal(hitTest(layout, { x: NODE_WIDTH + 5, y: 10 }), null);
  });

  it('bounds the whole graph, group boxes included', () => {
    assert.deepEqual(layoutBounds(layout), { x: -20, y: -48, width: 9000 + NODE_WIDTH + 20, height: 9000 + NODE_HEIGHT + 48 });
  });

  it('converts a viewport to flow coordinates and grows it on every side', () => {
    const view = visibleRect({ x: -100, y: -50, zoom: 2 }, 800, 600);
    assert.deepEqual(view, { x: 50, y: 25, width: 400, height: 300 });
    const grown = expandRect(view, 1);
    assert.deepEqual(grown, { x: -350, y: -275, width: 1200, height: 900 });
    assert.equal(containsRect(grown, view), true);
    assert.equal(containsRect(view, grown), false);
  });

  it('gives React Flow the assets in the window plus their direct neighbours, so cut edges still connect', () => {
    const adjacency = buildAdjacency([{ from: 'a/one', to: 'b/far' }]);
    const contents = windowContents(layout, adjacency, { x: -10, y: -10, width: 500, height: 200 });
    assert.deepEqual([...contents.inside], ['a/one']);
    assert.deepEqual([...contents.withNeighbours].sort(), ['a/one', 'b/far']);
    assert.deepEqual([...contents.groups], ['a']);
  });
});

describe('graph data from the lineage response', () => {
  const lineage = {
    nodes: [
      { key: 'bronze/flights', group: 'fact_ingestion', kind: 'table' as const, status: 'fresh' as const },
      { key: 'silver/flights', group: 'fact_transformation', kind: 'table' as const, status: 'stale' as const },
    ],
    edges: [{ from: 'bronze/flights', to: 'silver/flights' }],
  };

  it('takes check counts from the lineage when present, else from the fallback, else none', () => {
    assert.equal(lineageHasChecks(lineage), false);
    const fallback = new Map([['silver/flights', { passed: 4, warned: 1, failed: 0 }]]);
    assert.deepEqual(
      toGraphAssets(lineage, fallback).map((a) => a.checks),
      [null, { passed: 4, warned: 1, failed: 0 }],
    );
    const withChecks = { ...lineage, nodes: lineage.nodes.map((n) => ({ ...n, checks: { passed: 1, warned: 0, failed: 2 } })) };
    assert.equal(lineageHasChecks(withChecks), true);
    assert.deepEqual(toGraphAssets(withChecks, fallback)[1]?.checks, { passed: 1, warned: 0, failed: 2 });
  });
});
