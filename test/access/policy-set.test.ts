// Policies compiled per principal: values bound never spliced, unless exempts, a missing attribute lets no row through, masks behave.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { DuckDbWarehouse } from '../../src/engine/duckdb/duckdb-warehouse.js';
import { GovernedReader } from '../../src/access/governed-query/governed-reader.js';
import { PolicySet } from '../../src/access/policy/policy-set.js';
import type { PolicyPrincipal } from '../../src/access/policy/policy-principal.js';

const who = (id: string, roles: string[], attributes: Record<string, string> = {}, groups: string[] = []): PolicyPrincipal => ({
  id,
  name: id,
  roles,
  groups,
  attributes,
});
const set = new PolicySet({
  hashSalt: 'pepper',
  policies: {
    'crm/people': {
      rowFilters: [
        { name: 'own-team', where: "team = {{ user.team }} OR {{ user.id }} = 'boss'", appliesTo: { roles: ['analyst'] }, unless: { users: ['auditor'] } },
      ],
      masks: [
        { column: 'email', mask: 'hash', appliesTo: { roles: ['analyst'] } },
        { column: 'phone', mask: { partial: { showFirst: 0, showLast: 2, fill: '#' } }, appliesTo: { groups: ['support'] } },
        { column: 'name', mask: 'redact', appliesTo: { roles: ['analyst'] } },
        { column: 'salary', mask: 'null' },
      ],
    },
  },
});

describe('policies compiled per principal', () => {
  test('attribute values become bound parameters, never SQL text, even when they look like SQL', () => {
    const relation = set.relation(who('mallory', ['analyst'], { team: "x' OR 1=1 --" }), 'crm/people');
    assert.ok(!relation.sql.includes('1=1'), relation.sql);
    assert.match(relation.sql, /team = \$\d+ OR \$\d+ = 'boss'/);
    assert.ok(relation.params.includes("x' OR 1=1 --") && relation.params.includes('mallory') && relation.params.includes('pepper'));
    assert.deepEqual(relation.filters, ['own-team']);
  });

  test('a principal exempted by unless, or not named by appliesTo, is not filtered', () => {
    assert.deepEqual(set.relation(who('auditor', ['analyst']), 'crm/people').filters, []);
    assert.deepEqual(set.relation(who('ops', ['operator']), 'crm/people').filters, []);
    assert.equal(set.restricts(who('ops', ['operator']), 'crm/people'), true, 'the salary mask applies to everybody');
    assert.equal(set.restricts(who('ops', ['operator']), 'crm/other'), false);
  });

  test('a filter naming an attribute the principal lacks lets no row through', () => {
    assert.match(set.relation(who('newbie', ['analyst']), 'crm/people').sql, /WHERE false/);
  });

  describe('run on DuckDB', () => {
    let warehouse: DuckDbWarehouse;
    let reader: GovernedReader;
    before(async () => {
      warehouse = await DuckDbWarehouse.open({ path: ':memory:' });
      const session = await warehouse.session();
      await session.exec(`CREATE SCHEMA crm; CREATE TABLE crm.people AS SELECT * FROM (VALUES
        ('red', 'Ann', 'ann@x.org', '555-0101', 100), ('blue', 'Bob', 'bob@y.org', '555-0202', 200), ('red', 'Cy', NULL, NULL, 300)) t(team, name, email, phone, salary)`);
      session.close();
      reader = new GovernedReader({ warehouse, assetKeys: () => ['crm/people'], policies: set, mayRead: () => true, audit: () => undefined });
    });
    after(() => warehouse.close());

    test('an analyst of the red team sees red rows, hashed emails (stable, NULL stays NULL), redacted names, no salaries', async () => {
      const analyst = who('ann', ['analyst'], { team: 'red' });
      const first = await reader.query(analyst, 'SELECT * FROM crm.people ORDER BY team, salary');
      const again = await reader.query(analyst, 'SELECT email FROM crm.people ORDER BY salary');
      assert.deepEqual(
        first.rows.map((r) => [r.team, r.name, r.salary]),
        [
          ['red', '[redacted]', null],
          ['red', '[redacted]', null],
        ],
      );
      assert.match(String(first.rows[0]!.email), /^[0-9a-f]{64}$/);
      assert.notEqual(first.rows[0]!.email, 'ann@x.org');
      assert.equal(first.rows[1]!.email, null);
      assert.deepEqual(
        again.rows.map((r) => r.email),
        first.rows.map((r) => r.email),
      );
      const injected = await reader.query(who('mallory', ['analyst'], { team: "x' OR 1=1 --" }), 'SELECT count(*) AS n FROM crm.people');
      assert.equal(injected.rows[0]!.n, 0);
    });

    test('support sees phones with only the last two digits', async () => {
      const { rows } = await reader.query(who('sue', ['operator'], {}, ['support']), 'SELECT phone FROM crm.people ORDER BY salary');
      assert.deepEqual(
        rows.map((r) => r.phone),
        ['######01', '######02', null],
      );
    });
  });
});
