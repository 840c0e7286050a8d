import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { groupSummaries } from '../src/graph/group-summary';
import { CARD_HEIGHT, cardId, cardWidth, groupStructure, groupView, viewLineage } from '../src/graph/group-view';
import { layeredInterior, NODE_HEIGHT, NODE_WIDTH, splitByGroup, type Box, type LayoutInput } from '../src/graph/layout';
import { buildAdjacency, lineageOf } from '../src/graph/lineage';

/** `groups` groups of `per` assets in a chain of groups: each asset reads the one before it, across groups too. */
function chained(groups: number, per: number): LayoutInput {
  const nodes = Array.from({ length: groups * per }, (_, i) => ({
    key: `g${Math.floor(i / per)}/a${i}`,
    group: `domain_${String(Math.floor(i / per)).padStart(2, '0')}`,
  }));
  const edges = nodes.slice(1).map((n, i) => ({ from: nodes[i]!.key, to: n.key }));
  return { nodes, edges };
}

function overlapping(boxes: Box[]): number {
  let count = 0;
  for (let i = 0; i < boxes.length; i++) {
    for (let j = i + 1; j < boxes.length; j++) {
      const a = boxes[i]!;
      const b = boxes[j]!;
      if (a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height) count++;
    }
  }
  return count;
}

describe('group overview', () => {
  it('draws one card per group, sized for its whole name, arranged near the asked aspect ratio without overlaps', () => {
    const structure = groupStructure(chained(20, 50));
    const view = groupView(structure, new Map(), 0.65, 0);
    assert.equal(view.groups.length, 20);
    assert.equal(view.collapsed.size, 20);
    assert.deepEqual(view.positions, {});
    for (const g of view.groups) assert.deepEqual([g.width, g.height], [cardWidth(g.group), CARD_HEIGHT]);
    assert.equal(overlapping(view.groups), 0);
    const xs = view.groups.map((g) => g.x + g.width);
    const ys = view.groups.map((g) => g.y + g.height);
    const aspect = Math.max(...ys) / Math.max(...xs);
    assert.ok(aspect > 0.3 && aspect < 1.3, `a chain of 20 groups is folded, not a strip: height/width ${aspect.toFixed(2)}`);
    assert.ok(cardWidth('a_rather_long_group_name_for_reporting') > cardWidth('sales'));
  });

  it('joins cards with one edge per pair of groups, weighted by the asset edges it stands for', () => {
    const input: LayoutInput = {
      nodes: [
        { key: 'a/x', group: 'a' },
        { key: 'a/y', group: 'a' },
        { key: 'b/z', group: 'b' },
      ],
      edges: [
        { from: 'a/x', to: 'b/z' },
        { from: 'a/y', to: 'b/z' },
        { from: 'a/x', to: 'a/y' },
      ],
    };
    const view = groupView(groupStructure(input), new Map(), 0.6, 0);
    assert.deepEqual(
      view.viewEdges.map((e) => [e.from, e.to, e.weight]),
      [[cardId('a'), cardId('b'), 2]],
    );
  });

  it('expands a group in place: its assets inside its box, edges to the cards of the others', () => {
    const input = chained(5, 30);
    const structure = groupStructure(input);
    const expanded = structure.groups[2]!;
    const interior = layeredInterior(structure.graphs.get(expanded)!);
    const view = groupView(structure, new Map([[expanded, interior]]), 0.6, 0);
    assert.equal(view.collapsed.size, 4);
    const box = view.groups.find((g) => g.group === expanded)!;
    assert.deepEqual([box.width, box.height], [interior.width, interior.height]);
    const members = structure.graphs.get(expanded)!.members;
    assert.deepEqual(Object.keys(view.positions).sort(), [...members].sort());
    for (const key of members) {
      const p = view.positions[key]!;
      assert.ok(p.x >= box.x && p.y >= box.y && p.x + NODE_WIDTH <= box.x + box.width && p.y + NODE_HEIGHT <= box.y + box.height, `${key} inside its group`);
    }
    assert.equal(overlapping(view.groups), 0);
    // The chain enters the group from the card before it and leaves to the card after it.
    const ends = view.viewEdges.filter((e) => e.from.startsWith('group:') !== e.to.startsWith('group:')).map((e) => `${e.from}>${e.to}`);
    assert.deepEqual(ends, [`${cardId(structure.groups[1]!)}>${members[0]}`, `${members.at(-1)}>${cardId(structure.groups[3]!)}`]);
  });

  it('lays out a large group without overlaps, every asset inside its box', () => {
    const input = chained(1, 500);
    input.edges.push(...input.nodes.slice(10).map((n, i) => ({ from: input.nodes[i]!.key, to: n.key })));
    const [graph] = splitByGroup(input).groups;
    const interior = layeredInterior(graph!);
    const boxes = Object.values(interior.positions).map((p) => ({ ...p, width: NODE_WIDTH, height: NODE_HEIGHT }));
    assert.equal(boxes.length, 500);
    assert.equal(overlapping(boxes), 0);
    for (const b of boxes) assert.ok(b.x + b.width <= interior.width && b.y + b.height <= interior.height);
  });

  it('shows a lineage on cards: a collapsed group lights up when it holds an upstream or downstream asset', () => {
    const input = chained(3, 2);
    const lineage = lineageOf('g1/a2', buildAdjacency(input.edges));
    const lifted = viewLineage(lineage, groupStructure(input).groupOf, new Set(['domain_00', 'domain_02']));
    assert.ok(lifted.upstream.has(cardId('domain_00')) && lifted.downstream.has(cardId('domain_02')));
    assert.ok(!lifted.upstream.has(cardId('domain_02')));
  });

  it('counts each group by status and check outcome', () => {
    const summaries = groupSummaries([
      { key: 'a/x', group: 'a', kind: 'view', status: 'fresh', checks: { passed: 2, warned: 0, failed: 1 } },
      { key: 'a/y', group: 'a', kind: 'view', status: 'failed', checks: null },
      { key: 'b/z', group: 'b', kind: 'table', status: 'never', checks: { passed: 0, warned: 0, failed: 0 } },
    ]);
    assert.deepEqual(summaries.get('a'), {
      group: 'a',
      count: 2,
      statuses: { fresh: 1, stale: 0, failed: 1, running: 0, never: 0 },
      checks: { passed: 2, warned: 0, failed: 1, unknown: 1 },
    });
    assert.equal(summaries.get('b')?.statuses.never, 1);
  });
});
