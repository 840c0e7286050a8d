// Partition definitions for assets and the pure calendar math behind them: keys, windows, ranges, gaps.
import { SluiceError } from '../errors.js';

/**
 * Enumerating more keys than this is almost always a typo in `start` (year 0202) or an hourly
 * definition that should have been daily, so we fail loudly instead of allocating millions of keys.
 */
export const MAX_PARTITION_KEYS = 100_000;

/** Construction options of a time-partitioned definition. */
export interface TimePartitionsConfig {
  /** First partition key (or, for hourly, an ISO date-time on an hour boundary). */
  start: string;
  /** Exclusive end: the first key that is *not* a partition, so windows stay half-open `[start, end)`. */
  end?: string;
  /** IANA time zone whose local calendar the keys follow; default `'UTC'`. */
  timezone?: string;
}

/** Hourly (`YYYY-MM-DD-HH`), daily (`YYYY-MM-DD`) or monthly (`YYYY-MM`) partitions in a time zone. */
export interface TimePartitionsDefinition {
  readonly type: 'hourly' | 'daily' | 'monthly';
  /** Normalized first key. */
  readonly start: string;
  /** Normalized exclusive end key, if any. */
  readonly end?: string;
  /** IANA time zone name as written, with canonical capitalization. */
  readonly timezone: string;
}

/** A fixed, ordered list of keys (regions, customers, ...). */
export interface StaticPartitionsDefinition {
  readonly type: 'static';
  readonly keys: readonly string[];
}

/** How an asset is split into independently materialized partitions. */
export type PartitionsDefinition = TimePartitionsDefinition | StaticPartitionsDefinition;

/** Per-call options for functions that depend on the current time, passed in so they stay pure. */
export interface PartitionKeysOptions {
  now: Date;
}

/** A partition's time window as UTC instants: `start` inclusive, `end` exclusive. */
export interface PartitionWindow {
  start: Date;
  end: Date;
}

type Granularity = TimePartitionsDefinition['type'];

const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;
const FORMATS: Record<Granularity, string> = { hourly: 'YYYY-MM-DD-HH', daily: 'YYYY-MM-DD', monthly: 'YYYY-MM' };
const EXAMPLES: Record<Granularity, string> = { hourly: '2024-01-31-23', daily: '2024-01-31', monthly: '2024-01' };
const KEY_PATTERNS: Record<Granularity, RegExp> = {
  hourly: /^(\d{4})-(\d{2})-(\d{2})-(\d{2})$/,
  daily: /^(\d{4})-(\d{2})-(\d{2})$/,
  monthly: /^(\d{4})-(\d{2})$/,
};
const HOURLY_ISO = /^(\d{4})-(\d{2})-(\d{2})T(\d{2})(?::(\d{2})(?::(\d{2})(\.\d+)?)?)?(Z|[+-]\d{2}:?\d{2})?$/;

// ---------------------------------------------------------------------------------------------
// Time zones. "Wall time" is a local date-time encoded as milliseconds as if it were UTC, so the
// calendar arithmetic (next day, next month) is plain Date.UTC math with no DST in the way.

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  const numeric = 'numeric';
  const formatter =
    formatters.get(timeZone) ??
    new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: numeric,
      month: numeric,
      day: numeric,
      hour: numeric,
      minute: numeric,
      second: numeric,
    });
  formatters.set(timeZone, formatter);
  return formatter;
}

/**
 * Checks an IANA time zone name and returns it with canonical capitalization.
 * @example assertTimeZone('europe/berlin', 'daily partitions') // 'Europe/Berlin'
 */
export function assertTimeZone(timezone: string, context: string): string {
  try {
    const resolved = new Intl.DateTimeFormat('en-US', { timeZone: timezone }).resolvedOptions().timeZone;
    // ICU maps current names to legacy ones (Asia/Kolkata -> Asia/Calcutta); keep what the user wrote.
    return resolved.toLowerCase() === timezone.toLowerCase() ? resolved : timezone;
  } catch (error) {
    throw new SluiceError(
      'INVALID_DEFINITION',
      `${context}: time zone "${timezone}" is not an IANA time zone; use a name such as "UTC", "America/New_York" or "Europe/Berlin"`,
      { cause: error },
    );
  }
}

const offsetCache = new Map<string, number>();

