// OpenLineage over HTTP against a real local server: bearer auth, FAIL and ABORT events, retries, and a backend that is down or hangs.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { after, afterEach, describe, it } from 'node:test';
import { Sluice } from '../../src/index.js';
import type { OpenLineageRunEvent } from '../../src/lineage/openlineage/openlineage-types.js';
import { tempProject } from '../helpers/temp-project.js';
import { openLineageValidator } from './openlineage-validator.js';

const API_KEY = 'sk-test-4f9d2c81-do-not-log';

const project = tempProject({
  'sluice.config.ts': `import { asset, defineProject } from '@sluice';
export const project = defineProject({ name: 'numbers', assets: [
  asset({ key: 'raw/numbers', description: 'Five numbers.', owners: ['team:data'], sql: 'SELECT range AS n FROM range(5)' }),
  asset({ key: 'mart/doubled', sql: 'SELECT n * 2 AS d FROM raw.numbers' }),
  asset({ key: 'mart/broken', sql: 'SELECT missing_column FROM raw.numbers' }),
  asset({ key: 'mart/after_broken', sql: 'SELECT * FROM mart.broken' }),
  asset({ key: 'slow/waits', compute: (ctx) => new Promise((_, reject) => ctx.signal.addEventListener('abort', () => reject(new Error('stopped')))) }),
] });`,
});

interface Received {
  path: string;
  authorization: string | undefined;
  contentType: string | undefined;
  event: OpenLineageRunEvent;
}

