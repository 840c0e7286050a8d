// Partition math: keys, windows across month ends and DST, ranges, invalid keys and missing partitions.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { SluiceError, type SluiceErrorCode } from '../../src/errors.js';
import {
  MAX_PARTITION_KEYS,
  assertPartitionKey,
  dailyPartitions,
  hourlyPartitions,
  isValidPartitionKey,
  missingPartitions,
  monthlyPartitions,
  partitionKeyAt,
  partitionKeys,
  partitionRange,
  partitionWindow,
  staticPartitions,
  type TimePartitionsDefinition,
} from '../../src/model/partitions.js';

const HOUR = 3_600_000;
const at = (iso: string): Date => new Date(iso);
const hours = (window: { start: Date; end: Date }): number => (window.end.getTime() - window.start.getTime()) / HOUR;
const iso = (window: { start: Date; end: Date }): [string, string] => [window.start.toISOString(), window.end.toISOString()];

function throwsSluice(fn: () => unknown, code: SluiceErrorCode, ...fragments: string[]): void {
  assert.throws(fn, (error: unknown) => {
    assert.ok(error instanceof SluiceError, `expected a SluiceError, got ${String(error)}`);
    assert.equal(error.code, code);
    for (const fragment of fragments) assert.ok(error.message.includes(fragment), `"${error.message}" should mention "${fragment}"`);
    return true;
  });
}

describe('partition definitions', () => {
  test('daily partitions default to UTC and keep the time zone as written, capitalized', () => {
    assert.deepEqual(dailyPartitions({ start: '2024-01-01' }), { type: 'daily', start: '2024-01-01', timezone: 'UTC' });
    assert.equal(dailyPartitions({ start: '2024-01-01', timezone: 'europe/berlin' }).timezone, 'Europe/Berlin');
    assert.equal(dailyPartitions({ start: '2024-01-01', timezone: 'Asia/Kolkata' }).timezone, 'Asia/Kolkata');
  });

  test('an unknown time zone is rejected with its name and an example of a valid one', () => {
    throwsSluice(() => dailyPartitions({ start: '2024-01-01', timezone: 'Mars/Olympus' }), 'INVALID_DEFINITION', '"Mars/Olympus"', 'America/New_York');
  });

  test('a start that is not a real date is rejected with the value and the expected format', () => {
    throwsSluice(() => dailyPartitions({ start: '2023-02-29' }), 'INVALID_DEFINITION', '"2023-02-29"', 'not a real date', 'YYYY-MM-DD');
    throwsSluice(() => dailyPartitions({ start: '2024/01/01' }), 'INVALID_DEFINITION', '"2024/01/01"', 'YYYY-MM-DD');
    throwsSluice(() => monthlyPartitions({ start: '2024-1' }), 'INVALID_DEFINITION', '"2024-1"', 'YYYY-MM');
    throwsSluice(() => hourlyPartitions({ start: '2024-01-01-24' }), 'INVALID_DEFINITION', '"2024-01-01-24"', 'YYYY-MM-DD-HH');
    throwsSluice(() => hourlyPartitions({ start: '2024-02-30T00:00:00Z' }), 'INVALID_DEFINITION', '"2024-02-30T00:00:00Z"', 'not a real date');
  });

  test('an end that is not after the start is rejected, saying the end is exclusive', () => {
    throwsSluice(() => dailyPartitions({ start: '2024-01-02', end: '2024-01-02' }), 'INVALID_DEFINITION', '"2024-01-02"', 'exclusive');
  });

  test('hourly starts accept ISO date-times and become local hour keys', () => {
    assert.equal(hourlyPartitions({ start: '2024-01-01T00:00:00Z', timezone: 'Europe/Berlin' }).start, '2024-01-01-01');
    assert.equal(hourlyPartitions({ start: '2024-01-01T05:00' }).start, '2024-01-01-05');
    assert.equal(hourlyPartitions({ start: '2024-01-01T00:00:00+05:30', timezone: 'Asia/Kolkata' }).start, '2024-01-01-00');
  });

  test('an hourly start that is not on a local hour boundary is rejected', () => {
    throwsSluice(() => hourlyPartitions({ start: '2024-01-01T05:30:00Z' }), 'INVALID_DEFINITION', 'start of an hour');
    throwsSluice(() => hourlyPartitions({ start: '2024-01-01T00:00:00Z', timezone: 'Asia/Kolkata' }), 'INVALID_DEFINITION', 'local hour in Asia/Kolkata');
  });

  test('static partitions must be a non-empty list of unique keys without slashes', () => {
    assert.deepEqual(staticPartitions(['eu', 'us']).keys, ['eu', 'us']);
    throwsSluice(() => staticPartitions([]), 'INVALID_DEFINITION', 'at least one key');
    throwsSluice(() => staticPartitions(['eu', '']), 'INVALID_DEFINITION', 'empty');
    throwsSluice(() => staticPartitions(['eu/west']), 'INVALID_DEFINITION', '"eu/west"', "'/'");
    throwsSluice(() => staticPartitions(['eu', 'us', 'eu']), 'INVALID_DEFINITION', '"eu"', 'twice');
  });
});

