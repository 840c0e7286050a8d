// Schedule math: cron validation, next ticks across month ends and DST, and missed-tick policies on a fake clock.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { SluiceError } from '../../src/errors.js';
import { cronPreview, dueTicks, nextTicks, validateCron, type ScheduleConfig } from '../../src/automation/schedule-calculation.js';

const at = (iso: string): Date => new Date(iso);
const isos = (dates: readonly Date[]): string[] => dates.map((d) => d.toISOString());

function throwsConfig(fn: () => unknown, ...fragments: string[]): void {
  assert.throws(fn, (error: unknown) => {
    assert.ok(error instanceof SluiceError, `expected a SluiceError, got ${String(error)}`);
    assert.equal(error.code, 'INVALID_CONFIG');
    for (const fragment of fragments) assert.ok(error.message.includes(fragment), `"${error.message}" should mention "${fragment}"`);
    return true;
  });
}

describe('validateCron', () => {
  test('five-field expressions and nicknames are accepted', () => {
    validateCron('0 6 * * 1-5', 'Europe/Berlin');
    validateCron('*/15 * * * *', 'UTC');
    validateCron('@daily');
    validateCron('0 0 L * *');
  });

  test('an out-of-range field is rejected with the expression and a valid example', () => {
    throwsConfig(() => validateCron('61 * * * *', 'UTC'), '"61 * * * *"', 'minute', "'30 2 * * *'");
  });

  test('the wrong number of fields is rejected, naming the five fields', () => {
    throwsConfig(() => validateCron('* * *', 'UTC'), '"* * *"', 'five fields');
  });

  test('a seconds field is rejected because the daemon ticks about once a minute', () => {
    throwsConfig(() => validateCron('0 0 * * * *', 'UTC'), '"0 0 * * * *"', 'five fields');
  });

  test("'?' is rejected because croner would replace it with the current time", () => {
    throwsConfig(() => validateCron('0 12 ? * MON', 'UTC'), "'?'");
  });

  test('an expression that never fires is rejected', () => {
    throwsConfig(() => validateCron('0 0 30 2 *', 'UTC'), '"0 0 30 2 *"', 'never fires');
  });

  test('an empty expression and an unknown time zone are rejected as configuration errors', () => {
    throwsConfig(() => validateCron('  ', 'UTC'), 'empty');
    throwsConfig(() => validateCron('0 0 * * *', 'Mars/Olympus'), '"Mars/Olympus"', 'Europe/Berlin');
  });
});

