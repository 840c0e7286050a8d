// `sluice events replay flights --rate N`: replays the real flights in time order as events to a running `sluice dev`, then prints the latency.
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import type { Command } from 'commander';
import { replayEvents, type EventPages, type ReplayResult } from '../../automation/event-replay.js';
import { DuckDbWarehouse } from '../../engine/duckdb/duckdb-warehouse.js';
import { SluiceError } from '../../errors.js';
import { sqlString } from '../../model/asset-key.js';
import { findDevServer } from '../api-client.js';
import type { ProjectOptions } from '../open-project.js';

/** Options of `sluice events replay`. */
export interface ReplayCommandOptions extends ProjectOptions {
  /** `flights` (vega-datasets flights-3m.parquet) or a Parquet/CSV/JSON file. */
  dataset: string;
  rate: number;
  limit?: number;
  /** Event source on the server (default: the dataset's, `flights`). */
  source?: string;
  /** Column that orders a file's events (default `date` for flights). */
  orderBy?: string;
  /** Asset the latency is measured in (default `gold/airport_daily_delays` for flights). */
  asset?: string;
  batchMs?: number;
}

/** Events are read from the file in pages, so a full replay of 3M flights does not hold them all in memory. */
const PAGE_ROWS = 10_000;

/** The flights of vega-datasets, as the event-driven demo expects them. */
function flightsFile(): string {
  return join(dirname(createRequire(import.meta.url).resolve('vega-datasets')), '..', 'data', 'flights-3m.parquet');
}

/**
 * Reads a dataset in time order: each event gets `event_id` (its row in the file, stable across
 * replays, so a re-sent event is recognised) and timestamps become `YYYY-MM-DD HH:MM:SS` strings.
 * @example for await (const page of datasetPages('flights', 2000)) console.log(page.length);
 */
export async function* datasetPages(dataset: string, limit: number | undefined, orderBy = 'date'): EventPages {
  const file = dataset === 'flights' ? flightsFile() : resolve(dataset);
  const reader = /\.parquet$/i.test(file)
    ? `read_parquet(${sqlString(file)}, file_row_number = true)`
    : /\.csv$/i.test(file)
      ? `(SELECT *, row_number() OVER () - 1 AS file_row_number FROM read_csv(${sqlString(file)}))`
      : `(SELECT *, row_number() OVER () - 1 AS file_row_number FROM read_json_auto(${sqlString(file)}))`;
  const order = `"${orderBy.replaceAll('"', '""')}", file_row_number`;
  const warehouse = await DuckDbWarehouse.open({ path: ':memory:' });
  const session = await warehouse.session();
  try {
    try {
      await session.exec(
        `CREATE TEMP TABLE replay AS
         SELECT row_number() OVER (ORDER BY ${order}) AS _replay_seq, file_row_number AS event_id, * EXCLUDE (file_row_number)
         FROM (SELECT * FROM ${reader} ORDER BY ${order} ${limit !== undefined ? `LIMIT ${Math.floor(limit)}` : ''})`,
      );
    } catch (cause) {
      throw new SluiceError(
        'SOURCE_ERROR',
        `cannot read events from ${file} ordered by "${orderBy}": ${cause instanceof Error ? cause.message : String(cause)}`,
        { cause },
      );
    }
    for (let after = 0; ; after += PAGE_ROWS) {
      const rows = await session.query(`SELECT * EXCLUDE (_replay_seq) FROM replay WHERE _replay_seq > $1 AND _replay_seq <= $2 ORDER BY _replay_seq`, [
        after,
        after + PAGE_ROWS,
      ]);
      if (rows.length === 0) return;
      yield rows.map((row) =>
        Object.fromEntries(Object.entries(row).map(([k, v]) => [k, v instanceof Date ? v.toISOString().slice(0, 19).replace('T', ' ') : v])),
      );
    }
  } finally {
    session.close();
    await warehouse.close();
  }
}

/**
 * Replays a dataset to the server of `--url`, the project's running `sluice dev`, or http://127.0.0.1:3000.
 * @example const result = await replayCommand({ dataset: 'flights', rate: 500, limit: 2000 });
 */
export async function replayCommand(
  options: ReplayCommandOptions,
  out: NodeJS.WritableStream = process.stdout,
  err: NodeJS.WritableStream = process.stderr,
): Promise<ReplayResult> {
  const url = findDevServer(options)?.baseUrl ?? 'http://127.0.0.1:3000';
  const flights = options.dataset === 'flights';
  const source = options.source ?? (flights ? 'flights' : undefined);
  if (!source) throw new SluiceError('INVALID_CONFIG', "give --source, the event source on the server (its sensor's `source`)");
  const asset = options.asset ?? (flights ? 'gold/airport_daily_delays' : undefined);
  let lastReport = 0;
  const result = await replayEvents(datasetPages(options.dataset, options.limit, options.orderBy), {
    url,
    source,
    rate: options.rate,
    ...(asset ? { asset } : {}),
    ...(options.batchMs ? { batchMs: options.batchMs } : {}),
    onProgress: (sent, elapsedMs) => {
      if (elapsedMs - lastReport < 1000) return;
      lastReport = elapsedMs;
      err.write(`sent ${sent}${options.limit ? `/${options.limit}` : ''} events (${Math.round(sent / (elapsedMs / 1000))}/s)\n`);
    },
  });
  const { latency } = result;
  out.write(
    `replayed ${result.sent} ${flights ? 'flight ' : ''}events to ${url}/api/events/${source} at ${Math.round(result.achievedRate)}/s in ${(result.sendMs / 1000).toFixed(1)} s (${result.requests} requests, seq ${result.firstSeq}-${result.lastSeq})\n`,
  );
  if (result.quarantined > 0)
    out.write(`${result.quarantined} event(s) quarantined at the door; their reasons: sluice query "SELECT _reason, raw FROM landing.${source}_rejected"\n`);
  out.write(`${latency.visible} of ${latency.events} visible in ${result.asset} (event received -> published there; max ${latency.max ?? '-'} ms)\n`);
  out.write(`latency p50 ${latency.p50 ?? '-'} ms, p99 ${latency.p99 ?? '-'} ms\n`);
  return result;
}

function positive(name: string): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (!(n > 0)) throw new SluiceError('INVALID_CONFIG', `${name} must be a positive number, got "${value}"`);
    return n;
  };
}

export function configureEventsCommand(program: Command): void {
  const events = program.command('events');
  events
    .command('replay')
    .description('replay a dataset in time order as events at a fixed rate, then print the end-to-end latency (p50, p99)')
    .argument('<dataset>', '`flights` (the 3M real flights of vega-datasets) or a Parquet, CSV or JSON file')
    .requiredOption('-r, --rate <n>', 'events per second', positive('--rate'))
    .option('-n, --limit <m>', 'replay only the first M events in time order', positive('--limit'))
    .option('--source <name>', 'event source on the server (default: flights)')
    .option('--order-by <column>', 'column that orders the events (default: date)')
    .option('--asset <key>', 'asset the latency is measured in (default for flights: gold/airport_daily_delays)')
    .option('--batch-ms <ms>', 'how often a batch is sent (default 50)', positive('--batch-ms'))
    .action(async (dataset: string, options: Omit<ReplayCommandOptions, 'dataset'>, command: Command) => {
      await replayCommand({ ...command.optsWithGlobals<ProjectOptions>(), ...options, dataset });
    });
}