describe('partition keys', () => {
  const daily = dailyPartitions({ start: '2024-01-29' });

  test('only days that have ended are complete', () => {
    assert.deepEqual(partitionKeys(daily, { now: at('2024-02-01T12:00:00Z') }), ['2024-01-29', '2024-01-30', '2024-01-31']);
  });

  test('a day is complete at the exact instant it ends', () => {
    assert.deepEqual(partitionKeys(daily, { now: at('2024-01-30T00:00:00Z') }), ['2024-01-29']);
    assert.deepEqual(partitionKeys(daily, { now: at('2024-01-29T23:59:59.999Z') }), []);
  });

  test('a time before the start yields no partitions', () => {
    assert.deepEqual(partitionKeys(daily, { now: at('2020-01-01T00:00:00Z') }), []);
  });

  test('daily keys roll over from January 31 to February 1', () => {
    assert.deepEqual(partitionRange(daily, '2024-01-30', '2024-02-02'), ['2024-01-30', '2024-01-31', '2024-02-01', '2024-02-02']);
  });

  test('February 29 is a partition in leap years only', () => {
    const def = dailyPartitions({ start: '2020-01-01' });
    assert.deepEqual(partitionRange(def, '2028-02-28', '2028-03-01'), ['2028-02-28', '2028-02-29', '2028-03-01']);
    assert.deepEqual(partitionRange(def, '2027-02-28', '2027-03-01'), ['2027-02-28', '2027-03-01']);
    assert.equal(isValidPartitionKey(def, '2027-02-29'), false);
    assert.equal(isValidPartitionKey(dailyPartitions({ start: '2000-01-01' }), '2100-02-29'), false);
  });

  test('monthly keys roll over the year and February 2028 lasts 29 days', () => {
    const def = monthlyPartitions({ start: '2027-11' });
    assert.deepEqual(partitionKeys(def, { now: at('2028-03-15T00:00:00Z') }), ['2027-11', '2027-12', '2028-01', '2028-02']);
    assert.equal(hours(partitionWindow(def, '2028-02')), 29 * 24);
  });

  test('the exclusive end stops the keys however late now is', () => {
    const def = dailyPartitions({ start: '2001-06-29', end: '2001-07-01' });
    assert.deepEqual(partitionKeys(def, { now: at('2030-01-01T00:00:00Z') }), ['2001-06-29', '2001-06-30']);
    assert.equal(isValidPartitionKey(def, '2001-07-01'), false);
  });

  test('more than the key limit fails with a clear error instead of building them all', () => {
    const def = hourlyPartitions({ start: '2000-01-01-00' });
    throwsSluice(
      () => partitionKeys(def, { now: at('2024-01-01T00:00:00Z') }),
      'INVALID_DEFINITION',
      String(MAX_PARTITION_KEYS),
      '"2000-01-01-00"',
      'later start',
    );
  });

  test('a bounded definition stays under the limit however late now is', () => {
    const def = hourlyPartitions({ start: '2000-01-01-00', end: '2000-01-02-00' });
    assert.equal(partitionKeys(def, { now: at('9000-01-01T00:00:00Z') }).length, 24);
  });

  test('static keys are all complete, in declared order', () => {
    assert.deepEqual(partitionKeys(staticPartitions(['west', 'east']), { now: at('1970-01-01T00:00:00Z') }), ['west', 'east']);
  });
});

