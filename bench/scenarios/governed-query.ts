// Scenario: a query through the governed reader vs the same query on a raw warehouse session, over the 3M-row
// silver.flights (built here from the vega-datasets parquet as the example builds it), and the rewrite alone.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDbWarehouse } from '../../src/engine/duckdb/duckdb-warehouse.js';
import { GovernedReader } from '../../src/access/governed-query/governed-reader.js';
import { PolicySet } from '../../src/access/policy/policy-set.js';
import type { PolicyPrincipal } from '../../src/access/policy/policy-principal.js';
import { vegaDataDir } from '../lib/flights-data.js';
import { emitResult, scenarioArgs, timed } from '../lib/scenario-io.js';

const { rounds, rows } = scenarioArgs<{ rounds: number; rows: number | null }>();
const dir = mkdtempSync(join(tmpdir(), 'sluice-bench-governed-'));
const warehouse = await DuckDbWarehouse.open({ path: join(dir, 'warehouse.duckdb') });
const setup = await warehouse.session();
const parquet = join(vegaDataDir(), 'flights-3m.parquet');
await setup.exec(`CREATE SCHEMA silver;
  CREATE TABLE silver.flights AS SELECT DISTINCT date AS departed_at, CAST(date AS DATE) AS flight_date, origin, destination,
    CAST(delay AS INTEGER) AS delay_min, CAST(distance AS INTEGER) AS distance_mi, delay > 15 AS is_delayed
  FROM read_parquet('${parquet}') ${rows ? `LIMIT ${rows}` : ''};
  CREATE TABLE silver.airports AS SELECT * FROM read_csv('${join(vegaDataDir(), 'airports.csv')}', header = true, all_varchar = true);`);
const [{ n: flights }] = (await setup.query<{ n: number }>('SELECT count(*) AS n FROM silver.flights')) as [{ n: number }];
setup.close();

const filter = "origin IN (SELECT iata FROM silver.airports WHERE state IN ('CA', 'OR', 'WA'))";
const policies = new PolicySet({
  hashSalt: 'bench',
  policies: {
    'silver/flights': {
      rowFilters: [{ where: filter.replace("('CA', 'OR', 'WA')", '({{ user.a }}, {{ user.b }}, {{ user.c }})'), appliesTo: { roles: ['analyst'] } }],
    },
  },
});
const reader = new GovernedReader({
  warehouse,
  assetKeys: () => ['silver/flights', 'silver/airports'],
  policies,
  mayRead: () => true,
  audit: () => undefined,
  maxRows: 100_000,
});
const admin: PolicyPrincipal = { id: 'admin', name: 'admin', roles: ['admin'], groups: [], attributes: {} };
const analyst: PolicyPrincipal = { id: 'west', name: 'west', roles: ['analyst'], groups: [], attributes: { a: 'CA', b: 'OR', c: 'WA' } };

const QUERY = 'SELECT origin, count(*) AS flights, avg(delay_min) AS avg_delay FROM silver.flights GROUP BY origin ORDER BY origin';
/** A query the reader has not seen: a literal of its own per call, so neither its parse nor its rendering is kept. */
let asked = 0;
const unseen = (): string =>
  `SELECT origin, count(*) AS flights, avg(delay_min) AS avg_delay, ${++asked} AS asked FROM silver.flights GROUP BY origin ORDER BY origin`;
const FILTERED = `SELECT origin, count(*) AS flights, avg(delay_min) AS avg_delay FROM silver.flights WHERE ${filter} GROUP BY origin ORDER BY origin`;

async function raw(sql: string): Promise<number> {
  const session = await warehouse.session();
  try {
    return (await timed(() => session.query(sql)))[0];
  } finally {
    session.close();
  }
}

const samples: Record<string, number[]> = {
  raw: [],
  governed: [],
  rawFiltered: [],
  governedFiltered: [],
  rawUnseen: [],
  governedUnseen: [],
  rewrite: [],
  rewriteFiltered: [],
  rewriteUnseen: [],
};
// Warm-up: the parser connection, the relation cache and DuckDB's buffers.
await raw(QUERY);
await reader.query(admin, QUERY);
await reader.query(analyst, QUERY);
for (let round = 0; round < rounds; round++) {
  // Interleaved, order alternating, so drift hits both sides alike.
  const pairs: [string, () => Promise<number>][] = [
    ['raw', () => raw(QUERY)],
    ['governed', async () => (await timed(() => reader.query(admin, QUERY)))[0]],
    ['rawFiltered', () => raw(FILTERED)],
    ['governedFiltered', async () => (await timed(() => reader.query(analyst, QUERY)))[0]],
    ['rawUnseen', () => raw(unseen())],
    ['governedUnseen', async () => (await timed(() => reader.query(admin, unseen())))[0]],
  ];
  for (const [name, run] of round % 2 === 0 ? pairs : [...pairs].reverse()) samples[name]!.push(await run());
  for (let i = 0; i < 20; i++) {
    samples.rewrite!.push((await timed(() => reader.plan(admin, QUERY)))[0]);
    samples.rewriteFiltered!.push((await timed(() => reader.plan(analyst, QUERY)))[0]);
    samples.rewriteUnseen!.push((await timed(() => reader.plan(admin, unseen())))[0]);
  }
}
await warehouse.close();
rmSync(dir, { recursive: true, force: true });
emitResult({ flights, samples });
