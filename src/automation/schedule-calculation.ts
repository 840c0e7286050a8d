// Pure schedule math on croner: validating cron expressions, next ticks, and which ticks are due after downtime.
import { Cron } from 'croner';
import { SluiceError } from '../errors.js';
import { assertTimeZone, instantToWallTime, wallTimeToInstant } from '../model/partitions.js';

/** What to do with ticks that fell due while the daemon was not running. */
export type MissedTickPolicy = 'skip' | 'latest' | 'all';

/** A cron schedule as declared by the user. */
export interface ScheduleConfig {
  /** Five-field cron (`minute hour day-of-month month day-of-week`) or a nickname such as `@daily`. */
  cron: string;
  /** IANA time zone the expression is read in; default `'UTC'`. */
  timezone?: string;
  /** Missed-tick policy; default `'latest'`. */
  missedTicks?: MissedTickPolicy;
  /** With `'all'`, launch at most this many (the most recent) missed ticks; default 24. */
  maxCatchUp?: number;
}

/** Per-call inputs of {@link dueTicks}; the clock is passed in so the function stays pure. */
export interface DueTicksOptions {
  /** The newest tick already handled (launched or deliberately dropped); undefined for a new schedule. */
  lastTick: Date | undefined;
  now: Date;
  /** Overrides the schedule's `missedTicks`. */
  policy?: MissedTickPolicy;
  /** How late a tick may be and still count as on time rather than missed; default 60 s. */
  graceMs?: number;
}

/** The outcome of {@link dueTicks}. */
export interface DueTicksResult {
  /** Ticks to launch now, oldest first. */
  ticks: Date[];
  /** Store this as the next `lastTick`: the newest due tick, whether launched or dropped. */
  cursor: Date | undefined;
  /** True when the policy or the catch-up cap dropped at least one due tick (worth a warning). */
  dropped: boolean;
}

/** One upcoming tick, shown in both UTC and the schedule's local time so DST shifts are visible. */
export interface CronPreviewTick {
  at: Date;
  /** ISO 8601 in UTC. */
  utc: string;
  /** Local time with its offset, e.g. `2024-03-10 03:00 -04:00`. */
  local: string;
}

/** The outcome of {@link cronPreview}. */
export interface CronPreviewResult {
  expression: string;
  timezone: string;
  ticks: CronPreviewTick[];
}

const POLICIES: readonly MissedTickPolicy[] = ['skip', 'latest', 'all'];
const DEFAULT_MAX_CATCH_UP = 24;
const DEFAULT_GRACE_MS = 60_000;
const EXAMPLE = `e.g. '30 2 * * *' (every day at 02:30) or '@hourly'`;

function invalid(message: string, cause?: unknown): SluiceError {
  return new SluiceError('INVALID_CONFIG', message, cause === undefined ? undefined : { cause });
}

/**
 * Croner matches wall-clock fields only: we run it in UTC over local wall times (see
 * partitions.ts) and resolve DST ourselves, because croner's own time-zone path picks the first
 * occurrence of a repeated hour in New York but the second in Berlin.
 */
function compile(expression: string): Cron {
  const trimmed = typeof expression === 'string' ? expression.trim() : '';
  if (trimmed === '') throw invalid(`cron expression is empty; ${EXAMPLE}`);
  // Croner substitutes '?' with the *current* time, which would make ticks depend on when we parsed.
  if (trimmed.includes('?')) throw invalid(`cron expression "${expression}" uses '?', which Sluice does not support; use '*' instead, ${EXAMPLE}`);
  // The daemon evaluates about once a minute, so a seconds field would silently coalesce ticks.
  if (!trimmed.startsWith('@') && trimmed.split(/\s+/).length !== 5) {
    throw invalid(`cron expression "${expression}" must have five fields (minute hour day-of-month month day-of-week); ${EXAMPLE}`);
  }
  let cron: Cron;
  try {
    cron = new Cron(trimmed, { paused: true, utcOffset: 0 });
  } catch (error) {
    const reason = error instanceof Error ? error.message.replace(/^CronPattern: /, '') : String(error);
    throw invalid(`cron expression "${expression}" is not valid (${reason}); ${EXAMPLE}`, error);
  }
  // A pattern such as '0 0 30 2 *' (February 30th) parses but never fires.
  if (cron.nextRun(new Date(Date.UTC(2000, 0, 1))) === null) {
    throw invalid(`cron expression "${expression}" never fires (no date matches it); ${EXAMPLE}`);
  }
  return cron;
}

