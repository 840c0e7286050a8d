// The flights demo: real flights and airports from vega-datasets through bronze, silver and gold.
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { existsSync, readdirSync } from 'node:fs';
import {
  asset,
  checks,
  defineProject,
  duckDbCompute,
  ingestCsv,
  ingestJsonLines,
  ingestParquet,
  sqlAssets,
  sqlString,
  type IngestColumn,
  type IngestResult,
} from 'sluice';

// vega-datasets exposes only its JS entry, so find its data folder next to it.
const vegaData = join(dirname(createRequire(import.meta.url).resolve('vega-datasets')), '..', 'data');
// SLUICE_FLIGHTS_PARQUET reads another file of the same columns instead (the PostgreSQL equality test reads a subset).
const flightsFile = process.env.SLUICE_FLIGHTS_PARQUET || join(vegaData, 'flights-3m.parquet');
const flightsSource = process.env.SLUICE_FLIGHTS_PARQUET ? flightsFile : 'vega-datasets/data/flights-3m.parquet';
const airportsFile = join(vegaData, 'airports.csv');

/** Sluice cannot see inside a TypeScript compute, so its column lineage is declared: each column's source file columns. */
const fromFile = (file: string, columns: readonly string[]): Record<string, string[]> => Object.fromEntries(columns.map((c) => [c, [`file:${file}.${c}`]]));

/** Columns of the flights, in the Parquet file and in late deliveries in landing/ (CSV or JSON lines). */
const FLIGHT_COLUMNS: IngestColumn[] = [
  { name: 'date', type: 'TIMESTAMP', required: true },
  { name: 'delay', type: 'BIGINT' },
  { name: 'distance', type: 'BIGINT' },
  { name: 'origin', type: 'VARCHAR', required: true },
  { name: 'destination', type: 'VARCHAR', required: true },
];

/** Late deliveries: every `*.csv` and `*.jsonl` in the landing folder (see `npm run inject-bad-rows`). */
function lateFiles(projectDir: string, extension: string): string[] {
  const landing = process.env.SLUICE_FLIGHTS_LANDING ?? join(projectDir, 'landing');
  return existsSync(landing)
    ? readdirSync(landing)
        .filter((f) => f.endsWith(extension))
        .sort()
        .map((f) => join(landing, f))
    : [];
}

const LATE_FORMATS = [
  { name: 'csv', extension: '.csv', ingest: ingestCsv },
  { name: 'jsonl', extension: '.jsonl', ingest: ingestJsonLines },
] as const;

/** The accounting of all late deliveries together, with each format's own. */
function totalOf(results: Record<string, IngestResult>): Record<string, unknown> {
  const sum = (field: 'read' | 'accepted' | 'quarantined' | 'skipped'): number => Object.values(results).reduce((n, r) => n + r[field], 0);
  return { read: sum('read'), accepted: sum('accepted'), quarantined: sum('quarantined'), skipped: sum('skipped'), byFormat: results };
}

/** The quarantine's columns whichever sources rejected rows: Parquet rows have a row offset, late CSV and JSON lines a line. */
const QUARANTINE_COLUMNS = `SELECT NULL::VARCHAR AS _source_file, NULL::BIGINT AS _row_offset, NULL::BIGINT AS _line_number, NULL::VARCHAR AS _column,
  NULL::VARCHAR AS _error_type, NULL::VARCHAR AS _raw_line, now() AS _quarantined_at WHERE false`;

/**
 * Raw flights plus the ingestion columns every bronze fact carries, loaded through ingestion: rows of the Parquet file
 * or of late deliveries that do not fit the columns go to bronze.flights_quarantine with their reason and position.
 * Written in DuckDB SQL: on a PostgreSQL warehouse `duckDbCompute` runs it on an in-process DuckDB and COPYs the result in.
 */
