// One asset box in the lineage graph: name, layer, kind, status colour and check badge (memoized: 1,000s render at once).
import { Handle, Position, type Node, type NodeProps } from '@xyflow/react';
import { memo, useContext } from 'react';
import type { AssetStatus } from '../../../src/server/api-types';
import { assetEmphasis, HighlightContext } from './highlight-context';

export type AssetNodeData = {
  key: string;
  name: string;
  prefix: string;
  kind: string;
  status: AssetStatus;
  failed: number;
  warned: number;
};

export type AssetFlowNode = Node<AssetNodeData, 'asset'>;

const STATUS_TEXT: Record<AssetStatus, string> = {
  fresh: 'fresh',
  stale: 'stale',
  failed: 'failed',
  never: 'never materialized',
  running: 'running',
};

function AssetNodeView({ data }: NodeProps<AssetFlowNode>) {
  const emphasis = assetEmphasis(data.key, useContext(HighlightContext));
  const classes = ['asset-node', `status-${data.status}`, `emphasis-${emphasis}`];
  if (data.failed > 0 || data.warned > 0) classes.push('has-checks');
  return (
    <div className={classes.join(' ')} data-key={data.key}>
      <Handle type="target" position={Position.Left} isConnectable={false} className="asset-handle" />
      <div className="asset-node-name" title={data.key}>
        {data.name}
      </div>
      <div className="asset-node-meta">
        <span className="status-dot" aria-hidden="true" />
        <span>{STATUS_TEXT[data.status]}</span>
        <span className="asset-node-kind">
          {data.prefix} · {data.kind}
        </span>
      </div>
      {(data.failed > 0 || data.warned > 0) && (
        <div className="asset-node-checks" title={`${data.failed} failed, ${data.warned} warned checks`}>
          {data.failed > 0 && <span className="check-count check-failed">✕ {data.failed}</span>}
          {data.warned > 0 && <span className="check-count check-warned">! {data.warned}</span>}
        </div>
      )}
      <Handle type="source" position={Position.Right} isConnectable={false} className="asset-handle" />
    </div>
  );
}

export const AssetNode = memo(AssetNodeView);