describe('nextTicks', () => {
  test('daily UTC ticks start strictly after the given instant', () => {
    assert.deepEqual(isos(nextTicks({ cron: '0 0 * * *' }, at('2024-01-01T00:00:00Z'), 2)), ['2024-01-02T00:00:00.000Z', '2024-01-03T00:00:00.000Z']);
  });

  test('asking for no ticks returns none', () => {
    assert.deepEqual(nextTicks({ cron: '@hourly' }, at('2024-01-01T00:00:00Z'), 0), []);
  });

  test('a 31st-of-the-month schedule skips the months without one', () => {
    assert.deepEqual(isos(nextTicks({ cron: '0 0 31 * *' }, at('2024-01-01T00:00:00Z'), 3)), [
      '2024-01-31T00:00:00.000Z',
      '2024-03-31T00:00:00.000Z',
      '2024-05-31T00:00:00.000Z',
    ]);
  });

  test('a last-day-of-month schedule fires on February 29 in a leap year', () => {
    assert.deepEqual(isos(nextTicks({ cron: '0 0 L * *' }, at('2028-01-31T12:00:00Z'), 2)), ['2028-02-29T00:00:00.000Z', '2028-03-31T00:00:00.000Z']);
  });

  test('weekday schedules jump from Friday to Monday in local time', () => {
    const ticks = nextTicks({ cron: '0 9 * * 1-5', timezone: 'Europe/Berlin' }, at('2024-06-07T08:00:00Z'), 2);
    assert.deepEqual(isos(ticks), ['2024-06-10T07:00:00.000Z', '2024-06-11T07:00:00.000Z']);
  });

  test('a 02:30 New York schedule runs at 03:00 EDT on the spring-forward day, then at 02:30 again', () => {
    const ticks = nextTicks({ cron: '30 2 * * *', timezone: 'America/New_York' }, at('2024-03-09T12:00:00Z'), 2);
    assert.deepEqual(isos(ticks), ['2024-03-10T07:00:00.000Z', '2024-03-11T06:30:00.000Z']);
  });

  test('a 01:30 New York schedule runs once on the fall-back day, at the first 01:30 (EDT)', () => {
    const ticks = nextTicks({ cron: '30 1 * * *', timezone: 'America/New_York' }, at('2024-11-02T12:00:00Z'), 2);
    assert.deepEqual(isos(ticks), ['2024-11-03T05:30:00.000Z', '2024-11-04T06:30:00.000Z']);
  });

  test('an hourly New York schedule goes from 01:00 EST straight to 03:00 EDT in spring', () => {
    const ticks = nextTicks({ cron: '0 * * * *', timezone: 'America/New_York' }, at('2024-03-10T05:30:00Z'), 3);
    assert.deepEqual(isos(ticks), ['2024-03-10T06:00:00.000Z', '2024-03-10T07:00:00.000Z', '2024-03-10T08:00:00.000Z']);
  });

  test('an hourly New York schedule fires the repeated 01:00 once, matching the two-hour partition', () => {
    const ticks = nextTicks({ cron: '0 * * * *', timezone: 'America/New_York' }, at('2024-11-03T04:30:00Z'), 3);
    assert.deepEqual(isos(ticks), ['2024-11-03T05:00:00.000Z', '2024-11-03T07:00:00.000Z', '2024-11-03T08:00:00.000Z']);
  });

  test('a 02:30 Berlin schedule runs at 03:00 CEST in March and at the first 02:30 in October', () => {
    const schedule = { cron: '30 2 * * *', timezone: 'Europe/Berlin' };
    assert.deepEqual(isos(nextTicks(schedule, at('2024-03-30T12:00:00Z'), 1)), ['2024-03-31T01:00:00.000Z']);
    assert.deepEqual(isos(nextTicks(schedule, at('2024-10-26T12:00:00Z'), 1)), ['2024-10-27T00:30:00.000Z']);
  });

  test('a half-hourly Berlin schedule fires each repeated wall time once during fall-back', () => {
    const ticks = nextTicks({ cron: '*/30 * * * *', timezone: 'Europe/Berlin' }, at('2024-10-26T23:15:00Z'), 4);
    assert.deepEqual(isos(ticks), ['2024-10-26T23:30:00.000Z', '2024-10-27T00:00:00.000Z', '2024-10-27T00:30:00.000Z', '2024-10-27T02:00:00.000Z']);
  });

  test('a sub-hourly schedule merges the ticks that fall in the spring-forward gap', () => {
    const ticks = nextTicks({ cron: '*/15 * * * *', timezone: 'Europe/Berlin' }, at('2024-03-31T00:40:00Z'), 3);
    assert.deepEqual(isos(ticks), ['2024-03-31T00:45:00.000Z', '2024-03-31T01:00:00.000Z', '2024-03-31T01:15:00.000Z']);
  });

  test("ticks do not depend on the host's time zone", () => {
    const schedule = { cron: '30 2 * * *', timezone: 'America/New_York' };
    const expected = isos(nextTicks(schedule, at('2024-03-08T00:00:00Z'), 5));
    const original = process.env.TZ;
    try {
      process.env.TZ = 'Asia/Tokyo';
      assert.deepEqual(isos(nextTicks(schedule, at('2024-03-08T00:00:00Z'), 5)), expected);
    } finally {
      if (original === undefined) delete process.env.TZ;
      else process.env.TZ = original;
    }
  });

  test('ticks are strictly increasing and after the start, whatever the zone and expression', () => {
    const cron = fc.constantFrom('*/15 * * * *', '0 * * * *', '30 2 * * *', '0 1-3 * * *', '0 0 L * *', '45 23 * * 0');
    const zone = fc.constantFrom('UTC', 'America/New_York', 'Europe/Berlin', 'Australia/Lord_Howe', 'America/Santiago');
    const start = fc.integer({ min: Date.UTC(2000, 0, 1), max: Date.UTC(2035, 0, 1) }).map((ms) => new Date(ms));
    fc.assert(
      fc.property(cron, zone, start, (expression, timezone, after) => {
        const ticks = nextTicks({ cron: expression, timezone }, after, 6);
        assert.equal(ticks.length, 6);
        ticks.reduce((previous, tick) => (assert.ok(tick > previous), tick), after);
      }),
      { numRuns: 60 },
    );
  });
});

