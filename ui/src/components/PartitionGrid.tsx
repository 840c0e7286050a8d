// The status of every partition of an asset on one canvas (fast at 10,000+), with a range selection to backfill; nothing for unpartitioned assets.
import { useEffect, useRef, useState, type MouseEvent } from 'react';
import type { PartitionGridResponse } from '../../../src/server/views/partition-grid';
import type { BackfillResponse } from '../../../src/server/routes/automation';
import { ApiError, assetApiPath, postJson } from '../api/client';
import { useApi } from '../api/useApi';
import { useServerEvents } from '../api/useServerEvents';
import { formatCount } from '../format';
import { useCoalescedCallback } from '../hooks/useCoalescedCallback';
import { useElementWidth } from '../hooks/useElementWidth';
import { backfillsHref } from '../routing/route';
import { cellAt, gridGeometry, PARTITION_COLOURS, PARTITION_LABELS } from './partition-cells';
import { usePoll } from './usePoll';

export function PartitionGrid({ assetKey }: { assetKey: string }) {
  const grid = useApi<PartitionGridResponse>(`${assetApiPath(assetKey)}/partitions`);
  const refresh = useCoalescedCallback(grid.reload, 300);
  useServerEvents((message) => {
    if (message.kind === 'run-status' && message.run.assetKeys.includes(assetKey)) refresh();
  });
  usePoll(() => {
    if (grid.data?.status.includes('r')) refresh();
  }, 1500);
  if (!grid.data?.partitioned) return grid.error ? <p className="inline-error">{grid.error.message}</p> : null;
  return (
    <section className="card">
      <h2>Partitions</h2>
      <PartitionCanvas data={grid.data} onLaunched={refresh} />
    </section>
  );
}

