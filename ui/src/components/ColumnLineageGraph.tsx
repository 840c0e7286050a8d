// A column lineage graph as SVG: a box per table with its columns, an edge per column that feeds another, labelled with its transform.
import { useEffect, useMemo, useRef } from 'react';
import type { ColumnLineageGraphResponse, ColumnNode } from '../../../src/server/views/column-lineage-graph';
import { assetHref, columnHref } from '../routing/route';
import { BOX_WIDTH, HEADER_HEIGHT, layoutColumnLineage, ROW_HEIGHT } from './column-lineage-layout';

/** Transforms that carry a value; the others (join, filter, group_by, sort) decide which rows appear. */
const VALUE_TRANSFORMS = new Set(['identity', 'transformation', 'aggregation', 'window']);

export function ColumnLineageGraph({ graph }: { graph: ColumnLineageGraphResponse }) {
  const layout = useMemo(() => layoutColumnLineage(graph.nodes, graph.edges), [graph]);
  const scroller = useRef<HTMLDivElement>(null);
  // A long chain is wider than the window: bring the focused column into view.
  useEffect(() => {
    const box = layout.boxes.find((b) => b.columns.some((c) => c.id === graph.focus));
    const element = scroller.current;
    if (box && element) element.scrollLeft = Math.max(0, box.x + BOX_WIDTH / 2 - element.clientWidth / 2);
  }, [layout, graph.focus]);
  return (
    <div className="column-graph-scroll" ref={scroller}>
      <svg
        className="column-graph"
        width={layout.width}
        height={layout.height}
        role="img"
        aria-label="Column lineage"
        data-testid="column-lineage-graph"
        data-nodes={graph.nodes.length}
      >
        <g className="column-edges">
          {layout.edges.map((e) => {
            const mid = (e.x1 + e.x2) / 2;
            return (
              <g
                key={`${e.from}>${e.to}>${e.transform}`}
                className={`column-edge transform-${e.transform}`}
                data-from={e.from}
                data-to={e.to}
                data-transform={e.transform}
              >
                <path
                  d={`M${e.x1},${e.y1} C${mid},${e.y1} ${mid},${e.y2} ${e.x2},${e.y2}`}
                  strokeDasharray={VALUE_TRANSFORMS.has(e.transform) ? undefined : '4 3'}
                />
                <text x={mid} y={(e.y1 + e.y2) / 2 - 3} textAnchor="middle">
                  {e.transform}
                </text>
              </g>
            );
          })}
        </g>
        {layout.boxes.map((box) => (
          <g key={box.id} className={`column-box column-box-${box.kind}`} transform={`translate(${box.x},${box.y})`}>
            <rect width={BOX_WIDTH} height={box.height} rx={6} />
            <text className="column-box-title" x={10} y={19}>
              {box.asset ? <a href={assetHref(box.asset)}>{truncate(box.label, 27)}</a> : truncate(box.label, 27)}
              <title>{box.id}</title>
            </text>
            {box.columns.map((c, i) => (
              <ColumnRow key={c.id} node={c} y={HEADER_HEIGHT + i * ROW_HEIGHT} focused={c.id === graph.focus} />
            ))}
          </g>
        ))}
      </svg>
    </div>
  );
}

function ColumnRow({ node, y, focused }: { node: ColumnNode; y: number; focused: boolean }) {
  const label = truncate(node.column, 26);
  const className = `column-row${focused ? ' column-row-focus' : ''}${node.note ? ' column-row-note' : ''}`;
  return (
    <g className={className} transform={`translate(0,${y})`} data-column={node.id}>
      <rect width={BOX_WIDTH} height={ROW_HEIGHT} />
      {node.asset ? (
        <a href={columnHref(node.asset, node.column)} aria-label={`${node.asset}.${node.column}`}>
          <text x={12} y={15}>
            {label}
          </text>
        </a>
      ) : (
        <text x={12} y={15}>
          {label}
        </text>
      )}
      <title>{node.note ? `${node.id}: ${node.note}` : node.id}</title>
    </g>
  );
}

function truncate(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}
