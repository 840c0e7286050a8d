// The global lineage graph: grouped, laid out left to right, searchable, with upstream/downstream highlighting.
import {
  Background,
  Controls,
  MiniMap,
  ReactFlow,
  ReactFlowProvider,
  useReactFlow,
  useStore,
  type Edge,
  type Node,
  type NodeMouseHandler,
  type NodeTypes,
} from '@xyflow/react';
import '@xyflow/react/dist/base.css';
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { AssetSummary } from '../../../src/server/api-types';
import { assetHref } from '../routing/route';
import { navigate } from '../routing/useRoute';
import { AssetNode, type AssetFlowNode, type AssetNodeData } from './AssetNode';
import { GraphSearch } from './GraphSearch';
import { GroupNode, type GroupFlowNode } from './GroupNode';
import { NODE_HEIGHT, NODE_WIDTH, type LayoutResult } from './layout';
import { buildAdjacency, isLineageEdge, lineageOf } from './lineage';
import { SelectedAssetPanel } from './SelectedAssetPanel';

const nodeTypes: NodeTypes = { asset: AssetNode, 'group-box': GroupNode };

/** Below this zoom the boxes are too small to read, so CSS drops their details. */
const DETAIL_ZOOM = 0.45;
/** The minimap redraws every node on each viewport change; past this size it costs more than it helps. */
const MINIMAP_LIMIT = 2500;

type FlowNode = AssetFlowNode | GroupFlowNode;

export interface LineageGraphProps {
  assets: AssetSummary[];
  edges: { from: string; to: string }[];
  layout: LayoutResult;
  /** Asset to select and centre on first (from `#/?focus=`). */
  focusKey: string | null;
}

export function LineageGraph(props: LineageGraphProps) {
  return (
    <ReactFlowProvider>
      <LineageCanvas {...props} />
    </ReactFlowProvider>
  );
}

function sameData(a: AssetNodeData, b: AssetNodeData): boolean {
  return a.status === b.status && a.failed === b.failed && a.warned === b.warned && a.kind === b.kind;
}

function toNodeData(asset: AssetSummary): AssetNodeData {
  const slash = asset.key.lastIndexOf('/');
  return {
    key: asset.key,
    name: slash >= 0 ? asset.key.slice(slash + 1) : asset.key,
    prefix: slash >= 0 ? asset.key.slice(0, slash) : '',
    kind: asset.kind,
    status: asset.status,
    failed: asset.checks.failed,
    warned: asset.checks.warned,
  };
}

const STATUS_COLOURS: Record<string, string> = {
  fresh: '#16a34a',
  stale: '#d97706',
  failed: '#dc2626',
  never: '#9ca3af',
  running: '#2563eb',
};

function minimapColour(node: Node): string {
  if (node.type !== 'asset') return 'transparent';
  return STATUS_COLOURS[(node.data as AssetNodeData).status] ?? '#9ca3af';
}