function PartitionCanvas({ data, onLaunched }: { data: PartitionGridResponse; onLaunched: () => void }) {
  const [ref, width] = useElementWidth<HTMLDivElement>(900);
  const canvas = useRef<HTMLCanvasElement>(null);
  const [from, setFrom] = useState<number | null>(null);
  const [to, setTo] = useState<number | null>(null);
  const [hover, setHover] = useState<number>(-1);
  const [message, setMessage] = useState<{ text: string; error: boolean } | null>(null);
  const [pending, setPending] = useState(false);
  const count = data.keys.length;
  const geometry = gridGeometry(count, width);
  const [lo, hi] = from === null ? [-1, -1] : [Math.min(from, to ?? from), Math.max(from, to ?? from)];

  useEffect(() => {
    const element = canvas.current;
    const context = element?.getContext('2d');
    if (!element || !context) return;
    const ratio = window.devicePixelRatio || 1;
    element.width = Math.max(1, Math.round(width * ratio));
    element.height = Math.max(1, Math.round(geometry.height * ratio));
    context.setTransform(ratio, 0, 0, ratio, 0, 0);
    context.clearRect(0, 0, width, geometry.height);
    const step = geometry.cell + geometry.gap;
    // One fillStyle change per status, not per cell: 10,000 cells draw in a few milliseconds.
    for (const code of Object.keys(PARTITION_COLOURS)) {
      context.fillStyle = PARTITION_COLOURS[code]!;
      for (let i = 0; i < count; i++) {
        if (data.status[i] !== code) continue;
        context.fillRect((i % geometry.columns) * step, Math.floor(i / geometry.columns) * step, geometry.cell, geometry.cell);
      }
    }
    if (lo >= 0) {
      context.strokeStyle = '#1c2330';
      context.lineWidth = geometry.cell >= 8 ? 1.5 : 1;
      for (let i = lo; i <= hi; i++)
        context.strokeRect((i % geometry.columns) * step + 0.5, Math.floor(i / geometry.columns) * step + 0.5, geometry.cell - 1, geometry.cell - 1);
    }
  }, [data, width, geometry.height, geometry.cell, geometry.gap, geometry.columns, count, lo, hi]);

  const indexOf = (event: MouseEvent<HTMLCanvasElement>): number => {
    const rect = event.currentTarget.getBoundingClientRect();
    return cellAt(event.clientX - rect.left, event.clientY - rect.top, count, geometry);
  };
  const onClick = (event: MouseEvent<HTMLCanvasElement>): void => {
    const index = indexOf(event);
    if (index < 0) return;
    setTyped({});
    if (event.shiftKey && from !== null) setTo(index);
    else {
      setFrom(index);
      setTo(null);
    }
  };
  const [typed, setTyped] = useState<{ from?: string; to?: string }>({});
  // Typed text stays as typed; a complete partition key also moves the selection.
  const setByKey = (which: 'from' | 'to', key: string): void => {
    setTyped((t) => ({ ...t, [which]: key }));
    const index = data.keys.indexOf(key.trim());
    if (index < 0) return;
    if (which === 'from') setFrom(index);
    else setTo(index);
  };
  const shownKey = (which: 'from' | 'to', index: number): string => typed[which] ?? (index >= 0 ? data.keys[index]! : '');
  const backfill = (): void => {
    if (lo < 0) return;
    setPending(true);
    setMessage(null);
    postJson<BackfillResponse>('/api/backfills', { select: data.assetKey, from: data.keys[lo], to: data.keys[hi] })
      .then(
        (answer) => {
          setMessage({ text: `Backfill ${answer.backfill.id.slice(0, 8)} started: ${answer.backfill.partitions.length} partitions.`, error: false });
          onLaunched();
        },
        (cause: unknown) => setMessage({ text: cause instanceof ApiError ? cause.message : String(cause), error: true }),
      )
      .finally(() => setPending(false));
  };

  const selected = lo >= 0 ? hi - lo + 1 : 0;
  return (
    <div
      className="partition-grid"
      data-testid="partition-grid"
      data-status={data.status}
      data-columns={geometry.columns}
      data-cell={geometry.cell}
      data-gap={geometry.gap}
    >
      <p className="small partition-legend">
        {Object.entries(data.counts).map(([name, n]) => {
          const code = Object.keys(PARTITION_LABELS).find((c) => PARTITION_LABELS[c]!.startsWith(name === 'running' ? 'in a' : name))!;
          return (
            <span key={name} className="legend-item">
              <span className="legend-swatch" style={{ background: PARTITION_COLOURS[code] }} /> {formatCount(n)} {PARTITION_LABELS[code]}
            </span>
          );
        })}
        <span className="muted">
          {' '}
          · {formatCount(count)} {data.type} partitions
        </span>
      </p>
      <div ref={ref} className="partition-canvas-box">
        <canvas
          ref={canvas}
          style={{ width: `${width}px`, height: `${geometry.height}px` }}
          onClick={onClick}
          onMouseMove={(e) => setHover(indexOf(e))}
          onMouseLeave={() => setHover(-1)}
          aria-label={`Partitions of ${data.assetKey}: click one, shift-click another to select a range`}
        />
      </div>
      <p className="small muted partition-hover">
        {hover >= 0 ? `${data.keys[hover]}: ${PARTITION_LABELS[data.status[hover]!]}` : 'Click a partition, then shift-click another to select a range.'}
      </p>
      <div className="partition-actions">
        <label>
          From{' '}
          <input
            className="mono"
            aria-label="First partition"
            value={shownKey('from', lo)}
            placeholder={data.keys[0]}
            onChange={(e) => setByKey('from', e.target.value)}
            size={12}
          />
        </label>
        <label>
          to{' '}
          <input
            className="mono"
            aria-label="Last partition"
            value={shownKey('to', hi)}
            placeholder={data.keys.at(-1)}
            onChange={(e) => setByKey('to', e.target.value)}
            size={12}
          />
        </label>
        <button type="button" className="button button-primary" disabled={selected === 0 || pending} onClick={backfill}>
          {selected > 0 ? `Backfill ${formatCount(selected)} partition${selected === 1 ? '' : 's'}` : 'Backfill'}
        </button>
        {message &&
          (message.error ? (
            <span className="inline-error">{message.text}</span>
          ) : (
            <span className="small">
              {message.text} <a href={backfillsHref()}>Backfills</a>
            </span>
          ))}
      </div>
    </div>
  );
}
