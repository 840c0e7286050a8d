// The global lineage graph: grouped, laid out left to right, searchable, with upstream/downstream highlighting.
// Zoomed in, React Flow renders the assets near the view as DOM nodes; zoomed out, one canvas draws them all.
import {
  Controls,
  Position,
  ReactFlow,
  ReactFlowProvider,
  useReactFlow,
  useStore,
  useStoreApi,
  type EdgeTypes,
  type NodeHandle,
  type NodeMouseHandler,
  type NodeTypes,
  type ReactFlowState,
} from '@xyflow/react';
import '@xyflow/react/dist/base.css';
import { useCallback, useEffect, useMemo, useRef, useState, type MouseEvent } from 'react';
import type { AssetStatus } from '../../../src/server/api-types';
import { assetHref } from '../routing/route';
import { navigate } from '../routing/useRoute';
import { AssetNode, type AssetFlowNode, type AssetNodeData } from './AssetNode';
import type { GraphAsset } from './graph-data';
import { GraphMinimap } from './GraphMinimap';
import { GraphSearch } from './GraphSearch';
import { GroupNode, type GroupFlowNode } from './GroupNode';
import { HighlightContext, type Highlight } from './highlight-context';
import { NODE_HEIGHT, NODE_WIDTH, type Box, type LayoutResult } from './layout';
import { buildAdjacency, lineageOf } from './lineage';
import { LineageEdge, type LineageFlowEdge } from './LineageEdge';
import { OverviewCanvas } from './OverviewCanvas';
import { hitTest, layoutBounds, type OverviewScene } from './overview-draw';
import { SelectedAssetPanel } from './SelectedAssetPanel';
import { containsRect, expandRect, visibleRect, windowContents } from './viewport-window';

const nodeTypes: NodeTypes = { asset: AssetNode, 'group-box': GroupNode };
const edgeTypes: EdgeTypes = { lineage: LineageEdge };

/** Below this zoom a box's text is unreadable, so the canvas draws the graph instead of DOM nodes. */
const DETAIL_ZOOM = 0.5;
/** Small graphs fit on screen; a minimap would only repeat them. */
const MINIMAP_MIN_ASSETS = 40;
/** Handles at fixed spots, so edges to nodes that are not mounted can be drawn without measuring them. */
const HANDLES: NodeHandle[] = [
  { type: 'target', position: Position.Left, x: 0, y: NODE_HEIGHT / 2 - 0.5, width: 1, height: 1 },
  { type: 'source', position: Position.Right, x: NODE_WIDTH - 1, y: NODE_HEIGHT / 2 - 0.5, width: 1, height: 1 },
];

type FlowNode = AssetFlowNode | GroupFlowNode;

