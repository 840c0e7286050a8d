// Check constructors: default names, severities, blocking and argument validation.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checks, parseDuration } from '../../src/model/check-definition.js';
import { SluiceError } from '../../src/errors.js';

function assertInvalid(fn: () => unknown, pattern: RegExp): void {
  assert.throws(fn, (error: unknown) => error instanceof SluiceError && error.code === 'INVALID_DEFINITION' && pattern.test(error.message));
}

describe('check definitions', () => {
  it('derives the name from the type and the columns', () => {
    assert.equal(checks.notNull(['delay_min']).name, 'not_null_delay_min');
    assert.equal(checks.notNull(['origin', 'destination']).name, 'not_null_origin_destination');
    assert.equal(checks.unique('iata').name, 'unique_iata');
    assert.equal(checks.acceptedValues('region', ['West']).name, 'accepted_values_region');
    assert.equal(checks.acceptedRange('delay_min', { min: -1440, max: 2880 }).name, 'accepted_range_delay_min');
    assert.equal(checks.relationships('origin', { to: 'silver/airports', column: 'iata' }).name, 'relationships_origin_silver_airports_iata');
    assert.equal(checks.rowCount({ min: 1 }).name, 'row_count');
    assert.equal(checks.freshness('departed_at', '1h').name, 'freshness_departed_at');
    assert.equal(checks.reconciliation('sum(flights)', { to: 'silver.flights', expression: 'count(*)' }).name, 'reconciliation_silver_flights');
  });

  it('lets an explicit name override the derived one', () => {
    assert.equal(checks.notNull('a', { name: 'a_is_set' }).name, 'a_is_set');
  });

  it('defaults to a blocking error, and a warn check to non-blocking', () => {
    const error = checks.notNull('a');
    assert.equal(error.severity, 'error');
    assert.equal(error.blocking, true);
    const warn = checks.notNull('a', { severity: 'warn' });
    assert.equal(warn.blocking, false);
    assert.equal(checks.notNull('a', { blocking: false }).blocking, false);
  });

  it('refuses a blocking warn check', () => {
    assertInvalid(() => checks.notNull('a', { severity: 'warn', blocking: true }), /blocking but has severity "warn"/);
  });

  it('refuses identifiers that could break out of the quoted SQL', () => {
    assert.throws(() => checks.notNull(['a"; DROP TABLE x; --']), /not a valid identifier/);
    assert.throws(() => checks.relationships('a', { to: 'silver/air ports', column: 'iata' }), /not a valid identifier/);
  });

  it('refuses empty or contradictory arguments', () => {
    assertInvalid(() => checks.notNull([]), /at least one column/);
    assertInvalid(() => checks.acceptedValues('a', []), /at least one accepted value/);
    assertInvalid(() => checks.acceptedRange('a', {}), /min, a max or both/);
    assertInvalid(() => checks.acceptedRange('a', { min: 5, max: 1 }), /greater than max/);
    assertInvalid(() => checks.rowCount({ min: 10, max: 1 }), /greater than max/);
    assertInvalid(() => checks.reconciliation(' ', { to: 'a/b', expression: 'count(*)' }), /expression on both sides/);
    assertInvalid(() => checks.customSql('negative', 'DELETE FROM t'), /must be a SELECT/);
    assertInvalid(() => checks.notNull('a', { threshold: { maxFailingPercent: 120 } }), /between 0 and 100/);
    assertInvalid(() => checks.notNull('a', { threshold: { maxFailingRows: -1 } }), /non-negative integer/);
  });

  it('normalizes the referenced asset key of relationships', () => {
    const check = checks.relationships('origin', { to: 'Silver.Airports', column: 'iata' });
    assert.equal(check.to, 'silver/airports');
    assert.equal(check.toColumn, 'iata');
  });

  it('accepts a custom SELECT with a trailing semicolon', () => {
    assert.equal(checks.customSql('no_negative', 'select * from {{ this }} where x < 0;').sql, 'select * from {{ this }} where x < 0');
  });
});

describe('parseDuration', () => {
  it('reads single and compound units', () => {
    assert.equal(parseDuration('90s'), 90_000);
    assert.equal(parseDuration('1h30m'), 5_400_000);
    assert.equal(parseDuration('2d'), 172_800_000);
    assert.equal(parseDuration('250ms'), 250);
    assert.equal(parseDuration(1234), 1234);
  });

  it('rejects garbage, zero and negative durations', () => {
    assertInvalid(() => parseDuration('an hour'), /write it like/);
    assertInvalid(() => parseDuration('0h'), /longer than zero/);
    assertInvalid(() => parseDuration(-5), /positive number/);
  });

  it('gives freshness checks their age in milliseconds', () => {
    assert.equal(checks.freshness('ts', '1h').maxAgeMs, 3_600_000);
  });
});