const bronzeFlights = asset({
  key: 'bronze/flights',
  group: 'fact_ingestion',
  description:
    'Raw US domestic flights, Jan-Jun 2001 (vega-datasets flights-3m.parquet) plus any late CSV or JSON-lines deliveries in landing/, with ingestion columns.',
  owners: ['data-platform'],
  tags: { layer: 'bronze', source: 'vega-datasets' },
  codeVersion: '4',
  columnLineage: { ...fromFile(flightsFile, ['date', 'delay', 'distance', 'origin', 'destination']), _batch_id: [], _ingested_at: [], _source: [] },
  compute: duckDbCompute(async (ctx) => {
    // Scratch tables next to the staging one: dropped here, and by the next start if this process dies.
    const scratch = (role: string): string => ctx.target.replace(/"$/, `_late_${role}"`);
    const scratchTables = [scratch('parquet_quarantine'), ...LATE_FORMATS.flatMap((format) => [scratch(format.name), scratch(`${format.name}_quarantine`)])];
    const quarantines = [scratch('parquet_quarantine')];
    try {
      // The main file straight into the target in one pass, with the bronze ingestion columns instead of the lineage ones.
      const flights = await ingestParquet(ctx.sql, {
        files: [flightsFile],
        columns: FLIGHT_COLUMNS,
        target: ctx.target,
        quarantine: scratch('parquet_quarantine'),
        lineageColumns: false,
        extraColumns: { _batch_id: sqlString(ctx.runId), _ingested_at: 'now()', _source: sqlString(flightsSource) },
      });
      ctx.addMetadata({ ingestion: flights });
      if (flights.quarantined > 0) ctx.log.warn(`${flights.quarantined} of ${flights.read} flights quarantined`, { ...flights });
      const results: Record<string, IngestResult> = {};
      for (const format of LATE_FORMATS) {
        const files = lateFiles(ctx.projectDir, format.extension);
        if (files.length === 0) continue;
        const [accepted, rejected] = [scratch(format.name), scratch(`${format.name}_quarantine`)];
        results[format.name] = await format.ingest(ctx.sql, { files, columns: FLIGHT_COLUMNS, target: accepted, quarantine: rejected, errorBudgetPercent: 50 });
        await ctx.sql.exec(
          `INSERT INTO ${ctx.target} SELECT date, delay, distance, origin, destination, $1::VARCHAR, now(), _source_file || ':' || _line_number FROM ${accepted}`,
          [ctx.runId],
        );
        quarantines.push(rejected);
      }
      if (Object.keys(results).length > 0) {
        const total = totalOf(results);
        ctx.addMetadata({ lateDeliveries: total });
        ctx.log.info(`late deliveries: ${total.accepted} accepted, ${total.quarantined} quarantined of ${total.read} rows`, total);
      }
      const rejects = quarantines.map((table) => ` UNION ALL BY NAME SELECT * FROM ${table}`);
      await ctx.sql.exec(`CREATE TABLE ${ctx.sideOutput('flights_quarantine')} AS ${QUARANTINE_COLUMNS}${rejects.join('')}`);
    } finally {
      for (const table of scratchTables) await ctx.sql.exec(`DROP TABLE IF EXISTS ${table}`);
    }
  }),
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
  compute: duckDbCompute(async (ctx) => {
    await ctx.sql.exec(
      `CREATE TABLE ${ctx.target} AS
       SELECT * FROM read_csv(${sqlString(airportsFile)}, header = true,
         columns = {'iata': 'VARCHAR', 'name': 'VARCHAR', 'city': 'VARCHAR', 'state': 'VARCHAR',
                    'country': 'VARCHAR', 'latitude': 'DOUBLE', 'longitude': 'DOUBLE'})`,
    );
  }),
});

/** US state to census region, a small CSV kept with the example. */
const bronzeStateRegions = asset({
  key: 'bronze/state_regions',
  group: 'dim_ingestion',
  description: 'US state code to census region (Northeast, Midwest, South, West); DC is in the South.',
  tags: { layer: 'bronze', source: 'seed' },
  sql: `SELECT * FROM read_csv('seeds/state_regions.csv', header = true, columns = {'state': 'VARCHAR', 'region': 'VARCHAR'})`,
});

/** Analysts see only flights that leave from an airport of their own region (their `region` attribute). */
const westOrigins = {
  name: 'own-region-origins',
  where: 'origin IN (SELECT iata FROM silver.airports WHERE region = {{ user.region }})',
  appliesTo: { roles: ['analyst'] },
  unless: { roles: ['admin', 'operator'] },
};

/** Airport names show their first two letters to everyone below operator. */
const partialName = (column: string) => ({
  column,
  mask: 'partial' as const,
  appliesTo: { roles: ['analyst', 'viewer'], groups: ['gold-readers'] },
  unless: { roles: ['admin', 'operator'] },
});

/** Gold readers see delays in whole minutes. */
const wholeMinutes = { column: 'avg_delay_min', mask: { sql: 'round(avg_delay_min)' }, appliesTo: { groups: ['gold-readers'] } };

export const project = defineProject({
  name: 'flights',
  assets: [bronzeFlights, bronzeAirports, bronzeStateRegions, sqlAssets(new URL('./sql', import.meta.url))],
  checks: {
    'silver/flights': [
      checks.notNull(['departed_at', 'flight_date', 'origin', 'destination', 'delay_min', 'distance_mi', 'is_delayed']),
      checks.acceptedRange('delay_min', { min: -24 * 60, max: 48 * 60 }),
      checks.acceptedRange('distance_mi', { min: 1, max: 6000 }),
      checks.relationships('origin', { to: 'silver/airports', column: 'iata' }),
      checks.relationships('destination', { to: 'silver/airports', column: 'iata' }),
    ],
    'silver/airports': [
      checks.unique('iata'),
      checks.notNull(['iata', 'region']),
      checks.acceptedValues('region', ['Northeast', 'Midwest', 'South', 'West', 'Other']),
    ],
    'gold/airport_daily_delays': [
      checks.unique(['origin', 'flight_date']),
      checks.reconciliation('sum(flights)', { to: 'silver/flights', expression: 'count(*)' }, { name: 'flights_reconcile_with_silver' }),
    ],
    'gold/region_monthly_summary': [
      checks.acceptedRange('pct_delayed', { min: 0, max: 100 }),
      checks.reconciliation('sum(flights)', { to: 'silver/flights', expression: 'count(*)' }, { name: 'flights_reconcile_with_silver' }),
    ],
  },
  // Row filters, masks and sensitivity tags for those users (docs/governed-access.md); check with `npx sluice access check`.
  policies: {
    'bronze/flights': { rowFilters: [westOrigins] },
    'bronze/airports': { tags: { name: ['sensitive'] }, masks: [partialName('name')] },
    'silver/flights': { rowFilters: [westOrigins] },
    'silver/flights_validated': { rowFilters: [westOrigins] },
    'silver/flights_quarantine': { rowFilters: [westOrigins] },
    'silver/airports': { masks: [partialName('name')] },
    'gold/flights_enriched': {
      rowFilters: [{ ...westOrigins, where: 'origin_region = {{ user.region }}' }],
      masks: [partialName('origin_name'), partialName('destination_name')],
    },
    'gold/airport_daily_delays': { rowFilters: [westOrigins], masks: [wholeMinutes] },
    'gold/region_monthly_summary': { rowFilters: [{ ...westOrigins, where: 'region = {{ user.region }}' }], masks: [wholeMinutes] },
  },
  // Who may use `sluice serve` (docs/sharing-with-a-team.md): create tokens with `npx sluice tokens create --user NAME`.
  access: {
    users: {
      admin: { name: 'Ada Admin', roles: ['admin'] },
      operator: { name: 'Otto Operator', roles: ['operator'] },
      'analyst-west': { name: 'Wendy Analyst', roles: ['analyst'], attributes: { region: 'West' } },
      viewer: { name: 'Vic Viewer', groups: ['gold-readers'] },
    },
    groups: { 'gold-readers': { description: 'may read the curated (gold) assets and nothing else' } },
    grants: [{ group: 'gold-readers', role: 'viewer', select: 'group:curation' }],
  },
});
