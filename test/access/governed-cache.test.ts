// The governed reader keeps the parse and the rendering of SQL it has seen: a query asked again skips both round trips
// to DuckDB, and each principal still gets exactly what its own policies allow.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { GovernedReader } from '../../src/access/governed-query/governed-reader.js';
import { PolicySet } from '../../src/access/policy/policy-set.js';
import type { PolicyPrincipal } from '../../src/access/policy/policy-principal.js';
import type { WarehouseSession } from '../../src/engine/warehouse.js';
import { ANALYST_WEST, FIXTURE_POLICIES, governedFixture, type GovernedFixture } from './governed-fixture.js';

const ADMIN: PolicyPrincipal = { id: 'admin', name: 'Ada', roles: ['admin'], groups: [], attributes: {} };
const ANALYST_NORTHEAST: PolicyPrincipal = { ...ANALYST_WEST, id: 'analyst-ne', name: 'Ned', attributes: { region: 'Northeast' } };
const SQL = 'SELECT origin, delay_min FROM silver.flights ORDER BY delay_min';

let fixture: GovernedFixture;
before(async () => {
  fixture = await governedFixture();
});
after(() => fixture.close());

describe('the governed reader, asked the same query again', () => {
  it("answers each principal with its own policy's rows, in any order of asking", async () => {
    const origins = async (principal: PolicyPrincipal): Promise<string[]> => (await fixture.reader.query(principal, SQL)).rows.map((row) => String(row.origin));
    const everything = ['LAX', 'SFO', 'JFK', 'JFK'];
    assert.deepEqual(await origins(ADMIN), everything);
    assert.deepEqual(await origins(ANALYST_WEST), ['LAX', 'SFO']);
    assert.deepEqual(await origins(ANALYST_NORTHEAST), ['JFK', 'JFK']);
    assert.deepEqual(await origins(ANALYST_WEST), ['LAX', 'SFO']);
    assert.deepEqual(await origins(ADMIN), everything);
  });

  it('parses and renders it without a round trip to DuckDB', async () => {
    const statements: string[] = [];
    const reader = new GovernedReader({
      warehouse: {
        session: async (): Promise<WarehouseSession> => {
          const session = await fixture.warehouse.session();
          const query = session.query.bind(session);
          // Counts what the reader asks the session; everything else is the session's own.
          return Object.assign(Object.create(session) as WarehouseSession, {
            query: (sql: string, params?: readonly unknown[]) => (statements.push(sql), query(sql, params)),
          });
        },
      },
      assetKeys: () => ['silver/flights', 'silver/airports', 'gold/summary'],
      policies: new PolicySet({ policies: FIXTURE_POLICIES, hashSalt: 'test-salt' }),
      mayRead: () => true,
      audit: () => undefined,
    });
    const roundTrips = (): number => statements.filter((sql) => /json_(de)?serialize_sql/.test(sql)).length;
    const first = await reader.plan(ANALYST_WEST, SQL);
    assert.ok(roundTrips() >= 2);
    statements.length = 0;
    assert.deepEqual(await reader.plan(ANALYST_WEST, SQL), first);
    assert.equal(roundTrips(), 0);
    // Another principal: same text, other bound values; still no round trip.
    const northeast = await reader.plan(ANALYST_NORTHEAST, SQL);
    assert.equal(northeast.sql, first.sql);
    assert.notDeepEqual(northeast.params, first.params);
    assert.equal(roundTrips(), 0);
  });
});
