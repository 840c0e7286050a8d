// The flights demo: real flights and airports from vega-datasets through bronze, silver and gold.
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { asset, defineProject, sqlAssets, sqlString } from 'sluice';

// vega-datasets exposes only its JS entry, so find its data folder next to it.
const vegaData = join(dirname(createRequire(import.meta.url).resolve('vega-datasets')), '..', 'data');
const flightsFile = join(vegaData, 'flights-3m.parquet');
const airportsFile = join(vegaData, 'airports.csv');

/** Sluice cannot see inside a TypeScript compute, so its column lineage is declared: each column's source file columns. */
const fromFile = (file: string, columns: readonly string[]): Record<string, string[]> =>
  Object.fromEntries(columns.map((c) => [c, [`file:${file}.${c}`]]));

/** Raw flights plus the ingestion columns every bronze fact carries. */
const bronzeFlights = asset({
  key: 'bronze/flights',
  group: 'fact_ingestion',
  description: 'Raw US domestic flights, Jan-Jun 2001 (vega-datasets flights-3m.parquet), with ingestion columns.',
  owners: ['data-platform'],
  tags: { layer: 'bronze', source: 'vega-datasets' },
  codeVersion: '1',
  columnLineage: { ...fromFile(flightsFile, ['date', 'delay', 'distance', 'origin', 'destination']), _batch_id: [], _ingested_at: [], _source: [] },
  compute: async (ctx) => {
    await ctx.sql.exec(
      `CREATE TABLE ${ctx.target} AS
       SELECT date, delay, distance, origin, destination,
              $1::VARCHAR AS _batch_id, now() AS _ingested_at, 'vega-datasets/data/flights-3m.parquet' AS _source
       FROM read_parquet(${sqlString(flightsFile)})`,
      [ctx.runId],
    );
  },
});

/** Raw airports dimension. */
const bronzeAirports = asset({
  key: 'bronze/airports',
  group: 'dim_ingestion',
  description: 'Raw airports (vega-datasets airports.csv).',
  owners: ['data-platform'],
  tags: { layer: 'bronze', source: 'vega-datasets' },
  codeVersion: '1',
  columnLineage: fromFile(airportsFile, ['iata', 'name', 'city', 'state', 'country', 'latitude', 'longitude']),
  compute: async (ctx) => {
    await ctx.sql.exec(
      `CREATE TABLE ${ctx.target} AS
       SELECT * FROM read_csv(${sqlString(airportsFile)}, header = true,
         columns = {'iata': 'VARCHAR', 'name': 'VARCHAR', 'city': 'VARCHAR', 'state': 'VARCHAR',
                    'country': 'VARCHAR', 'latitude': 'DOUBLE', 'longitude': 'DOUBLE'})`,
    );
  },
});

/** US state to census region, a small CSV kept with the example. */
const bronzeStateRegions = asset({
  key: 'bronze/state_regions',
  group: 'dim_ingestion',
  description: 'US state code to census region (Northeast, Midwest, South, West); DC is in the South.',
  tags: { layer: 'bronze', source: 'seed' },
  sql: `SELECT * FROM read_csv('seeds/state_regions.csv', header = true, columns = {'state': 'VARCHAR', 'region': 'VARCHAR'})`,
});

export const project = defineProject({
  name: 'flights',
  assets: [bronzeFlights, bronzeAirports, bronzeStateRegions, sqlAssets(new URL('./sql', import.meta.url))],
});
