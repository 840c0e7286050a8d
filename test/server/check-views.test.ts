// Check definitions as the API shows them: one line per check saying what it asserts, thresholds only where they apply.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checks } from '../../src/model/check-definition.js';
import { checkAssertion, checkDefinitionView } from '../../src/server/check-views.js';

test('each built-in check type says what it asserts in one line', () => {
  const lines = [
    checks.notNull('origin'),
    checks.notNull(['origin', 'destination']),
    checks.unique('iata'),
    checks.unique(['departed_at', 'origin']),
    checks.acceptedValues('region', ['Northeast', "O'Hare", 1, true]),
    checks.acceptedRange('delay_min', { min: -1440, max: 2880 }),
    checks.acceptedRange('delay_min', { min: 0, inclusive: false }),
    checks.acceptedRange('flight_date', { max: '2001-06-30' }),
    checks.relationships('origin', { to: 'silver/airports', column: 'iata' }),
    checks.rowCount({ min: 1000 }),
    checks.rowCount({ min: 1, max: 10 }),
    checks.freshness('departed_at', '1h30m'),
    checks.freshness('departed_at', 1500),
    checks.reconciliation('sum(flights)', { to: 'silver/flights', expression: 'count(*)' }),
    checks.reconciliation('sum(x)', { to: 'a/b', expression: 'sum(y)', tolerance: 0.5 }),
    checks.customSql('no_future_days', 'SELECT * FROM {{ this }} WHERE flight_date > current_date'),
  ].map(checkAssertion);
  assert.deepEqual(lines, [
    'origin is not null',
    'origin, destination are not null',
    'iata is unique',
    '(departed_at, origin) is unique',
    "region in ('Northeast', 'O''Hare', 1, true)",
    'delay_min between -1440 and 2880',
    'delay_min > 0',
    "flight_date <= '2001-06-30'",
    'origin exists in silver/airports.iata',
    'row count >= 1000',
    'row count between 1 and 10',
    'newest departed_at at most 1h30m old',
    'newest departed_at at most 1s500ms old',
    'sum(flights) equals count(*) of silver/flights',
    'sum(x) equals sum(y) of a/b (within 0.5)',
    'no rows from: SELECT * FROM {{ this }} WHERE flight_date > current_date',
  ]);
});

test('a definition shows its severity, blocking, description and threshold; aggregate checks never show a threshold', () => {
  assert.deepEqual(
    checkDefinitionView(checks.unique('iata', { severity: 'warn', threshold: { maxFailingPercent: 0.1 }, description: 'IATA codes identify airports' })),
    {
      name: 'unique_iata',
      type: 'unique',
      severity: 'warn',
      blocking: false,
      assertion: 'iata is unique',
      description: 'IATA codes identify airports',
      threshold: { maxFailingPercent: 0.1 },
    },
  );
  assert.equal(checkDefinitionView(checks.rowCount({ min: 1 }, { threshold: { maxFailingRows: 3 } })).threshold, null);
});