interface Compiled {
  cron: Cron;
  timezone: string;
}

function compileSchedule(schedule: ScheduleConfig): Compiled {
  const timezone = schedule.timezone ?? 'UTC';
  try {
    return { cron: compile(schedule.cron), timezone: assertTimeZone(timezone, `schedule "${schedule.cron}"`) };
  } catch (error) {
    if (error instanceof SluiceError && error.code !== 'INVALID_CONFIG') throw invalid(error.message, error);
    throw error;
  }
}

/**
 * Calls `visit` with each tick after `after`, in order, until it returns false.
 * Ticks are wall times resolved by wallTimeToInstant: a time skipped by spring-forward fires at the end
 * of the gap (02:30 -> 03:00), a repeated time fires once, at its first occurrence. Because that
 * mapping is monotonic, ticks come out ordered and equal instants are merged.
 */
function forEachTick({ cron, timezone }: Compiled, after: number, visit: (tick: number) => boolean): void {
  // Starting at the wall time of `after` misses nothing: the mapping is monotonic and maps that wall
  // time back to `after` or earlier, so every earlier wall time resolves to `after` or earlier too.
  let wall: Date | null = new Date(instantToWallTime(after, timezone));
  let previous = after;
  while ((wall = cron.nextRun(wall)) !== null) {
    const tick = wallTimeToInstant(wall.getTime(), timezone);
    if (tick > previous) {
      previous = tick;
      if (!visit(tick)) return;
    }
  }
}

/**
 * Throws SluiceError('INVALID_CONFIG') unless `expression` is a five-field cron (or @nickname) that
 * fires at least once, and `timezone` is an IANA time zone.
 * @example validateCron('0 6 * * 1-5', 'Europe/Berlin') // ok: weekdays at 06:00 Berlin time
 */
export function validateCron(expression: string, timezone = 'UTC'): void {
  compileSchedule({ cron: expression, timezone });
}

/**
 * The next `count` ticks strictly after `after`, oldest first.
 * @example nextTicks({ cron: '30 2 * * *', timezone: 'America/New_York' }, new Date('2024-03-09T12:00:00Z'), 2)
 * // [2024-03-10T07:00:00Z (03:00 EDT: 02:30 does not exist that day), 2024-03-11T06:30:00Z]
 */
export function nextTicks(schedule: ScheduleConfig, after: Date, count: number): Date[] {
  const compiled = compileSchedule(schedule);
  const ticks: Date[] = [];
  if (count <= 0) return ticks;
  forEachTick(compiled, after.getTime(), (tick) => ticks.push(new Date(tick)) < count);
  return ticks;
}

/** The newest `limit` ticks in `(lower, upper]`, oldest first, without walking the whole range. */
function latestTicks(compiled: Compiled, lower: number, upper: number, limit: number): number[] {
  // Widen a window back from `upper` until it holds `limit` ticks or reaches `lower`: after a month
  // of downtime on a per-minute cron this visits about a hundred ticks, not forty thousand.
  for (let width = 60_000; ; width *= 4) {
    const from = Math.max(lower, upper - width);
    const found: number[] = [];
    forEachTick(compiled, from, (tick) => {
      if (tick > upper) return false;
      found.push(tick);
      if (found.length > limit) found.shift();
      return true;
    });
    if (found.length >= limit || from === lower) return found;
  }
}

