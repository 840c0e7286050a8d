// The CLI's side of `sluice dev`: finding a live server, parsing its event stream, turning its errors into exit codes.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { Hono } from 'hono';
import { ApiClient, findDevServer, readDevServerFile, removeDevServerFile, SseParser, writeDevServerFile } from '../../src/cli/api-client.js';
import { EXIT, reportError } from '../../src/cli/cli-errors.js';
import { listen, type RunningHttpServer } from '../../src/server/http-server.js';

describe('SseParser', () => {
  test('parses named events with ids, split anywhere across chunks', () => {
    const text = 'event: run-event\nid: 7\ndata: {"a":1}\n\n: a comment\n\nevent: run-status\r\ndata: {"b":2}\r\n\r\n';
    for (let cut = 0; cut <= text.length; cut++) {
      const parser = new SseParser();
      const messages = [...parser.push(text.slice(0, cut)), ...parser.push(text.slice(cut))];
      assert.deepEqual(
        messages,
        [
          { event: 'run-event', data: '{"a":1}', id: '7' },
          { event: 'run-status', data: '{"b":2}', id: '7' },
        ],
        `cut at ${cut}`,
      );
    }
  });

  test('joins multi-line data and defaults the event name to message', () => {
    assert.deepEqual(new SseParser().push('data: one\ndata:two\n\n'), [{ event: 'message', data: 'one\ntwo' }]);
  });
});

describe('finding the dev server', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'sluice-devfile-'));
    writeFileSync(join(dir, 'sluice.config.ts'), 'export const project = {};');
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('a server announced by a live process is found from the project folder', () => {
    writeDevServerFile(dir, { url: 'http://127.0.0.1:4321', pid: process.pid });
    assert.equal(readDevServerFile(dir)?.url, 'http://127.0.0.1:4321');
    assert.equal(findDevServer({ project: dir })?.baseUrl, 'http://127.0.0.1:4321');
  });

  test('a file left by a dead process is ignored, so commands open the project themselves', () => {
    writeDevServerFile(dir, { url: 'http://127.0.0.1:4321', pid: 2 ** 22 + 12345 });
    assert.equal(readDevServerFile(dir), undefined);
    assert.equal(findDevServer({ project: dir }), undefined);
  });

  test('--url wins over any file, and no project means no server', () => {
    assert.equal(findDevServer({ project: dir, url: 'http://127.0.0.1:9/' })?.baseUrl, 'http://127.0.0.1:9');
    assert.equal(findDevServer({ project: tmpdir() }), undefined);
  });

  test('the file is removed only by the process that wrote it', () => {
    writeDevServerFile(dir, { url: 'http://127.0.0.1:4321', pid: process.pid });
    removeDevServerFile(dir, process.pid + 1);
    assert.ok(readDevServerFile(dir));
    removeDevServerFile(dir);
    assert.equal(readDevServerFile(dir), undefined);
  });
});

describe('ApiClient errors', () => {
  let server: RunningHttpServer;
  before(async () => {
    const app = new Hono()
      .get('/selection', (c) => c.json({ error: { code: 'INVALID_SELECTION', message: 'no asset "x"' } }, 400))
      .get('/sql', (c) => c.json({ error: { code: 'SQL_ERROR', message: 'query failed' } }, 400))
      .get('/crash', (c) => c.json({ error: { code: 'INTERNAL', message: 'boom' } }, 500))
      .get('/proxy', (c) => c.text('Bad gateway', 502));
    server = await listen(app, { port: 0, host: '127.0.0.1' });
  });
  after(() => server.close());

  const exitCodeOf = async (promise: Promise<unknown>): Promise<number> => {
    try {
      await promise;
    } catch (error) {
      return reportError(error, () => undefined);
    }
    throw new Error('expected a failure');
  };

  test('server errors keep their Sluice code, so exit codes match local runs', async () => {
    const client = new ApiClient(server.url);
    assert.equal(await exitCodeOf(client.get('/selection')), EXIT.usage);
    assert.equal(await exitCodeOf(client.get('/sql')), EXIT.runFailed);
    await assert.rejects(client.get('/selection'), /no asset "x"/);
  });

  test('a server crash, a foreign answer or no server at all exit 1 with a readable message', async () => {
    const client = new ApiClient(server.url);
    assert.equal(await exitCodeOf(client.get('/crash')), EXIT.runFailed);
    await assert.rejects(client.get('/proxy'), /answered 502: Bad gateway/);
    await assert.rejects(new ApiClient('http://127.0.0.1:9').get('/api/runs'), /cannot reach the Sluice server at http:\/\/127\.0\.0\.1:9/);
  });
});
