// Project-wide column lineage: SQL chains through tables and views, declared and unanalysable TypeScript assets, traces.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { asset, defineProject, Sluice } from '../../src/index.js';
import { DuckDbWarehouse } from '../../src/engine/duckdb/duckdb-warehouse.js';
import { analyseColumnLineage, parseColumnRef } from '../../src/lineage/asset-column-lineage.js';
import { loadColumnLineage } from '../../src/lineage/load-column-lineage.js';
import type { ColumnTraceNode } from '../../src/lineage/project-column-lineage.js';
import type { LoadedProject } from '../../src/runtime/project-loader.js';

const dir = mkdtempSync(join(tmpdir(), 'sluice-lineage-'));
writeFileSync(join(dir, 'rates.csv'), 'currency,rate\nEUR,1.1\nGBP,1.3\n');

const definition = defineProject({
  name: 'shop',
  assets: [
    asset({ key: 'raw/orders', compute: () => [{ id: 1, amount: 10, currency: 'EUR' }] }),
    asset({
      key: 'raw/customers',
      compute: () => [{ id: 1, name: 'a' }],
      columnLineage: { id: ['file:crm.parquet.customer_id'], name: ['file:crm.parquet.full_name'], loaded_at: [] },
    }),
    asset({ key: 'raw/rates', sql: `SELECT * FROM read_csv('rates.csv', header = true)` }),
    asset({ key: 'staging/orders', kind: 'view', sql: 'SELECT id AS order_id, amount, upper(currency) AS currency FROM raw.orders WHERE amount > 0' }),
    asset({
      key: 'staging/orders_eur',
      kind: 'view',
      sql: 'SELECT o.*, o.amount * r.rate AS amount_eur FROM staging.orders o JOIN raw.rates r USING (currency)',
    }),
    asset({
      key: 'mart/revenue',
      sql: `WITH by_currency AS (SELECT currency, sum(amount_eur) AS revenue FROM staging.orders_eur GROUP BY currency)
            SELECT currency, revenue, rank() OVER (ORDER BY revenue DESC) AS revenue_rank, count(*) OVER () AS currencies FROM by_currency`,
    }),
  ],
});

let project: LoadedProject;
let warehouse: DuckDbWarehouse;

before(async () => {
  project = await Sluice.load({ project: definition, dir });
  warehouse = await DuckDbWarehouse.open({ path: ':memory:', fileSearchPath: dir });
});
after(async () => {
  await warehouse.close();
  rmSync(dir, { recursive: true, force: true });
});

/** `asset.column (transform)` of a trace, depth first, to compare whole chains at a glance. */
function chain(node: ColumnTraceNode): string[] {
  const label = `${node.asset ?? node.table}.${node.column}${node.transform ? ` (${node.transform})` : ''}${node.note ? ` [${node.note}]` : ''}`;
  return [label, ...node.next.flatMap((n) => chain(n).map((l) => `  ${l}`))];
}

