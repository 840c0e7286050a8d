// The labelled box drawn behind the assets of one group.
import type { Node, NodeProps } from '@xyflow/react';
import { memo } from 'react';

export type GroupNodeData = { group: string; count: number };

export type GroupFlowNode = Node<GroupNodeData, 'group-box'>;

function GroupNodeView({ data, width, height }: NodeProps<GroupFlowNode>) {
  return (
    <div className="group-box" style={{ width, height }}>
      <div className="group-box-label">
        {data.group} <span className="muted">· {data.count}</span>
      </div>
    </div>
  );
}

export const GroupNode = memo(GroupNodeView);