export interface LineageGraphProps {
  assets: GraphAsset[];
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

function toNodeData(asset: GraphAsset): AssetNodeData {
  const slash = asset.key.lastIndexOf('/');
  return {
    key: asset.key,
    name: slash >= 0 ? asset.key.slice(slash + 1) : asset.key,
    prefix: slash >= 0 ? asset.key.slice(0, slash) : '',
    kind: asset.kind,
    status: asset.status,
    failed: asset.checks?.failed ?? 0,
    warned: asset.checks?.warned ?? 0,
  };
}

const isDetailed = (s: ReactFlowState): boolean => s.transform[2] >= DETAIL_ZOOM;

/**
 * The region of the graph React Flow is given: the view grown by its own size on every side, replaced only
 * when the view leaves it (or shrinks far inside it), so panning within it never changes React Flow's input.
 */
function useDetailWindow(): Box | null {
  const store = useStoreApi();
  const [region, setRegion] = useState<Box | null>(null);
  useEffect(() => {
    const update = (s: ReactFlowState): void => {
      const [x, y, zoom] = s.transform;
      if (zoom < DETAIL_ZOOM || s.width === 0) return;
      const view = visibleRect({ x, y, zoom }, s.width, s.height);
      setRegion((current) => (current && containsRect(current, view) && current.width < view.width * 6 ? current : expandRect(view, 1)));
    };
    update(store.getState());
    return store.subscribe((s, previous) => {
      if (s.transform !== previous.transform || s.width !== previous.width || s.height !== previous.height) update(s);
    });
  }, [store]);
  return region;
}

function LineageCanvas({ assets, edges, layout, focusKey }: LineageGraphProps) {
  const flow = useReactFlow<FlowNode, LineageFlowEdge>();
  // Until the first viewport is set the zoom is a placeholder; mounting DOM nodes for it would be wasted work.
  const [ready, setReady] = useState(false);
  const detailed = useStore(isDetailed) && ready;
  const detailWindow = useDetailWindow();
  const [selectedKey, setSelectedKey] = useState<string | null>(focusKey);
  const container = useRef<HTMLDivElement>(null);

  const assetByKey = useMemo(() => new Map(assets.map((a) => [a.key, a])), [assets]);
  const drawnEdges = useMemo(() => edges.filter((e) => layout.positions[e.from] && layout.positions[e.to]), [edges, layout]);
  const adjacency = useMemo(() => buildAdjacency(drawnEdges), [drawnEdges]);
  const lineage = useMemo(() => (selectedKey && layout.positions[selectedKey] ? lineageOf(selectedKey, adjacency) : null), [selectedKey, adjacency, layout]);
  const keys = useMemo(() => assets.map((a) => a.key), [assets]);
  const bounds = useMemo(() => layoutBounds(layout), [layout]);
  // Far enough out to see the whole graph on a small screen, however large it is.
  const minZoom = Math.min(0.02, 0.5 * Math.min(1000 / bounds.width, 600 / bounds.height));

  // Node objects are reused while their data is unchanged, so a status update re-renders only what it touched.
  const nodeCache = useRef(new Map<string, AssetFlowNode>());
  const assetNodes = useMemo(() => {
    const next = new Map<string, AssetFlowNode>();
    for (const asset of assets) {
      const position = layout.positions[asset.key];
      if (!position) continue;
      const data = toNodeData(asset);
      const previous = nodeCache.current.get(asset.key);
      next.set(
        asset.key,
        previous && previous.position === position && sameData(previous.data, data)
          ? previous
          : { id: asset.key, type: 'asset', position, data, width: NODE_WIDTH, height: NODE_HEIGHT, handles: HANDLES, draggable: false },
      );
    }
    nodeCache.current = next;
    return next;
  }, [assets, layout]);

  const groupNodes = useMemo(() => {
    const counts = new Map<string, number>();
    for (const a of assets) counts.set(a.group, (counts.get(a.group) ?? 0) + 1);
    return new Map<string, GroupFlowNode>(
      layout.groups.map((g) => [
        g.group,
        {
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
        },
      ]),
    );
  }, [layout, assets]);

  const allEdges = useMemo<LineageFlowEdge[]>(
    () => drawnEdges.map((e) => ({ id: `${e.from}->${e.to}`, type: 'lineage', source: e.from, target: e.to, focusable: false, data: {} })),
    [drawnEdges],
  );

  const contents = useMemo(() => (detailed && detailWindow ? windowContents(layout, adjacency, detailWindow) : null), [detailed, detailWindow, layout, adjacency]);
  const flowNodes = useMemo<FlowNode[]>(() => {
    if (!contents) return [];
    const result: FlowNode[] = [];
    for (const group of contents.groups) {
      const node = groupNodes.get(group);
      if (node) result.push(node);
    }
    for (const key of contents.withNeighbours) {
      const node = assetNodes.get(key);
      if (node) result.push(node);
    }
    return result;
  }, [contents, groupNodes, assetNodes]);
  const flowEdges = useMemo(
    () => (contents ? allEdges.filter((e) => contents.inside.has(e.source) || contents.inside.has(e.target)) : []),
    [contents, allEdges],
  );

  const statuses = useMemo(() => new Map<string, AssetStatus>(assets.map((a) => [a.key, a.status])), [assets]);
  const scene = useMemo<OverviewScene>(() => ({ layout, edges: drawnEdges, statuses, selectedKey, lineage }), [layout, drawnEdges, statuses, selectedKey, lineage]);
  const highlight = useMemo<Highlight>(() => ({ selectedKey: lineage ? selectedKey : null, lineage }), [selectedKey, lineage]);

  const fitAll = useCallback(
    (duration = 300) => {
      void flow.fitBounds(bounds, { padding: 0.06, duration });
    },
    [flow, bounds],
  );

  const centreOn = useCallback(
    (key: string, duration = 500) => {
      const position = layout.positions[key];
      if (!position) return;
      void flow.setCenter(position.x + NODE_WIDTH / 2, position.y + NODE_HEIGHT / 2, { zoom: Math.max(flow.getZoom(), 0.9), duration });
    },
    [flow, layout],
  );

  // First view: the asset named in the URL, or the whole graph.
  const initialised = useRef(false);
  const onInit = useCallback(() => {
    if (initialised.current) return;
    initialised.current = true;
    if (focusKey && layout.positions[focusKey]) centreOn(focusKey, 0);
    else fitAll(0);
    setReady(true);
  }, [focusKey, layout, centreOn, fitAll]);

  const lastFocus = useRef(focusKey);
  useEffect(() => {
    if (!focusKey || lastFocus.current === focusKey) return;
    lastFocus.current = focusKey;
    setSelectedKey(focusKey);
    centreOn(focusKey);
  }, [focusKey, centreOn]);

  const pickFromSearch = useCallback(
    (key: string) => {
      setSelectedKey(key);
      centreOn(key);
    },
    [centreOn],
  );

  const onNodeClick = useCallback<NodeMouseHandler<FlowNode>>((_, node) => {
    if (node.type !== 'asset') return;
    setSelectedKey((current) => (current === node.id ? null : node.id));
  }, []);
  const onNodeDoubleClick = useCallback<NodeMouseHandler<FlowNode>>((_, node) => {
    if (node.type === 'asset') navigate(assetHref(node.id));
  }, []);

  // On the canvas there are no node elements: find the asset under the pointer ourselves.
  const assetAt = useCallback(
    (event: MouseEvent) => hitTest(layout, flow.screenToFlowPosition({ x: event.clientX, y: event.clientY })),
    [flow, layout],
  );
  const onPaneClick = useCallback(
    (event: MouseEvent) => {
      const key = detailed ? null : assetAt(event);
      setSelectedKey((current) => (key && current !== key ? key : null));
    },
    [detailed, assetAt],
  );
  // A pointer cursor over canvas-drawn assets; set on the element directly so hovering never re-renders the graph.
  const onPaneMouseMove = useCallback(
    (event: MouseEvent) => {
      container.current?.classList.toggle('is-hovering', !detailed && assetAt(event) !== null);
    },
    [detailed, assetAt],
  );
  const onDoubleClick = useCallback(
    (event: MouseEvent) => {
      if (detailed) return;
      const key = assetAt(event);
      if (key) centreOn(key);
    },
    [detailed, assetAt, centreOn],
  );

  const clearSelection = useCallback(() => setSelectedKey(null), []);
  useEffect(() => {
    if (!selectedKey) return undefined;
    const onKey = (event: KeyboardEvent): void => {
      if (event.key === 'Escape' && !(event.target instanceof HTMLInputElement)) setSelectedKey(null);
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, [selectedKey]);
  const selectedAsset = selectedKey ? assetByKey.get(selectedKey) : undefined;

  return (
    <div
      ref={container}
      className={`lineage-graph${lineage ? ' has-selection' : ''}`}
      data-testid="lineage-graph"
      data-layout-ms={Math.round(layout.elapsedMs)}
      data-layout-strategy={layout.strategy}
      data-render-mode={ready ? (detailed ? 'dom' : 'canvas') : 'pending'}
      data-asset-count={assets.length}
      onDoubleClick={onDoubleClick}
    >
      <HighlightContext value={highlight}>
        <ReactFlow<FlowNode, LineageFlowEdge>
          nodes={flowNodes}
          edges={flowEdges}
          nodeTypes={nodeTypes}
          edgeTypes={edgeTypes}
          onlyRenderVisibleElements
          nodesDraggable={false}
          nodesConnectable={false}
          elementsSelectable={false}
          edgesFocusable={false}
          onInit={onInit}
          onNodeClick={onNodeClick}
          onNodeDoubleClick={onNodeDoubleClick}
          onPaneClick={onPaneClick}
          onPaneMouseMove={onPaneMouseMove}
          minZoom={minZoom}
          maxZoom={2}
          zoomOnDoubleClick={false}
        >
          {!detailed && <OverviewCanvas scene={scene} />}
          <Controls showInteractive={false} position="bottom-right" onFitView={() => fitAll()} />
        </ReactFlow>
        {assets.length > MINIMAP_MIN_ASSETS && (
          <div className="graph-corner">
            <GraphMinimap scene={scene} bounds={bounds} />
          </div>
        )}
      </HighlightContext>
      <div className="graph-toolbar">
        <GraphSearch keys={keys} onPick={pickFromSearch} />
        <Legend />
        {!detailed && ready && <span className="graph-hint">Zoom in to read the assets · click one to trace its lineage</span>}
      </div>
      {selectedAsset && lineage && (
        <SelectedAssetPanel
          key={selectedAsset.key}
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
