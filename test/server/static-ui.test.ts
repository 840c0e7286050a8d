// Serving the built UI: files with their types, client-side routes fall back to index.html, and a hint when it is not built.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { Hono } from 'hono';
import { serveUi } from '../../src/server/static-ui.js';

let root: string;
let built: Hono;
let unbuilt: Hono;

before(() => {
  root = mkdtempSync(join(tmpdir(), 'sluice-ui-'));
  mkdirSync(join(root, 'dist', 'assets'), { recursive: true });
  writeFileSync(join(root, 'dist', 'index.html'), '<!doctype html><div id="root"></div>');
  writeFileSync(join(root, 'dist', 'assets', 'app-1234.js'), 'console.log("ui")');
  writeFileSync(join(root, 'secret.txt'), 'not for the web');
  built = new Hono().get('*', serveUi(join(root, 'dist')));
  unbuilt = new Hono().get('*', serveUi(join(root, 'missing')));
});

after(() => rmSync(root, { recursive: true, force: true }));

test('the root serves index.html of the built UI', async () => {
  const response = await built.request('/');
  assert.equal(response.status, 200);
  assert.match(response.headers.get('content-type') ?? '', /text\/html/);
  assert.match(await response.text(), /id="root"/);
});

test('a client-side route such as /assets/silver/flights falls back to index.html', async () => {
  for (const path of ['/runs', '/runs/abc-123', '/assets/silver/flights']) {
    const response = await built.request(path);
    assert.equal(response.status, 200, path);
    assert.match(await response.text(), /id="root"/, path);
  }
});

test('a fingerprinted asset is served with its type and cached for good', async () => {
  const response = await built.request('/assets/app-1234.js');
  assert.equal(response.status, 200);
  assert.match(response.headers.get('content-type') ?? '', /javascript/);
  assert.match(response.headers.get('cache-control') ?? '', /immutable/);
  assert.equal(await response.text(), 'console.log("ui")');
});

test('a missing file with an extension is a 404, not the app page', async () => {
  assert.equal((await built.request('/assets/gone-9999.js')).status, 404);
});

test('paths that climb out of the UI folder are never served', async () => {
  for (const path of ['/../secret.txt', '/%2e%2e/secret.txt', '/assets/..%2f..%2fsecret.txt']) {
    const response = await built.request(path);
    assert.doesNotMatch(await response.text(), /not for the web/, path);
  }
});

test('without a built UI the root says to run npm run build:ui', async () => {
  const response = await unbuilt.request('/');
  assert.equal(response.status, 200);
  assert.match(await response.text(), /npm run build:ui/);
});
