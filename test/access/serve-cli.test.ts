// `sluice serve`, `sluice tokens` and `sluice audit` as a user runs them, including a kill -9 right after answers.
import assert from 'node:assert/strict';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, test } from 'node:test';
import { createApiToken } from '../../src/access/identity/api-tokens.js';
import { Sluice } from '../../src/runtime/sluice.js';
import type { AuditEntry } from '../../src/store/access-store.js';
import { SqliteAccessStore } from '../../src/store/sqlite/sqlite-access-store.js';
import { createFixtureProject } from '../server/fixture-project.js';
import type { TempProject } from '../helpers/temp-project.js';
import { accessFixtureProject, HIDDEN_COLUMNS, HIDDEN_KEYS, startIdentityProvider, type TestIdentityProvider } from './access-fixture.js';

const ENTRY = join(dirname(fileURLToPath(import.meta.url)), 'sluice-from-source.ts');
/** tsx by its own path: the CLI runs in the project folder, which has no node_modules. */
const TSX = import.meta.resolve('tsx');

interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

function sluice(cwd: string, ...args: string[]): Promise<CliResult> {
  return sluiceWith({}, cwd, ...args);
}

function sluiceWith(env: Record<string, string>, cwd: string, ...args: string[]): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['--import', TSX, ENTRY, ...args], { cwd, timeout: 120_000, env: { ...process.env, ...env } }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr });
    });
  });
}

/** Starts `sluice serve --port 0` and waits for its URL. */
async function serve(cwd: string): Promise<{ process: ChildProcess; url: string; output: () => string }> {
  const child = spawn(process.execPath, ['--import', TSX, ENTRY, 'serve', '--port', '0'], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const url = await new Promise<string>((resolve, reject) => {
    const check = (): void => {
      const match = /UI and API: (http:\/\/\S+)/.exec(output);
      if (match) resolve(match[1]!);
      else if (child.exitCode !== null) reject(new Error(`sluice serve exited:\n${output}`));
      else setTimeout(check, 50);
    };
    check();
  });
  return { process: child, url, output: () => output };
}

let idp: TestIdentityProvider;
let project: TempProject;

before(async () => {
  idp = await startIdentityProvider();
  project = accessFixtureProject(idp.jwksUrl);
});

after(async () => {
  await idp.close();
  project.remove();
});

test('sluice serve refuses to start without an access configuration, and says how to add one', async () => {
  const open = createFixtureProject();
  try {
    const result = await sluice(open.dir, 'serve', '--port', '0');
    assert.equal(result.code, 2);
    assert.match(result.stderr, /sluice serve authenticates every request, but the project has no access configuration/);
    assert.match(result.stderr, /access: \{ users: \{ admin: \{ roles: \['admin'\] \} \} \}/);
    assert.match(result.stderr, /sluice tokens create --user admin/);
    const dev = await sluice(open.dir, 'dev', '--port', '0', '--host', '0.0.0.0');
    assert.equal(dev.code, 2);
    assert.match(
      dev.stderr,
      /sluice dev --host 0\.0\.0\.0 would let anyone who reaches it act as the local admin, but the project has no access configuration/,
    );
    assert.doesNotMatch(dev.stderr + result.stderr, /\n\s+at /, 'no stack trace');
  } finally {
    open.remove();
  }
});

test('tokens are printed once, listed without secrets, refused for unknown users, and revoked at once', async () => {
  const unknown = await sluice(project.dir, 'tokens', 'create', '--user', 'mallory');
  assert.equal(unknown.code, 2);
  assert.match(unknown.stderr, /user "mallory" is not in the project's access.users \(admin, operator, analyst, viewer\)/);
  const created = await sluice(project.dir, 'tokens', 'create', '--user', 'viewer', '--expires', '30d');
  assert.equal(created.code, 0, created.stderr);
  const token = created.stdout.trim();
  assert.match(token, /^slu_[0-9a-f]{16}_[A-Za-z0-9_-]{43}$/);
  const list = await sluice(project.dir, 'tokens', 'list', '--json');
  const tokens = JSON.parse(list.stdout) as { id: string; user: string; expiresAt: string }[];
  const mine = tokens.find((t) => token.startsWith(`slu_${t.id}_`));
  assert.ok(mine && mine.user === 'viewer' && mine.expiresAt > new Date(Date.now() + 29 * 86_400_000).toISOString());
  assert.ok(!list.stdout.includes(token.slice(22)) && !list.stdout.includes('secretHash'), 'no secret or hash is listed');

  const server = await serve(project.dir);
  try {
    const ok = await fetch(`${server.url}/api/assets`, { headers: { authorization: `Bearer ${token}` } });
    assert.equal(ok.status, 200);
    assert.equal((await sluice(project.dir, 'tokens', 'revoke', mine.id)).code, 0);
    const revoked = await fetch(`${server.url}/api/assets`, { headers: { authorization: `Bearer ${token}` } });
    assert.equal(revoked.status, 401);
    assert.match(((await revoked.json()) as { error: { message: string } }).error.message, new RegExp(`API token ${mine.id} was revoked`));
  } finally {
    server.process.kill('SIGKILL');
  }
});

test('bad Authorization headers and huge tokens get a clear 401, never a crash or a stack trace', async () => {
  const server = await serve(project.dir);
  try {
    const cases: [string, RegExp][] = [
      ['Basic YWRtaW46YWRtaW4=', /malformed Authorization header: expected "Bearer <token>"/],
      ['Bearer', /malformed Authorization header/],
      ['Bearer a b', /malformed Authorization header/],
      ['Bearer slu_nothex_x', /the API token is malformed/],
      ['Bearer not-a-token', /neither an API token \(slu_\.\.\.\) nor a JWT/],
      [`Bearer ${'x'.repeat(17 * 1024)}`, /longer than 16 KB/],
    ];
    for (const [header, message] of cases) {
      const response = await fetch(`${server.url}/api/runs`, { headers: { authorization: header } });
      const text = await response.text();
      // Node refuses request headers above its own 16 KB limit with 431 before any code runs: also no crash.
      if (response.status === 431) continue;
      assert.equal(response.status, 401, header.slice(0, 40));
      assert.match((JSON.parse(text) as { error: { message: string } }).error.message, message);
      assert.doesNotMatch(text, /\n\s+at /);
      assert.ok(!text.includes(header.slice(7, 60)) || header.length < 20, 'the token is not echoed');
    }
    assert.equal((await fetch(`${server.url}/api/assets`)).status, 401, 'the server is still up');
  } finally {
    server.process.kill('SIGKILL');
  }
});

test('kill -9 right after answers loses no audit entry, and sluice audit --denied lists every denial', async () => {
  const store = SqliteAccessStore.open({ path: join(project.dir, 'data', 'sluice.sqlite') });
  const viewer = (await createApiToken(store, { user: 'viewer' })).token;
  const admin = (await createApiToken(store, { user: 'admin' })).token;
  await store.close();
  const server = await serve(project.dir);
  const since = new Date().toISOString();
  const answered: string[] = [];
  const body = JSON.stringify({ sql: 'SELECT 42 AS answer' });
  // Alternate denials (the viewer launching runs) and allowed data reads (the admin's SQL); kill as soon as the last answer arrives.
  for (let i = 0; i < 12; i++) {
    const asViewer = i % 2 === 0;
    const response = await fetch(`${server.url}/api/${asViewer ? 'runs' : 'query'}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${asViewer ? viewer : admin}`, 'content-type': 'application/json', 'x-request': String(i) },
      body: asViewer ? JSON.stringify({ select: `gold/daily,gold/summary` }) : body,
    });
    if (i === 11) server.process.kill('SIGKILL');
    answered.push(`${response.status}`);
    await response.text();
  }
  await new Promise((resolve) => server.process.once('exit', resolve));
  const json = (await sluice(project.dir, 'audit', '--since', since, '--json')).stdout;
  assert.ok(
    !json.includes(viewer) && !json.includes(admin) && !json.includes(viewer.slice(22)) && !json.includes(admin.slice(22)),
    'tokens never reach the log',
  );
  const all = JSON.parse(json) as AuditEntry[];
  const mine = all.filter((e) => e.resource === 'POST /api/runs' || e.resource === 'POST /api/query');
  assert.equal(mine.length, 12, `every answered request is in the log (answers: ${answered.join(',')})`);
  assert.equal(mine.filter((e) => e.principal === 'viewer' && !e.allowed && e.status === 403).length, 6);
  const reads = mine.filter((e) => e.principal === 'admin');
  assert.equal(reads.length, 6);
  for (const read of reads) {
    assert.deepEqual([read.allowed, read.status, read.action, read.query, read.rows], [true, 200, 'query:sql', 'SELECT 42 AS answer', 1]);
    assert.match(read.client ?? '', /127\.0\.0\.1/);
  }

  const denied = await sluice(project.dir, 'audit', '--denied', '--user', 'viewer', '--since', since);
  assert.equal(denied.code, 0);
  assert.equal(denied.stdout.split('\n').filter((l) => l.includes('DENIED') && l.includes('POST /api/runs')).length, 6);
});

