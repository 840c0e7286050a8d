// OpenLineage settings from the project file and the clients' standard environment variables; the delivery queue.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { describeTransport, redactUrl, resolveOpenLineageSettings } from '../../src/lineage/openlineage/openlineage-config.js';
import { DeliveryQueue } from '../../src/lineage/openlineage/delivery-queue.js';
import { assetRunUuid, runUuid, uuidV5 } from '../../src/lineage/openlineage/run-event-builder.js';

const defaults = { projectName: 'flights', projectDir: '/p', warehousePath: '/p/data/warehouse.duckdb' };

describe('OpenLineage settings', () => {
  it('are off unless the project or the environment names a transport', () => {
    assert.equal(resolveOpenLineageSettings(undefined, {}, defaults), undefined);
    assert.equal(resolveOpenLineageSettings({ namespace: 'x' }, {}, defaults), undefined);
  });

  it('POST to $OPENLINEAGE_URL/api/v1/lineage with the API key, in the project namespace and duckdb:// datasets', () => {
    const settings = resolveOpenLineageSettings(undefined, { OPENLINEAGE_URL: 'http://localhost:5000', OPENLINEAGE_API_KEY: 'k' }, defaults);
    assert.deepEqual(settings, {
      transport: { type: 'http', url: 'http://localhost:5000/api/v1/lineage', timeoutMs: 5000, apiKey: 'k' },
      namespace: 'flights',
      datasetNamespace: 'duckdb:///p/data/warehouse.duckdb',
    });
  });

  it('append OPENLINEAGE_ENDPOINT to the URL path and read the timeout in seconds', () => {
    const settings = resolveOpenLineageSettings(
      undefined,
      { OPENLINEAGE_URL: 'https://ol.example.com/marquez', OPENLINEAGE_ENDPOINT: '/v2/events', OPENLINEAGE__TRANSPORT__TIMEOUT: '2' },
      defaults,
    );
    assert.deepEqual(settings?.transport, { type: 'http', url: 'https://ol.example.com/marquez/v2/events', timeoutMs: 2000 });
  });

  it('write JSON lines to OPENLINEAGE__TRANSPORT__LOG_FILE_PATH when OPENLINEAGE__TRANSPORT__TYPE=file, relative to the project', () => {
    const env = { OPENLINEAGE__TRANSPORT__TYPE: 'file', OPENLINEAGE__TRANSPORT__LOG_FILE_PATH: 'lineage/events.jsonl' };
    assert.deepEqual(resolveOpenLineageSettings(undefined, env, defaults)?.transport, { type: 'file', path: '/p/lineage/events.jsonl' });
    assert.throws(
      () => resolveOpenLineageSettings(undefined, { OPENLINEAGE__TRANSPORT__TYPE: 'file' }, defaults),
      /needs OPENLINEAGE__TRANSPORT__LOG_FILE_PATH/,
    );
    assert.throws(
      () => resolveOpenLineageSettings(undefined, { OPENLINEAGE__TRANSPORT__TYPE: 'kafka' }, defaults),
      /"kafka" is not supported; use http, file, console or noop/,
    );
  });

  it('let the environment override the project file, OPENLINEAGE_DISABLED switch everything off, and Sluice.open override both', () => {
    const project = { transport: { type: 'file' as const, path: 'ol.jsonl' }, namespace: 'team', datasetNamespace: 'duckdb://prod' };
    assert.deepEqual(resolveOpenLineageSettings(project, {}, defaults), {
      transport: { type: 'file', path: '/p/ol.jsonl' },
      namespace: 'team',
      datasetNamespace: 'duckdb://prod',
    });
    assert.equal(resolveOpenLineageSettings(project, { OPENLINEAGE_URL: 'http://m:5000' }, defaults)?.transport.type, 'http');
    assert.equal(resolveOpenLineageSettings(project, { OPENLINEAGE_NAMESPACE: 'ops' }, defaults)?.namespace, 'ops');
    assert.equal(resolveOpenLineageSettings(project, { OPENLINEAGE_DISABLED: 'true', OPENLINEAGE_URL: 'http://m:5000' }, defaults), undefined);
    assert.equal(resolveOpenLineageSettings(project, { OPENLINEAGE__TRANSPORT__TYPE: 'noop' }, defaults), undefined);
    assert.equal(resolveOpenLineageSettings({ ...project, disabled: true }, {}, defaults), undefined);
    assert.equal(resolveOpenLineageSettings(project, {}, defaults, false), undefined);
    const explicit = { transport: { type: 'console' as const } };
    assert.deepEqual(resolveOpenLineageSettings(project, { OPENLINEAGE_URL: 'http://m:5000', OPENLINEAGE_NAMESPACE: 'ops' }, defaults, explicit), {
      transport: { type: 'console' },
      namespace: 'flights',
      datasetNamespace: 'duckdb:///p/data/warehouse.duckdb',
    });
  });

  it('reject a URL that is not http(s), without echoing credentials', () => {
    assert.throws(
      () => resolveOpenLineageSettings(undefined, { OPENLINEAGE_URL: 'ftp://u:pw@h/x' }, defaults),
      (e: Error) => /must be http or https/.test(e.message) && !e.message.includes('pw'),
    );
    assert.equal(redactUrl('https://user:secret@host:1/api?key=abc'), 'https://host:1/api');
    assert.equal(describeTransport({ type: 'http', url: 'https://u:p@h/api/v1/lineage', apiKey: 'k', timeoutMs: 1 }), 'HTTP POST https://h/api/v1/lineage');
  });
});