describe('partition windows and DST', () => {
  test('a UTC day is 24 hours from midnight to midnight', () => {
    assert.deepEqual(iso(partitionWindow(dailyPartitions({ start: '2024-01-01' }), '2024-01-31')), ['2024-01-31T00:00:00.000Z', '2024-02-01T00:00:00.000Z']);
  });

  test('a New York day is 23 hours on spring-forward and 25 hours on fall-back', () => {
    const def = dailyPartitions({ start: '2024-01-01', timezone: 'America/New_York' });
    assert.deepEqual(iso(partitionWindow(def, '2024-03-10')), ['2024-03-10T05:00:00.000Z', '2024-03-11T04:00:00.000Z']);
    assert.equal(hours(partitionWindow(def, '2024-11-03')), 25);
    assert.equal(hours(partitionWindow(def, '2024-11-04')), 24);
  });

  test('a Berlin day is 23 hours on 2024-03-31 and 25 hours on 2024-10-27', () => {
    const def = dailyPartitions({ start: '2024-01-01', timezone: 'Europe/Berlin' });
    assert.deepEqual(iso(partitionWindow(def, '2024-03-31')), ['2024-03-30T23:00:00.000Z', '2024-03-31T22:00:00.000Z']);
    assert.equal(hours(partitionWindow(def, '2024-10-27')), 25);
  });

  test('a New York month containing spring-forward is one hour short', () => {
    const def = monthlyPartitions({ start: '2024-01', timezone: 'America/New_York' });
    assert.equal(hours(partitionWindow(def, '2024-03')), 31 * 24 - 1);
  });

  test('the hour skipped by New York spring-forward is not a partition', () => {
    const def = hourlyPartitions({ start: '2024-03-10-00', timezone: 'America/New_York' });
    const keys = partitionKeys(def, { now: at('2024-03-11T04:00:00Z') });
    assert.equal(keys.length, 23);
    assert.deepEqual(keys.slice(0, 3), ['2024-03-10-00', '2024-03-10-01', '2024-03-10-03']);
    assert.equal(isValidPartitionKey(def, '2024-03-10-02'), false);
    throwsSluice(() => partitionWindow(def, '2024-03-10-02'), 'INVALID_SELECTION', '"2024-03-10-02"', 'does not exist in America/New_York');
  });

  test('the hours either side of the skipped hour touch: 01:00 EST ends where 03:00 EDT begins', () => {
    const def = hourlyPartitions({ start: '2024-03-10-00', timezone: 'America/New_York' });
    assert.deepEqual(iso(partitionWindow(def, '2024-03-10-01')), ['2024-03-10T06:00:00.000Z', '2024-03-10T07:00:00.000Z']);
    assert.deepEqual(iso(partitionWindow(def, '2024-03-10-03')), ['2024-03-10T07:00:00.000Z', '2024-03-10T08:00:00.000Z']);
  });

  test('the hour repeated by New York fall-back is one partition two hours long', () => {
    const def = hourlyPartitions({ start: '2024-11-03-00', timezone: 'America/New_York' });
    assert.deepEqual(iso(partitionWindow(def, '2024-11-03-01')), ['2024-11-03T05:00:00.000Z', '2024-11-03T07:00:00.000Z']);
    const keys = partitionKeys(def, { now: at('2024-11-04T05:00:00Z') });
    assert.equal(keys.length, 24);
    assert.equal(
      keys.reduce((sum, key) => sum + hours(partitionWindow(def, key)), 0),
      25,
    );
  });

  test('Berlin hourly partitions skip 02 in March and stretch 02 over two hours in October', () => {
    const def = hourlyPartitions({ start: '2024-01-01-00', timezone: 'Europe/Berlin' });
    assert.deepEqual(partitionRange(def, '2024-03-31-01', '2024-03-31-03'), ['2024-03-31-01', '2024-03-31-03']);
    assert.deepEqual(iso(partitionWindow(def, '2024-10-27-02')), ['2024-10-27T00:00:00.000Z', '2024-10-27T02:00:00.000Z']);
  });

  test('a half-hour DST shift leaves a 30-minute hourly partition (Lord Howe Island)', () => {
    const def = hourlyPartitions({ start: '2024-10-01-00', timezone: 'Australia/Lord_Howe' });
    assert.equal(hours(partitionWindow(def, '2024-10-06-02')), 0.5);
  });

  test('a calendar day a time zone skipped entirely is not a partition (Samoa, 2011-12-30)', () => {
    const def = dailyPartitions({ start: '2011-12-28', timezone: 'Pacific/Apia' });
    assert.deepEqual(partitionRange(def, '2011-12-29', '2011-12-31'), ['2011-12-29', '2011-12-31']);
  });

  test('hourly windows in a half-hour zone start at half past the UTC hour', () => {
    const def = hourlyPartitions({ start: '2024-01-01-00', timezone: 'Asia/Kolkata' });
    assert.deepEqual(iso(partitionWindow(def, '2024-01-01-06')), ['2024-01-01T00:30:00.000Z', '2024-01-01T01:30:00.000Z']);
  });

  test('events in both repeated 01:00 hours map to the same key, as formatting local time does', () => {
    const def = hourlyPartitions({ start: '2024-11-01-00', timezone: 'America/New_York' });
    assert.equal(partitionKeyAt(def, at('2024-11-03T05:30:00Z')), '2024-11-03-01');
    assert.equal(partitionKeyAt(def, at('2024-11-03T06:30:00Z')), '2024-11-03-01');
    assert.equal(partitionKeyAt(def, at('2024-11-03T07:00:00Z')), '2024-11-03-02');
  });

  test('instants outside the definition have no partition key', () => {
    const def = dailyPartitions({ start: '2024-01-01', end: '2024-02-01' });
    assert.equal(partitionKeyAt(def, at('2023-12-31T23:59:59Z')), undefined);
    assert.equal(partitionKeyAt(def, at('2024-02-01T00:00:00Z')), undefined);
  });

  test('static partitions have no time window', () => {
    const def = staticPartitions(['eu']) as unknown as TimePartitionsDefinition;
    throwsSluice(() => partitionWindow(def, 'eu'), 'INVALID_DEFINITION', 'no time window');
  });
});

