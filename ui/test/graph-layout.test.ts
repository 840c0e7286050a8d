import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import ELK from 'elkjs/lib/elk.bundled.js';
import { arrangeGroupColumns } from '../src/graph/group-arrangement';
import { balanceGroups } from '../src/graph/layout-client';
import {
  NODE_HEIGHT,
  NODE_WIDTH,
  computeLayout,
  gridInterior,
  layoutFingerprint,
  splitByGroup,
  type LayoutInput,
  type LayoutResult,
} from '../src/graph/layout';

const medallion: LayoutInput = {
  nodes: [
    { key: 'bronze/flights', group: 'fact_ingestion' },
    { key: 'bronze/airports', group: 'dim_ingestion' },
    { key: 'bronze/state_regions', group: 'dim_ingestion' },
    { key: 'silver/flights', group: 'fact_transformation' },
    { key: 'silver/airports', group: 'dim_transformation' },
    { key: 'gold/flights_enriched', group: 'curation' },
    { key: 'gold/airport_daily_delays', group: 'curation' },
    { key: 'gold/region_monthly_summary', group: 'curation' },
  ],
  edges: [
    { from: 'bronze/flights', to: 'silver/flights' },
    { from: 'bronze/airports', to: 'silver/airports' },
    { from: 'bronze/state_regions', to: 'silver/airports' },
    { from: 'silver/flights', to: 'gold/flights_enriched' },
    { from: 'silver/airports', to: 'gold/flights_enriched' },
    { from: 'silver/flights', to: 'gold/airport_daily_delays' },
    { from: 'gold/flights_enriched', to: 'gold/region_monthly_summary' },
  ],
};

function overlaps(layout: LayoutResult): string[] {
  const boxes = Object.entries(layout.positions);
  const found: string[] = [];
  for (let i = 0; i < boxes.length; i++) {
    for (let j = i + 1; j < boxes.length; j++) {
      const [ka, a] = boxes[i]!;
      const [kb, b] = boxes[j]!;
      if (a.x < b.x + NODE_WIDTH && b.x < a.x + NODE_WIDTH && a.y < b.y + NODE_HEIGHT && b.y < a.y + NODE_HEIGHT) found.push(`${ka} & ${kb}`);
    }
  }
  return found;
}

function insideItsGroup(layout: LayoutResult, input: LayoutInput): string[] {
  const boxes = new Map(layout.groups.map((g) => [g.group, g]));
  return input.nodes
    .filter(({ key, group }) => {
      const p = layout.positions[key];
      const g = boxes.get(group);
      return !p || !g || p.x < g.x || p.y < g.y || p.x + NODE_WIDTH > g.x + g.width || p.y + NODE_HEIGHT > g.y + g.height;
    })
    .map((n) => n.key);
}

const elk = new ELK();

