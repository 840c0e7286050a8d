// Every check type passing and failing against a real in-memory DuckDB, with thresholds, samples and errors.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { checks } from '../../src/model/check-definition.js';
import type { CheckDefinition } from '../../src/model/check-definition.js';
import { blockingFailures, checkPassed, runCheck, runChecks } from '../../src/checks/run-check.js';
import type { CheckResult } from '../../src/checks/run-check.js';
import { openTestDuckDb } from './duckdb-test-connection.js';
import type { TestDuckDb } from './duckdb-test-connection.js';

const FLIGHTS = '"silver"."flights"';
const NOW = Date.parse('2001-06-30T12:00:00Z');
let db: TestDuckDb;

before(async () => {
  db = await openTestDuckDb();
  await db.exec(`
    CREATE SCHEMA silver;
    CREATE TABLE silver.airports AS SELECT * FROM (VALUES ('ORD'), ('LAX'), ('JFK')) AS t(iata);
    CREATE TABLE silver.flights AS SELECT * FROM (VALUES
      (1, 'ORD', 'LAX', 12, TIMESTAMP '2001-06-30 10:00:00', 'on_time'),
      (2, 'LAX', 'JFK', -5, TIMESTAMP '2001-06-30 11:00:00', 'on_time'),
      (3, 'JFK', 'ORD', 45, TIMESTAMP '2001-06-30 11:30:00', 'delayed'),
      (4, 'ORD', 'JFK', 3000, TIMESTAMP '2001-06-29 09:00:00', 'delayed'),
      (5, 'XXX', 'LAX', NULL, TIMESTAMP '2001-06-29 08:00:00', 'lost'),
      (5, 'ORD', NULL, 7, TIMESTAMP '2001-06-28 08:00:00', 'on_time')
    ) AS t(flight_id, origin, destination, delay_min, departed_at, status);
    CREATE TABLE silver.daily AS SELECT * FROM (VALUES (DATE '2001-06-30', 4), (DATE '2001-06-29', 2)) AS t(day, flights);
    CREATE TABLE silver.empty_flights AS SELECT * FROM silver.flights WHERE false;
  `);
});

after(() => db.close());

function check(definition: CheckDefinition, relation = FLIGHTS): Promise<CheckResult> {
  return runCheck(db, definition, { assetKey: 'silver/flights', relation, keyColumns: ['flight_id'], nowMs: NOW });
}