/** Offset (wall minus UTC, in ms) in effect at an instant. Seconds precision, like the tz database. */
function offsetAt(timezone: string, instant: number): number {
  if (timezone === 'UTC') return 0;
  const floored = Math.floor(instant / 1000) * 1000;
  const cacheKey = `${timezone}@${floored}`;
  const cached = offsetCache.get(cacheKey);
  if (cached !== undefined) return cached;
  const part: Record<string, number> = {};
  for (const { type, value } of formatterFor(timezone).formatToParts(floored)) part[type] = Number(value);
  const offset = Date.UTC(part.year!, part.month! - 1, part.day!, part.hour!, part.minute!, part.second!) - floored;
  if (offsetCache.size >= 10_000) offsetCache.clear();
  offsetCache.set(cacheKey, offset);
  return offset;
}

/**
 * Local wall time of an instant, encoded as UTC milliseconds.
 * @example new Date(instantToWallTime(Date.parse('2024-07-01T12:00:00Z'), 'Europe/Berlin')).toISOString() // '2024-07-01T14:00:00.000Z'
 */
export function instantToWallTime(instant: number, timezone: string): number {
  return instant + offsetAt(timezone, instant);
}

/**
 * The instant at which a local wall time (encoded as UTC ms) occurs, resolved deterministically:
 * a wall time that occurs twice (fall-back) resolves to its *earlier* occurrence, and one skipped by
 * a spring-forward gap resolves to the first instant after the gap (02:30 -> 03:00). Both rules keep
 * the mapping monotonic, so consecutive wall times never swap order or overlap.
 * @example new Date(wallTimeToInstant(Date.UTC(2024, 2, 10, 2, 30), 'America/New_York')).toISOString() // '2024-03-10T07:00:00.000Z' (03:00 EDT)
 */
export function wallTimeToInstant(wall: number, timezone: string): number {
  // Offsets at day-aligned points a day or more either side bracket any single transition near
  // `wall`; aligning them lets every hour of a day share two (cached) lookups.
  const day = Math.floor(wall / DAY_MS) * DAY_MS;
  const before = offsetAt(timezone, day - DAY_MS);
  const after = offsetAt(timezone, day + 2 * DAY_MS);
  if (before === after) return wall - before;
  const candidates = [wall - before, wall - after].filter((c) => c + offsetAt(timezone, c) === wall);
  if (candidates.length > 0) return Math.min(...candidates);
  if (before >= after) return wall - before;
  // In a gap: binary-search the transition instant between the two readings of `wall`.
  let lo = wall - after;
  let hi = wall - before;
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (offsetAt(timezone, mid) === before) lo = mid;
    else hi = mid;
  }
  return hi;
}

// ---------------------------------------------------------------------------------------------
// Slots: a partition's position on its granularity's wall-clock axis (hours, days or months since 1970).

function slotStartWall(type: Granularity, slot: number): number {
  if (type === 'hourly') return slot * HOUR_MS;
  if (type === 'daily') return slot * DAY_MS;
  return Date.UTC(Math.floor(slot / 12), ((slot % 12) + 12) % 12, 1);
}

function slotOfWall(type: Granularity, wall: number): number {
  if (type === 'hourly') return Math.floor(wall / HOUR_MS);
  if (type === 'daily') return Math.floor(wall / DAY_MS);
  const date = new Date(wall);
  return date.getUTCFullYear() * 12 + date.getUTCMonth();
}

function slotKey(type: Granularity, slot: number): string {
  const iso = new Date(slotStartWall(type, slot)).toISOString();
  if (type === 'hourly') return `${iso.slice(0, 10)}-${iso.slice(11, 13)}`;
  return type === 'daily' ? iso.slice(0, 10) : iso.slice(0, 7);
}

/** The slot of a well-formed key, or a sentence saying why it is not one. */
function parseSlot(type: Granularity, key: string): number | string {
  const match = KEY_PATTERNS[type].exec(key);
  if (!match) return `it does not match ${FORMATS[type]}`;
  const [year, month, day = 1, hour = 0] = match.slice(1).map(Number) as [number, number, number?, number?];
  const wall = Date.UTC(year, month - 1, day, hour);
  // Date.UTC silently rolls 2023-02-29 over to March; round-tripping catches it.
  if (year < 1000 || slotKey(type, slotOfWall(type, wall)) !== key) return `it is not a real ${type === 'hourly' ? 'date and hour' : 'date'}`;
  return slotOfWall(type, wall);
}

