// A viewer who may read only the gold assets never learns a key or a column name of any other asset: not
// from any route's answer, not from the live event stream, not from error messages.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createApiToken } from '../../src/access/identity/api-tokens.js';
import { Sluice } from '../../src/runtime/sluice.js';
import { createApp } from '../../src/server/app.js';
import { openProjectAccess, type ProjectAccess } from '../../src/server/auth/project-access.js';
import type { TempProject } from '../helpers/temp-project.js';
import { accessFixtureProject, GOLD_KEYS, HIDDEN_COLUMNS, HIDDEN_KEYS, startIdentityProvider, type TestIdentityProvider } from './access-fixture.js';

let project: TempProject;
let idp: TestIdentityProvider;
let sluice: Sluice;
let access: ProjectAccess;
let app: ReturnType<typeof createApp>;
let viewer: Record<string, string>;
let admin: Record<string, string>;
let runId: string;
const shutdown = new AbortController();

/** Every spelling of a hidden key or column a response could carry. */
const FORBIDDEN = [...HIDDEN_KEYS.flatMap((k) => [k, k.replace('/', '.'), k.replace('/', '"."')]), ...HIDDEN_COLUMNS];

function leaks(text: string): string[] {
  const lower = text.toLowerCase();
  return FORBIDDEN.filter((word) => lower.includes(word));
}

before(async () => {
  idp = await startIdentityProvider();
  project = accessFixtureProject(idp.jwksUrl);
  sluice = await Sluice.open({ dir: project.dir });
  access = await openProjectAccess(sluice, 'the test server authenticates');
  app = createApp(sluice, { uiDir: project.dir, log: () => undefined, access: access.shared, shutdown: shutdown.signal, heartbeatMs: 50 });
  viewer = { authorization: `Bearer ${(await createApiToken(access.store, { user: 'viewer' })).token}`, 'content-type': 'application/json' };
  admin = { authorization: `Bearer ${(await createApiToken(access.store, { user: 'admin' })).token}`, 'content-type': 'application/json' };
  // A failed run too, whose error names a hidden asset.
  runId = (await sluice.materialize({ select: '*' })).runId;
});

after(async () => {
  shutdown.abort();
  await access.close();
  await sluice.close();
  await idp.close();
  project.remove();
});

test('the admin sees the hidden assets, so the checks below are not vacuous', async () => {
  const body = await (await app.request('/api/lineage', { headers: admin })).text();
  assert.ok(leaks(body).length > 0);
});

test('no read route answers the viewer with a hidden key or column, and the gold assets are still there', async () => {
  const paths = [
    '/api/assets',
    '/api/lineage',
    '/api/runs',
    `/api/runs/${runId}`,
    '/api/checks',
    '/api/column-lineage',
    '/api/quarantine',
    '/api/automation',
    '/api/backfills',
    ...GOLD_KEYS.flatMap((k) => [`/api/assets/${k}`, `/api/assets/${k}/loads`, `/api/assets/${k}/partitions`, `/api/column-lineage/${k}/region`]),
    // Asking for a hidden asset, or a near miss of one, answers like an asset that does not exist.
    ...HIDDEN_KEYS.flatMap((k) => [`/api/assets/${k}`, `/api/assets/${k}/preview`, `/api/assets/${k.slice(0, -1)}`]),
  ];
  const seen: string[] = [];
  for (const path of paths) {
    const response = await app.request(path, { headers: viewer });
    const text = await response.text();
    assert.deepEqual(leaks(text), [], `${path} (${response.status}) leaks: ${text.slice(0, 400)}`);
    assert.ok(!/\n\s+at /.test(text), `${path} shows a stack trace`);
    seen.push(text);
  }
  const assets = JSON.parse(seen[0]!) as { assets: { key: string }[] };
  assert.deepEqual(assets.assets.map((a) => a.key).sort(), [...GOLD_KEYS].sort());
  const lineage = JSON.parse(seen[1]!) as { nodes: { key: string }[]; edges: { from: string; to: string }[] };
  assert.deepEqual(lineage.edges, [{ from: 'gold/summary', to: 'gold/daily' }], 'edges through hidden assets are omitted, not drawn to a placeholder');
  const hidden = await app.request(`/api/assets/${HIDDEN_KEYS[0]}`, { headers: viewer });
  assert.equal(hidden.status, 404);
});

test('every GET route the app serves (new ones too), for a gold and a hidden asset, says nothing hidden', async () => {
  const patterns = [...new Set(app.routes.filter((r) => r.method === 'GET' && r.path.startsWith('/api/') && r.path !== '/api/stream').map((r) => r.path))];
  assert.ok(patterns.length > 10);
  for (const pattern of patterns) {
    for (const key of ['gold/summary', HIDDEN_KEYS[1]]) {
      const [schema, name] = key.split('/') as [string, string];
      const path = pattern.replace(':schema', schema).replace(':name', name).replace(':column', 'region').replace(':id', runId).replace(':source', 'orders');
      const response = await app.request(`${path}${path.includes('history') ? `?asset=${key}&check=x` : ''}`, { headers: viewer });
      const text = await response.text();
      // The key the caller sent may come back quoted in "not defined"; anything more is a leak.
      assert.deepEqual(leaks(text.replaceAll(`\\"${key}\\"`, '')), [], `${path} (${response.status}) leaks: ${text.slice(0, 400)}`);
      assert.ok(response.status !== 500, `${path}: ${text.slice(0, 300)}`);
    }
  }
});

test('denied and failed requests say nothing about hidden assets either', async () => {
  for (const [path, body] of [
    ['/api/runs', { select: 'raw/orders' }],
    ['/api/query', { sql: 'SELECT * FROM clean.orders' }],
    ['/api/checks', { select: '*' }],
  ] as const) {
    const response = await app.request(path, { method: 'POST', headers: viewer, body: JSON.stringify(body) });
    assert.equal(response.status, 403, path);
    const text = await response.text();
    assert.deepEqual(leaks(text.replace(JSON.stringify(body), '')), [], `${path}: ${text}`);
  }
});

test('the live stream carries the gold assets events and nothing about the hidden ones', async () => {
  const controller = new AbortController();
  const response = await app.request('/api/stream', { headers: viewer, signal: controller.signal });
  assert.equal(response.status, 200);
  const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
  let text = '';
  const launched = await app.request('/api/runs', { method: 'POST', headers: admin, body: JSON.stringify({ select: '*' }) });
  assert.equal(launched.status, 202);
  const { runId: streamed } = (await launched.json()) as { runId: string };
  // Read until the run's end reaches the viewer: its final run-status names the run id and a final status.
  while (!new RegExp(`"id":"${streamed}"[^\\n]*"status":"(succeeded|failed)"`).test(text)) {
    const { value, done } = await reader.read();
    if (done) break;
    text += value;
  }
  controller.abort();
  await reader.cancel().catch(() => undefined);
  assert.match(text, /gold\/summary/, 'the gold events reach the viewer');
  assert.deepEqual(leaks(text), [], text.slice(0, 2000));
});