describe('runCheck', () => {
  it('not_null passes on a complete column and fails with the null rows as samples', async () => {
    assert.equal((await check(checks.notNull(['origin']))).passed, true);
    const result = await check(checks.notNull(['delay_min', 'destination']));
    assert.equal(result.passed, false);
    assert.equal(result.failingCount, 2);
    assert.equal(result.totalCount, 6);
    assert.ok(Math.abs(result.failingPercent - 100 / 3) < 1e-9);
    assert.deepEqual(
      result.sampleFailing.map((row) => Object.keys(row)),
      [
        ['flight_id', 'delay_min', 'destination'],
        ['flight_id', 'delay_min', 'destination'],
      ],
    );
  });

  it('unique counts every row of a duplicated key and samples the keys with their counts', async () => {
    assert.equal((await check(checks.unique(['flight_id', 'origin']))).passed, true);
    const result = await check(checks.unique('flight_id'));
    assert.equal(result.passed, false);
    assert.equal(result.failingCount, 2);
    assert.deepEqual(result.sampleFailing, [{ flight_id: 5, _count: 2 }]);
  });

  it('unique ignores rows whose key is null', async () => {
    assert.equal((await check(checks.unique('delay_min'))).passed, true);
  });

  it('accepted_values fails on values outside the list and lets nulls through', async () => {
    assert.equal((await check(checks.acceptedValues('status', ['on_time', 'delayed', 'lost']))).passed, true);
    const result = await check(checks.acceptedValues('status', ['on_time', 'delayed']));
    assert.equal(result.failingCount, 1);
    assert.deepEqual(result.sampleFailing, [{ flight_id: 5, status: 'lost' }]);
    assert.equal((await check(checks.acceptedValues('flight_id', [1, 2, 3, 4, 5]))).passed, true);
  });

  it('accepted_range fails outside the bounds, honours exclusive bounds and lets nulls through', async () => {
    assert.equal((await check(checks.acceptedRange('delay_min', { min: -1440, max: 3000 }))).passed, true);
    const tooHigh = await check(checks.acceptedRange('delay_min', { min: -1440, max: 2880 }));
    assert.equal(tooHigh.failingCount, 1);
    assert.deepEqual(tooHigh.sampleFailing, [{ flight_id: 4, delay_min: 3000 }]);
    assert.equal((await check(checks.acceptedRange('delay_min', { max: 3000, inclusive: false }))).failingCount, 1);
    assert.equal((await check(checks.acceptedRange('delay_min', { min: -5.5 }))).passed, true);
    assert.equal((await check(checks.acceptedRange('delay_min', { min: -4.5 }))).failingCount, 1);
  });

  it('accepted_range compares timestamps with ISO strings', async () => {
    const result = await check(checks.acceptedRange('departed_at', { min: '2001-06-29 00:00:00' }));
    assert.equal(result.failingCount, 1);
  });

  it('relationships fails for values missing from the referenced asset, ignoring nulls', async () => {
    assert.equal((await check(checks.relationships('destination', { to: 'silver/airports', column: 'iata' }))).passed, true);
    const result = await check(checks.relationships('origin', { to: 'silver/airports', column: 'iata' }));
    assert.equal(result.failingCount, 1);
    assert.deepEqual(result.sampleFailing, [{ flight_id: 5, origin: 'XXX' }]);
  });

  it('relationships checks against the related relation it is given', async () => {
    await db.exec("CREATE TABLE silver.airports__staging AS SELECT * FROM (VALUES ('ORD'), ('LAX'), ('JFK'), ('XXX')) AS t(iata)");
    const result = await runCheck(db, checks.relationships('origin', { to: 'silver/airports', column: 'iata' }), {
      assetKey: 'silver/flights',
      relation: FLIGHTS,
      relatedRelation: '"silver"."airports__staging"',
    });
    assert.equal(result.passed, true);
  });

  it('row_count fails outside its range and reports the count as the sample', async () => {
    assert.equal((await check(checks.rowCount({ min: 1, max: 6 }))).passed, true);
    const result = await check(checks.rowCount({ max: 5 }));
    assert.equal(result.passed, false);
    assert.equal(result.failingPercent, 100);
    assert.deepEqual(result.sampleFailing, [{ row_count: 6 }]);
    assert.equal((await check(checks.rowCount({ min: 1 }), '"silver"."empty_flights"')).passed, false);
  });

  it('freshness passes within the maximum age and fails when older or empty', async () => {
    assert.equal((await check(checks.freshness('departed_at', '1h'))).passed, true);
    const stale = await check(checks.freshness('departed_at', '15m'));
    assert.equal(stale.passed, false);
    assert.equal(stale.sampleFailing[0]?.age_ms, 30 * 60_000);
    assert.equal((await check(checks.freshness('departed_at', '1d'), '"silver"."empty_flights"')).passed, false);
  });

  it('freshness works on DATE columns', async () => {
    const daily = await runCheck(db, checks.freshness('day', '1d'), { assetKey: 'silver/daily', relation: '"silver"."daily"', nowMs: NOW });
    assert.equal(daily.passed, true);
  });

  it('reconciliation compares expressions across two assets within a tolerance', async () => {
    const reconcile = (tolerance?: number) =>
      runCheck(db, checks.reconciliation('sum(flights)', { to: 'silver/flights', expression: 'count(*)', ...(tolerance === undefined ? {} : { tolerance }) }), {
        assetKey: 'silver/daily',
        relation: '"silver"."daily"',
      });
    assert.equal((await reconcile()).passed, true);
    await db.exec("INSERT INTO silver.daily VALUES (DATE '2001-06-28', 1)");
    const off = await reconcile();
    assert.equal(off.passed, false);
    assert.deepEqual(off.sampleFailing, [{ left_value: 7, right_value: 6, difference: 1 }]);
    assert.equal((await reconcile(1)).passed, true);
    await db.exec("DELETE FROM silver.daily WHERE day = DATE '2001-06-28'");
  });

  it('custom_sql fails for each row it returns and samples them', async () => {
    assert.equal((await check(checks.customSql('no_self_loops', 'select * from {{ this }} where origin = destination'))).passed, true);
    const result = await check(checks.customSql('late_and_on_time', "select flight_id from {{ this }} where delay_min > 15 and status = 'on_time'"));
    assert.equal(result.passed, true);
    const bad = await check(checks.customSql('very_late', 'select flight_id, delay_min from {{ this }} where delay_min > 40'));
    assert.equal(bad.failingCount, 2);
    assert.deepEqual(new Set(bad.sampleFailing.map((row) => row.flight_id)), new Set([3, 4]));
  });

  it('passes a failing check whose failures stay within the row or percent threshold', async () => {
    assert.equal((await check(checks.notNull('delay_min', { threshold: { maxFailingRows: 1 } }))).passed, true);
    assert.equal((await check(checks.notNull('delay_min', { threshold: { maxFailingPercent: 20 } }))).passed, true);
    assert.equal((await check(checks.notNull('delay_min', { threshold: { maxFailingPercent: 10 } }))).passed, false);
    assert.equal((await check(checks.notNull(['delay_min', 'destination'], { threshold: { maxFailingRows: 5, maxFailingPercent: 10 } }))).passed, false);
  });

  it('keeps at most the sample limit of failing rows', async () => {
    const result = await runCheck(db, checks.acceptedRange('delay_min', { max: -100 }), { assetKey: 'silver/flights', relation: FLIGHTS, sampleLimit: 2 });
    assert.equal(result.failingCount, 5);
    assert.equal(result.sampleFailing.length, 2);
  });

  it('reports a check that cannot run as failed with its error, without throwing', async () => {
    const result = await check(checks.notNull('no_such_column'));
    assert.equal(result.passed, false);
    assert.equal(result.blocking, true);
    assert.match(result.error?.message ?? '', /no_such_column/);
    assert.match(result.sql, /no_such_column/);
  });

  it('returns JSON-safe results: bigint counts become numbers and timestamps ISO strings', async () => {
    const result = await check(checks.freshness('departed_at', '1m'));
    assert.equal(typeof result.totalCount, 'number');
    assert.equal(result.sampleFailing[0]?.latest, '2001-06-30T11:30:00.000Z');
    assert.doesNotThrow(() => JSON.stringify(result));
  });
});

describe('runChecks and blockingFailures', () => {
  it('a failing warn check is reported but does not block; a failing error check blocks', async () => {
    const results = await runChecks(
      db,
      [checks.unique('flight_id', { severity: 'warn' }), checks.notNull('origin'), checks.acceptedRange('delay_min', { max: 2880 })],
      { assetKey: 'silver/flights', relation: FLIGHTS },
    );
    assert.deepEqual(
      results.map((result) => [result.checkName, result.passed]),
      [
        ['unique_flight_id', false],
        ['not_null_origin', true],
        ['accepted_range_delay_min', false],
      ],
    );
    assert.deepEqual(
      blockingFailures(results).map((result) => result.checkName),
      ['accepted_range_delay_min'],
    );
  });

  it('checkPassed treats zero failures of zero rows as passing', () => {
    assert.equal(checkPassed(checks.notNull('a', { threshold: { maxFailingPercent: 0 } }), 0, 0), true);
  });
});
