// Declarative automation, pure: which assets to materialize now given their conditions, materializations and the clock, and why.
import type { AssetGraph } from '../model/asset-graph.js';
import type { AutomationCondition } from '../model/asset-definition.js';
import type { MaterializationRecord } from '../store/metadata-store.js';
import { dueTicks } from './schedule-calculation.js';

/** What the evaluation knows about the world; everything time-dependent is passed in. */
export interface ConditionFacts {
  now: Date;
  /** Latest materialization of each asset. */
  latest: ReadonlyMap<string, MaterializationRecord>;
  /** ISO time of each asset's latest failed attempt. */
  failures: ReadonlyMap<string, string>;
  /** Assets some run is building or about to build. */
  inFlight: ReadonlySet<string>;
  /** Per asset, the newest cron tick already handled (undefined: never evaluated). */
  cronCursors: ReadonlyMap<string, Date | undefined>;
  /** Assets switched off with `sluice automation off`. */
  disabled: ReadonlySet<string>;
  /** After a failed attempt, wait this long before launching again (default 60 s). */
  retryAfterMs?: number;
  /** When each asset was last launched by a condition (ms since the epoch, on the same clock as `now`). */
  lastLaunched?: ReadonlyMap<string, number>;
  /** Launch an asset at most once per this many ms (default 0): followers of a busy stream rebuild at a steady pace, not per micro-batch. */
  minIntervalMs?: number;
}

/** The decision about one asset with conditions. */
export interface ConditionDecision {
  key: string;
  launch: boolean;
  /** Why, in plain words. */
  reason: string;
  /** For `cron` conditions: the cursor to store once the decision is acted upon. */
  cronCursor?: Date;
}

/**
 * Evaluates every asset that has automation conditions, upstream first, so an asset whose upstream is
 * launched in this pass is launched with it (one run, in dependency order) instead of one run later.
 * @example evaluateConditions(graph, { now, latest, failures, inFlight: new Set(), cronCursors: new Map(), disabled: new Set() })
 * // [{ key: 'gold/summary', launch: true, reason: 'upstream "silver/flights" has new data' }]
 */
export function evaluateConditions(graph: AssetGraph, facts: ConditionFacts): ConditionDecision[] {
  const launching = new Set<string>();
  const decisions: ConditionDecision[] = [];
  for (const key of graph.order) {
    const definition = graph.get(key)!.definition;
    const conditions = definition.automation;
    if (!conditions || conditions.length === 0) continue;
    const decision = decide(graph, key, conditions, facts, launching, definition.partitions !== undefined);
    if (decision.launch) launching.add(key);
    decisions.push(decision);
  }
  return decisions;
}

interface Verdict {
  launch: boolean;
  reason: string;
  cronCursor?: Date;
}

function decide(
  graph: AssetGraph,
  key: string,
  conditions: readonly AutomationCondition[],
  facts: ConditionFacts,
  launching: ReadonlySet<string>,
  partitioned: boolean,
): ConditionDecision {
  const cronCursor = cronCursorOf(conditions, key, facts);
  const hold = (reason: string): ConditionDecision => ({ key, launch: false, reason, ...(cronCursor.keep ? { cronCursor: cronCursor.keep } : {}) });
  if (facts.disabled.has(key)) return hold('automation is off (`sluice automation on ASSET` turns it on)');
  const verdicts = conditions.map((condition) => verdictOf(graph, key, condition, facts, launching, partitioned));
  const launched = verdicts.filter((v) => v.launch);
  const cursor = verdicts.find((v) => v.cronCursor)?.cronCursor;
  const reasons = (launched.length > 0 ? launched : verdicts).map((v) => v.reason);
  const reason = [...new Set(reasons)].join('; ');
  // Only an asset that would launch is held back; the others keep their own, steadier reason (fewer records).
  if (launched.length === 0) return { key, launch: false, reason, ...(cursor ? { cronCursor: cursor } : {}) };
  if (facts.inFlight.has(key)) return { key, launch: false, reason: `${reason}, but a run is building it now; evaluated again when it ends` };
  const retry = retryWait(key, facts);
  if (retry) return hold(retry);
  const last = facts.lastLaunched?.get(key);
  const own = Math.max(0, ...conditions.map((c) => (c.type === 'upstream_changed' ? (c.minIntervalSeconds ?? 0) * 1000 : 0)));
  const minIntervalMs = Math.max(facts.minIntervalMs ?? 0, own);
  if (last !== undefined && facts.now.getTime() - last < minIntervalMs) {
    // The cron cursor is kept back, so a due tick still fires once the interval has passed.
    return { key, launch: false, reason: `${reason}; waiting: at most one run per ${minIntervalMs} ms` };
  }
  return { key, launch: true, reason, ...(cursor ? { cronCursor: cursor } : {}) };
}