/** A lineage backend on 127.0.0.1 that records each POST and answers with `status(n)` for the n-th request. */
async function backend(
  status: (n: number) => number | 'hang' = () => 201,
): Promise<{ url: string; received: Received[]; server: Server; close(): Promise<void> }> {
  const received: Received[] = [];
  let count = 0;
  const server = createServer((req: IncomingMessage, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const answer = status(++count);
      if (answer === 'hang') return;
      if (answer < 300) {
        received.push({
          path: req.url ?? '',
          authorization: req.headers.authorization,
          contentType: req.headers['content-type'],
          event: JSON.parse(Buffer.concat(chunks).toString('utf8')) as OpenLineageRunEvent,
        });
      }
      res.writeHead(answer).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    server,
    close: () => {
      server.closeAllConnections();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function useEnv(vars: Record<string, string>): void {
  for (const [k, v] of Object.entries(vars)) process.env[k] = v;
}

async function openProject(): Promise<Sluice> {
  return Sluice.open({ dir: project.dir });
}

async function allStoredText(sluice: Sluice): Promise<string> {
  const runs = await sluice.store.listRuns({ limit: 1000 });
  const events = await Promise.all(runs.map((r) => sluice.store.listEvents(r.id)));
  return JSON.stringify({ runs, events });
}

describe('OpenLineage over HTTP', { timeout: 120_000 }, () => {
  afterEach(() => {
    for (const k of ['OPENLINEAGE_URL', 'OPENLINEAGE_API_KEY', 'OPENLINEAGE__TRANSPORT__TYPE']) delete process.env[k];
  });
  after(() => project.remove());

  it('POSTs every event to $OPENLINEAGE_URL/api/v1/lineage with the bearer key: START and COMPLETE, START and FAIL, nothing for a skipped asset', async () => {
    const server = await backend();
    useEnv({ OPENLINEAGE_URL: server.url, OPENLINEAGE_API_KEY: API_KEY });
    const sluice = await openProject();
    try {
      const result = await sluice.materialize({ select: 'raw/numbers,mart/doubled,mart/broken,mart/after_broken' });
      assert.equal(result.status, 'failed');
      await sluice.openLineage!.flush();
      const validate = openLineageValidator();
      for (const r of server.received) {
        assert.equal(r.path, '/api/v1/lineage');
        assert.equal(r.authorization, `Bearer ${API_KEY}`);
        assert.equal(r.contentType, 'application/json');
        assert.deepEqual(validate(r.event), [], `${r.event.eventType} ${r.event.job.name}`);
      }
      const seen = server.received.map((r) => `${r.event.eventType} ${r.event.job.name}`);
      assert.deepEqual(
        seen.filter((s) => s.endsWith('raw/numbers')),
        ['START raw/numbers', 'COMPLETE raw/numbers'],
      );
      assert.deepEqual(
        seen.filter((s) => s.endsWith('mart/broken')),
        ['START mart/broken', 'FAIL mart/broken'],
      );
      assert.deepEqual(
        seen.filter((s) => s.includes('after_broken')),
        [],
      );
      assert.deepEqual([seen[0], seen.at(-1)], ['START numbers', 'FAIL numbers']);
      const fail = server.received.find((r) => r.event.eventType === 'FAIL' && r.event.job.name === 'mart/broken')!.event;
      assert.match(String(fail.run.facets!.errorMessage!.message), /missing_column/);
      assert.ok(!(await allStoredText(sluice)).includes(API_KEY), 'the API key is never stored');
    } finally {
      await sluice.close();
      await server.close();
    }
  });

  it('retries an event the backend answers with 503 until it is accepted, without a warning', async () => {
    const server = await backend((n) => (n <= 2 ? 503 : 201));
    useEnv({ OPENLINEAGE_URL: server.url });
    const sluice = await openProject();
    try {
      const { runId } = await sluice.materialize({ select: 'raw/numbers' });
      await sluice.openLineage!.flush();
      assert.deepEqual(
        server.received.map((r) => `${r.event.eventType} ${r.event.job.name}`),
        ['START numbers', 'START raw/numbers', 'COMPLETE raw/numbers', 'COMPLETE numbers'],
      );
      assert.equal(server.received[0]!.authorization, undefined, 'no key, no Authorization header');
      assert.deepEqual(
        (await sluice.store.listEvents(runId)).filter((e) => e.level === 'warn'),
        [],
      );
    } finally {
      await sluice.close();
      await server.close();
    }
  });

  it('with the backend down, the run succeeds without waiting for it and one warning in its log says what was dropped', async () => {
    const server = await backend();
    await server.close();
    useEnv({ OPENLINEAGE_URL: server.url, OPENLINEAGE_API_KEY: API_KEY });
    const sluice = await openProject();
    let closeMs = 0;
    try {
      const started = performance.now();
      const { runId, status } = await sluice.materialize({ select: 'raw/numbers,mart/doubled' });
      const runMs = performance.now() - started;
      assert.equal(status, 'succeeded');
      assert.ok(runMs < 3000, `run took ${runMs} ms`);
      const flushStarted = performance.now();
      await sluice.openLineage!.flush();
      closeMs = performance.now() - flushStarted;
      const warnings = (await sluice.store.listEvents(runId)).filter((e) => e.level === 'warn');
      assert.equal(warnings.length, 2, JSON.stringify(warnings));
      assert.match(
        warnings[0]!.message,
        /^OpenLineage: the START event of numbers was dropped: HTTP POST http:\/\/127\.0\.0\.1:\d+\/api\/v1\/lineage failed after 4 attempts \(connection failed \(ECONNREFUSED\)\)\. .*The run itself is unaffected\.$/,
      );
      assert.match(warnings[1]!.message, /^OpenLineage: 5 more event\(s\) of this run were dropped/);
      assert.deepEqual(warnings[0]!.data, { source: 'openlineage' });
      assert.ok(!(await allStoredText(sluice)).includes(API_KEY), 'the API key is never stored');
    } finally {
      await sluice.close();
    }
    assert.ok(closeMs < 4000, `delivering to a dead backend took ${closeMs} ms`);
    assert.ok(!readFileSync(join(project.dir, 'data', 'sluice.sqlite')).includes(API_KEY));
  });

  it('with a backend that never answers, close waits no longer than the flush limit', async () => {
    const server = await backend(() => 'hang');
    const sluice = await Sluice.open({
      dir: project.dir,
      openLineage: { transport: { type: 'http', url: server.url, timeoutMs: 60_000 } },
      openLineageEmitter: { flushTimeoutMs: 300 },
    });
    const { runId, status } = await sluice.materialize({ select: 'raw/numbers' });
    assert.equal(status, 'succeeded');
    const started = performance.now();
    await sluice.close();
    const closeMs = performance.now() - started;
    assert.ok(closeMs < 2000, `close took ${closeMs} ms`);
    await server.close();
    const reopened = await Sluice.open({ dir: project.dir, openLineage: false });
    try {
      const warnings = (await reopened.store.listEvents(runId)).filter((e) => e.level === 'warn').map((e) => e.message);
      assert.match(warnings[0] ?? '', /was dropped: .*\(it was still undelivered when Sluice closed\)/);
      assert.match(warnings[1] ?? '', /3 more event\(s\) of this run were dropped/);
    } finally {
      await reopened.close();
    }
  });

  it('sends ABORT for an asset that was running when its run was canceled', async () => {
    const server = await backend();
    useEnv({ OPENLINEAGE_URL: server.url });
    const sluice = await openProject();
    try {
      const controller = new AbortController();
      sluice.bus.on('event', (e) => {
        if (e.type === 'asset_started' && e.assetKey === 'slow/waits') controller.abort();
      });
      const result = await sluice.materialize({ select: 'slow/waits', signal: controller.signal });
      assert.equal(result.status, 'canceled');
      await sluice.openLineage!.flush();
      const validate = openLineageValidator();
      for (const r of server.received) assert.deepEqual(validate(r.event), []);
      assert.deepEqual(
        server.received.map((r) => `${r.event.eventType} ${r.event.job.name}`),
        ['START numbers', 'START slow/waits', 'ABORT slow/waits', 'ABORT numbers'],
      );
    } finally {
      await sluice.close();
      await server.close();
    }
  });

  it('with a bad OPENLINEAGE setting, warns on stderr and opens the project without lineage', async () => {
    useEnv({ OPENLINEAGE__TRANSPORT__TYPE: 'kafka' });
    const written: string[] = [];
    const write = process.stderr.write.bind(process.stderr);
    process.stderr.write = ((chunk: string) => written.push(String(chunk)) > 0) as typeof process.stderr.write;
    let sluice: Sluice;
    try {
      sluice = await openProject();
    } finally {
      process.stderr.write = write;
    }
    try {
      assert.equal(sluice.openLineage, undefined);
      assert.match(written.join(''), /warning: OpenLineage is off: OPENLINEAGE__TRANSPORT__TYPE="kafka" is not supported; use http, file, console or noop/);
      assert.equal((await sluice.materialize({ select: 'raw/numbers' })).status, 'succeeded');
    } finally {
      await sluice.close();
    }
  });
});
