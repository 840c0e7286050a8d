// Runs cron schedules: launches due ticks under the missed-tick policy and remembers the last tick handled.
import { messageOf, SluiceError } from '../errors.js';
import type { ScheduleDefinition } from '../model/project-definition.js';
import { partitionKeys } from '../model/partitions.js';
import type { Sluice } from '../runtime/sluice.js';
import type { AutomationContext, LaunchRequest } from './automation-context.js';
import { dueTicks } from './schedule-calculation.js';

/**
 * Evaluates one schedule at `context.now()`. A schedule seen for the first time only fires on a tick
 * within the grace period and stores `now` as its cursor, so downtime after that point is handled by
 * its missed-tick policy (`skip`, `latest`, `all`). A schedule that is off consumes its ticks without
 * launching, so switching it on does not replay the ticks of the off period.
 * @example await evaluateSchedule({ name: 'nightly', cron: '0 3 * * *', select: 'group:dims' }, context);
 */
export async function evaluateSchedule(schedule: ScheduleDefinition, context: AutomationContext): Promise<void> {
  const now = context.now();
  const saved = context.state(schedule.name)?.lastTickAt;
  const lastTick = saved ? new Date(saved) : undefined;
  const due = dueTicks(
    {
      cron: schedule.cron,
      ...(schedule.timezone ? { timezone: schedule.timezone } : {}),
      ...(schedule.missedTicks ? { missedTicks: schedule.missedTicks } : {}),
      ...(schedule.maxCatchUp ? { maxCatchUp: schedule.maxCatchUp } : {}),
    },
    { lastTick, now },
  );
  const cursor = due.cursor ?? lastTick ?? now;
  if (due.ticks.length === 0) {
    if (!lastTick) await context.saveState(schedule.name, 'schedule', { lastTickAt: cursor.toISOString() });
    return;
  }
  const policy = schedule.missedTicks ?? 'latest';
  const dropped = due.dropped ? ` (older missed ticks dropped by the "${policy}" policy)` : '';
  let lastRunId: string | undefined;
  for (const tick of due.ticks) {
    const at = tick.toISOString();
    if (!context.isEnabled(schedule.name)) {
      await context.record({ name: schedule.name, kind: 'schedule', launched: false, reason: `tick ${at} skipped: the schedule is off`, data: { tick: at } });
      continue;
    }
    const late = now.getTime() - tick.getTime() > 60_000 ? `, ${Math.round((now.getTime() - tick.getTime()) / 60_000)} min late after downtime` : '';
    try {
      const request = launchRequest(context.sluice, schedule.select, tick);
      const { runId } = await context.launch(request);
      lastRunId = runId;
      const partition = request.partition ? ` for partition ${request.partition}` : '';
      await context.record({
        name: schedule.name,
        kind: 'schedule',
        launched: true,
        runId,
        reason: `tick ${at}${late}${partition}${dropped}`,
        data: { tick: at, ...(request.partition ? { partition: request.partition } : {}) },
      });
    } catch (error) {
      await context.record({
        name: schedule.name,
        kind: 'schedule',
        launched: false,
        reason: `tick ${at}: the run could not start: ${messageOf(error)}`,
        data: { tick: at },
      });
    }
  }
  await context.saveState(schedule.name, 'schedule', { lastTickAt: cursor.toISOString(), ...(lastRunId ? { lastRunId } : {}) });
}

/**
 * The run a tick launches. A selection with partitioned assets builds the newest partition that is
 * complete at the tick (a nightly tick builds yesterday), since each tick then maps to its own partition.
 * @example launchRequest(sluice, 'gold/daily', new Date('2001-01-02T03:00:00Z')) // { select: 'gold/daily', partition: '2001-01-01' }
 */
export function launchRequest(sluice: Sluice, select: string, at: Date): LaunchRequest {
  const plan = sluice.plan(select);
  const partitioned = plan.steps.map((s) => sluice.project.graph.require(s.key).definition).find((a) => a.partitions);
  if (!partitioned) return { select };
  const partition = partitionKeys(partitioned.partitions!, { now: at }).at(-1);
  if (partition === undefined) throw new SluiceError('INVALID_SELECTION', `asset "${partitioned.key}" has no complete partition at ${at.toISOString()} yet`);
  return { select, partition };
}
