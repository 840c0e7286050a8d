// The flights demo in event-driven mode: flights arrive as events, bronze -> silver -> gold update within a second; dimensions stay nightly.
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { asset, defineProject, sqlString, type ProjectConfig } from 'sluice';

// vega-datasets exposes only its JS entry, so find its data folder next to it.
const airportsFile = join(dirname(createRequire(import.meta.url).resolve('vega-datasets')), '..', 'data', 'airports.csv');

/**
 * The hot path, run by the event sensor for each micro-batch: bronze -> silver -> gold, each merged by key,
 * so a re-delivered event never duplicates a row and gold recomputes only the (origin, day) pairs it touched.
 */
const facts = [
  asset({
    key: 'bronze/flights',
    group: 'fact_ingestion',
    sqlFile: 'sql/bronze/flights.sql',
    tags: { layer: 'bronze' },
    description: 'Flight events from landing.flights, one row per version of an event (a re-delivered event replaces its row; a correction adds a version).',
    // A row that cannot be typed goes to bronze.flights_quarantine with its reason; the rest of the batch is published.
    incremental: { strategy: 'merge', uniqueKey: ['event_id', '_version'], rejectColumn: '_reject_reason' },
    // Built (empty) at start-up with the view below, so the first batch finds the whole chain in place.
    automation: { type: 'missing' },
  }),
  asset({
    key: 'silver/flights_validated',
    group: 'fact_transformation',
    kind: 'view',
    sqlFile: 'sql/silver/flights_validated.sql',
    description: 'Typed flight events with a rejection reason (NULL when valid).',
    automation: { type: 'missing' },
  }),
  asset({
    key: 'silver/flights',
    group: 'fact_transformation',
    sqlFile: 'sql/silver/flights.sql',
    tags: { layer: 'silver' },
    description: 'Cleansed flights: one row per event, its latest version; invalid ones go to silver.flights_quarantine with the reason.',
    // It reads bronze through the view, which the sensor does not rebuild: naming bronze makes the run build it first.
    deps: ['bronze/flights'],
    incremental: { strategy: 'merge', uniqueKey: ['event_id'], rejectColumn: 'reject_reason' },
  }),
  asset({
    key: 'gold/airport_daily_delays',
    group: 'curation',
    sqlFile: 'sql/gold/airport_daily_delays.sql',
    tags: { layer: 'gold' },
    description: 'Departures per origin airport and day, recomputed only for the (origin, day) pairs of each batch (old and new days of corrected flights).',
    incremental: { strategy: 'merge', uniqueKey: ['origin', 'flight_date'], deleteColumn: '_empty' },
  }),
];

/** Dimensions: built when missing, then refreshed by the nightly schedule. */
const dimensions = [
  asset({
    key: 'bronze/airports',
    group: 'dim_ingestion',
    tags: { layer: 'bronze', source: 'vega-datasets' },
    codeVersion: '1',
    description: 'Raw airports (vega-datasets airports.csv).',
    automation: { type: 'missing' },
    sql: `SELECT * FROM read_csv(${sqlString(airportsFile)}, header = true,
      columns = {'iata': 'VARCHAR', 'name': 'VARCHAR', 'city': 'VARCHAR', 'state': 'VARCHAR', 'country': 'VARCHAR', 'latitude': 'DOUBLE', 'longitude': 'DOUBLE'})`,
  }),
  asset({
    key: 'bronze/state_regions',
    group: 'dim_ingestion',
    tags: { layer: 'bronze', source: 'seed' },
    automation: { type: 'missing' },
    description: 'US state code to census region; DC is in the South.',
    sql: `SELECT * FROM read_csv('../seeds/state_regions.csv', header = true, columns = {'state': 'VARCHAR', 'region': 'VARCHAR'})`,
  }),
  asset({
    key: 'silver/airports',
    group: 'dim_transformation',
    sqlFile: '../sql/silver/airports.sql',
    automation: { type: 'missing' },
    description: 'Airports with their US census region.',
  }),
];

/** Assets that follow the facts on their own, off the hot path: rebuilt when an upstream changed (at most every 5 s). */
const followers = [
  asset({
    key: 'gold/region_monthly_summary',
    group: 'curation',
    sqlFile: '../sql/gold/region_monthly_summary.sql',
    description: 'Departures per origin region and month.',
    // A full rebuild: while events stream in, at most every 5 s, so it does not compete with the hot path per batch.
    automation: { type: 'upstream_changed', minIntervalSeconds: 5 },
  }),
  asset({
    key: 'gold/flights_enriched',
    group: 'curation',
    kind: 'view',
    sqlFile: '../sql/gold/flights_enriched.sql',
    automation: { type: 'missing' },
    description: 'Flights with origin and destination airport details.',
  }),
];

/** Events arrive by HTTP; with FLIGHTS_NATS_URL set they are also read from the NATS JetStream stream FLIGHTS. */
const flightEvents: NonNullable<ProjectConfig['sensors']>[number] = {
  type: 'events',
  name: 'flight_events',
  source: 'flights',
  select: 'bronze/flights,silver/flights,gold/airport_daily_delays',
  // Checked at the door, before the 202: an event that does not fit is quarantined in landing.flights_rejected with the reason.
  event: {
    id: 'event_id',
    idType: 'integer',
    fields: { date: 'timestamp', delay: 'integer', distance: 'integer', origin: 'string', destination: 'string' },
  },
  ...(process.env.FLIGHTS_NATS_URL ? { nats: { servers: process.env.FLIGHTS_NATS_URL, stream: 'FLIGHTS', subjects: ['flights.events'] } } : {}),
};

export const project = defineProject({
  name: 'flights-events',
  assets: [...facts, ...dimensions, ...followers],
  sensors: [flightEvents],
  schedules: [
    {
      name: 'dimensions_nightly',
      cron: '0 3 * * *',
      timezone: 'America/New_York',
      select: 'bronze/airports,bronze/state_regions,silver/airports',
      description: 'Refresh the airport dimensions every night at 03:00 New York time.',
    },
  ],
});