function LineageCanvas({ assets, edges, layout, focusKey }: LineageGraphProps) {
  const flow = useReactFlow();
  const [selectedKey, setSelectedKey] = useState<string | null>(focusKey);
  const zoomedOut = useStore((s) => s.transform[2] < DETAIL_ZOOM);

  const assetByKey = useMemo(() => new Map(assets.map((a) => [a.key, a])), [assets]);
  const drawnEdges = useMemo(
    () => edges.filter((e) => layout.positions[e.from] && layout.positions[e.to]),
    [edges, layout],
  );
  const adjacency = useMemo(() => buildAdjacency(drawnEdges), [drawnEdges]);
  const lineage = useMemo(() => (selectedKey ? lineageOf(selectedKey, adjacency) : null), [selectedKey, adjacency]);
  const keys = useMemo(() => assets.map((a) => a.key), [assets]);

  // Reuse data and node objects that did not change, so React Flow and the memoized
  // node components skip them: a status update or a click touches only what it must.
  const dataCache = useRef(new Map<string, AssetNodeData>());
  const nodeCache = useRef(new Map<string, AssetFlowNode>());
  const edgeCache = useRef(new Map<string, Edge>());

  const groupNodes = useMemo<GroupFlowNode[]>(() => {
    const counts = new Map<string, number>();
    for (const a of assets) counts.set(a.group, (counts.get(a.group) ?? 0) + 1);
    return layout.groups.map((g) => ({
      id: `group:${g.group}`,
      type: 'group-box',
      position: { x: g.x, y: g.y },
      width: g.width,
      height: g.height,
      data: { group: g.group, count: counts.get(g.group) ?? 0 },
      selectable: false,
      draggable: false,
      focusable: false,
      zIndex: -1,
      style: { pointerEvents: 'none' },
    }));
  }, [layout, assets]);

  const nodes = useMemo<FlowNode[]>(() => {
    const nextData = new Map<string, AssetNodeData>();
    const nextNodes = new Map<string, AssetFlowNode>();
    const result: FlowNode[] = [...groupNodes];
    for (const asset of assets) {
      const position = layout.positions[asset.key];
      if (!position) continue;
      const fresh = toNodeData(asset);
      const previousData = dataCache.current.get(asset.key);
      const data = previousData && sameData(previousData, fresh) ? previousData : fresh;
      nextData.set(asset.key, data);
      let className: string | undefined;
      if (selectedKey === asset.key) className = 'is-selected';
      else if (lineage) className = lineage.upstream.has(asset.key) || lineage.downstream.has(asset.key) ? 'in-lineage' : 'is-dimmed';
      const previous = nodeCache.current.get(asset.key);
      const node: AssetFlowNode =
        previous && previous.data === data && previous.className === className && previous.position === position
          ? previous
          : { id: asset.key, type: 'asset', position, data, className, width: NODE_WIDTH, height: NODE_HEIGHT, draggable: false };
      nextNodes.set(asset.key, node);
      result.push(node);
    }
    dataCache.current = nextData;
    nodeCache.current = nextNodes;
    return result;
  }, [assets, layout, groupNodes, selectedKey, lineage]);

  const flowEdges = useMemo<Edge[]>(() => {
    const next = new Map<string, Edge>();
    const result = drawnEdges.map((e) => {
      const id = `${e.from}->${e.to}`;
      let className: string | undefined;
      if (lineage && selectedKey) className = isLineageEdge(e, selectedKey, lineage) ? 'in-lineage' : 'is-dimmed';
      const previous = edgeCache.current.get(id);
      const edge = previous && previous.className === className ? previous : { id, source: e.from, target: e.to, className, focusable: false };
      next.set(id, edge);
      return edge;
    });
    edgeCache.current = next;
    return result;
  }, [drawnEdges, lineage, selectedKey]);

  const centreOn = useCallback(
    (key: string, duration = 500) => {
      const position = layout.positions[key];
      if (!position) return;
      void flow.setCenter(position.x + NODE_WIDTH / 2, position.y + NODE_HEIGHT / 2, {
        zoom: Math.max(flow.getZoom(), 0.9),
        duration,
      });
    },
    [flow, layout],
  );

  const pickFromSearch = useCallback(
    (key: string) => {
      setSelectedKey(key);
      centreOn(key);
    },
    [centreOn],
  );

  // Centre on the asset named in the URL once the graph is on screen.
  const centredFocus = useRef<string | null>(null);
  useEffect(() => {
    if (!focusKey || centredFocus.current === focusKey || !layout.positions[focusKey]) return;
    centredFocus.current = focusKey;
    setSelectedKey(focusKey);
    const timer = setTimeout(() => centreOn(focusKey, 0), 0);
    return () => clearTimeout(timer);
  }, [focusKey, layout, centreOn]);

  const onNodeClick = useCallback<NodeMouseHandler<FlowNode>>((_, node) => {
    if (node.type !== 'asset') return;
    setSelectedKey((current) => (current === node.id ? null : node.id));
  }, []);
  const onNodeDoubleClick = useCallback<NodeMouseHandler<FlowNode>>((_, node) => {
    if (node.type === 'asset') navigate(assetHref(node.id));
  }, []);
  const clearSelection = useCallback(() => setSelectedKey(null), []);

  const selectedAsset = selectedKey ? assetByKey.get(selectedKey) : undefined;
  const large = assets.length > MINIMAP_LIMIT;

  return (
    <div className={`lineage-graph${zoomedOut ? ' zoomed-out' : ''}${lineage ? ' has-selection' : ''}`} data-testid="lineage-graph">
      <ReactFlow<FlowNode, Edge>
        nodes={nodes}
        edges={flowEdges}
        nodeTypes={nodeTypes}
        onlyRenderVisibleElements
        nodesDraggable={false}
        nodesConnectable={false}
        elementsSelectable={false}
        edgesFocusable={false}
        onNodeClick={onNodeClick}
        onNodeDoubleClick={onNodeDoubleClick}
        onPaneClick={clearSelection}
        fitView={!focusKey}
        fitViewOptions={{ padding: 0.08 }}
        minZoom={0.02}
        maxZoom={2}
        zoomOnDoubleClick={false}
        defaultEdgeOptions={{ type: 'default' }}
      >
        <Background gap={24} size={1} color="#e5e7eb" />
        <Controls showInteractive={false} position="bottom-right" />
        {!large && <MiniMap pannable zoomable nodeColor={minimapColour} nodeStrokeWidth={0} position="bottom-left" />}
      </ReactFlow>
      <div className="graph-toolbar">
        <GraphSearch keys={keys} onPick={pickFromSearch} />
        <Legend />
      </div>
      {selectedAsset && lineage && (
        <SelectedAssetPanel
          asset={selectedAsset}
          upstreamCount={lineage.upstream.size}
          downstreamCount={lineage.downstream.size}
          onClose={clearSelection}
          onCentre={() => centreOn(selectedAsset.key)}
        />
      )}
    </div>
  );
}

function Legend() {
  return (
    <div className="graph-legend" aria-label="Status colours">
      {(['fresh', 'stale', 'failed', 'running', 'never'] as const).map((status) => (
        <span key={status} className={`legend-item status-${status}`}>
          <span className="status-dot" aria-hidden="true" />
          {status === 'never' ? 'never materialized' : status}
        </span>
      ))}
    </div>
  );
}
