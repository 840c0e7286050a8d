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
import './graph.css';
import type { GraphAsset } from './graph-data';
import { GraphMinimap } from './GraphMinimap';
import { GraphSearch } from './GraphSearch';
import { GroupCard, GroupToggleContext, type GroupCardFlowNode } from './GroupCard';
import { GroupNode, type GroupFlowNode } from './GroupNode';
import { groupSummaries } from './group-summary';
import { cardId, viewLineage, type GroupView } from './group-view';
import { HighlightContext, type Highlight } from './highlight-context';
import { NODE_HEIGHT, NODE_WIDTH, type Box } from './layout';
import { buildAdjacency, lineageOf } from './lineage';
import { LineageEdge, type LineageFlowEdge } from './LineageEdge';
import { OverviewCanvas } from './OverviewCanvas';
import { hitTest, layoutBounds, type OverviewScene } from './overview-draw';
import { SelectedAssetPanel } from './SelectedAssetPanel';
import { containsRect, expandRect, visibleRect, windowContents } from './viewport-window';

const nodeTypes: NodeTypes = { asset: AssetNode, 'group-box': GroupNode, 'group-card': GroupCard };
const edgeTypes: EdgeTypes = { lineage: LineageEdge };

/** Below this zoom a box's text is unreadable, so the canvas draws the graph instead of DOM nodes. */
const DETAIL_ZOOM = 0.5;
/** Room kept around a fitted view, in screen pixels: the toolbar is at the top. */
const FIT_MARGIN = { top: 64, bottom: 20, side: 24 };
/** Small graphs fit on screen, as does an overview of group cards: a minimap would only repeat them. */
const MINIMAP_MIN_ASSETS = 40;
/** Handles at fixed spots, so edges to nodes that are not mounted can be drawn without measuring them. */
const HANDLES: NodeHandle[] = [
  { type: 'target', position: Position.Left, x: 0, y: NODE_HEIGHT / 2 - 0.5, width: 1, height: 1 },
  { type: 'source', position: Position.Right, x: NODE_WIDTH - 1, y: NODE_HEIGHT / 2 - 0.5, width: 1, height: 1 },
];

type FlowNode = AssetFlowNode | GroupFlowNode | GroupCardFlowNode;

