// The event-driven flights example (examples/flights/events) as the bench serves it: a scratch copy importing Sluice
// from src/, and the batch pipeline's SQL over the same events to check the gold layer the events built.
import { cpSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { sqlString } from '../../src/index.js';
import { FLIGHTS_DIR, REPO_ROOT } from './paths.js';

/** The gold asset the sensor keeps current, in which latency is measured and which the check compares. */
export const EVENTS_GOLD_ASSET = 'gold/airport_daily_delays';
/** The event source of the example's sensor (`POST /api/events/flights`). */
export const EVENTS_SOURCE = 'flights';

/** Generated data is not code: an earlier `sluice dev` of the example may have left a warehouse behind. */
const SKIPPED = /^events\/(data|landing)(\/|$)/;

/**
 * Copies examples/flights/events with the batch project's seeds and SQL it reads (`../seeds`, `../sql`) into
 * `scratch`, its `import ... from 'sluice'` pointed at src/index.ts (dist/ may be stale). Returns the project folder.
 * @example const projectDir = copyFlightsEventsProject(scratchDir('events')); // <scratch>/flights/events
 */
export function copyFlightsEventsProject(scratch: string): string {
  const root = join(scratch, 'flights');
  for (const part of ['seeds', 'sql', 'events']) {
    cpSync(join(FLIGHTS_DIR, part), join(root, part), {
      recursive: true,
      filter: (source) => !SKIPPED.test(relative(FLIGHTS_DIR, source).split('\\').join('/')),
    });
  }
  writeFileSync(join(root, 'package.json'), `${JSON.stringify({ type: 'module', private: true })}\n`);
  // The config finds vega-datasets (airports) through node_modules, as it does inside the checkout.
  symlinkSync(join(REPO_ROOT, 'node_modules'), join(scratch, 'node_modules'), 'dir');
  const config = join(root, 'events', 'sluice.config.ts');
  const source = readFileSync(config, 'utf8');
  if (!source.includes("from 'sluice'")) throw new Error(`${config} no longer imports from 'sluice'; update bench/lib/flights-events-project.ts`);
  writeFileSync(config, source.replaceAll("from 'sluice'", `from ${JSON.stringify(join(REPO_ROOT, 'src', 'index.ts'))}`));
  return join(root, 'events');
}

/** The flights file the replay reads (vega-datasets' 3M flights). */
function flightsParquet(): string {
  return join(REPO_ROOT, 'node_modules', 'vega-datasets', 'data', 'flights-3m.parquet');
}

/** What the gold check found: gold's rows against a batch build of the same events. */
export interface GoldCheck {
  /** Rows of the batch build (origin, day pairs). */
  batchRows: number;
  /** Batch rows gold lacks or has with other values, and gold rows the batch build lacks. */
  missing: number;
  extra: number;
  /** Rows and distinct event ids in bronze.flights: every replayed event exactly once. */
  bronzeRows: number;
  bronzeEventIds: number;
}

/**
 * One query, run in the server's warehouse after a replay of the first `events` flights in replay order
 * (date, then row in the file): the batch pipeline's own SQL (examples/flights/sql) over those flights, compared row
 * by row with the gold table the events built. Zero missing and zero extra means gold is what a batch build gives.
 */
export function goldCheckSql(events: number): string {
  const body = (file: string): string =>
    readFileSync(join(FLIGHTS_DIR, 'sql', file), 'utf8')
      .split('\n')
      .filter((l) => !l.startsWith('--'))
      .join('\n');
  const replace = (sql: string, from: string, to: string): string => {
    if (!sql.includes(from)) throw new Error(`examples/flights/sql changed: "${from}" not found; update goldCheckSql in bench/lib/flights-events-project.ts`);
    return sql.replace(from, to);
  };
  // avg() can differ in its last bits between an incremental merge and a batch aggregate.
  const columns = 'origin, flight_date, flights, delayed_flights, round(avg_delay_min, 9) AS avg_delay_min, total_distance_mi';
  return `WITH src AS (SELECT * EXCLUDE (file_row_number) FROM read_parquet(${sqlString(flightsParquet())}, file_row_number = true) ORDER BY date, file_row_number LIMIT ${Math.floor(events)}),
    validated AS (${replace(body('silver/flights_validated.sql'), 'FROM bronze.flights', 'FROM src')}),
    silver AS (${replace(body('silver/flights.sql'), 'FROM silver.flights_validated', 'FROM validated')}),
    batch AS (${replace(body('gold/airport_daily_delays.sql'), 'FROM silver.flights', 'FROM silver')}),
    a AS (SELECT ${columns} FROM batch),
    b AS (SELECT ${columns} FROM ${EVENTS_GOLD_ASSET.replace('/', '.')})
  SELECT (SELECT count(*) FROM a)::INTEGER AS "batchRows",
         (SELECT count(*) FROM (SELECT * FROM a EXCEPT ALL SELECT * FROM b))::INTEGER AS missing,
         (SELECT count(*) FROM (SELECT * FROM b EXCEPT ALL SELECT * FROM a))::INTEGER AS extra,
         (SELECT count(*) FROM bronze.flights)::INTEGER AS "bronzeRows",
         (SELECT count(DISTINCT event_id) FROM bronze.flights)::INTEGER AS "bronzeEventIds"`;
}