describe('partition ranges and key validation', () => {
  const def = dailyPartitions({ start: '2024-01-01', end: '2025-01-01' });

  test('a range includes both ends', () => {
    assert.deepEqual(partitionRange(def, '2024-05-01', '2024-05-01'), ['2024-05-01']);
    assert.equal(partitionRange(def, '2024-01-01', '2024-12-31').length, 366);
  });

  test('a reversed range is rejected, showing the order that works', () => {
    throwsSluice(() => partitionRange(def, '2024-05-02', '2024-05-01'), 'INVALID_SELECTION', '"2024-05-01" to "2024-05-02"');
  });

  test('a malformed key in a range is named with the valid format', () => {
    throwsSluice(() => partitionRange(def, '2024-5-1', '2024-05-03'), 'INVALID_SELECTION', '"2024-5-1"', 'YYYY-MM-DD', '"2024-01-31"');
  });

  test('keys outside the definition are rejected with the bound they cross', () => {
    throwsSluice(() => assertPartitionKey(def, '2023-12-31'), 'INVALID_SELECTION', '"2023-12-31"', 'before the first partition "2024-01-01"');
    throwsSluice(() => assertPartitionKey(def, '2025-01-01'), 'INVALID_SELECTION', '"2025-01-01"', 'end "2025-01-01"');
  });

  test('a key of another granularity is not valid', () => {
    assert.equal(isValidPartitionKey(def, '2024-05'), false);
    assert.equal(isValidPartitionKey(def, '2024-05-01-00'), false);
    assert.equal(isValidPartitionKey(def, '2024-05-01'), true);
  });

  test('a static range follows the declared order and unknown keys are listed', () => {
    const regions = staticPartitions(['northeast', 'midwest', 'south', 'west']);
    assert.deepEqual(partitionRange(regions, 'midwest', 'west'), ['midwest', 'south', 'west']);
    throwsSluice(() => partitionRange(regions, 'west', 'midwest'), 'INVALID_SELECTION', 'reversed');
    throwsSluice(() => assertPartitionKey(regions, 'north'), 'INVALID_SELECTION', '"north"', '"northeast"');
  });
});