describe('dueTicks', () => {
  const hourly: ScheduleConfig = { cron: '0 * * * *' };
  const outage = { lastTick: at('2024-01-01T00:00:00Z') };

  test('nothing is due before the next tick', () => {
    assert.deepEqual(dueTicks(hourly, { ...outage, now: at('2024-01-01T00:59:59Z') }), { ticks: [], cursor: outage.lastTick, dropped: false });
  });

  test('a tick that is due now is launched under every policy', () => {
    for (const policy of ['skip', 'latest', 'all'] as const) {
      const result = dueTicks(hourly, { ...outage, now: at('2024-01-01T01:00:05Z'), policy });
      assert.deepEqual(isos(result.ticks), ['2024-01-01T01:00:00.000Z'], policy);
      assert.equal(result.dropped, false);
    }
  });

  test("'skip' launches the tick due now and drops the ones missed during downtime", () => {
    const result = dueTicks(hourly, { ...outage, now: at('2024-01-01T03:00:10Z'), policy: 'skip' });
    assert.deepEqual(isos(result.ticks), ['2024-01-01T03:00:00.000Z']);
    assert.equal(result.dropped, true);
  });

  test("'skip' launches nothing when even the newest due tick is late", () => {
    const result = dueTicks(hourly, { ...outage, now: at('2024-01-01T03:20:00Z'), policy: 'skip' });
    assert.deepEqual(result.ticks, []);
    assert.equal(result.cursor?.toISOString(), '2024-01-01T03:00:00.000Z');
    assert.equal(result.dropped, true);
  });

  test("'latest' launches only the newest missed tick, however late", () => {
    const result = dueTicks(hourly, { ...outage, now: at('2024-01-01T03:20:00Z'), policy: 'latest' });
    assert.deepEqual(isos(result.ticks), ['2024-01-01T03:00:00.000Z']);
    assert.equal(result.dropped, true);
  });

  test("'latest' is the default policy", () => {
    assert.deepEqual(isos(dueTicks(hourly, { ...outage, now: at('2024-01-01T03:20:00Z') }).ticks), ['2024-01-01T03:00:00.000Z']);
  });

  test("'all' launches every missed tick, oldest first", () => {
    const result = dueTicks(hourly, { ...outage, now: at('2024-01-01T03:20:00Z'), policy: 'all' });
    assert.deepEqual(isos(result.ticks), ['2024-01-01T01:00:00.000Z', '2024-01-01T02:00:00.000Z', '2024-01-01T03:00:00.000Z']);
    assert.equal(result.dropped, false);
  });

  test("'all' keeps only the newest 24 ticks after a three-day outage", () => {
    const result = dueTicks(hourly, { ...outage, now: at('2024-01-04T00:30:00Z'), policy: 'all' });
    assert.equal(result.ticks.length, 24);
    assert.equal(result.ticks[0]?.toISOString(), '2024-01-03T01:00:00.000Z');
    assert.equal(result.ticks.at(-1)?.toISOString(), '2024-01-04T00:00:00.000Z');
    assert.equal(result.dropped, true);
  });

  test('maxCatchUp caps the catch-up and a year-long outage of a per-minute cron stays cheap', () => {
    const result = dueTicks({ cron: '* * * * *', maxCatchUp: 3 }, { lastTick: at('2023-01-01T00:00:00Z'), now: at('2024-01-01T00:00:30Z'), policy: 'all' });
    assert.deepEqual(isos(result.ticks), ['2023-12-31T23:58:00.000Z', '2023-12-31T23:59:00.000Z', '2024-01-01T00:00:00.000Z']);
  });

  test("the schedule's own missedTicks applies unless the call overrides it", () => {
    const catchUp: ScheduleConfig = { cron: '0 * * * *', missedTicks: 'all' };
    const now = at('2024-01-01T02:30:00Z');
    assert.equal(dueTicks(catchUp, { ...outage, now }).ticks.length, 2);
    assert.equal(dueTicks(catchUp, { ...outage, now, policy: 'latest' }).ticks.length, 1);
  });

  test('storing the cursor makes the next evaluation launch nothing twice', () => {
    const now = at('2024-01-01T03:20:00Z');
    const first = dueTicks(hourly, { ...outage, now, policy: 'all' });
    assert.deepEqual(dueTicks(hourly, { lastTick: first.cursor, now, policy: 'all' }).ticks, []);
  });

  test('a new schedule does not backfill: only a tick within the grace period is launched', () => {
    assert.deepEqual(dueTicks(hourly, { lastTick: undefined, now: at('2024-01-01T10:30:00Z'), policy: 'all' }).ticks, []);
    assert.deepEqual(isos(dueTicks(hourly, { lastTick: undefined, now: at('2024-01-01T10:00:20Z'), policy: 'all' }).ticks), ['2024-01-01T10:00:00.000Z']);
  });

  test('graceMs decides how late a tick may be and still count as on time', () => {
    const options = { ...outage, now: at('2024-01-01T01:04:00Z'), policy: 'skip' as const };
    assert.deepEqual(dueTicks(hourly, options).ticks, []);
    assert.equal(dueTicks(hourly, { ...options, graceMs: 5 * 60_000 }).ticks.length, 1);
  });

  test('a clock that moved backwards makes nothing due', () => {
    assert.deepEqual(dueTicks(hourly, { lastTick: at('2024-01-02T00:00:00Z'), now: at('2024-01-01T12:00:00Z') }).ticks, []);
  });

  test("'all' across New York fall-back launches the repeated hour once", () => {
    const schedule = { cron: '0 * * * *', timezone: 'America/New_York' };
    const result = dueTicks(schedule, { lastTick: at('2024-11-03T04:00:00Z'), now: at('2024-11-03T08:00:10Z'), policy: 'all' });
    assert.deepEqual(isos(result.ticks), ['2024-11-03T05:00:00.000Z', '2024-11-03T07:00:00.000Z', '2024-11-03T08:00:00.000Z']);
  });

  test('an unknown policy and a non-positive maxCatchUp are configuration errors', () => {
    const now = at('2024-01-01T00:00:00Z');
    throwsConfig(() => dueTicks({ cron: '@hourly', missedTicks: 'some' as 'all' }, { lastTick: undefined, now }), '"some"', "'latest'");
    throwsConfig(() => dueTicks({ cron: '@hourly', maxCatchUp: 0 }, { lastTick: undefined, now }), 'maxCatchUp', '24');
  });

  test("'all' launches exactly the ticks between the cursor and now when under the cap", () => {
    const cron = fc.constantFrom('*/15 * * * *', '0 * * * *', '30 2 * * *', '0 0 L * *');
    const zone = fc.constantFrom('UTC', 'America/New_York', 'Europe/Berlin');
    const start = fc.integer({ min: Date.UTC(2020, 0, 1), max: Date.UTC(2030, 0, 1) });
    const span = fc.integer({ min: 0, max: 3 * 86_400_000 });
    fc.assert(
      fc.property(cron, zone, start, span, (expression, timezone, from, length) => {
        const schedule = { cron: expression, timezone, maxCatchUp: 1000 };
        const now = new Date(from + length);
        const expected = nextTicks(schedule, new Date(from), 1000).filter((tick) => tick <= now);
        assert.deepEqual(isos(dueTicks(schedule, { lastTick: new Date(from), now, policy: 'all' }).ticks), isos(expected));
      }),
      { numRuns: 60 },
    );
  });
});

describe('cronPreview', () => {
  test('the preview shows each tick in UTC and in local time with its offset', () => {
    const preview = cronPreview('30 2 * * *', 'Europe/Berlin', 3, at('2024-03-30T12:00:00Z'));
    assert.equal(preview.timezone, 'Europe/Berlin');
    assert.deepEqual(
      preview.ticks.map((tick) => tick.local),
      ['2024-03-31 03:00 +02:00', '2024-04-01 02:30 +02:00', '2024-04-02 02:30 +02:00'],
    );
    assert.equal(preview.ticks[0]?.utc, '2024-03-31T01:00:00.000Z');
  });

  test('the preview of an invalid expression explains the fix', () => {
    throwsConfig(() => cronPreview('every day', 'UTC', 3), '"every day"', "'30 2 * * *'");
  });
});
