// `sluice dev` as a real process: other commands in the project go through its API while it owns the warehouse.
import assert from 'node:assert/strict';
import { execFile, execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { DuckDBInstance } from '@duckdb/node-api';
import type { RunsResponse } from '../../src/server/api-types.js';
import { createFixtureProject, REPO_ROOT, SLUICE_BIN, type FixtureProject } from '../server/fixture-project.js';

/** bin/sluice.js prefers dist/ when it exists, so dist must hold the current sources. */
function ensureBuilt(): void {
  const stale = (dir: string): boolean =>
    readdirSync(dir, { withFileTypes: true }).some((entry) => {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) return stale(path);
      if (!entry.name.endsWith('.ts')) return false;
      const built = join(REPO_ROOT, 'dist', relative(join(REPO_ROOT, 'src'), path)).replace(/\.ts$/, '.js');
      return !existsSync(built) || statSync(built).mtimeMs < statSync(path).mtimeMs;
    });
  if (!existsSync(join(REPO_ROOT, 'dist')) || !stale(join(REPO_ROOT, 'src'))) return;
  try {
    execFileSync(process.execPath, [join(REPO_ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', join(REPO_ROOT, 'tsconfig.build.json')], {
      stdio: 'pipe',
    });
  } catch {
    // Type errors elsewhere still emit JavaScript; the tests below show whether it works.
  }
}

interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

function sluice(cwd: string, ...args: string[]): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(process.execPath, [SLUICE_BIN, ...args], { cwd, timeout: 60_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr });
    });
  });
}

let project: FixtureProject;
let dev: ChildProcess;
/** What `sluice check` printed through the server, to compare with the same commands run locally. */
const checkOutputs: { warned?: string; json?: string; failed?: string } = {};
let devOutput = '';
let url: string;

