// The lineage page: loads the asset graph, lays it out in a worker and keeps statuses live.
import { useEffect, useMemo, useRef } from 'react';
import type { AssetsResponse, CheckSummary, LineageResponse } from '../../../src/server/api-types';
import { useApi } from '../api/useApi';
import { useServerEvents } from '../api/useServerEvents';
import { EmptyState } from '../components/EmptyState';
import { ErrorState } from '../components/ErrorState';
import { LoadingState } from '../components/LoadingState';
import { lineageHasChecks, toGraphAssets } from '../graph/graph-data';
import { layoutFingerprint, type LayoutInput } from '../graph/layout';
import { warmUpLayoutWorker } from '../graph/layout-client';
import { LineageGraph } from '../graph/LineageGraph';
import { useGraphLayout } from '../graph/useGraphLayout';
import { useCoalescedCallback } from '../hooks/useCoalescedCallback';
import { useNow } from '../hooks/useNow';

/** /api/assets is ~2 kB per asset; past this size it is not worth fetching just for check badges. */
const CHECKS_FALLBACK_LIMIT = 2000;

/** Structure of the graph, kept referentially stable while only statuses change. */
function useStableStructure(data: LineageResponse | undefined): { input: LayoutInput; fingerprint: string } | undefined {
  const previous = useRef<{ fingerprint: string; input: LayoutInput } | undefined>(undefined);
  return useMemo(() => {
    if (!data) return undefined;
    const input: LayoutInput = { nodes: data.nodes.map((n) => ({ key: n.key, group: n.group })), edges: data.edges };
    const fingerprint = layoutFingerprint(input);
    if (previous.current?.fingerprint === fingerprint) return previous.current;
    previous.current = { fingerprint, input };
    return previous.current;
  }, [data]);
}

export function GraphPage({ focus }: { focus: string | null; expand?: string[] | undefined }) {
  useEffect(() => warmUpLayoutWorker(), []);
  const { data, error, loading, reload } = useApi<LineageResponse>('/api/lineage');
  // Check counts come with the lineage when the server sends them; otherwise from the asset list, for graphs small enough.
  const needChecks = data !== undefined && !lineageHasChecks(data) && data.nodes.length <= CHECKS_FALLBACK_LIMIT;
  const summaries = useApi<AssetsResponse>(needChecks ? '/api/assets' : null);
  const structure = useStableStructure(data);
  const layoutState = useGraphLayout(structure && structure.input.nodes.length > 0 ? structure : undefined);
  const now = useNow(layoutState.status === 'running');

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
          Define assets in <code>sluice.config.ts</code> (or add <code>.sql</code> files to your assets folder), then restart{' '}
          <code>sluice dev</code>.
        </p>
      </EmptyState>
    );
  }
  if (layoutState.status === 'error') {
    return <ErrorState title="Could not lay out the lineage graph" error={{ code: 'layout_failed', message: layoutState.message }} onRetry={reload} />;
  }
  if (layoutState.status !== 'done') {
    const seconds = layoutState.status === 'running' ? Math.round((now - layoutState.startedAt) / 1000) : 0;
    return <LoadingState label={`Laying out ${data.nodes.length.toLocaleString()} assets…${seconds >= 2 ? ` ${seconds} s` : ''}`} />;
  }
  return <LineageGraph assets={assets} edges={structure.input.edges} layout={layoutState.layout} focusKey={focus} />;
}