function slotWindow({ type, timezone }: TimePartitionsDefinition, slot: number): { start: number; end: number } {
  return { start: wallTimeToInstant(slotStartWall(type, slot), timezone), end: wallTimeToInstant(slotStartWall(type, slot + 1), timezone) };
}

function boundsOf(def: TimePartitionsDefinition): { first: number; end: number } {
  const first = parseSlot(def.type, def.start) as number;
  return { first, end: def.end === undefined ? Infinity : (parseSlot(def.type, def.end) as number) };
}

/** Why `key` is not a partition of `def`, or undefined when it is one. */
function invalidKeyReason(def: PartitionsDefinition, key: string): string | undefined {
  if (def.type === 'static') {
    return def.keys.includes(key)
      ? undefined
      : `it is not one of the ${def.keys.length} static keys (${def.keys
          .slice(0, 5)
          .map((k) => `"${k}"`)
          .join(', ')}${def.keys.length > 5 ? ', ...' : ''})`;
  }
  const slot = parseSlot(def.type, key);
  if (typeof slot === 'string') return `${slot}; ${def.type} keys look like "${EXAMPLES[def.type]}" (${FORMATS[def.type]})`;
  const { first, end } = boundsOf(def);
  if (slot < first) return `it is before the first partition "${def.start}"`;
  if (slot >= end) return `it is not before the end "${def.end}" (the end is exclusive)`;
  const window = slotWindow(def, slot);
  if (window.end <= window.start) {
    return `that local time does not exist in ${def.timezone} (the clocks skip it when daylight saving time starts or the zone changes its offset)`;
  }
  return undefined;
}

/**
 * Whether `key` names a partition of `def`: well-formed, within `[start, end)`, and (for time
 * partitions) a local hour or day that actually exists in the definition's time zone.
 * @example isValidPartitionKey(dailyPartitions({ start: '2024-01-01' }), '2024-02-30') // false
 */
export function isValidPartitionKey(def: PartitionsDefinition, key: string): boolean {
  return invalidKeyReason(def, key) === undefined;
}

/**
 * Throws SluiceError('INVALID_SELECTION') naming the key, why it is invalid and the expected format.
 * @example assertPartitionKey(monthlyPartitions({ start: '2024-01' }), '2024-1') // throws: ... monthly keys look like "2024-01" (YYYY-MM)
 */
export function assertPartitionKey(def: PartitionsDefinition, key: string): void {
  const reason = invalidKeyReason(def, key);
  if (reason !== undefined) {
    throw new SluiceError('INVALID_SELECTION', `partition key "${key}" is not a valid ${def.type} partition: ${reason}`);
  }
}

// ---------------------------------------------------------------------------------------------
// Constructors.

function defineTime(type: Granularity, config: TimePartitionsConfig): TimePartitionsDefinition {
  const context = `${type}Partitions`;
  const timezone = assertTimeZone(config.timezone ?? 'UTC', context);
  const normalize = (value: string, field: 'start' | 'end'): string => {
    const key = type === 'hourly' ? hourlyKeyFromInput(value, timezone) : value;
    const parsed = typeof key === 'string' ? parseSlot(type, key) : key.reason;
    if (typeof parsed === 'string') {
      throw new SluiceError(
        'INVALID_DEFINITION',
        `${context}: ${field} "${value}" is not valid: ${parsed}; use ${FORMATS[type]}, e.g. { ${field}: '${EXAMPLES[type]}' }`,
      );
    }
    return key as string;
  };
  if (typeof config.start !== 'string') {
    throw new SluiceError('INVALID_DEFINITION', `${context}: start is required, e.g. { start: '${EXAMPLES[type]}' }`);
  }
  const start = normalize(config.start, 'start');
  const def: TimePartitionsDefinition = { type, start, timezone };
  if (config.end === undefined) return def;
  const end = normalize(config.end, 'end');
  if (end <= start) {
    throw new SluiceError('INVALID_DEFINITION', `${context}: end "${config.end}" must be after start "${config.start}" (the end is exclusive)`);
  }
  return { ...def, end };
}

