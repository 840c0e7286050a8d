// Per-asset timeline of a run (SVG): one bar per step from its start to its end, live while it runs.
import type { RunStep } from '../../../src/server/api-types';
import { formatDuration } from '../format';
import { useElementWidth } from '../hooks/useElementWidth';
import { assetHref } from '../routing/route';

const MIN_WIDTH = 640;
const LABEL_WIDTH = 220;
const ROW_HEIGHT = 28;
const AXIS_HEIGHT = 24;
const RIGHT_PAD = 72;

function time(iso: string | null): number | null {
  if (!iso) return null;
  const t = new Date(iso).getTime();
  return Number.isNaN(t) ? null : t;
}

/** Round tick spacing (1, 2, 5 × 10^n ms) giving about five ticks. */
function tickStep(span: number): number {
  const raw = span / 5;
  const magnitude = 10 ** Math.floor(Math.log10(Math.max(raw, 1)));
  for (const m of [1, 2, 5, 10]) if (m * magnitude >= raw) return m * magnitude;
  return 10 * magnitude;
}

export function RunGantt({ steps, runStartedAt, now }: { steps: RunStep[]; runStartedAt: string | null; now: number }) {
  const [box, measured] = useElementWidth<HTMLDivElement>(960);
  const WIDTH = Math.max(MIN_WIDTH, measured);
  if (steps.length === 0) return <p className="muted">The plan for this run is not known yet.</p>;
  const ordered = [...steps].sort((a, b) => (time(a.startedAt) ?? Infinity) - (time(b.startedAt) ?? Infinity));
  const starts = ordered.map((s) => time(s.startedAt)).filter((t): t is number => t !== null);
  const t0 = Math.min(time(runStartedAt) ?? Infinity, ...starts);
  const ends = ordered.map((s) => (s.startedAt ? (time(s.endedAt) ?? now) : null)).filter((t): t is number => t !== null);
  const hasTimes = Number.isFinite(t0);
  const t1 = hasTimes ? Math.max(t0 + 1000, ...ends) : 0;
  const span = t1 - t0;
  const plotWidth = WIDTH - LABEL_WIDTH - RIGHT_PAD;
  const x = (t: number): number => LABEL_WIDTH + ((t - t0) / span) * plotWidth;
  const height = AXIS_HEIGHT + ordered.length * ROW_HEIGHT + 4;
  const step = hasTimes ? tickStep(span) : 0;
  const ticks = hasTimes ? Array.from({ length: Math.floor(span / step) + 1 }, (_, i) => i * step) : [];

  return (
    <div className="gantt" ref={box}>
      <svg width={WIDTH} height={height} viewBox={`0 0 ${WIDTH} ${height}`} role="img" aria-label="Run timeline">
        {ticks.map((offset) => (
          <g key={offset}>
            <line className="gantt-tick" x1={x(t0 + offset)} x2={x(t0 + offset)} y1={AXIS_HEIGHT - 4} y2={height} />
            <text className="plot-label" x={x(t0 + offset)} y={AXIS_HEIGHT - 8} textAnchor="middle">
              {formatDuration(offset)}
            </text>
          </g>
        ))}
        {ordered.map((s, i) => {
          const y = AXIS_HEIGHT + i * ROW_HEIGHT;
          const start = time(s.startedAt);
          const end = start === null ? null : (time(s.endedAt) ?? now);
          const barX = start === null ? 0 : x(start);
          const barW = start === null || end === null ? 0 : Math.max(3, x(end) - barX);
          return (
            <g key={s.assetKey} className={`gantt-row step-${s.status}`}>
              {i % 2 === 1 && <rect className="gantt-stripe" x={0} y={y} width={WIDTH} height={ROW_HEIGHT} />}
              <a href={assetHref(s.assetKey)}>
                <text className="gantt-label" x={8} y={y + ROW_HEIGHT / 2 + 4}>
                  {s.assetKey.length > 30 ? `…${s.assetKey.slice(-29)}` : s.assetKey}
                </text>
              </a>
              {start !== null && end !== null ? (
                <>
                  <rect className="gantt-bar" x={barX} y={y + 6} width={barW} height={ROW_HEIGHT - 12} rx={3}>
                    <title>{`${s.assetKey}: ${s.status}, ${formatDuration(end - start)}${s.attempts > 1 ? `, ${s.attempts} attempts` : ''}`}</title>
                  </rect>
                  <text className="plot-label" x={barX + barW + 6} y={y + ROW_HEIGHT / 2 + 4}>
                    {formatDuration(end - start)}
                    {s.attempts > 1 ? ` ×${s.attempts}` : ''}
                  </text>
                </>
              ) : (
                <text className="plot-label gantt-waiting" x={LABEL_WIDTH} y={y + ROW_HEIGHT / 2 + 4}>
                  {s.status.replace('_', ' ')}
                </text>
              )}
            </g>
          );
        })}
      </svg>
    </div>
  );
}
