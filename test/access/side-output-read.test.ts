// A side output (a quarantine table that is no asset) read through the governed reader under its owning asset's policy.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { PolicyPrincipal } from '../../src/access/policy/policy-principal.js';
import { QueryRefusedError } from '../../src/access/governed-query/query-refused-error.js';
import { ANALYST_WEST, governedFixture, type GovernedFixture } from './governed-fixture.js';

const ADMIN: PolicyPrincipal = { id: 'admin', name: 'Ada', roles: ['admin'], groups: [], attributes: {} };

describe('side outputs through the governed reader', () => {
  let fixture: GovernedFixture;
  const side = (table: string, owner: string) => ({ purpose: 'quarantine' as const, sideOutputs: new Map([[`silver/${table}`, owner]]) });

  before(async () => {
    fixture = await governedFixture();
    const session = await fixture.warehouse.session();
    await session.exec(`
      CREATE TABLE silver.flights_typed_rejects AS SELECT * FROM (VALUES ('LAX', 'JFK', 1, 'bad_cast'), ('JFK', 'LAX', 70771, 'bad_cast')) t(origin, destination, delay_min, _error_type);
      CREATE TABLE silver.flights_rejects AS SELECT * FROM (VALUES ('a.csv', 2, 'bad_cast', 'JFK,LAX,70771')) t(_source_file, _line_number, _error_type, _raw_line);
      CREATE TABLE silver.airports_rejects AS SELECT * FROM (VALUES ('JFK', 'John F Kennedy International', 'duplicate_key')) t(iata, name, _error_type);
      CREATE TABLE silver.airports_raw_rejects AS SELECT * FROM (VALUES ('JFK', 'John F Kennedy International', 'duplicate_key', 'JFK,John F Kennedy International')) t(iata, name, _error_type, _raw_line);`);
    session.close();
  });
  after(() => fixture.close());

  test('the owner filter applies where its columns exist; the owner mask masks them', async () => {
    const typed = await fixture.reader.query(
      ANALYST_WEST,
      'SELECT origin, delay_min FROM silver.flights_typed_rejects',
      side('flights_typed_rejects', 'silver/flights'),
    );
    assert.deepEqual(
      typed.rows.map((r) => r.origin),
      ['LAX'],
    );
    const masked = await fixture.reader.query(ANALYST_WEST, 'SELECT iata, name FROM silver.airports_rejects', side('airports_rejects', 'silver/airports'));
    assert.deepEqual(masked.rows, [{ iata: 'JFK', name: 'Jo**************************' }]);
    const entry = fixture.audit.at(-1)!;
    assert.deepEqual([entry.purpose, entry.allowed, entry.assets], ['quarantine', true, ['silver/airports_rejects']]);
    assert.match(entry.policies?.join() ?? '', /mask name partial/);
  });

  test('rows are hidden (and the refusal audited) when the policy cannot reach them: a missing filter column, a raw line under a mask', async () => {
    for (const [table, owner, why] of [
      ['flights_rejects', 'silver/flights', /uses column\(s\) origin, which this table does not have/],
      ['airports_raw_rejects', 'silver/airports', /masks values that column\(s\) _raw_line may hold unmasked/],
    ] as const) {
      await assert.rejects(fixture.reader.query(ANALYST_WEST, `SELECT * FROM silver.${table}`, side(table, owner)), (error: unknown) => {
        assert.ok(error instanceof QueryRefusedError && error.rule === 'hidden', String(error));
        assert.match(error.message, why);
        return true;
      });
      const entry = fixture.audit.at(-1)!;
      assert.deepEqual([entry.purpose, entry.allowed], ['quarantine', false]);
      // No policy applies to an admin: every row, raw line included.
      const all = await fixture.reader.query(ADMIN, `SELECT * FROM silver.${table}`, side(table, owner));
      assert.equal(all.rows.length, 1);
    }
  });

  test('a side output is readable only when the caller names it with its owner, and only if the owner is readable', async () => {
    await assert.rejects(fixture.reader.query(ADMIN, 'SELECT * FROM silver.flights_rejects'), /not an asset you may read/);
    await assert.rejects(
      fixture.reader.query(ADMIN, 'SELECT * FROM silver.flights_rejects', side('flights_rejects', 'secret/payroll')),
      /not an asset you may read/,
    );
  });
});