describe('column lineage across a project', () => {
  it('traces a column through a CTE, a view over a view and a join to the unanalysable TypeScript source, saying why it stops', async () => {
    const session = await warehouse.session();
    await session.ensureSchema('raw');
    await session.exec("CREATE TABLE raw.orders AS SELECT 1 AS id, 10 AS amount, 'EUR' AS currency");
    session.close();
    const lineage = await loadColumnLineage(project.graph, warehouse);
    assert.deepEqual(chain(lineage.trace('mart/revenue', 'revenue')), [
      'mart/revenue.revenue',
      '  staging/orders_eur.amount_eur (aggregation)',
      '    staging/orders.amount (transformation)',
      `      raw/orders.amount (identity) [computed by a TypeScript function, which Sluice cannot analyse; declare \`columnLineage\` on the asset to trace its columns]`,
      '    raw/rates.rate (transformation)',
      '      file:rates.csv.rate (identity)',
    ]);
    const orders = lineage.asset('raw/orders');
    assert.equal(orders.method, 'none');
    assert.deepEqual(
      orders.columns.map((c) => c.name),
      ['id', 'amount', 'currency'],
      'the published columns are still listed',
    );
  });

  it("uses an upstream asset's own inferred columns when it was never built (views over views, SELECT * and USING)", async () => {
    const lineage = await loadColumnLineage(project.graph, warehouse, { keys: ['staging/orders_eur'] });
    const eur = lineage.asset('staging/orders_eur');
    assert.deepEqual(
      eur.columns.map((c) => c.name),
      ['order_id', 'amount', 'currency', 'amount_eur'],
    );
    assert.deepEqual(eur.columns.find((c) => c.name === 'currency')!.sources, [
      { table: 'staging.orders', column: 'currency', transform: 'identity', asset: 'staging/orders' },
    ]);
    assert.ok(eur.indirect.some((s) => s.asset === 'raw/rates' && s.column === 'currency' && s.transform === 'join'));
    assert.deepEqual(eur.warnings, []);
  });

  it('takes declared columnLineage for a TypeScript asset and reports unnamed sources as ending there', async () => {
    const lineage = await loadColumnLineage(project.graph, warehouse, { keys: ['raw/customers'] });
    const customers = lineage.asset('raw/customers');
    assert.equal(customers.method, 'declared');
    assert.deepEqual(
      customers.columns.map((c) => [c.name, c.sources.map((s) => `${s.table}.${s.column}`)]),
      [
        ['id', ['file:crm.parquet.customer_id']],
        ['name', ['file:crm.parquet.full_name']],
        ['loaded_at', []],
      ],
    );
    assert.deepEqual(chain(lineage.trace('raw/customers', 'loaded_at')), ['raw/customers.loaded_at [declared with no upstream columns]']);
  });

  it('follows a column downstream to every column computed from it', async () => {
    const lineage = await loadColumnLineage(project.graph, warehouse);
    assert.deepEqual(chain(lineage.downstream('raw/rates', 'rate')), [
      'raw/rates.rate',
      '  staging/orders_eur.amount_eur (transformation)',
      '    mart/revenue.revenue (aggregation)',
      '    mart/revenue.revenue_rank (aggregation)',
    ]);
    assert.deepEqual(chain(lineage.downstream('mart/revenue', 'revenue_rank')), ['mart/revenue.revenue_rank [no asset reads it]']);
  });

  it('sees through a CTE: a window over an aggregate reads the aggregated column, count(*) OVER () reads none', async () => {
    const lineage = await loadColumnLineage(project.graph, warehouse, { keys: ['mart/revenue'] });
    const revenue = lineage.asset('mart/revenue');
    assert.deepEqual(revenue.columns.find((c) => c.name === 'revenue_rank')!.sources, [
      { table: 'staging.orders_eur', column: 'amount_eur', transform: 'aggregation', asset: 'staging/orders_eur' },
    ]);
    assert.deepEqual(chain(lineage.trace('mart/revenue', 'currencies')), ['mart/revenue.currencies [reads no column (an aggregate such as count(*))]']);
    assert.ok(revenue.indirect.some((s) => s.asset === 'staging/orders_eur' && s.column === 'currency' && s.transform === 'group_by'));
  });

  it('rejects an unknown column with a suggestion and the columns it has', async () => {
    const lineage = await loadColumnLineage(project.graph, warehouse, { keys: ['mart/revenue'] });
    assert.throws(
      () => lineage.trace('mart/revenue', 'revenu'),
      /asset "mart\/revenue" has no column "revenu"; did you mean "revenue"\? \(its columns are currency, revenue, revenue_rank, currencies\)/,
    );
  });

  it('reports what it still needs when the inputs lack parse trees, relations or files', () => {
    const analysis = analyseColumnLineage(project.graph, { parseTrees: new Map(), relations: new Map(), files: new Map() }, ['mart/revenue']);
    assert.deepEqual([...analysis.missing.parseTrees], ['mart/revenue']);
    assert.ok(analysis.missing.relations.has('mart.revenue'));
    assert.equal(analysis.assets.get('mart/revenue')!.complete, false);
  });
});

describe('declared column references', () => {
  it('parse asset keys, dotted names and file paths with dots', () => {
    assert.deepEqual(parseColumnRef('bronze/flights.delay'), { table: 'bronze.flights', column: 'delay' });
    assert.deepEqual(parseColumnRef('Bronze.Flights.delay'), { table: 'bronze.flights', column: 'delay' });
    assert.deepEqual(parseColumnRef('file:/data/v1.2/flights-3m.parquet.delay'), { table: 'file:/data/v1.2/flights-3m.parquet', column: 'delay' });
    assert.equal(parseColumnRef('delay'), undefined);
    assert.equal(parseColumnRef('a/b/c.d'), undefined);
  });
});
