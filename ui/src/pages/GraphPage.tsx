// The lineage page: loads every asset, lays the graph out in a worker and keeps statuses live.
import { useMemo, useRef } from 'react';
import type { AssetsResponse } from '../../../src/server/api-types';
import { useApi } from '../api/useApi';
import { useCoalescedCallback } from '../hooks/useCoalescedCallback';
import { useServerEvents } from '../api/useServerEvents';
import { EmptyState } from '../components/EmptyState';
import { ErrorState } from '../components/ErrorState';
import { LoadingState } from '../components/LoadingState';
import { layoutFingerprint, type LayoutInput } from '../graph/layout';
import { LineageGraph } from '../graph/LineageGraph';
import { useGraphLayout } from '../graph/useGraphLayout';

/** Structure of the graph, kept referentially stable while only statuses change. */
function useStableStructure(data: AssetsResponse | undefined): { input: LayoutInput; fingerprint: string } | undefined {
  const previous = useRef<{ fingerprint: string; input: LayoutInput } | undefined>(undefined);
  return useMemo(() => {
    if (!data) return undefined;
    const input: LayoutInput = {
      nodes: data.assets.map((a) => ({ key: a.key, group: a.group })),
      edges: data.assets.flatMap((a) => a.deps.map((dep) => ({ from: dep, to: a.key }))),
    };
    const fingerprint = layoutFingerprint(input);
    if (previous.current?.fingerprint === fingerprint) return previous.current;
    previous.current = { fingerprint, input };
    return previous.current;
  }, [data]);
}

export function GraphPage({ focus }: { focus: string | null }) {
  const { data, error, loading, reload } = useApi<AssetsResponse>('/api/assets');
  const structure = useStableStructure(data);
  const layoutState = useGraphLayout(structure && structure.input.nodes.length > 0 ? structure : undefined);

  // Statuses change while runs progress; refetch at most once a second and never re-layout for it.
  const refresh = useCoalescedCallback(reload, 1000);
  useServerEvents((message) => {
    if (message.kind === 'run-status' || message.kind === 'open' || message.event.assetKey) refresh();
  });

  if (error && !data) return <ErrorState title="Could not load the assets" error={error} onRetry={reload} />;
  if (!data || !structure) return loading ? <LoadingState label="Loading assets…" /> : null;
  if (data.assets.length === 0) {
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
    return <LoadingState label={`Laying out ${data.assets.length.toLocaleString()} assets…`} />;
  }
  return <LineageGraph assets={data.assets} edges={structure.input.edges} layout={layoutState.layout} focusKey={focus} />;
}
