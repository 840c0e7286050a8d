// The event-driven flights demo under a real `sluice dev`: replayed flights keep gold equal to a batch build of the same events.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { PassThrough } from 'node:stream';
import { replayCommand } from '../../src/cli/commands/events.js';
import { REPO_ROOT, SLUICE_INDEX } from '../server/fixture-project.js';

const FLIGHTS = join(REPO_ROOT, 'examples', 'flights');
const PARQUET = join(REPO_ROOT, 'node_modules', 'vega-datasets', 'data', 'flights-3m.parquet');

/** The batch pipeline's own SQL (examples/flights/sql), applied to the first `limit` flights in replay order. */
function batchGoldSql(limit: number): string {
  const body = (file: string) => readFileSync(join(FLIGHTS, 'sql', file), 'utf8').split('\n').filter((l) => !l.startsWith('--')).join('\n');
  return `WITH src AS (SELECT * EXCLUDE (file_row_number) FROM read_parquet('${PARQUET}', file_row_number = true) ORDER BY date, file_row_number LIMIT ${limit}),
    validated AS (${body('silver/flights_validated.sql').replace('FROM bronze.flights', 'FROM src')}),
    silver AS (${body('silver/flights.sql').replace('FROM silver.flights_validated', 'FROM validated')}),
    batch AS (${body('gold/airport_daily_delays.sql').replace('FROM silver.flights', 'FROM silver')}),
    a AS (SELECT origin, flight_date, flights, delayed_flights, round(avg_delay_min, 9) AS avg_delay_min, total_distance_mi FROM batch),
    b AS (SELECT origin, flight_date, flights, delayed_flights, round(avg_delay_min, 9) AS avg_delay_min, total_distance_mi FROM gold.airport_daily_delays)
  SELECT (SELECT count(*) FROM a)::INTEGER AS batch_rows,
         (SELECT count(*) FROM (SELECT * FROM a EXCEPT ALL SELECT * FROM b))::INTEGER AS missing,
         (SELECT count(*) FROM (SELECT * FROM b EXCEPT ALL SELECT * FROM a))::INTEGER AS extra`;
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
    for (const part of ['seeds', 'sql', 'events']) cpSync(join(FLIGHTS, part), join(root, 'flights', part), { recursive: true, filter: (src) => !src.includes(`${join('events', 'data')}`) });
    writeFileSync(join(root, 'flights', 'package.json'), JSON.stringify({ type: 'module', private: true }));
    symlinkSync(join(REPO_ROOT, 'node_modules'), join(root, 'node_modules'));
    const config = join(root, 'flights', 'events', 'sluice.config.ts');
    writeFileSync(config, readFileSync(config, 'utf8').replace("from 'sluice'", `from ${JSON.stringify(SLUICE_INDEX)}`));
    const script = `const { main } = await import(${JSON.stringify(join(REPO_ROOT, 'src', 'cli', 'main.ts'))}); process.exitCode = await main(['node', 'sluice', ...process.argv.slice(1)]);`;
    dev = spawn(process.execPath, ['--import', import.meta.resolve('tsx'), '--input-type=module', '-e', script, '--', 'dev', '--port', '0'], { cwd: join(root, 'flights', 'events'), stdio: ['ignore', 'pipe', 'pipe'] });
    dev.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    dev.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const started = Date.now();
    while (!/automation: 1 schedule\(s\), 1 sensor\(s\)/.test(output)) {
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
    const [afterFirst] = await query(batchGoldSql(1000));
    assert.ok(Number(afterFirst!.batch_rows) > 0);
    assert.deepEqual(afterFirst, { ...afterFirst, missing: 0, extra: 0 });

    // The first 1000 again (a sender retrying everything) and 1000 more: gold must equal the batch over 2000.
    const second = await replay(2000);
    t.diagnostic(`${first.printed.trim()}\n${second.printed.trim()}`);
    assert.equal(second.result.latency.visible, 2000);
    const [comparison] = await query(batchGoldSql(2000));
    assert.ok(Number(comparison!.batch_rows) > 0);
    assert.deepEqual(comparison, { ...comparison, missing: 0, extra: 0 });
    assert.deepEqual(await query('SELECT count(*)::INTEGER AS n, count(DISTINCT event_id)::INTEGER AS ids FROM bronze.flights'), [{ n: 2000, ids: 2000 }]);
  });

  it('rebuilds the declarative gold summary and the dimensions on its own', async () => {
    const deadline = Date.now() + 30_000;
    for (;;) {
      const [row] = await query(`SELECT (SELECT sum(flights) FROM gold.region_monthly_summary)::INTEGER AS summary, (SELECT count(*) FROM silver.flights)::INTEGER AS flights,
        (SELECT count(*) FROM silver.airports)::INTEGER AS airports`).catch(() => [undefined]);
      if (row && row.summary === row.flights) {
        assert.ok(Number(row.airports) > 3000, 'dimensions were built when missing');
        break;
      }
      if (Date.now() > deadline) throw new Error(`gold.region_monthly_summary did not catch up: ${JSON.stringify(row)}\n${output}`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    const { automations } = (await (await fetch(`${url}/api/automation`)).json()) as { automations: { name: string; lastEvaluation: { reason: string } | null; state: { lastTickAt: string | null } | null }[] };
    const nightly = automations.find((a) => a.name === 'dimensions_nightly')!;
    assert.ok(nightly.state?.lastTickAt, 'the nightly schedule keeps a cursor from its first evaluation');
  });
});
