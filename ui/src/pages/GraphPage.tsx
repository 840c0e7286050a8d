// The lineage page: loads the asset graph, lays it out in a worker (a large one group by group) and keeps statuses live.
import { useEffect, useMemo, useRef, useState } from 'react';
import type { AssetsResponse, CheckSummary, LineageResponse } from '../../../src/server/api-types';
import { useApi } from '../api/useApi';
import { useServerEvents } from '../api/useServerEvents';
import { EmptyState } from '../components/EmptyState';
import { ErrorState } from '../components/ErrorState';
import { LoadingState } from '../components/LoadingState';
import { lineageHasChecks, toGraphAssets } from '../graph/graph-data';
import { groupStructure, groupView, viewOfLayout } from '../graph/group-view';
import { COMPOUND_LAYOUT_LIMIT, layoutFingerprint, type LayoutInput } from '../graph/layout';
import { warmUpLayoutWorker } from '../graph/layout-client';
import { LineageGraph } from '../graph/LineageGraph';
import { useGraphLayout } from '../graph/useGraphLayout';
import { useGroupInteriors } from '../graph/useGroupInteriors';
import { useCoalescedCallback } from '../hooks/useCoalescedCallback';
import { useNow } from '../hooks/useNow';
import { graphHref } from '../routing/route';
import { navigate } from '../routing/useRoute';

/** /api/assets is ~2 kB per asset; past this size it is not worth fetching just for check badges. */
const CHECKS_FALLBACK_LIMIT = 2000;
/**
 * Above this many assets the graph opens at the group level (one card per group, expanded on demand). Chosen by
 * measurement in Chromium on 2 busy cores (docs/ui-large-graphs.md): every asset laid out at once costs more than
 * ~1 s of a user's time past this size, and the zoomed-out picture of that many boxes no longer reads.
 */
const OVERVIEW_THRESHOLD = 500;

/** Whether `data` lists the same nodes and edges, in the same order, as `input` (the server's order is stable). */
function sameStructure(data: LineageResponse, input: LayoutInput): boolean {
  if (data.nodes.length !== input.nodes.length || data.edges.length !== input.edges.length) return false;
  for (let i = 0; i < data.nodes.length; i++) {
    const a = data.nodes[i]!;
    const b = input.nodes[i]!;
    if (a.key !== b.key || a.group !== b.group) return false;
  }
  for (let i = 0; i < data.edges.length; i++) {
    const a = data.edges[i]!;
    const b = input.edges[i]!;
    if (a.from !== b.from || a.to !== b.to) return false;
  }
  return true;
}

/** Structure of the graph, kept referentially stable while only statuses change. */
function useStableStructure(data: LineageResponse | undefined): { input: LayoutInput; fingerprint: string } | undefined {
  const previous = useRef<{ fingerprint: string; input: LayoutInput } | undefined>(undefined);
  return useMemo(() => {
    if (!data) return undefined;
    // A status update repeats the structure: one linear comparison instead of sorting and hashing 25,000 strings.
    if (previous.current && sameStructure(data, previous.current.input)) return previous.current;
    const input: LayoutInput = { nodes: data.nodes.map((n) => ({ key: n.key, group: n.group })), edges: data.edges };
    const fingerprint = layoutFingerprint(input);
    if (previous.current?.fingerprint === fingerprint) return previous.current;
    previous.current = { fingerprint, input };
    return previous.current;
  }, [data]);
}

/** Height : width of the page's graph area when it opened; groups are arranged to it (a resize does not relayout). */
function useViewportAspect(): number {
  const [aspect] = useState(() =>
    typeof window === 'undefined' ? 0.6 : Math.max(0.3, Math.min(2, (window.innerHeight - 60) / Math.max(1, window.innerWidth - 220))),
  );
  return aspect;
}