/**
 * The ticks to launch now, given the last handled tick and a missed-tick policy. Due ticks are those
 * in `(lastTick, now]`; one is *on time* if it is at most `graceMs` old and *missed* otherwise.
 * - `'skip'`: launch the newest due tick only if it is on time; never launch a missed tick.
 * - `'latest'` (default): launch the newest due tick, on time or not, and drop older missed ones.
 *   Most scheduled assets are refreshed to "current state", so one run after an outage brings them
 *   up to date; replaying every missed tick would redo the same work N times, and skipping would
 *   leave them stale until the next tick.
 * - `'all'`: launch every due tick, oldest first, but only the newest `maxCatchUp` (default 24) so a
 *   long outage cannot flood the queue; use it when each tick maps to its own partition.
 * A new schedule (`lastTick` undefined) never backfills: only ticks within `graceMs` of `now` count.
 * @example dueTicks({ cron: '0 * * * *' }, { lastTick: new Date('2024-01-01T00:00:00Z'), now: new Date('2024-01-01T03:00:10Z') })
 * // { ticks: [2024-01-01T03:00:00Z], cursor: 2024-01-01T03:00:00Z, dropped: true }
 */
export function dueTicks(schedule: ScheduleConfig, options: DueTicksOptions): DueTicksResult {
  const compiled = compileSchedule(schedule);
  const policy = options.policy ?? schedule.missedTicks ?? 'latest';
  if (!POLICIES.includes(policy)) {
    throw invalid(`missed-tick policy "${policy}" of schedule "${schedule.cron}" is not one of ${POLICIES.map((p) => `'${p}'`).join(', ')}`);
  }
  const maxCatchUp = schedule.maxCatchUp ?? DEFAULT_MAX_CATCH_UP;
  if (!Number.isInteger(maxCatchUp) || maxCatchUp < 1) {
    throw invalid(`maxCatchUp of schedule "${schedule.cron}" is ${maxCatchUp}; use a positive whole number such as 24`);
  }
  const graceMs = options.graceMs ?? DEFAULT_GRACE_MS;
  const now = options.now.getTime();
  const lower = options.lastTick?.getTime() ?? now - graceMs;
  const latest = latestTicks(compiled, lower, now, policy === 'all' ? maxCatchUp : 1);
  const newest = latest.at(-1);
  if (newest === undefined) return { ticks: [], cursor: options.lastTick, dropped: false };
  const launch = policy === 'skip' && now - newest > graceMs ? [] : latest;
  // Something was dropped if a due tick precedes the oldest kept one, or the policy kept none.
  let firstDue = newest;
  forEachTick(compiled, lower, (tick) => ((firstDue = tick), false));
  const dropped = launch.length < latest.length || firstDue < latest[0]!;
  return { ticks: launch.map((tick) => new Date(tick)), cursor: new Date(newest), dropped };
}

/** `2024-03-10 03:00 -04:00` for an instant in a time zone. */
function formatLocal(instant: number, timezone: string): string {
  const offsetMinutes = Math.round((instantToWallTime(instant, timezone) - instant) / 60_000);
  const wall = new Date(instant + offsetMinutes * 60_000).toISOString();
  const sign = offsetMinutes < 0 ? '-' : '+';
  const abs = Math.abs(offsetMinutes);
  const offset = `${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
  return `${wall.slice(0, 10)} ${wall.slice(11, 16)} ${offset}`;
}

/**
 * The next `n` ticks of an expression for a UI or CLI preview, in UTC and local time.
 * `after` defaults to the current time, the only place this module reads the clock.
 * @example cronPreview('30 2 * * *', 'Europe/Berlin', 2, new Date('2024-03-30T12:00:00Z')).ticks.map((t) => t.local)
 * // ['2024-03-31 03:00 +02:00', '2024-04-01 02:30 +02:00']
 */
export function cronPreview(expression: string, timezone: string, n: number, after: Date = new Date()): CronPreviewResult {
  const ticks = nextTicks({ cron: expression, timezone }, after, n).map((at) => ({
    at,
    utc: at.toISOString(),
    local: formatLocal(at.getTime(), timezone),
  }));
  return { expression, timezone: assertTimeZone(timezone, `schedule "${expression}"`), ticks };
}
