// The demo's source files, and the derived inputs the bench needs: a row subset (quick mode) and a CSV for pandas.
import { existsSync, mkdirSync, renameSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { CACHE_DIR, REPO_ROOT } from './paths.js';

/** The files one flights run reads. */
export interface FlightsSources {
  flightsParquet: string;
  airportsCsv: string;
  /** Rows of flightsParquet (3,000,000 for the real file). */
  flightRows: number;
  /** True when flightsParquet is the example's own file (the example's assets run unchanged). */
  original: boolean;
}

/** The vega-datasets data folder, found the way the example finds it. */
export function vegaDataDir(): string {
  return join(dirname(createRequire(join(REPO_ROOT, 'package.json')).resolve('vega-datasets')), '..', 'data');
}

/**
 * The example's sources, or the first `rows` flights copied to a cached Parquet file.
 * @example const sources = await flightsSources(100_000);
 */
export async function flightsSources(rows?: number): Promise<FlightsSources> {
  const data = vegaDataDir();
  const flightsParquet = join(data, 'flights-3m.parquet');
  const airportsCsv = join(data, 'airports.csv');
  const total = await scalar(`SELECT count(*) FROM read_parquet(${literal(flightsParquet)})`);
  if (rows === undefined || rows >= total) return { flightsParquet, airportsCsv, flightRows: total, original: true };
  const subset = join(CACHE_DIR, `flights-${rows}.parquet`);
  // Insertion order is preserved by DuckDB's scan, so LIMIT takes the first rows of the file.
  await cached(subset, (tmp) => `COPY (SELECT * FROM read_parquet(${literal(flightsParquet)}) LIMIT ${rows}) TO ${literal(tmp)} (FORMAT parquet)`);
  return { flightsParquet: subset, airportsCsv, flightRows: rows, original: false };
}

/** The flights as CSV (written once by DuckDB): Debian's pandas has no Parquet reader (no pyarrow, no fastparquet). */
export async function flightsCsv(sources: FlightsSources): Promise<string> {
  const csv = join(CACHE_DIR, `flights-${sources.flightRows}.csv`);
  await cached(csv, (tmp) => `COPY (SELECT * FROM read_parquet(${literal(sources.flightsParquet)})) TO ${literal(tmp)} (FORMAT csv, HEADER)`);
  return csv;
}

async function cached(path: string, copySql: (tmp: string) => string): Promise<void> {
  if (existsSync(path) && statSync(path).size > 0) return;
  mkdirSync(CACHE_DIR, { recursive: true });
  const tmp = `${path}.${process.pid}.tmp`;
  const instance = await DuckDBInstance.create(':memory:');
  try {
    const connection = await instance.connect();
    await connection.run(copySql(tmp));
    connection.closeSync();
  } finally {
    instance.closeSync();
  }
  // Renamed into place so a killed run never leaves a truncated file that later runs would trust.
  renameSync(tmp, path);
}

async function scalar(sql: string): Promise<number> {
  const instance = await DuckDBInstance.create(':memory:');
  try {
    const connection = await instance.connect();
    const reader = await connection.runAndReadAll(sql);
    const value = Number(reader.getRows()[0]![0]);
    connection.closeSync();
    return value;
  } finally {
    instance.closeSync();
  }
}

function literal(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}