function verdictOf(
  graph: AssetGraph,
  key: string,
  condition: AutomationCondition,
  facts: ConditionFacts,
  launching: ReadonlySet<string>,
  partitioned: boolean,
): Verdict {
  const own = facts.latest.get(key);
  const deps = graph.parentsOf(key);
  const unavailable = deps.filter((dep) => !facts.latest.has(dep) && !launching.has(dep));
  if (partitioned && condition.type !== 'cron') {
    return { launch: false, reason: `"${condition.type}" is not supported on partitioned assets; use a cron condition, a schedule or \`sluice backfill\`` };
  }
  switch (condition.type) {
    case 'missing':
      if (own) return { launch: false, reason: 'already materialized' };
      if (unavailable.length > 0)
        return {
          launch: false,
          reason: `never materialized, but upstream ${quoteList(unavailable)} ${unavailable.length > 1 ? 'are' : 'is'} not materialized yet`,
        };
      return { launch: true, reason: 'never materialized' };
    case 'upstream_changed': {
      if (unavailable.length > 0)
        return { launch: false, reason: `upstream ${quoteList(unavailable)} ${unavailable.length > 1 ? 'are' : 'is'} not materialized yet` };
      const joining = deps.filter((dep) => launching.has(dep));
      if (joining.length > 0)
        return { launch: true, reason: `upstream ${quoteList(joining)} ${joining.length > 1 ? 'are' : 'is'} materialized in the same run` };
      if (!own) return { launch: true, reason: 'never materialized and its upstream data is available' };
      const inputs = (own.metadata.inputVersions ?? {}) as Record<string, string | null>;
      const changed = deps.filter((dep) => (facts.latest.get(dep)?.dataVersion ?? null) !== (inputs[dep] ?? null));
      if (changed.length > 0)
        return { launch: true, reason: `upstream ${quoteList(changed)} ${changed.length > 1 ? 'have' : 'has'} new data since the last materialization` };
      return { launch: false, reason: 'no upstream has new data since the last materialization' };
    }
    case 'fresh_within': {
      if (!own) {
        if (unavailable.length > 0) return { launch: false, reason: `never materialized, but upstream ${quoteList(unavailable)} is not materialized yet` };
        return { launch: true, reason: `never materialized (must be fresh within ${condition.minutes} min)` };
      }
      const ageMin = (facts.now.getTime() - Date.parse(own.createdAt)) / 60_000;
      if (ageMin > condition.minutes)
        return { launch: true, reason: `last materialized ${Math.round(ageMin)} min ago, over the ${condition.minutes} min limit` };
      return { launch: false, reason: `fresh: materialized ${Math.round(ageMin)} min ago (limit ${condition.minutes} min)` };
    }
    case 'cron': {
      const { ticks, cursor } = dueTicks(
        { cron: condition.cron, ...(condition.timezone ? { timezone: condition.timezone } : {}) },
        { lastTick: facts.cronCursors.get(key), now: facts.now },
      );
      const keep = cursor ?? facts.cronCursors.get(key) ?? facts.now;
      if (ticks.length === 0)
        return { launch: false, reason: `no cron tick due (${condition.cron}${condition.timezone ? ` ${condition.timezone}` : ''})`, cronCursor: keep };
      return {
        launch: true,
        reason: `cron tick ${ticks.at(-1)!.toISOString()} (${condition.cron}${condition.timezone ? ` ${condition.timezone}` : ''})`,
        cronCursor: keep,
      };
    }
  }
}

/**
 * While an asset is not evaluated for launch (off, failing), due cron ticks are still consumed, so
 * turning it back on does not replay them; an asset without a cron condition has no cursor.
 */
function cronCursorOf(conditions: readonly AutomationCondition[], key: string, facts: ConditionFacts): { keep?: Date } {
  const cron = conditions.find((c): c is Extract<AutomationCondition, { type: 'cron' }> => c.type === 'cron');
  if (!cron) return {};
  const { cursor } = dueTicks(
    { cron: cron.cron, ...(cron.timezone ? { timezone: cron.timezone } : {}) },
    { lastTick: facts.cronCursors.get(key), now: facts.now, policy: 'skip' },
  );
  return { keep: cursor ?? facts.cronCursors.get(key) ?? facts.now };
}

/** A failed latest attempt waits `retryAfterMs` before the asset is launched again, so a broken asset does not loop. */
function retryWait(key: string, facts: ConditionFacts): string | undefined {
  const failedAt = facts.failures.get(key);
  const own = facts.latest.get(key);
  if (!failedAt || (own && own.createdAt >= failedAt)) return undefined;
  const retryAfterMs = facts.retryAfterMs ?? 60_000;
  const waitMs = Date.parse(failedAt) + retryAfterMs - facts.now.getTime();
  if (waitMs <= 0) return undefined;
  return `its last attempt failed at ${failedAt}; retrying in ${Math.ceil(waitMs / 1000)} s`;
}

function quoteList(keys: readonly string[]): string {
  return keys.map((k) => `"${k}"`).join(', ');
}
