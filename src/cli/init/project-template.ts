// The files `sluice init` writes: a small bronze/silver/gold project over a bundled CSV, with checks.

/** One file of the scaffold, relative to the project folder. */
export interface TemplateFile {
  path: string;
  content: string;
}

const ORDERS_CSV = `order_id,customer,ordered_at,amount,currency
1001,alice,2026-11-02 09:14:00,42.50,EUR
1002,bob,2026-11-02 10:03:00,17.00,EUR
1003,carol,2026-11-02 11:47:00,99.90,USD
1004,alice,2026-11-03 08:21:00,12.00,EUR
1005,dave,2026-11-03 13:05:00,250.00,USD
1006,erin,2026-11-03 16:40:00,8.75,EUR
1007,bob,2026-11-04 09:00:00,61.20,EUR
1008,carol,2026-11-04 12:30:00,33.10,USD
1009,frank,2026-11-04 18:55:00,5.00,EUR
1010,alice,2026-11-05 07:45:00,120.00,EUR
1011,dave,2026-11-05 10:10:00,72.40,USD
1012,erin,2026-11-05 21:02:00,15.60,EUR
`;

const RATES_CSV = `currency,eur_per_unit
EUR,1.0
USD,0.92
`;

const CONFIG = `// The Sluice project: every sql/<schema>/<name>.sql is the asset schema/name; dependencies come from the SQL.
import { checks, defineProject, sqlAssets } from 'sluice';

export const project = defineProject({
  name: 'my-warehouse',
  assets: [sqlAssets(new URL('./sql', import.meta.url))],
  checks: {
    'silver/orders': [
      checks.notNull(['order_id', 'ordered_at', 'amount_eur']),
      checks.unique(['order_id']),
      checks.acceptedRange('amount_eur', { min: 0 }),
      checks.relationships('currency', { to: 'bronze/exchange_rates', column: 'currency' }),
    ],
    'gold/daily_revenue': [checks.reconciliation('sum(orders)', { to: 'silver/orders', expression: 'count(*)' })],
  },
});
`;

const BRONZE_ORDERS = `-- @group ingestion
-- @description Orders as exported by the shop (landing/orders.csv), untouched
-- @tag layer=bronze
SELECT * FROM read_csv('landing/orders.csv', header = true, all_varchar = true)
`;

const BRONZE_RATES = `-- @group ingestion
-- @description Exchange rates to EUR (landing/exchange_rates.csv)
-- @tag layer=bronze
SELECT * FROM read_csv('landing/exchange_rates.csv', header = true)
`;

const SILVER_ORDERS = `-- @group transformation
-- @description Typed orders with their amount in EUR
-- @tag layer=silver
SELECT
  CAST(o.order_id AS INTEGER) AS order_id,
  o.customer,
  CAST(o.ordered_at AS TIMESTAMP) AS ordered_at,
  o.currency,
  round(CAST(o.amount AS DECIMAL(12, 2)) * CAST(r.eur_per_unit AS DECIMAL(12, 6)), 2) AS amount_eur
FROM bronze.orders AS o
JOIN bronze.exchange_rates AS r USING (currency)
`;

const GOLD_DAILY = `-- @group curation
-- @description Revenue per day in EUR, for the dashboard
-- @tag layer=gold
SELECT
  CAST(ordered_at AS DATE) AS order_date,
  count(*) AS orders,
  sum(amount_eur) AS revenue_eur
FROM silver.orders
GROUP BY CAST(ordered_at AS DATE)
ORDER BY order_date
`;

const GITIGNORE = `# The warehouse and the metadata store are rebuilt by \`sluice materialize\`.
data/
node_modules/
`;

/** Every file of a new project, in the order they are written. */
export const PROJECT_TEMPLATE: readonly TemplateFile[] = [
  { path: 'sluice.config.ts', content: CONFIG },
  { path: 'sql/bronze/orders.sql', content: BRONZE_ORDERS },
  { path: 'sql/bronze/exchange_rates.sql', content: BRONZE_RATES },
  { path: 'sql/silver/orders.sql', content: SILVER_ORDERS },
  { path: 'sql/gold/daily_revenue.sql', content: GOLD_DAILY },
  { path: 'landing/orders.csv', content: ORDERS_CSV },
  { path: 'landing/exchange_rates.csv', content: RATES_CSV },
  { path: '.gitignore', content: GITIGNORE },
];