describe('lineage graph layout', () => {
  for (const strategy of ['compound', 'two-level'] as const) {
    it(`places every asset inside its group box, without overlaps, upstream to the left (${strategy})`, async () => {
      const layout = await computeLayout(elk, medallion, strategy);
      assert.equal(layout.strategy, strategy);
      assert.equal(Object.keys(layout.positions).length, medallion.nodes.length);
      assert.deepEqual(overlaps(layout), []);
      assert.deepEqual(insideItsGroup(layout, medallion), []);
      for (const { from, to } of medallion.edges) {
        assert.ok(layout.positions[from]!.x < layout.positions[to]!.x, `${from} should be left of ${to}`);
      }
    });
  }

  it('ignores dependencies on assets that are not in the graph instead of failing', async () => {
    const layout = await computeLayout(elk, {
      nodes: [{ key: 'a/x', group: 'g' }],
      edges: [
        { from: 'ext/source', to: 'a/x' },
        { from: 'a/x', to: 'a/x' },
      ],
    });
    assert.deepEqual(Object.keys(layout.positions), ['a/x']);
  });

  it('splits edges into per-group edges and one edge per pair of connected groups', () => {
    const { groups, between } = splitByGroup(medallion);
    assert.equal(groups.find((g) => g.group === 'curation')?.edges.length, 1);
    assert.deepEqual(between.map((e) => `${e.from}>${e.to}`).sort(), [
      'dim_ingestion>dim_transformation',
      'dim_transformation>curation',
      'fact_ingestion>fact_transformation',
      'fact_transformation>curation',
    ]);
  });

  it('lays out a group without internal edges as a grid that fits its box', () => {
    const members = Array.from({ length: 26 }, (_, i) => `bronze/t${i}`);
    const interior = gridInterior('sources', members);
    assert.equal(Object.keys(interior.positions).length, 26);
    for (const p of Object.values(interior.positions)) {
      assert.ok(p.x + NODE_WIDTH <= interior.width && p.y + NODE_HEIGHT <= interior.height);
    }
    assert.ok(interior.height < 26 * NODE_HEIGHT, 'a grid, not one tall column');
  });

  it('keeps the layout fingerprint when only statuses or order change, and changes it for a new dependency', () => {
    const reordered: LayoutInput = { nodes: [...medallion.nodes].reverse(), edges: [...medallion.edges].reverse() };
    assert.equal(layoutFingerprint(reordered), layoutFingerprint(medallion));
    const extra: LayoutInput = { ...medallion, edges: [...medallion.edges, { from: 'silver/airports', to: 'gold/airport_daily_delays' }] };
    assert.notEqual(layoutFingerprint(extra), layoutFingerprint(medallion));
  });

  it('spreads groups over workers with similar total sizes', () => {
    const groups = [30, 25, 20, 10, 8, 5].map((n, i) => ({ group: `g${i}`, members: Array.from({ length: n }, (_, j) => `g${i}/a${j}`), edges: [] }));
    const buckets = balanceGroups(groups, 2);
    const sizes = buckets.map((b) => b.reduce((sum, g) => sum + g.members.length, 0));
    assert.equal(
      sizes.reduce((a, b) => a + b),
      98,
    );
    assert.ok(Math.abs(sizes[0]! - sizes[1]!) <= 10, `unbalanced: ${sizes.join(' vs ')}`);
    assert.equal(balanceGroups(groups.slice(0, 1), 4).length, 1, 'no empty buckets');
  });
});

describe('group arrangement', () => {
  const box = (group: string, height = 100) => ({ group, width: 300, height });

  it('puts each group in a column right of every group it reads from', () => {
    const origins = arrangeGroupColumns(
      [box('gold'), box('silver'), box('bronze_a'), box('bronze_b')],
      [
        { from: 'bronze_a', to: 'silver' },
        { from: 'bronze_b', to: 'silver' },
        { from: 'silver', to: 'gold' },
        { from: 'bronze_a', to: 'gold' },
      ],
    );
    assert.equal(origins['bronze_a']!.x, origins['bronze_b']!.x);
    assert.ok(origins['bronze_a']!.x < origins['silver']!.x && origins['silver']!.x < origins['gold']!.x);
    assert.notEqual(origins['bronze_a']!.y, origins['bronze_b']!.y, 'boxes in one column are stacked');
  });

  it('survives cycles between groups and places unconnected groups', () => {
    const origins = arrangeGroupColumns(
      [box('a'), box('b'), box('lonely')],
      [
        { from: 'a', to: 'b' },
        { from: 'b', to: 'a' },
      ],
    );
    assert.deepEqual(Object.keys(origins).sort(), ['a', 'b', 'lonely']);
    assert.ok(origins['a']!.x !== origins['b']!.x);
  });

  it('keeps a group level with the groups it is connected to', () => {
    // Two chains: top_src -> top_dst and bottom_src -> bottom_dst; the destinations are listed in reverse order.
    const origins = arrangeGroupColumns(
      [box('top_src'), box('bottom_src'), box('bottom_dst'), box('top_dst')],
      [
        { from: 'top_src', to: 'top_dst' },
        { from: 'bottom_src', to: 'bottom_dst' },
      ],
    );
    assert.ok(origins['top_dst']!.y < origins['bottom_dst']!.y);
  });

  it('wraps a very tall column into side-by-side columns that stay left of the groups reading them', () => {
    const sources = Array.from({ length: 40 }, (_, i) => box(`src${i}`, 400));
    const origins = arrangeGroupColumns(
      [...sources, box('sink')],
      sources.map((s) => ({ from: s.group, to: 'sink' })),
    );
    const xs = new Set(sources.map((s) => origins[s.group]!.x));
    assert.ok(xs.size > 1, 'the 40 sources do not form one 17,000 px column');
    assert.ok(Math.max(...xs) < origins['sink']!.x);
  });
});