/** Hourly starts may be keys or ISO date-times; with an offset or Z they must land on a local hour. */
function hourlyKeyFromInput(value: string, timezone: string): string | { reason: string } {
  const match = HOURLY_ISO.exec(value);
  if (!match) return value;
  const [, y, mo, d, h, mi = '00', s = '00', fraction = '', zone] = match;
  if (mi !== '00' || s !== '00' || /[1-9]/.test(fraction)) return { reason: 'it is not at the start of an hour' };
  const local = `${y}-${mo}-${d}-${h}`;
  // Validate the calendar fields first: Date.parse would roll 2024-02-30 over to March 1.
  if (zone === undefined || typeof parseSlot('hourly', local) === 'string') return local;
  const instant = Date.parse(`${y}-${mo}-${d}T${h}:00:00${zone === 'Z' ? 'Z' : zone.replace(/^([+-]\d{2}):?(\d{2})$/, '$1:$2')}`);
  const slot = slotOfWall('hourly', instantToWallTime(instant, timezone));
  if (wallTimeToInstant(slotStartWall('hourly', slot), timezone) !== instant) {
    return { reason: `it is not at the start of a local hour in ${timezone}` };
  }
  return slotKey('hourly', slot);
}

/**
 * Daily partitions keyed `YYYY-MM-DD`, each covering one local calendar day in `timezone`
 * (23 or 25 hours long on DST transition days).
 * @example dailyPartitions({ start: '2001-01-01', end: '2001-07-01', timezone: 'America/New_York' })
 */
export function dailyPartitions(config: TimePartitionsConfig): TimePartitionsDefinition {
  return defineTime('daily', config);
}

/**
 * Hourly partitions keyed `YYYY-MM-DD-HH` by local hour, the format of the seed's `hourly_partition`.
 * DST: an hour skipped by spring-forward (02 in New York) is not a partition, and the hour repeated by
 * fall-back (01) is one partition two hours long, so keys stay unique and windows still tile time;
 * formatting any event's local timestamp as `YYYY-MM-DD-HH` always yields an existing key.
 * @example hourlyPartitions({ start: '2024-01-01T00:00:00Z', timezone: 'Europe/Berlin' }).start // '2024-01-01-01'
 */
export function hourlyPartitions(config: TimePartitionsConfig): TimePartitionsDefinition {
  return defineTime('hourly', config);
}

/**
 * Monthly partitions keyed `YYYY-MM`, from local midnight on the 1st to the next 1st.
 * @example monthlyPartitions({ start: '2001-01', end: '2001-07' })
 */
export function monthlyPartitions(config: TimePartitionsConfig): TimePartitionsDefinition {
  return defineTime('monthly', config);
}

/**
 * A fixed list of partition keys: non-empty, unique, and without '/' (keys appear in paths and selections).
 * @example staticPartitions(['northeast', 'midwest', 'south', 'west'])
 */
export function staticPartitions(keys: readonly string[]): StaticPartitionsDefinition {
  if (!Array.isArray(keys) || keys.length === 0) {
    throw new SluiceError('INVALID_DEFINITION', `staticPartitions: give at least one key, e.g. staticPartitions(['eu', 'us'])`);
  }
  const seen = new Set<string>();
  for (const key of keys) {
    if (typeof key !== 'string' || key.trim() === '') {
      throw new SluiceError('INVALID_DEFINITION', `staticPartitions: key ${JSON.stringify(key)} is empty; every key must be a non-empty string`);
    }
    if (key.includes('/')) {
      throw new SluiceError('INVALID_DEFINITION', `staticPartitions: key "${key}" contains '/'; use another separator such as '-' or '_'`);
    }
    if (seen.has(key)) throw new SluiceError('INVALID_DEFINITION', `staticPartitions: key "${key}" is listed twice; keys must be unique`);
    seen.add(key);
  }
  return { type: 'static', keys: [...keys] };
}

// ---------------------------------------------------------------------------------------------
// Queries.

/** Keys of the non-empty slots in `[from, to)`, refusing to build more than MAX_PARTITION_KEYS. */
function keysBetween(def: TimePartitionsDefinition, from: number, to: number, what: string): string[] {
  if (to - from > MAX_PARTITION_KEYS) {
    throw new SluiceError(
      'INVALID_DEFINITION',
      `${what} would have ${to - from} ${def.type} partitions (from "${slotKey(def.type, from)}"), more than the limit of ${MAX_PARTITION_KEYS}; use a later start, an end, or a coarser granularity`,
    );
  }
  const keys: string[] = [];
  let start = wallTimeToInstant(slotStartWall(def.type, from), def.timezone);
  for (let slot = from; slot < to; slot++) {
    // Each window ends where the next begins, so one resolution per slot suffices.
    const end = wallTimeToInstant(slotStartWall(def.type, slot + 1), def.timezone);
    if (end > start) keys.push(slotKey(def.type, slot));
    start = end;
  }
  return keys;
}

