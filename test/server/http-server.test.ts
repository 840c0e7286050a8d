// The app over real HTTP on 127.0.0.1: event streams end their subscriptions when a client leaves or the server stops.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Sluice } from '../../src/runtime/sluice.js';
import { createApp } from '../../src/server/app.js';
import { listen, type RunningHttpServer } from '../../src/server/http-server.js';
import { RunLauncher } from '../../src/server/run-launcher.js';
import { SseParser } from '../../src/cli/api-client.js';
import { createFixtureProject, type FixtureProject } from './fixture-project.js';

let project: FixtureProject;
let sluice: Sluice;
let server: RunningHttpServer;
const shutdown = new AbortController();

before(async () => {
  project = createFixtureProject();
  sluice = await Sluice.open({ dir: project.dir });
  const app = createApp(sluice, { launcher: new RunLauncher(sluice), shutdown: shutdown.signal, uiDir: project.dir, log: () => undefined });
  server = await listen(app, { port: 0, host: '127.0.0.1' });
});

after(async () => {
  await server.close();
  await sluice.close();
  project.remove();
});

async function eventually(condition: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 200 && !condition(); i++) await new Promise((r) => setTimeout(r, 10));
  assert.ok(condition(), what);
}

test('the server listens on 127.0.0.1 at a free port when asked for port 0', () => {
  assert.match(server.url, /^http:\/\/127\.0\.0\.1:\d+$/);
  assert.notEqual(server.url, 'http://127.0.0.1:0');
});

test('a client that disconnects from the stream releases its bus listeners', async () => {
  const before = sluice.bus.listenerCount('event');
  const controller = new AbortController();
  const response = await fetch(`${server.url}/api/stream`, { signal: controller.signal });
  assert.equal(response.headers.get('content-type'), 'text/event-stream');
  const reader = response.body!.getReader();
  await reader.read();
  await eventually(() => sluice.bus.listenerCount('event') === before + 1, 'the stream subscribed');
  controller.abort();
  await eventually(() => sluice.bus.listenerCount('event') === before, 'the stream unsubscribed after the client left');
});

test('a launched run can be followed over HTTP to its end', async () => {
  const launch = await fetch(`${server.url}/api/runs`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ select: 'raw/numbers' }),
  });
  assert.equal(launch.status, 202);
  const { runId } = (await launch.json()) as { runId: string };
  const response = await fetch(`${server.url}/api/stream?runId=${runId}`);
  const reader = response.body!.getReader();
  const parser = new SseParser();
  const decoder = new TextDecoder();
  const seen: string[] = [];
  for (;;) {
    const { done, value } = await reader.read();
    assert.ok(!done, `the stream ended early after ${seen.join(', ')}`);
    const messages = parser.push(decoder.decode(value, { stream: true }));
    seen.push(...messages.map((m) => (m.event === 'run-event' ? (JSON.parse(m.data) as { type: string }).type : m.event)));
    if (messages.some((m) => m.event === 'run-status' && (JSON.parse(m.data) as { status: string }).status === 'succeeded')) break;
  }
  await reader.cancel();
  assert.equal(seen.at(-2), 'run_succeeded');
});

test('shutting down ends open streams so the server can close', async () => {
  const response = await fetch(`${server.url}/api/stream`);
  const reader = response.body!.getReader();
  await reader.read();
  shutdown.abort();
  for (;;) {
    const { done } = await reader.read();
    if (done) break;
  }
});
