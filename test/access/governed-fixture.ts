// A small governed warehouse for tests: three assets with policies, one table that is no asset, one analyst of the West.
import { DuckDbWarehouse } from '../../src/engine/duckdb/duckdb-warehouse.js';
import { GovernedReader, type GovernedAuditEntry } from '../../src/access/governed-query/governed-reader.js';
import { PolicySet } from '../../src/access/policy/policy-set.js';
import type { PolicyPrincipal } from '../../src/access/policy/policy-principal.js';
import type { PoliciesDefinition } from '../../src/model/policy-definition.js';

/** Values that only rows or columns hidden from the analyst hold: none may ever reach them. */
export const HIDDEN_VALUES = ['Angeles', 'Francisco', 'Kennedy', '70771', '70781', 's3cr3t-salary', '777.5'];

export const FIXTURE_POLICIES: PoliciesDefinition = {
  'silver/flights': {
    rowFilters: [
      { name: 'own-region', where: 'origin IN (SELECT iata FROM silver.airports WHERE region = {{ user.region }})', appliesTo: { roles: ['analyst'] } },
    ],
  },
  'silver/airports': { masks: [{ column: 'name', mask: 'partial', appliesTo: { roles: ['analyst'] } }], tags: { name: ['pii'] } },
  'gold/summary': {
    rowFilters: [{ where: 'region = {{ user.region }}', appliesTo: { roles: ['analyst'] } }],
    masks: [{ column: 'avg_delay_min', mask: { sql: 'round(avg_delay_min)' }, appliesTo: { roles: ['analyst'] } }],
  },
};

export const ANALYST_WEST: PolicyPrincipal = { id: 'analyst-west', name: 'Wendy', roles: ['analyst'], groups: [], attributes: { region: 'West' } };

export interface GovernedFixture {
  warehouse: DuckDbWarehouse;
  reader: GovernedReader;
  audit: GovernedAuditEntry[];
  close(): Promise<void>;
}

/**
 * Builds the warehouse in memory and a reader over it; `audit` collects every entry the reader writes.
 * @example const fixture = await governedFixture(); await fixture.reader.query(ANALYST_WEST, 'SELECT 1');
 */
export async function governedFixture(options: { timeoutMs?: number; maxRows?: number } = {}): Promise<GovernedFixture> {
  const warehouse = await DuckDbWarehouse.open({ path: ':memory:' });
  const session = await warehouse.session();
  await session.exec(`
    CREATE SCHEMA silver; CREATE SCHEMA gold; CREATE SCHEMA secret;
    CREATE TABLE silver.airports AS SELECT * FROM (VALUES ('LAX', 'Los Angeles International', 'West'), ('SFO', 'San Francisco International', 'West'),
      ('JFK', 'John F Kennedy International', 'Northeast')) t(iata, name, region);
    CREATE TABLE silver.flights AS SELECT * FROM (VALUES ('LAX', 'JFK', 10), ('SFO', 'LAX', 20), ('JFK', 'LAX', 70771), ('JFK', 'SFO', 70781)) t(origin, destination, delay_min);
    CREATE TABLE gold.summary AS SELECT * FROM (VALUES ('West', 12.345), ('Northeast', 777.5)) t(region, avg_delay_min);
    CREATE TABLE secret.payroll AS SELECT 's3cr3t-salary' AS note, 1 AS amount;
    CREATE TABLE main.loose AS SELECT 's3cr3t-salary' AS note;`);
  session.close();
  const audit: GovernedAuditEntry[] = [];
  const reader = new GovernedReader({
    warehouse,
    assetKeys: () => ['silver/flights', 'silver/airports', 'gold/summary'],
    policies: new PolicySet({ policies: FIXTURE_POLICIES, hashSalt: 'test-salt' }),
    mayRead: () => true,
    audit: (entry) => void audit.push(entry),
    ...options,
  });
  return { warehouse, reader, audit, close: () => warehouse.close() };
}