/**
 * Every complete partition up to `now`, oldest first. A time partition is complete once its window
 * has ended (`end <= now`); static partitions are always all complete.
 * @example partitionKeys(dailyPartitions({ start: '2024-01-30' }), { now: new Date('2024-02-01T12:00:00Z') }) // ['2024-01-30', '2024-01-31']
 */
export function partitionKeys(def: PartitionsDefinition, options: PartitionKeysOptions): string[] {
  if (def.type === 'static') return [...def.keys];
  const { first, end } = boundsOf(def);
  // The slot containing `now` is still running; every earlier slot has ended.
  const current = slotOfWall(def.type, instantToWallTime(options.now.getTime(), def.timezone));
  return keysBetween(def, first, Math.max(first, Math.min(end, current)), `"${def.start}" up to ${options.now.toISOString()}`);
}

/**
 * The partitions from `from` to `to`, both inclusive, in order.
 * @example partitionRange(monthlyPartitions({ start: '2024-01' }), '2024-11', '2025-02') // ['2024-11', '2024-12', '2025-01', '2025-02']
 */
export function partitionRange(def: PartitionsDefinition, from: string, to: string): string[] {
  assertPartitionKey(def, from);
  assertPartitionKey(def, to);
  const reversed = (): SluiceError =>
    new SluiceError('INVALID_SELECTION', `partition range "${from}" to "${to}" is reversed; put the earlier key first: "${to}" to "${from}"`);
  if (def.type === 'static') {
    const [i, j] = [def.keys.indexOf(from), def.keys.indexOf(to)];
    if (i > j) throw reversed();
    return def.keys.slice(i, j + 1);
  }
  const [i, j] = [parseSlot(def.type, from) as number, parseSlot(def.type, to) as number];
  if (i > j) throw reversed();
  return keysBetween(def, i, j + 1, `range "${from}" to "${to}"`);
}

/**
 * The UTC instants bounding a time partition's local window.
 * @example partitionWindow(dailyPartitions({ start: '2024-01-01', timezone: 'America/New_York' }), '2024-03-10')
 * // { start: 2024-03-10T05:00:00.000Z, end: 2024-03-11T04:00:00.000Z } (23 hours)
 */
export function partitionWindow(def: TimePartitionsDefinition, key: string): PartitionWindow {
  if ((def as PartitionsDefinition).type === 'static') {
    throw new SluiceError('INVALID_DEFINITION', `partition "${key}" is static and has no time window; only hourly, daily and monthly partitions do`);
  }
  assertPartitionKey(def, key);
  const window = slotWindow(def, parseSlot(def.type, key) as number);
  return { start: new Date(window.start), end: new Date(window.end) };
}

/**
 * The key of the time partition whose window contains `at`, or undefined outside `[start, end)`.
 * @example partitionKeyAt(hourlyPartitions({ start: '2024-01-01-00', timezone: 'Europe/Berlin' }), new Date('2024-06-01T10:15:00Z')) // '2024-06-01-12'
 */
export function partitionKeyAt(def: TimePartitionsDefinition, at: Date): string | undefined {
  const slot = slotOfWall(def.type, instantToWallTime(at.getTime(), def.timezone));
  const { first, end } = boundsOf(def);
  return slot >= first && slot < end ? slotKey(def.type, slot) : undefined;
}

/**
 * Complete partitions not yet in `materialized`, oldest first: what a backfill would run.
 * @example missingPartitions(dailyPartitions({ start: '2024-01-01' }), new Set(['2024-01-01']), { now: new Date('2024-01-03T00:00:00Z') }) // ['2024-01-02']
 */
export function missingPartitions(def: PartitionsDefinition, materialized: ReadonlySet<string>, options: PartitionKeysOptions): string[] {
  return partitionKeys(def, options).filter((key) => !materialized.has(key));
}

/**
 * Narrows a definition to the time-partitioned kinds, which have windows.
 * @example if (isTimePartitioned(def)) partitionWindow(def, key)
 */
export function isTimePartitioned(def: PartitionsDefinition): def is TimePartitionsDefinition {
  return def.type !== 'static';
}