export interface LineageGraphProps {
  assets: GraphAsset[];
  /** Every edge between assets, whatever is expanded (lineage is traced on these). */
  edges: { from: string; to: string }[];
  /** What is drawn where: assets of expanded groups, cards of collapsed ones, edges between them. */
  view: GroupView;
  groupOf: ReadonlyMap<string, string>;
  /** Asset to select and centre on (from `#/?focus=`), as soon as the view shows it. */
  focusKey: string | null;
  /** Groups the URL asks to expand (some may still be laid out: `pendingGroups`). */
  expanded: readonly string[];
  pendingGroups: ReadonlySet<string>;
  /** Present when groups can be expanded and collapsed: asks for a new set of expanded groups and a focus. */
  onExpand?: (groups: readonly string[], focus: string | null) => void;
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

/** Handles of a card, at the middle of its sides like an asset's. */
function cardHandles(width: number, height: number): NodeHandle[] {
  return [
    { type: 'target', position: Position.Left, x: 0, y: height / 2 - 0.5, width: 1, height: 1 },
    { type: 'source', position: Position.Right, x: width - 1, y: height / 2 - 0.5, width: 1, height: 1 },
  ];
}

function LineageCanvas({ assets, edges, view, groupOf, focusKey, expanded, pendingGroups, onExpand }: LineageGraphProps) {
  const flow = useReactFlow<FlowNode, LineageFlowEdge>();
  // Until the first viewport is set the zoom is a placeholder; mounting DOM nodes for it would be wasted work.
  const [ready, setReady] = useState(false);
  const detailed = useStore(isDetailed) && ready;
  const detailWindow = useDetailWindow();
  const [selectedKey, setSelectedKey] = useState<string | null>(focusKey);
  const container = useRef<HTMLDivElement>(null);

  const assetByKey = useMemo(() => new Map(assets.map((a) => [a.key, a])), [assets]);
  const drawnEdges = view.viewEdges;
  const adjacency = useMemo(() => buildAdjacency(drawnEdges), [drawnEdges]);
  // Lineage is traced over every asset edge, then shown on what is drawn (a collapsed group lights up as a whole).
  const assetAdjacency = useMemo(() => buildAdjacency(edges), [edges]);
  const assetLineage = useMemo(
    () => (selectedKey && groupOf.has(selectedKey) ? lineageOf(selectedKey, assetAdjacency) : null),
    [selectedKey, assetAdjacency, groupOf],
  );
  const lineage = useMemo(() => (assetLineage ? viewLineage(assetLineage, groupOf, view.collapsed) : null), [assetLineage, groupOf, view.collapsed]);
  const keys = useMemo(() => assets.map((a) => a.key), [assets]);
  const bounds = useMemo(() => layoutBounds(view), [view]);
  // Far enough out to see the whole graph on a small screen, however large it is.
  const minZoom = Math.min(0.02, 0.5 * Math.min(1000 / bounds.width, 600 / bounds.height));
  // Counts per group change with statuses; they never move anything.
  const summaries = useMemo(() => groupSummaries(assets), [assets]);

  // Node objects are reused while their data is unchanged, so a status update re-renders only what it touched.
  const nodeCache = useRef(new Map<string, AssetFlowNode>());
  const assetNodes = useMemo(() => {
    const next = new Map<string, AssetFlowNode>();
    for (const asset of assets) {
      const position = view.positions[asset.key];
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
  }, [assets, view]);

  const groupNodes = useMemo(() => {
    return new Map<string, GroupFlowNode>(
      view.groups
        .filter((g) => !view.collapsed.has(g.group))
        .map((g) => [
          g.group,
          {
            id: `box:${g.group}`,
            type: 'group-box',
            position: { x: g.x, y: g.y },
            width: g.width,
            height: g.height,
            data: { group: g.group, count: summaries.get(g.group)?.count ?? 0 },
            selectable: false,
            draggable: false,
            focusable: false,
            zIndex: -1,
            style: { pointerEvents: 'none' },
          },
        ]),
    );
  }, [view, summaries]);

  // Cards are few (one per collapsed group) and always mounted, at any zoom: they are the overview.
  const cardNodes = useMemo<GroupCardFlowNode[]>(
    () =>
      view.groups
        .filter((g) => view.collapsed.has(g.group))
        .map((g) => ({
          id: cardId(g.group),
          type: 'group-card',
          position: { x: g.x, y: g.y },
          width: g.width,
          height: g.height,
          handles: cardHandles(g.width, g.height),
          data: { group: g.group, summary: summaries.get(g.group), pending: pendingGroups.has(g.group) },
          selectable: false,
          draggable: false,
        })),
    [view, summaries, pendingGroups],
  );
  const cardIds = useMemo(() => new Set(cardNodes.map((n) => n.id)), [cardNodes]);

  const allEdges = useMemo<LineageFlowEdge[]>(() => {
    const heaviest = drawnEdges.reduce((max, e) => Math.max(max, e.weight), 1);
    return drawnEdges.map((e) => ({
      id: e.id,
      type: 'lineage',
      source: e.from,
      target: e.to,
      focusable: false,
      data: { weight: e.weight, share: e.weight / heaviest },
    }));
  }, [drawnEdges]);

  const contents = useMemo(() => (detailed && detailWindow ? windowContents(view, adjacency, detailWindow) : null), [detailed, detailWindow, view, adjacency]);
  const flowNodes = useMemo<FlowNode[]>(() => {
    const result: FlowNode[] = [...cardNodes];
    if (!contents) return result;
    for (const group of contents.groups) {
      const node = groupNodes.get(group);
      if (node) result.push(node);
    }
    for (const key of contents.withNeighbours) {
      const node = assetNodes.get(key);
      if (node) result.push(node);
    }
    return result;
  }, [cardNodes, contents, groupNodes, assetNodes]);
  const flowEdges = useMemo(
    () =>
      contents
        ? allEdges.filter((e) => contents.inside.has(e.source) || contents.inside.has(e.target) || (cardIds.has(e.source) && cardIds.has(e.target)))
        : [],
    [contents, allEdges, cardIds],
  );

  const statuses = useMemo(() => new Map<string, AssetStatus>(assets.map((a) => [a.key, a.status])), [assets]);
  const scene = useMemo<OverviewScene>(
    () => ({ layout: view, edges: drawnEdges, statuses, selectedKey, lineage }),
    [view, drawnEdges, statuses, selectedKey, lineage],
  );
  const highlight = useMemo<Highlight>(() => ({ selectedKey: lineage ? selectedKey : null, lineage }), [selectedKey, lineage]);

  // Fits a box below the toolbar (React Flow's fitBounds pads evenly, so the search box would hide the top row).
  const store = useStoreApi();
  const fitBox = useCallback(
    (box: Box, duration: number) => {
      const { width, height } = store.getState();
      const room = { width: Math.max(100, width - 2 * FIT_MARGIN.side), height: Math.max(100, height - FIT_MARGIN.top - FIT_MARGIN.bottom) };
      const zoom = Math.max(minZoom, Math.min(1, room.width / box.width, room.height / box.height));
      const x = FIT_MARGIN.side + (room.width - box.width * zoom) / 2 - box.x * zoom;
      const y = FIT_MARGIN.top + (room.height - box.height * zoom) / 2 - box.y * zoom;
      void flow.setViewport({ x, y, zoom }, { duration });
    },
    [flow, store, minZoom],
  );
  const fitAll = useCallback((duration = 300) => fitBox(bounds, duration), [fitBox, bounds]);

  const centreOn = useCallback(
    (key: string, duration = 400) => {
      const position = view.positions[key];
      if (!position) return;
      void flow.setCenter(position.x + NODE_WIDTH / 2, position.y + NODE_HEIGHT / 2, { zoom: Math.max(flow.getZoom(), 0.9), duration });
    },
    [flow, view],
  );

  // First view: the asset named in the URL, or the whole graph.
  const initialised = useRef(false);
  const centred = useRef<string | null>(null);
  const onInit = useCallback(() => {
    if (initialised.current) return;
    initialised.current = true;
    if (focusKey && view.positions[focusKey]) {
      centred.current = focusKey;
      centreOn(focusKey, 0);
    } else fitAll(0);
    setReady(true);
  }, [focusKey, view, centreOn, fitAll]);

  // When the view changes: centre on an asset the URL names once it is drawn (after its group was expanded for it);
  // otherwise show a group the user just expanded, or everything after a collapse.
  const shownCollapsed = useRef(view.collapsed);
  useEffect(() => {
    const before = shownCollapsed.current;
    shownCollapsed.current = view.collapsed;
    if (!initialised.current) return;
    if (focusKey && centred.current !== focusKey && view.positions[focusKey]) {
      centred.current = focusKey;
      setSelectedKey(focusKey);
      centreOn(focusKey);
      return;
    }
    if (before === view.collapsed) return;
    const opened = [...before].filter((g) => !view.collapsed.has(g));
    const closed = [...view.collapsed].filter((g) => !before.has(g));
    const box = opened.length === 1 && closed.length === 0 ? view.groups.find((g) => g.group === opened[0]) : undefined;
    if (box) fitBox(box, 300);
    else if (closed.length > 0) fitAll();
  }, [view, focusKey, centreOn, fitAll, fitBox]);

  const toggleGroup = useMemo(() => {
    if (!onExpand) return null;
    return (group: string): void => {
      onExpand(expanded.includes(group) ? expanded.filter((g) => g !== group) : [...expanded, group], null);
    };
  }, [onExpand, expanded]);

  const pickFromSearch = useCallback(
    (key: string) => {
      const group = groupOf.get(key);
      if (!view.positions[key] && group !== undefined && onExpand) {
        // Inside a collapsed group: expand it, and the view centres on the asset once it is laid out.
        centred.current = null;
        onExpand(expanded.includes(group) ? expanded : [...expanded, group], key);
        return;
      }
      setSelectedKey(key);
      centred.current = key;
      centreOn(key);
    },
    [centreOn, groupOf, view, onExpand, expanded],
  );

  const onNodeClick = useCallback<NodeMouseHandler<FlowNode>>((_, node) => {
    if (node.type !== 'asset') return;
    setSelectedKey((current) => (current === node.id ? null : node.id));
  }, []);
  const onNodeDoubleClick = useCallback<NodeMouseHandler<FlowNode>>((_, node) => {
    if (node.type === 'asset') navigate(assetHref(node.id));
  }, []);

  // On the canvas there are no node elements: find the asset under the pointer ourselves.
  const assetAt = useCallback((event: MouseEvent) => hitTest(view, flow.screenToFlowPosition({ x: event.clientX, y: event.clientY })), [flow, view]);
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
  const shownExpanded = view.groups.filter((g) => !view.collapsed.has(g.group)).map((g) => g.group);

  return (
    <div
      ref={container}
      className={`lineage-graph${lineage ? ' has-selection' : ''}`}
      data-testid="lineage-graph"
      data-layout-ms={Math.round(view.elapsedMs)}
      data-layout-strategy={view.strategy}
      data-render-mode={ready ? (detailed ? 'dom' : 'canvas') : 'pending'}
      data-asset-count={assets.length}
      data-view={view.collapsed.size > 0 ? 'groups' : 'assets'}
      data-expanded={shownExpanded.join(',')}
      data-layout-pending={pendingGroups.size > 0 ? 'true' : 'false'}
      onDoubleClick={onDoubleClick}
    >
      <HighlightContext value={highlight}>
        <GroupToggleContext value={toggleGroup}>
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
        </GroupToggleContext>
        {assets.length > MINIMAP_MIN_ASSETS && !view.groups.every((g) => view.collapsed.has(g.group)) && (
          <div className="graph-corner">
            <GraphMinimap scene={scene} bounds={bounds} />
          </div>
        )}
      </HighlightContext>
      <div className="graph-toolbar">
        <GraphSearch keys={keys} onPick={pickFromSearch} />
        <Legend />
        {onExpand && expanded.length > 0 && (
          <div className="expanded-groups" aria-label="Expanded groups">
            {expanded.map((group) => (
              <button
                key={group}
                type="button"
                onClick={() =>
                  onExpand(
                    expanded.filter((g) => g !== group),
                    null,
                  )
                }
                aria-label={`Collapse group ${group}`}
              >
                {group} ×
              </button>
            ))}
            {expanded.length > 1 && (
              <button type="button" onClick={() => onExpand([], null)}>
                Collapse all
              </button>
            )}
          </div>
        )}
        {!detailed && ready && view.collapsed.size === 0 && <span className="graph-hint">Zoom in to read the assets · click one to trace its lineage</span>}
      </div>
      {selectedAsset && assetLineage && (
        <SelectedAssetPanel
          key={selectedAsset.key}
          asset={selectedAsset}
          upstreamCount={assetLineage.upstream.size}
          downstreamCount={assetLineage.downstream.size}
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
