// Turns a selection into an ordered plan: the steps to run and which of them each waits for.
import type { AssetGraph } from '../model/asset-graph.js';
import { resolveSelection, type SelectionContext } from '../model/selection.js';

/** One asset to build, and the planned steps it must wait for. */
export interface PlanStep {
  key: string;
  /** Upstream keys that are part of this plan (others are read as already published). */
  waitsFor: string[];
}

/** An executable plan, steps in a valid topological order. */
export interface Plan {
  selection: string;
  steps: PlanStep[];
}

/**
 * Plans the assets a selection names, in dependency order.
 * @example planRun(graph, '+gold/airport_daily_delays').steps.map((s) => s.key)
 */
export function planRun(graph: AssetGraph, selection: string, context: SelectionContext = {}): Plan {
  const selected = resolveSelection(graph, selection, context);
  return planKeys(graph, selected, selection);
}

/** Plans an explicit set of keys (used to re-execute the unfinished part of a run). */
export function planKeys(graph: AssetGraph, keys: ReadonlySet<string>, selection: string): Plan {
  const steps = graph.order.filter((key) => keys.has(key)).map((key) => ({ key, waitsFor: graph.parentsOf(key).filter((dep) => keys.has(dep)) }));
  return { selection, steps };
}
