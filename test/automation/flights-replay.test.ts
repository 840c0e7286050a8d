// The event-driven flights demo under a real `sluice dev`: replayed flights keep gold equal to a batch build of the same events.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { PassThrough } from 'node:stream';
import { replayCommand } from '../../src/cli/commands/events.js';
import { DuckDbWarehouse } from '../../src/engine/duckdb/duckdb-warehouse.js';
import { sqlString } from '../../src/model/asset-key.js';
import { REPO_ROOT, SLUICE_INDEX } from '../server/fixture-project.js';

const FLIGHTS = join(REPO_ROOT, 'examples', 'flights');
const PARQUET = join(REPO_ROOT, 'node_modules', 'vega-datasets', 'data', 'flights-3m.parquet');

/** A corrected flight: the event id (its row in the file) and its new content. */
interface Correction {
  event_id: number;
  date: string;
  delay: number;
  distance: number;
  origin: string;
  destination: string;
}

/** The batch pipeline's own SQL (examples/flights/sql), applied to the first `limit` flights in replay order, with `corrections` replacing their rows. */
function batchGoldSql(limit: number, corrections: readonly Correction[] = []): string {
  const body = (file: string) =>
    readFileSync(join(FLIGHTS, 'sql', file), 'utf8')
      .split('\n')
      .filter((l) => !l.startsWith('--'))
      .join('\n');
  const first = `SELECT * FROM read_parquet('${PARQUET}', file_row_number = true) ORDER BY date, file_row_number LIMIT ${limit}`;
  const corrected = corrections.map(
    (c) => `SELECT TIMESTAMP '${c.date}' AS date, ${c.delay} AS delay, ${c.distance} AS distance, '${c.origin}' AS origin, '${c.destination}' AS destination`,
  );
  const ids = corrections.map((c) => c.event_id).join(', ') || '-1';
  return `WITH src AS (SELECT * EXCLUDE (file_row_number) FROM (${first}) WHERE file_row_number NOT IN (${ids})${corrected.map((c) => ` UNION ALL BY NAME ${c}`).join('')}),
    validated AS (${body('silver/flights_validated.sql').replace('FROM bronze.flights', 'FROM src')}),
    silver AS (${body('silver/flights.sql').replace('FROM silver.flights_validated', 'FROM validated')}),
    batch AS (${body('gold/airport_daily_delays.sql').replace('FROM silver.flights', 'FROM silver')}),
    a AS (SELECT origin, flight_date, flights, delayed_flights, round(avg_delay_min, 9) AS avg_delay_min, total_distance_mi FROM batch),
    b AS (SELECT origin, flight_date, flights, delayed_flights, round(avg_delay_min, 9) AS avg_delay_min, total_distance_mi FROM served)
  SELECT (SELECT count(*) FROM a)::INTEGER AS batch_rows,
         (SELECT count(*) FROM (SELECT * FROM a EXCEPT ALL SELECT * FROM b))::INTEGER AS missing,
         (SELECT count(*) FROM (SELECT * FROM b EXCEPT ALL SELECT * FROM a))::INTEGER AS extra`;
}

/** Gold as the server serves it (its query API reads only published assets), compared here with a batch build of the same flights. */
async function compareGold(served: Record<string, unknown>[], limit: number, corrections: readonly Correction[] = []): Promise<Record<string, unknown>> {
  const warehouse = await DuckDbWarehouse.open({ path: ':memory:' });
  const session = await warehouse.session();
  try {
    const shape = JSON.stringify([
      { origin: 'VARCHAR', flight_date: 'DATE', flights: 'BIGINT', delayed_flights: 'BIGINT', avg_delay_min: 'DOUBLE', total_distance_mi: 'BIGINT' },
    ]);
    await session.exec(`CREATE TEMP TABLE served AS SELECT unnest(from_json($1::JSON, ${sqlString(shape)}), recursive := true)`, [JSON.stringify(served)]);
    const [row] = await session.query(batchGoldSql(limit, corrections));
    return row!;
  } finally {
    session.close();
    await warehouse.close();
  }
}

