// Compiling checks to SQL: the relation is the one given, values are bound, identifiers quoted.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checks } from '../../src/model/check-definition.js';
import { bindThis, compileCheck } from '../../src/checks/check-sql.js';

const relation = '"silver"."flights__staging"';

describe('compileCheck', () => {
  it('builds the SQL against the relation it is given, not the published table', () => {
    const { sql, sampleSql } = compileCheck(checks.notNull('delay_min'), { relation });
    assert.match(sql, /FROM "silver"\."flights__staging" AS _t/);
    assert.match(sampleSql ?? '', /FROM "silver"\."flights__staging" AS _t WHERE/);
  });

  it('binds accepted values as parameters instead of inlining them', () => {
    const { sql, params } = compileCheck(checks.acceptedValues('state', ["O'Hare", 'CA', 3, true]), { relation });
    assert.doesNotMatch(sql, /O'Hare/);
    assert.deepEqual(params, ["O'Hare", 'CA', 3, true]);
    assert.match(sql, /NOT IN \(\$1, \$2, CAST\(\$3 AS DOUBLE\), CAST\(\$4 AS BOOLEAN\)\)/);
  });

  it('casts numeric bounds to DOUBLE so a fractional bound is not rounded to the column type', () => {
    const { sql, params } = compileCheck(checks.acceptedRange('delay_min', { min: -1.5, max: 2880 }), { relation });
    assert.deepEqual(params, [-1.5, 2880]);
    assert.match(sql, /"delay_min" < CAST\(\$1 AS DOUBLE\) OR _t\."delay_min" > CAST\(\$2 AS DOUBLE\)/);
  });

  it('makes the bounds themselves failures when the range is exclusive', () => {
    const { sql } = compileCheck(checks.acceptedRange('x', { min: 0, inclusive: false }), { relation });
    assert.match(sql, /"x" <= CAST\(\$1 AS DOUBLE\)/);
  });

  it('refers to the published table of a relationship target unless told otherwise', () => {
    const check = checks.relationships('origin', { to: 'silver/airports', column: 'iata' });
    assert.match(compileCheck(check, { relation }).sql, /FROM "silver"\."airports" AS _ref/);
    assert.match(compileCheck(check, { relation, relatedRelation: '"silver"."airports__staging"' }).sql, /"airports__staging"/);
  });

  it('shows key columns first in samples and always the checked column', () => {
    const { sampleSql } = compileCheck(checks.acceptedRange('delay_min', { max: 10 }), { relation, keyColumns: ['flight_id'] });
    assert.match(sampleSql ?? '', /^SELECT _t\."flight_id", _t\."delay_min" FROM/);
  });

  it('limits samples to the requested number of rows', () => {
    assert.match(compileCheck(checks.notNull('a'), { relation, sampleLimit: 3 }).sampleSql ?? '', /LIMIT 3$/);
  });

  it('marks row count, freshness and reconciliation as aggregate checks without a sample query', () => {
    for (const check of [
      checks.rowCount({ min: 1 }),
      checks.freshness('ts', '1h'),
      checks.reconciliation('sum(flights)', { to: 'silver/flights', expression: 'count(*)' }),
    ]) {
      const compiled = compileCheck(check, { relation });
      assert.equal(compiled.aggregate, true, check.type);
      assert.equal(compiled.sampleSql, undefined, check.type);
    }
  });

  it('passes the reference time of a freshness check as a parameter', () => {
    const { params } = compileCheck(checks.freshness('ts', '1h'), { relation, nowMs: 1_000_000 });
    assert.deepEqual(params, [1_000_000, 3_600_000]);
  });

  it('substitutes {{ this }} in custom SQL, with or without spaces', () => {
    assert.equal(bindThis('select * from {{this}} join {{  this }} using (a)', 'T'), 'select * from T join T using (a)');
    const { sampleSql } = compileCheck(checks.customSql('neg', 'select * from {{ this }} where x < 0 -- negatives'), { relation });
    assert.match(sampleSql ?? '', /from "silver"\."flights__staging" where x < 0 -- negatives\n\) AS _failing/);
  });
});
