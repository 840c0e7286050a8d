// An edge of the lineage graph: a bezier curve, drawn blue on the selected asset's paths and faint elsewhere.
import { BaseEdge, getBezierPath, type Edge, type EdgeProps } from '@xyflow/react';
import { memo, useContext } from 'react';
import { HighlightContext } from './highlight-context';
import { isLineageEdge } from './lineage';

export type LineageFlowEdge = Edge<Record<string, never>, 'lineage'>;

function LineageEdgeView({ source, target, sourceX, sourceY, targetX, targetY, sourcePosition, targetPosition }: EdgeProps<LineageFlowEdge>) {
  const { selectedKey, lineage } = useContext(HighlightContext);
  const [path] = getBezierPath({ sourceX, sourceY, targetX, targetY, sourcePosition, targetPosition });
  let className = 'lineage-edge';
  if (selectedKey && lineage) className += isLineageEdge({ from: source, to: target }, selectedKey, lineage) ? ' edge-lit' : ' edge-dimmed';
  return <BaseEdge path={path} className={className} />;
}

export const LineageEdge = memo(LineageEdgeView);
