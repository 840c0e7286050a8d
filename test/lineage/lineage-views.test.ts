// Lineage views: the asset graph cut to one side of an asset, column graphs, and their Mermaid, DOT and text renderings.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { asset } from '../../src/index.js';
import { AssetGraph } from '../../src/model/asset-graph.js';
import type { AssetLineage } from '../../src/lineage/asset-column-lineage.js';
import { assetGraphView, columnGraphView, toDot, toMermaid, traceText } from '../../src/lineage/lineage-views.js';
import { ProjectColumnLineage } from '../../src/lineage/project-column-lineage.js';

const graph = AssetGraph.build([
  { definition: asset({ key: 'raw/a', group: 'ingest', sql: 'SELECT 1 AS x' }), deps: [] },
  { definition: asset({ key: 'raw/b', group: 'ingest', sql: 'SELECT 1 AS y' }), deps: [] },
  { definition: asset({ key: 'mid/c', group: 'transform', kind: 'view', sql: 'SELECT x FROM raw.a' }), deps: ['raw/a'] },
  { definition: asset({ key: 'out/d', group: 'serve', sql: 'SELECT x, y FROM mid.c, raw.b' }), deps: ['mid/c', 'raw/b'] },
]);

const lineage = (key: string, columns: AssetLineage['columns']): [string, AssetLineage] => [
  key,
  { key, table: key.replace('/', '.'), method: 'sql', complete: true, columnsKnown: true, columns, indirect: [], warnings: [] },
];
const project = new ProjectColumnLineage(
  new Map([
    lineage('raw/a', [{ name: 'x', sources: [{ table: 'file:a.csv', column: 'x', transform: 'identity' }] }]),
    lineage('raw/b', [{ name: 'y', sources: [] }]),
    lineage('mid/c', [{ name: 'x', sources: [{ table: 'raw.a', asset: 'raw/a', column: 'x', transform: 'identity' }] }]),
    lineage('out/d', [
      { name: 'x', sources: [{ table: 'mid.c', asset: 'mid/c', column: 'x', transform: 'aggregation' }] },
      { name: 'y', sources: [{ table: 'raw.b', asset: 'raw/b', column: 'y', transform: 'identity' }] },
    ]),
  ]),
);

describe('lineage views', () => {
  it("cut the asset graph to what an asset comes from, leaving out its consumers' other parents", () => {
    assert.deepEqual(assetGraphView(graph, 'mid/c', 'upstream'), {
      nodes: [
        { key: 'raw/a', group: 'ingest', kind: 'table' },
        { key: 'mid/c', group: 'transform', kind: 'view' },
      ],
      edges: [{ from: 'raw/a', to: 'mid/c' }],
    });
    assert.deepEqual(assetGraphView(graph, 'mid/c', 'downstream').edges, [{ from: 'mid/c', to: 'out/d' }]);
    assert.equal(assetGraphView(graph, 'mid/c').nodes.length, 3);
    assert.equal(assetGraphView(graph).edges.length, 3);
  });

  it('render the asset graph as Mermaid and DOT', () => {
    const view = assetGraphView(graph, 'mid/c', 'upstream');
    assert.equal(toMermaid(view), 'flowchart LR\n  n0["raw/a"]\n  n1["mid/c"]\n  n0 --> n1');
    assert.equal(
      toDot(view),
      'digraph lineage {\n  rankdir=LR;\n  node [shape=box, fontname="Helvetica"];\n  "raw/a" [label="raw/a\\ntable, ingest"];\n  "mid/c" [label="mid/c\\nview, transform"];\n  "raw/a" -> "mid/c";\n}',
    );
  });

  it("draw one column's trace as a column graph grouped by asset, with transforms on the edges", () => {
    const view = columnGraphView(project, 'out/d', 'upstream', 'x');
    assert.deepEqual(view.edges, [
      { from: 'file:a.csv.x', to: 'raw/a.x', transform: 'identity' },
      { from: 'raw/a.x', to: 'mid/c.x', transform: 'identity' },
      { from: 'mid/c.x', to: 'out/d.x', transform: 'aggregation' },
    ]);
    assert.equal(
      toMermaid(view),
      [
        'flowchart LR',
        '  subgraph g0["out/d"]',
        '    c0["x"]',
        '  end',
        '  subgraph g1["mid/c"]',
        '    c1["x"]',
        '  end',
        '  subgraph g2["raw/a"]',
        '    c2["x"]',
        '  end',
        '  subgraph g3["file:a.csv"]',
        '    c3["x"]',
        '  end',
        '  c3 -->|identity| c2',
        '  c2 -->|identity| c1',
        '  c1 -->|aggregation| c0',
      ].join('\n'),
    );
    assert.match(toDot(view), /subgraph "cluster_3" \{\n {4}label="file:a\.csv";\n {4}"file:a\.csv\.x" \[label="x"\];\n {2}\}/);
  });

  it('cover the whole project when no asset is given, and both sides of an asset by default', () => {
    assert.equal(columnGraphView(project).edges.length, 4);
    const both = columnGraphView(project, 'mid/c');
    assert.deepEqual(both.nodes.map((n) => n.id).sort(), ['file:a.csv.x', 'mid/c.x', 'out/d.x', 'raw/a.x']);
  });

  it('print a trace as a tree with transforms and why it stops', () => {
    assert.equal(traceText(project.trace('out/d', 'y')), 'out/d.y\n└── raw/b.y (identity) [reads no column (a constant or generated value)]');
    assert.equal(traceText(project.downstream('raw/a', 'x')), 'raw/a.x\n└── mid/c.x (identity)\n    └── out/d.x (aggregation)');
  });
});
