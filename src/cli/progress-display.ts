// Live progress of a run in the terminal: a redrawn per-asset table on a TTY, one line per event otherwise.
import type { RunEvent } from '../model/run-event.js';
import { formatMs } from '../runtime/format-ms.js';
import { RunState, type StepState } from '../runtime/run-state.js';
import { formatCount } from './text-table.js';

const SYMBOLS: Record<string, string> = {
  pending: '·',
  running: '▶',
  succeeded: '✔',
  failed: '✖',
  skipped: '↷',
  canceled: '■',
  'not executed': '■',
  retrying: '↻',
};

/** A progress display fed with a run's events; `stop()` draws the last state and ends the redraws. */
export interface ProgressDisplay {
  onEvent(event: RunEvent): void;
  stop(): void;
}

/**
 * Renders a run's progress from its events, folded by the runtime's one run-state projection.
 * @example const display = showProgress(plan.steps.map((s) => s.key), process.stdout); handle.follow(display.onEvent); display.stop();
 */
export function showProgress(assetKeys: readonly string[], out: NodeJS.WriteStream): ProgressDisplay {
  const state = new RunState(assetKeys);
  /** When each step started, on this machine's clock (the live elapsed time of a running asset). */
  const startedAt = new Map<string, number>();
  const width = Math.max(10, ...assetKeys.map((k) => k.length));
  const live = out.isTTY === true;
  let drawn = 0;
  let stopped = false;

  const render = (): void => {
    if (drawn > 0) out.write(`\x1b[${drawn}A`);
    const now = performance.now();
    for (const [key, step] of state.steps) {
      const label = labelOf(step);
      const since = startedAt.get(key);
      const elapsed = step.durationMs ?? (step.status === 'running' && since !== undefined ? now - since : null);
      const rows = step.rowCount !== null ? `${formatCount(step.rowCount)} rows` : '';
      out.write(
        `\x1b[2K ${SYMBOLS[label] ?? ' '} ${key.padEnd(width)}  ${label.padEnd(12)} ${rows.padStart(16)}  ${elapsed !== null ? formatMs(elapsed) : ''}\n`,
      );
    }
    drawn = state.steps.size;
  };

  const onEvent = (event: RunEvent): void => {
    if (stopped) return;
    state.apply(event);
    if (event.type === 'asset_started' && event.assetKey !== null) startedAt.set(event.assetKey, performance.now());
    if (live) render();
    else if (event.type !== 'asset_log' || event.level !== 'info') out.write(`${event.ts.slice(11, 23)} ${event.assetKey ?? 'run'}: ${event.message}\n`);
  };

  const timer = live ? setInterval(render, 250) : undefined;
  if (live) render();
  return {
    onEvent,
    stop: () => {
      if (stopped) return;
      stopped = true;
      if (timer) clearInterval(timer);
      if (live) render();
    },
  };
}

/** The word shown for a step: a retry in progress, and "not executed" in words. */
function labelOf(step: StepState): string {
  if (step.retrying) return 'retrying';
  if (step.status === 'not_executed') return 'not executed';
  return step.status;
}
