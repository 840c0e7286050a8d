// Live progress of a run in the terminal: a redrawn per-asset table on a TTY, one line per event otherwise.
import type { RunEvent } from '../server/api-types.js';
import type { RunEventBus } from '../runtime/run-events.js';
import { formatMs } from '../runtime/sluice.js';

interface AssetLine {
  state: string;
  rows: number | null;
  startedAt: number | null;
  elapsedMs: number | null;
}

const SYMBOLS: Record<string, string> = { pending: '·', running: '▶', succeeded: '✔', failed: '✖', skipped: '↷', canceled: '■', 'not executed': '■', retrying: '↻' };

/**
 * Subscribes to a run's events and renders them; call the returned function to stop.
 * @example const stop = showProgress(sluice.bus, keys, process.stdout); await sluice.materialize(); stop();
 */
export function showProgress(bus: RunEventBus, assetKeys: readonly string[], out: NodeJS.WriteStream): () => void {
  const lines = new Map<string, AssetLine>(assetKeys.map((k) => [k, { state: 'pending', rows: null, startedAt: null, elapsedMs: null }]));
  const width = Math.max(10, ...assetKeys.map((k) => k.length));
  const live = out.isTTY === true;
  let drawn = 0;

  const render = (): void => {
    if (drawn > 0) out.write(`\x1b[${drawn}A`);
    const now = performance.now();
    for (const [key, line] of lines) {
      const elapsed = line.elapsedMs ?? (line.startedAt !== null ? now - line.startedAt : null);
      const rows = line.rows !== null ? `${line.rows.toLocaleString('en-US')} rows` : '';
      out.write(`\x1b[2K ${SYMBOLS[line.state] ?? ' '} ${key.padEnd(width)}  ${line.state.padEnd(12)} ${rows.padStart(16)}  ${elapsed !== null ? formatMs(elapsed) : ''}\n`);
    }
    drawn = lines.size;
  };

  const onEvent = (event: RunEvent): void => {
    const line = event.assetKey ? lines.get(event.assetKey) : undefined;
    if (line) update(line, event);
    if (live) render();
    else if (event.type !== 'asset_log' || event.level !== 'info') out.write(`${event.ts.slice(11, 23)} ${event.assetKey ?? 'run'}: ${event.message}\n`);
  };

  bus.on('event', onEvent);
  const timer = live ? setInterval(render, 250) : undefined;
  if (live) render();
  return () => {
    bus.off('event', onEvent);
    if (timer) clearInterval(timer);
    if (live) render();
  };
}

function update(line: AssetLine, event: RunEvent): void {
  switch (event.type) {
    case 'asset_started':
      line.state = 'running';
      line.startedAt = performance.now();
      break;
    case 'asset_retrying':
      line.state = 'retrying';
      break;
    case 'asset_succeeded':
      line.state = 'succeeded';
      line.rows = (event.data.rowCount as number | null) ?? null;
      line.elapsedMs = event.data.durationMs as number;
      break;
    case 'asset_failed':
      line.state = 'failed';
      line.elapsedMs = event.data.durationMs as number;
      break;
    case 'asset_skipped':
      line.state = 'skipped';
      break;
    case 'asset_not_executed':
      line.state = event.data.reason === 'canceled' ? 'canceled' : 'not executed';
      break;
  }
}