test('CLI commands sent through the server with SLUICE_TOKEN (list, history, runs, lineage, show) show the viewer the gold assets only', async () => {
  const store = SqliteAccessStore.open({ path: join(project.dir, 'data', 'sluice.sqlite') });
  const viewer = (await createApiToken(store, { user: 'viewer' })).token;
  await store.close();
  const local = await Sluice.open({ dir: project.dir });
  await local.materialize({ select: '*' });
  await local.close();
  const server = await serve(project.dir);
  try {
    const forbidden = [...HIDDEN_KEYS, ...HIDDEN_KEYS.map((k) => k.replace('/', '.')), ...HIDDEN_COLUMNS];
    const noToken = await sluice(project.dir, '--url', server.url, 'list');
    assert.equal(noToken.code, 2);
    assert.match(noToken.stderr, /UNAUTHENTICATED.*sluice tokens create --user NAME/);
    const commands = [
      ['list'],
      ['history', 'gold/summary'],
      ['runs'],
      ['lineage'],
      ['lineage', 'gold/summary'],
      ['lineage', 'gold/summary', '--columns'],
      ['lineage', 'gold/summary.total_margin', '--format', 'json'],
      ['show', 'gold/summary'],
      ['show', 'gold/summary', '--json'],
    ];
    for (const args of commands) {
      const result = await sluiceWith({ SLUICE_TOKEN: viewer }, project.dir, '--url', server.url, ...args);
      const output = result.stdout + result.stderr;
      assert.equal(result.code, 0, `${args.join(' ')}: ${output}`);
      if (args[0] !== 'runs') assert.match(output, /gold\/summary/);
      else assert.match(output, /succeeded/);
      assert.deepEqual(
        forbidden.filter((word) => output.includes(word)),
        [],
        `${args.join(' ')}:\n${output}`,
      );
    }
  } finally {
    server.process.kill('SIGKILL');
  }
});