before(async () => {
  ensureBuilt();
  project = createFixtureProject();
  dev = spawn(process.execPath, [SLUICE_BIN, 'dev', '--port', '0'], { cwd: project.dir, stdio: ['ignore', 'pipe', 'pipe'] });
  dev.stdout!.on('data', (chunk: Buffer) => (devOutput += chunk.toString()));
  dev.stderr!.on('data', (chunk: Buffer) => (devOutput += chunk.toString()));
  const started = Date.now();
  while (!/UI and API: (http:\/\/\S+)/.test(devOutput) || !existsSync(join(project.dir, 'data', 'sluice-dev.json'))) {
    if (dev.exitCode !== null || Date.now() - started > 60_000) throw new Error(`sluice dev did not start:\n${devOutput}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  url = /UI and API: (http:\/\/\S+)/.exec(devOutput)![1]!;
});

after(() => {
  if (dev.exitCode === null) dev.kill('SIGKILL');
  project.remove();
});

describe('while sluice dev runs', () => {
  test('it binds 127.0.0.1 and announces its URL and pid in data/sluice-dev.json', () => {
    assert.match(url, /^http:\/\/127\.0\.0\.1:\d+$/);
    const info = JSON.parse(readFileSync(join(project.dir, 'data', 'sluice-dev.json'), 'utf8')) as { url: string; pid: number };
    assert.equal(info.url, url);
    assert.equal(info.pid, dev.pid);
  });

  test('it owns the warehouse file: no other process can open it', async () => {
    await assert.rejects(DuckDBInstance.create(join(project.dir, 'data', 'warehouse.duckdb')), /lock/i);
  });

  test('sluice materialize submits the run to the server, shows its progress and exits 0', async () => {
    const result = await sluice(project.dir, 'materialize');
    assert.equal(result.code, 0, result.stdout + result.stderr);
    assert.match(result.stdout, new RegExp(`submitted to ${url}`));
    assert.match(result.stdout, /raw\/numbers: materialized 4 rows/);
    const runId = /run (\S+) succeeded: 4 succeeded/.exec(result.stdout)?.[1];
    assert.ok(runId, result.stdout);
    const { runs } = (await (await fetch(`${url}/api/runs`)).json()) as RunsResponse;
    assert.equal(runs.find((r) => r.id === runId)?.status, 'succeeded', "the run is the server's");
  });

  test('sluice list, runs, run and query read through the server', async () => {
    const list = await sluice(project.dir, 'list');
    assert.equal(list.code, 0, list.stderr);
    assert.match(list.stdout, /clean\/numbers\s+transform\s+table\s+fresh/);
    const runs = await sluice(project.dir, 'runs', '--json');
    assert.equal(runs.code, 0, runs.stderr);
    const [latest] = JSON.parse(runs.stdout) as { id: string }[];
    const run = await sluice(project.dir, 'run', latest!.id);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /run_succeeded/);
    const query = await sluice(project.dir, 'query', 'SELECT total FROM mart.totals');
    assert.equal(query.code, 0, query.stderr);
    assert.match(query.stdout, /20/);
  });

  test('sluice check runs the checks on the server: a warning exits 0, a failed error check exits 1, a bad selection exits 2', async () => {
    const warned = await sluice(project.dir, 'check');
    assert.equal(warned.code, 0, warned.stdout + warned.stderr);
    assert.match(warned.stdout, /clean\/numbers\s+accepted_range_n\s+WARN\s+warn\s+1\/4/);
    assert.match(warned.stdout, /\{"n":4\}/);
    checkOutputs.warned = warned.stdout;
    const json = await sluice(project.dir, 'check', '--select', 'clean/numbers', '--json');
    assert.equal(json.code, 0, json.stderr);
    const result = JSON.parse(json.stdout) as { runId: string; status: string; results: unknown[] };
    assert.equal(result.status, 'succeeded');
    checkOutputs.json = json.stdout;
    const { runs } = (await (await fetch(`${url}/api/runs`)).json()) as RunsResponse;
    assert.equal(runs.find((r) => r.id === result.runId)?.selection, 'check clean/numbers', "the check run is the server's");

    // `sluice query` is read-only; an admin changes data by hand through the audited warehouse-change route.
    const change = (sql: string) =>
      fetch(`${url}/api/warehouse/change`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ sql }) });
    const inserted = await change('INSERT INTO clean.numbers VALUES (NULL, NULL)');
    assert.equal(inserted.status, 200, await inserted.text());
    try {
      const failed = await sluice(project.dir, 'check', '--select', 'clean/numbers');
      assert.equal(failed.code, 1, failed.stdout + failed.stderr);
      assert.match(failed.stdout, /not_null_n\s+FAILED\s+error\s+1\/5/);
      assert.match(failed.stderr, /checks failed in run \S+; fix the data/);
      checkOutputs.failed = failed.stdout;
    } finally {
      await change('DELETE FROM clean.numbers WHERE n IS NULL');
    }
    const usage = await sluice(project.dir, 'check', '--select', 'clean/numbrs');
    assert.equal(usage.code, 2);
    assert.match(usage.stderr, /error \[INVALID_SELECTION\].*did you mean "clean\/numbers"/);
  });

  test('a failed run exits 1 and a bad selection exits 2, as without the server', async () => {
    project.breakSource(true);
    try {
      const failed = await sluice(project.dir, 'materialize', '--select', 'raw/numbers');
      assert.equal(failed.code, 1, failed.stdout + failed.stderr);
      assert.match(failed.stdout, /✖ raw\/numbers: .*numbers\.csv/);
      assert.match(failed.stderr, /--retry-failed/);
      const runId = /run (\S+) failed/.exec(failed.stdout)![1]!;
      project.breakSource(false);
      const retried = await sluice(project.dir, 'materialize', '--retry-failed', runId);
      assert.equal(retried.code, 0, retried.stdout + retried.stderr);
    } finally {
      if (existsSync(join(project.dir, 'numbers.csv.off'))) project.breakSource(false);
    }
    const usage = await sluice(project.dir, 'materialize', '--select', 'raw/nope');
    assert.equal(usage.code, 2);
    assert.match(usage.stderr, /error \[INVALID_SELECTION\]/);
  });

  test('a second sluice dev for the same project refuses to start and names the running one', async () => {
    const second = await sluice(project.dir, 'dev', '--port', '0');
    assert.equal(second.code, 1);
    assert.match(second.stderr, new RegExp(`already runs for this project at ${url}`));
  });

  test('--url sends a command to a server explicitly', async () => {
    const elsewhere = createFixtureProject();
    try {
      const result = await sluice(elsewhere.dir, '--url', url, 'runs');
      assert.equal(result.code, 0, result.stderr);
      assert.match(result.stdout, /succeeded/);
    } finally {
      elsewhere.remove();
    }
  });
});

describe('after Ctrl-C', () => {
  test('sluice dev exits 0, removes data/sluice-dev.json and releases the warehouse to local commands', async () => {
    const exited = new Promise<number | null>((resolve) => dev.once('exit', (code) => resolve(code)));
    dev.kill('SIGINT');
    assert.equal(await exited, 0, devOutput);
    assert.ok(!existsSync(join(project.dir, 'data', 'sluice-dev.json')));
    const list = await sluice(project.dir, 'list');
    assert.equal(list.code, 0, list.stderr);
    assert.match(list.stdout, /mart\/totals/);
  });

  test('sluice check run locally prints exactly what it printed through the server, with the same exit codes', async () => {
    assert.ok(checkOutputs.warned && checkOutputs.json && checkOutputs.failed, 'the server-side check test ran first');
    const warned = await sluice(project.dir, 'check');
    assert.equal(warned.code, 0, warned.stderr);
    assert.equal(warned.stdout, checkOutputs.warned);
    const json = await sluice(project.dir, 'check', '--select', 'clean/numbers', '--json');
    assert.equal(json.code, 0, json.stderr);
    // Only the run id and the measured durations differ between two runs.
    const normalized = (text: string): unknown => JSON.parse(text, (key, value: unknown) => (key === 'runId' ? 'RUN' : key === 'durationMs' ? 0 : value));
    assert.deepEqual(normalized(json.stdout), normalized(checkOutputs.json!));
    assert.equal(JSON.stringify(Object.keys(JSON.parse(json.stdout) as object)), JSON.stringify(Object.keys(JSON.parse(checkOutputs.json!) as object)));
    await sluice(project.dir, 'exec', 'INSERT INTO clean.numbers VALUES (NULL, NULL)');
    const failed = await sluice(project.dir, 'check', '--select', 'clean/numbers');
    assert.equal(failed.code, 1);
    assert.equal(failed.stdout, checkOutputs.failed);
  });
});