describe('missing partitions', () => {
  test('missing partitions are the complete ones not yet materialized, oldest first', () => {
    const def = dailyPartitions({ start: '2024-01-01' });
    const materialized = new Set(['2024-01-02', '2024-01-04', '2023-12-31']);
    assert.deepEqual(missingPartitions(def, materialized, { now: at('2024-01-05T06:00:00Z') }), ['2024-01-01', '2024-01-03']);
  });

  test('an in-progress partition is not missing yet', () => {
    const def = hourlyPartitions({ start: '2024-01-01-00' });
    assert.deepEqual(missingPartitions(def, new Set(['2024-01-01-00']), { now: at('2024-01-01T01:59:00Z') }), []);
  });

  test('static partitions are missing until materialized', () => {
    assert.deepEqual(missingPartitions(staticPartitions(['a', 'b', 'c']), new Set(['b']), { now: at('2024-01-01T00:00:00Z') }), ['a', 'c']);
  });
});

describe('partition properties', () => {
  const zones = ['UTC', 'America/New_York', 'Europe/Berlin', 'Australia/Lord_Howe', 'Asia/Kolkata', 'America/Santiago'];
  const zone = fc.constantFrom(...zones);
  const day = fc.integer({ min: Date.UTC(1990, 0, 1), max: Date.UTC(2040, 0, 1) }).map((ms) => new Date(ms).toISOString().slice(0, 10));

  test('consecutive daily partitions tile time with no gap or overlap', () => {
    fc.assert(
      fc.property(zone, day, (timezone, key) => {
        const def = dailyPartitions({ start: '1990-01-01', timezone });
        const [first, second] = partitionRange(def, key, partitionKeyAt(def, new Date(partitionWindow(def, key).end))!);
        assert.ok(first !== undefined && second !== undefined);
        const a = partitionWindow(def, first);
        const b = partitionWindow(def, second);
        assert.equal(a.end.getTime(), b.start.getTime());
        assert.ok(hours(a) >= 23 && hours(a) <= 25, `${key} in ${timezone} lasts ${hours(a)} h`);
      }),
    );
  });

  test('every instant lies in the window of its own partition key', () => {
    const granularity = fc.constantFrom(hourlyPartitions, dailyPartitions, monthlyPartitions);
    const instant = fc.integer({ min: Date.UTC(1995, 0, 1), max: Date.UTC(2035, 0, 1) }).map((ms) => new Date(ms));
    fc.assert(
      fc.property(zone, granularity, instant, (timezone, make, t) => {
        const start = make === hourlyPartitions ? '1990-01-01-00' : make === dailyPartitions ? '1990-01-01' : '1990-01';
        const def = make({ start, timezone });
        const key = partitionKeyAt(def, t)!;
        const window = partitionWindow(def, key);
        assert.ok(window.start <= t && t < window.end, `${t.toISOString()} not in ${key} ${iso(window).join(' - ')}`);
      }),
    );
  });

  test('hourly ranges are ordered, valid and contiguous across a whole year of DST changes', () => {
    fc.assert(
      fc.property(zone, fc.integer({ min: 2000, max: 2030 }), (timezone, year) => {
        const def = hourlyPartitions({ start: `${year}-01-01-00`, timezone });
        const windows = partitionRange(def, `${year}-01-01-00`, `${year}-12-31-23`).map((key) => partitionWindow(def, key));
        windows.slice(1).forEach((window, i) => assert.equal(window.start.getTime(), windows[i]!.end.getTime()));
        const total = windows.reduce((sum, window) => sum + hours(window), 0);
        assert.equal(Math.round(total), (Date.UTC(year + 1, 0, 1) - Date.UTC(year, 0, 1)) / HOUR);
      }),
      { numRuns: 6 },
    );
  });
});