export function GraphPage({ focus, expand }: { focus: string | null; expand?: string[] | undefined }) {
  const { data, error, loading, reload } = useApi<LineageResponse>('/api/lineage');
  // Check counts come with the lineage when the server sends them; otherwise from the asset list, for graphs small enough.
  const needChecks = data !== undefined && !lineageHasChecks(data) && data.nodes.length <= CHECKS_FALLBACK_LIMIT;
  const summaries = useApi<AssetsResponse>(needChecks ? '/api/assets' : null);
  const structure = useStableStructure(data);
  const size = structure?.input.nodes.length ?? 0;
  const compound = size > 0 && size <= COMPOUND_LAYOUT_LIMIT;
  const overview = size > OVERVIEW_THRESHOLD;

  // The worker (and, unless the graph opens at the group level, ELK in it) loads while the lineage is fetched.
  useEffect(() => {
    if (!data) return warmUpLayoutWorker();
    if (!overview) return warmUpLayoutWorker({ elk: true });
    // The overview needs no layout worker; ELK warms up once the page has drawn, ready for a first expansion.
    const timer = setTimeout(() => warmUpLayoutWorker({ elk: true }), 1500);
    return () => clearTimeout(timer);
  }, [data === undefined, overview]);

  const compoundLayout = useGraphLayout(compound ? structure : undefined);
  const groups = useMemo(() => (structure && !compound ? groupStructure(structure.input) : undefined), [structure, compound]);
  const expandKey = expand?.join('\u0000');
  const expanded = useMemo(() => {
    if (!groups) return [];
    if (!overview) return groups.groups;
    return (expand ?? []).filter((g, i, all) => groups.graphs.has(g) && all.indexOf(g) === i);
  }, [groups, overview, expandKey]);
  const interiors = useGroupInteriors(groups, expanded);
  const aspect = useViewportAspect();
  const view = useMemo(() => {
    if (groups) return groupView(groups, interiors.interiors, aspect, interiors.elapsedMs);
    if (structure && compoundLayout.status === 'done') return viewOfLayout(compoundLayout.layout, structure.input.edges);
    return undefined;
  }, [groups, interiors.interiors, interiors.elapsedMs, aspect, structure, compoundLayout]);
  const groupOf = useMemo(() => groups?.groupOf ?? new Map(structure?.input.nodes.map((n) => [n.key, n.group])), [groups, structure]);
  const laidOut = compound ? compoundLayout.status === 'done' : overview || interiors.pending.size === 0;
  const startedAt = useRef(Date.now());
  const now = useNow(!laidOut);

  const assets = useMemo(() => {
    if (!data) return undefined;
    const checks = summaries.data ? new Map<string, CheckSummary>(summaries.data.assets.map((a) => [a.key, a.checks])) : undefined;
    return toGraphAssets(data, checks);
  }, [data, summaries.data]);

  // Statuses change while runs progress: refetch the (light) lineage at most once a second, and never re-layout for it.
  const refresh = useCoalescedCallback(reload, 1000);
  const refreshChecks = useCoalescedCallback(summaries.reload, 3000);
  useServerEvents((message) => {
    if (message.kind === 'run-status' || message.kind === 'open' || message.event.assetKey) refresh();
    if (message.kind === 'run-status' && needChecks) refreshChecks();
  });

  if (error && !data) return <ErrorState title="Could not load the lineage graph" error={error} onRetry={reload} />;
  if (!data || !structure || !assets) return loading ? <LoadingState label="Loading assets…" /> : null;
  if (data.nodes.length === 0) {
    return (
      <EmptyState title="No assets yet">
        <p>
          Define assets in <code>sluice.config.ts</code> (or add <code>.sql</code> files to your assets folder), then restart <code>sluice dev</code>.
        </p>
      </EmptyState>
    );
  }
  const layoutError = compoundLayout.status === 'error' ? compoundLayout.message : interiors.error;
  if (layoutError) {
    return <ErrorState title="Could not lay out the lineage graph" error={{ code: 'layout_failed', message: layoutError }} onRetry={reload} />;
  }
  if (!laidOut || !view) {
    const seconds = Math.round((now - startedAt.current) / 1000);
    return <LoadingState label={`Laying out ${data.nodes.length.toLocaleString()} assets…${seconds >= 2 ? ` ${seconds} s` : ''}`} />;
  }
  return (
    <LineageGraph
      assets={assets}
      edges={structure.input.edges}
      view={view}
      groupOf={groupOf}
      focusKey={focus}
      expanded={expanded}
      pendingGroups={interiors.pending}
      onExpand={overview ? (next, target) => navigate(graphHref(target ?? focus, next)) : undefined}
    />
  );
}
