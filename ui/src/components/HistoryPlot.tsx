// Hand-drawn SVG plots of row count and duration over the asset's materializations.
import type { MaterializationRecord } from '../../../src/server/api-types';
import { formatCount, formatDateTime, formatDuration } from '../format';
import { useElementWidth } from '../hooks/useElementWidth';

const HEIGHT = 120;
const PAD = { top: 10, right: 12, bottom: 22, left: 84 };

interface Point {
  t: number;
  v: number;
  label: string;
}

function Sparkline({ title, points, format, colour }: { title: string; points: Point[]; format: (v: number) => string; colour: string }) {
  const [box, WIDTH] = useElementWidth<HTMLDivElement>(480);
  if (points.length === 0) {
    return (
      <figure className="plot">
        <figcaption>{title}</figcaption>
        <div ref={box} />
        <p className="muted plot-empty">No data recorded.</p>
      </figure>
    );
  }
  const tMin = Math.min(...points.map((p) => p.t));
  const tMax = Math.max(...points.map((p) => p.t));
  // Scale to the data, not to zero: a 2% drop in rows is exactly what this plot should make visible.
  const vMax = Math.max(...points.map((p) => p.v));
  const vMin = Math.min(...points.map((p) => p.v));
  const innerW = WIDTH - PAD.left - PAD.right;
  const innerH = HEIGHT - PAD.top - PAD.bottom;
  const x = (t: number): number => PAD.left + (tMax === tMin ? innerW / 2 : ((t - tMin) / (tMax - tMin)) * innerW);
  const y = (v: number): number => PAD.top + innerH - (vMax === vMin ? innerH / 2 : ((v - vMin) / (vMax - vMin)) * innerH);
  const path = points.map((p, i) => `${i === 0 ? 'M' : 'L'}${x(p.t).toFixed(1)},${y(p.v).toFixed(1)}`).join(' ');
  const last = points[points.length - 1] as Point;

  return (
    <figure className="plot">
      <figcaption>
        {title} <span className="muted">· latest {format(last.v)}</span>
      </figcaption>
      <div ref={box}>
        <svg width={WIDTH} height={HEIGHT} viewBox={`0 0 ${WIDTH} ${HEIGHT}`} role="img" aria-label={`${title} over ${points.length} materializations`}>
          <line className="plot-axis" x1={PAD.left} x2={WIDTH - PAD.right} y1={PAD.top + innerH} y2={PAD.top + innerH} />
          <line className="plot-grid" x1={PAD.left} x2={WIDTH - PAD.right} y1={PAD.top} y2={PAD.top} />
          <text className="plot-label" x={PAD.left - 8} y={PAD.top + 4} textAnchor="end">
            {format(vMax)}
          </text>
          {vMin !== vMax && (
            <text className="plot-label" x={PAD.left - 8} y={PAD.top + innerH} textAnchor="end">
              {format(vMin)}
            </text>
          )}
          <text className="plot-label" x={PAD.left} y={HEIGHT - 6} textAnchor="start">
            {formatDateTime(new Date(tMin).toISOString())}
          </text>
          {tMax !== tMin && (
            <text className="plot-label" x={WIDTH - PAD.right} y={HEIGHT - 6} textAnchor="end">
              {formatDateTime(new Date(tMax).toISOString())}
            </text>
          )}
          <path d={path} fill="none" stroke={colour} strokeWidth={2} strokeLinejoin="round" />
          {points.map((p, i) => (
            <circle key={i} cx={x(p.t)} cy={y(p.v)} r={points.length > 60 ? 2 : 3.5} fill={colour}>
              <title>{`${p.label}: ${format(p.v)}`}</title>
            </circle>
          ))}
        </svg>
      </div>
    </figure>
  );
}

export function HistoryPlot({ materializations }: { materializations: MaterializationRecord[] }) {
  if (materializations.length < 2) {
    return <p className="muted">One materialization so far; the trend of row count and duration appears after the next one.</p>;
  }
  const ordered = [...materializations]
    .map((m) => ({ m, t: new Date(m.createdAt).getTime() }))
    .filter(({ t }) => !Number.isNaN(t))
    .sort((a, b) => a.t - b.t);
  const rows: Point[] = ordered.flatMap(({ m, t }) => (m.rowCount === null ? [] : [{ t, v: m.rowCount, label: formatDateTime(m.createdAt) }]));
  const durations: Point[] = ordered.map(({ m, t }) => ({ t, v: m.durationMs, label: formatDateTime(m.createdAt) }));
  return (
    <div className="plots">
      <Sparkline title="Row count" points={rows} format={(v) => formatCount(Math.round(v))} colour="#2563eb" />
      <Sparkline title="Duration" points={durations} format={formatDuration} colour="#7c3aed" />
    </div>
  );
}
