// An edge of the lineage graph: a bezier curve, drawn blue on the selected asset's paths and faint elsewhere,
// thicker when it stands for many asset edges.
import { BaseEdge, getBezierPath, type Edge, type EdgeProps } from '@xyflow/react';
import { memo, useContext } from 'react';
import { HighlightContext } from './highlight-context';
import { isLineageEdge } from './lineage';
import { edgeWidth } from './overview-draw';

/** `weight`: how many asset edges this edge stands for (between groups, or a group and an asset); `share`: of the heaviest. */
export type LineageFlowEdge = Edge<{ weight: number; share: number }, 'lineage'>;

function LineageEdgeView({ source, target, sourceX, sourceY, targetX, targetY, sourcePosition, targetPosition, data }: EdgeProps<LineageFlowEdge>) {
  const { selectedKey, lineage } = useContext(HighlightContext);
  const [path] = getBezierPath({ sourceX, sourceY, targetX, targetY, sourcePosition, targetPosition });
  let className = 'lineage-edge';
  if (selectedKey && lineage) className += isLineageEdge({ from: source, to: target }, selectedKey, lineage) ? ' edge-lit' : ' edge-dimmed';
  const weight = data?.weight ?? 1;
  // Between groups, light flows fade so the main ones read; plain asset edges keep the stylesheet's look.
  const style =
    data && data.share < 1
      ? { strokeWidth: edgeWidth(weight) + 0.4, opacity: 0.25 + 0.75 * Math.sqrt(data.share) }
      : weight > 1
        ? { strokeWidth: edgeWidth(weight) + 0.4 }
        : undefined;
  return <BaseEdge path={path} className={className} style={style} />;
}

export const LineageEdge = memo(LineageEdgeView);
