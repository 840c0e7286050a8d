// Child: ingestion with quarantine (ingestCsv, ingestParquet) of the demo's flights against a plain read of the same
// rows into a table, alternating in one process and one warehouse file, so both see the same load. Each write is timed
// alone, then the checkpoint after it.
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { ingestCsv, ingestParquet, type IngestColumn } from '../../src/index.js';
import { flightsCsv, flightsSources } from '../lib/flights-data.js';
import { scratchDir } from '../lib/paths.js';
import { emitResult, scenarioArgs, timed } from '../lib/scenario-io.js';

interface Args {
  /** Flights to load (undefined: all 3,000,000). */
  rows?: number;
  reps: number;
}

/** The flights' columns as the demo would declare them. */
const COLUMNS: IngestColumn[] = [
  { name: 'date', type: 'TIMESTAMP', required: true },
  { name: 'delay', type: 'INTEGER' },
  { name: 'distance', type: 'INTEGER' },
  { name: 'origin', type: 'VARCHAR', required: true },
  { name: 'destination', type: 'VARCHAR' },
];
const TYPES = `{${COLUMNS.map((c) => `'${c.name}': '${c.type}'`).join(', ')}}`;

const { rows, reps } = scenarioArgs<Args>();
const sources = await flightsSources(rows);
const csv = await flightsCsv(sources);
const dir = scratchDir('ingestion');
const instance = await DuckDBInstance.create(join(dir, 'warehouse.duckdb'));
const connection = await instance.connect();
const ingest = {
  query: async (sql: string, params?: readonly unknown[]) =>
    (await connection.runAndReadAll(sql, params ? ([...params] as never) : undefined)).getRowObjectsJS(),
  exec: async (sql: string) => void (await connection.run(sql)),
};

/** Each variant answers the rows it accepted (a plain read accepts them all). */
const variants: Record<string, () => Promise<number>> = {
  csvPlain: async () =>
    Number((await (await connection.run(`CREATE TABLE t AS SELECT * FROM read_csv('${csv}', header = true, columns = ${TYPES})`)).getRows())[0]![0]),
  csvIngest: async () => (await ingestCsv(ingest, { files: [csv], columns: COLUMNS, target: 't', quarantine: 'q' })).accepted,
  parquetPlain: async () =>
    Number((await (await connection.run(`CREATE TABLE t AS SELECT * FROM read_parquet('${sources.flightsParquet}')`)).getRows())[0]![0]),
  parquetIngest: async () => (await ingestParquet(ingest, { files: [sources.flightsParquet], columns: COLUMNS, target: 't', quarantine: 'q' })).accepted,
};
/** Per variant: the write's own time, and the CHECKPOINT that follows it (the work the write left for later). */
const samples: Record<string, number[]> = { csvPlain: [], csvIngest: [], parquetPlain: [], parquetIngest: [] };
const checkpoints: Record<string, number[]> = { csvPlain: [], csvIngest: [], parquetPlain: [], parquetIngest: [] };
const accepted: number[] = [];
try {
  for (let rep = 0; rep < reps; rep++) {
    // Alternating order, so neither side always runs right after the other's writes.
    const order = Object.keys(variants);
    for (const name of rep % 2 === 0 ? order : order.reverse()) {
      await connection.run('DROP TABLE IF EXISTS t; DROP TABLE IF EXISTS q; CHECKPOINT');
      const [ms, rows] = await timed(variants[name]!);
      // A table written with its rows' order kept can leave partly filled row groups that the next checkpoint
      // rewrites (at close, or when the WAL fills): part of the write's cost, paid later.
      const [checkpointMs] = await timed(() => connection.run('CHECKPOINT'));
      samples[name]!.push(ms);
      checkpoints[name]!.push(checkpointMs);
      accepted.push(rows);
    }
  }
} finally {
  connection.closeSync();
  instance.closeSync();
  rmSync(dir, { recursive: true, force: true });
}
if (accepted.some((n) => n !== sources.flightRows)) throw new Error(`a load took ${accepted.join(', ')} of ${sources.flightRows} clean rows`);
emitResult({ rows: sources.flightRows, ...samples, checkpoints });