describe('run ids', () => {
  it('keep a UUID Sluice run id and derive stable version-5 UUIDs for assets and other ids', () => {
    const run = '9316ed33-2569-4889-b7e7-bd1659c34afd';
    assert.equal(runUuid(run), run);
    assert.equal(assetRunUuid(run, 'a/b'), assetRunUuid(run, 'a/b'));
    assert.notEqual(assetRunUuid(run, 'a/b'), assetRunUuid(run, 'a/c'));
    assert.match(runUuid('nightly-1'), /^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    // RFC 4122 appendix test vector: the DNS namespace and "python.org".
    assert.equal(uuidV5('6ba7b810-9dad-11d1-80b4-00c04fd430c8', 'python.org'), '886313e1-3b8a-5372-9b90-0c9aee199e5d');
  });
});

describe('the delivery queue', () => {
  const quick = { backoffMs: 1 };

  it('delivers in order and retries a failing send until it succeeds', async () => {
    const delivered: number[] = [];
    let failures = 2;
    const queue = new DeliveryQueue<number>({
      ...quick,
      send: async (n) => {
        if (n === 1 && failures-- > 0) throw new Error('busy');
        delivered.push(n);
      },
      onDrop: () => assert.fail('nothing is dropped'),
    });
    for (const n of [1, 2, 3]) queue.push(n);
    await queue.flush(1000);
    assert.deepEqual(delivered, [1, 2, 3]);
  });

  it('drops an item after its retries, then tries later items once each while the backend stays down', async () => {
    let sends = 0;
    const dropped: [number, number][] = [];
    const queue = new DeliveryQueue<number>({
      ...quick,
      retries: 3,
      send: async () => {
        sends++;
        throw new Error('down');
      },
      onDrop: (n, _why, attempts) => dropped.push([n, attempts]),
    });
    for (const n of [1, 2, 3]) queue.push(n);
    await queue.flush(1000);
    assert.deepEqual(dropped, [
      [1, 4],
      [2, 1],
      [3, 1],
    ]);
    assert.equal(sends, 6);
  });

  it('does not retry what cannot succeed, and drops the oldest beyond its capacity', async () => {
    const dropped: string[] = [];
    const queue = new DeliveryQueue<number>({
      ...quick,
      capacity: 2,
      send: async (n) => {
        if (n === 1) throw new Error('HTTP 400');
        await new Promise((r) => setTimeout(r, 5));
      },
      isRetryable: (e) => !(e as Error).message.startsWith('HTTP 4'),
      onDrop: (n, why, attempts) => dropped.push(`${n}:${attempts}:${why}`),
    });
    for (const n of [1, 2, 3, 4]) queue.push(n);
    await queue.flush(1000);
    assert.deepEqual(dropped, ['2:0:the buffer of 2 undelivered events is full', '1:1:HTTP 400']);
  });

  it('gives up at the flush deadline, aborting the send in flight', async () => {
    const dropped: string[] = [];
    const queue = new DeliveryQueue<number>({
      send: (_n, signal) => new Promise((_, reject) => signal.addEventListener('abort', () => reject(new Error('aborted')))),
      onDrop: (n, why) => dropped.push(`${n}: ${why}`),
    });
    queue.push(1);
    queue.push(2);
    const started = Date.now();
    await queue.flush(50);
    assert.ok(Date.now() - started < 1000);
    assert.deepEqual(dropped, ['1: it was still undelivered when Sluice closed', '2: it was still undelivered when Sluice closed']);
  });
});