describe('sluice events replay flights against sluice dev', () => {
  let root: string;
  let dev: ChildProcess;
  let output = '';
  let url: string;
  const query = async (sql: string): Promise<Record<string, unknown>[]> => {
    const response = await fetch(`${url}/api/query`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ sql }) });
    const body = (await response.json()) as { rows: Record<string, unknown>[]; error?: { message: string } };
    if (!response.ok) throw new Error(body.error?.message);
    return body.rows;
  };
  const gold = () =>
    query(
      'SELECT origin, flight_date::VARCHAR AS flight_date, flights::BIGINT AS flights, delayed_flights::BIGINT AS delayed_flights, round(avg_delay_min, 9) AS avg_delay_min, total_distance_mi::BIGINT AS total_distance_mi FROM gold.airport_daily_delays',
    );
  const replay = async (limit: number) => {
    const out = new PassThrough();
    let printed = '';
    out.on('data', (chunk: Buffer) => (printed += chunk.toString()));
    const result = await replayCommand({ dataset: 'flights', rate: 1000, limit, url }, out, new PassThrough());
    return { result, printed };
  };

  before(async () => {
    // A copy of examples/flights (the events project reads the batch project's seeds and SQL), importing Sluice from source.
    root = mkdtempSync(join(tmpdir(), 'sluice-replay-'));
    for (const part of ['seeds', 'sql', 'events'])
      cpSync(join(FLIGHTS, part), join(root, 'flights', part), { recursive: true, filter: (src) => !src.includes(`${join('events', 'data')}`) });
    writeFileSync(join(root, 'flights', 'package.json'), JSON.stringify({ type: 'module', private: true }));
    symlinkSync(join(REPO_ROOT, 'node_modules'), join(root, 'node_modules'));
    const config = join(root, 'flights', 'events', 'sluice.config.ts');
    writeFileSync(config, readFileSync(config, 'utf8').replace("from 'sluice'", `from ${JSON.stringify(SLUICE_INDEX)}`));
    const script = `const { main } = await import(${JSON.stringify(join(REPO_ROOT, 'src', 'cli', 'main.ts'))}); process.exitCode = await main(['node', 'sluice', ...process.argv.slice(1)]);`;
    dev = spawn(process.execPath, ['--import', import.meta.resolve('tsx'), '--input-type=module', '-e', script, '--', 'dev', '--port', '0'], {
      cwd: join(root, 'flights', 'events'),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    dev.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    dev.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const started = Date.now();
    // The URL is printed once the daemon and its sensors run.
    while (!/UI and API: http:\/\/\S+\n/.test(output)) {
      if (dev.exitCode !== null || Date.now() - started > 40_000) throw new Error(`sluice dev did not start:\n${output}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    url = /UI and API: (http:\/\/\S+)/.exec(output)![1]!;
  });
  after(async () => {
    if (dev && dev.exitCode === null) {
      const exited = new Promise((resolve) => dev.once('exit', resolve));
      dev.kill('SIGINT');
      await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 10_000))]);
      if (dev.exitCode === null) dev.kill('SIGKILL');
    }
    if (root) rmSync(root, { recursive: true, force: true });
  });

  it('keeps gold.airport_daily_delays equal to a batch build after each replay, re-delivered events included, and prints the latency', async (t) => {
    const first = await replay(1000);
    assert.match(first.printed, /replayed 1000 flight events to http:\/\/127\.0\.0\.1:\d+\/api\/events\/flights at \d+\/s/);
    assert.match(first.printed, /1000 of 1000 visible in gold\/airport_daily_delays \(event received -> published there; max \d+ ms\)/);
    assert.match(first.printed, /^latency p50 \d+ ms, p99 \d+ ms$/m);
    const afterFirst = await compareGold(await gold(), 1000);
    assert.ok(Number(afterFirst!.batch_rows) > 0);
    assert.deepEqual(afterFirst, { ...afterFirst, missing: 0, extra: 0 });

    // The first 1000 again (a sender retrying everything) and 1000 more: gold must equal the batch over 2000.
    const second = await replay(2000);
    t.diagnostic(`${first.printed.trim()}\n${second.printed.trim()}`);
    assert.equal(second.result.latency.visible, 2000);
    const comparison = await compareGold(await gold(), 2000);
    assert.ok(Number(comparison!.batch_rows) > 0);
    assert.deepEqual(comparison, { ...comparison, missing: 0, extra: 0 });
    assert.deepEqual(await query('SELECT count(*)::INTEGER AS n, count(DISTINCT event_id)::INTEGER AS ids FROM bronze.flights'), [{ n: 2000, ids: 2000 }]);
  });

  it('quarantines poison events at the door, and applies corrections downstream exactly once (silver and gold reflect the latest version)', async () => {
    const post = async (events: unknown[]) => {
      const response = await fetch(`${url}/api/events/flights`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(events),
      });
      assert.equal(response.status, 202);
      return (await response.json()) as { accepted: number; quarantined: number; lastSeq: number; results: { status: string; reasons?: string[] }[] };
    };
    // Poison pills: each used to be acknowledged and then to fail every later bronze run.
    const flight = { delay: 5, distance: 500, origin: 'LAS', destination: 'PHL' };
    const poison = await post(['yesterday', 20010101, '2001-02-30 10:00:00', ''].map((date, i) => ({ event_id: 9_000_000 + i, date, ...flight })));
    assert.deepEqual(
      poison.results.map((r) => r.status),
      ['quarantined', 'quarantined', 'quarantined', 'quarantined'],
    );
    assert.match(poison.results[2]!.reasons!.join(), /date must be a timestamp/);
    // Corrections: three replayed flights re-sent with new content. One moves to another airport and day, one becomes invalid, one changes its delay.
    const [a, b, c] = (await query(
      "SELECT event_id::INTEGER AS event_id, strftime(date, '%Y-%m-%d %H:%M:%S') AS date, delay::INTEGER AS delay, distance::INTEGER AS distance, origin, destination FROM bronze.flights ORDER BY event_id LIMIT 3",
    )) as unknown as Correction[];
    const corrections: Correction[] = [
      { ...a!, origin: a!.origin === 'ORD' ? 'ATL' : 'ORD', date: '2001-03-15 08:00:00' },
      { ...b!, origin: 'not an airport' },
      { ...c!, delay: c!.delay + 100 },
    ];
    const ack = await post(corrections);
    assert.equal(ack.accepted, 3);
    const deadline = Date.now() + 30_000;
    while (
      ((await (await fetch(`${url}/api/events/flights?from=${ack.lastSeq}&to=${ack.lastSeq}`)).json()) as { latency: { visible: number } }).latency.visible < 1
    ) {
      if (Date.now() > deadline) throw new Error(`the corrections never reached gold\n${output}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const comparison = await compareGold(await gold(), 2000, corrections);
    assert.deepEqual(comparison, { ...comparison, missing: 0, extra: 0 });
    assert.deepEqual(
      await query('SELECT count(*)::INTEGER AS n, count(DISTINCT event_id)::INTEGER AS ids FROM silver.flights'),
      [{ n: 1999, ids: 1999 }],
      'one row per event; the invalid correction left silver',
    );
    assert.deepEqual(
      await query(`SELECT count(*)::INTEGER AS n FROM silver.flights WHERE event_id = ${b!.event_id}`),
      [{ n: 0 }],
      'its quarantine (silver.flights_quarantine) holds it',
    );
    assert.deepEqual(await query(`SELECT delay_min::INTEGER AS delay FROM silver.flights WHERE event_id = ${c!.event_id}`), [{ delay: c!.delay + 100 }]);
  });

  it('rebuilds the declarative gold summary and the dimensions on its own', async () => {
    const deadline = Date.now() + 30_000;
    for (;;) {
      const [row] =
        await query(`SELECT (SELECT sum(flights) FROM gold.region_monthly_summary)::INTEGER AS summary, (SELECT count(*) FROM silver.flights)::INTEGER AS flights,
        (SELECT count(*) FROM silver.airports)::INTEGER AS airports`).catch(() => [undefined]);
      if (row && row.summary === row.flights) {
        assert.ok(Number(row.airports) > 3000, 'dimensions were built when missing');
        break;
      }
      if (Date.now() > deadline) throw new Error(`gold.region_monthly_summary did not catch up: ${JSON.stringify(row)}\n${output}`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    const { automations } = (await (await fetch(`${url}/api/automation`)).json()) as {
      automations: { name: string; lastEvaluation: { reason: string } | null; state: { lastTickAt: string | null } | null }[];
    };
    const nightly = automations.find((a) => a.name === 'dimensions_nightly')!;
    assert.ok(nightly.state?.lastTickAt, 'the nightly schedule keeps a cursor from its first evaluation');
  });
});
