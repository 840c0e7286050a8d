// The operations API: partition grid, backfill cancel and resume, all checks worst first with history, quarantine and loads, column lineage graph.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { principalWithRoles } from '../../src/access/principal.js';
import { Sluice } from '../../src/runtime/sluice.js';
import type { ApiErrorResponse } from '../../src/server/api-types.js';
import { createApp } from '../../src/server/app.js';
import type { BackfillResponse } from '../../src/server/routes/automation.js';
import type { CancelBackfillResponse } from '../../src/server/routes/backfill-routes.js';
import type { CheckHistoryResponse, ChecksOverviewResponse } from '../../src/server/views/checks-overview.js';
import type { ColumnLineageGraphResponse } from '../../src/server/views/column-lineage-graph.js';
import type { LoadsResponse } from '../../src/server/views/load-accounting.js';
import type { PartitionGridResponse } from '../../src/server/views/partition-grid.js';
import type { QuarantineOverviewResponse, QuarantineResponse } from '../../src/server/views/quarantine-sources.js';
import { operationsProject } from './operations-fixture.js';
import { getJson, postJson } from './test-client.js';

let project: ReturnType<typeof operationsProject>;
let sluice: Sluice;
let app: ReturnType<typeof createApp>;

before(async () => {
  project = operationsProject();
  sluice = await Sluice.open({ dir: project.dir });
  app = createApp(sluice, { uiDir: project.dir, log: () => undefined });
  assert.equal((await sluice.materialize({ select: 'raw/events,raw/negative_quarantine,mart/summary' })).status, 'succeeded');
});

after(async () => {
  project.hold(false);
  await sluice.close();
  project.remove();
});

async function until<T>(read: () => Promise<T>, done: (value: T) => boolean, what: string): Promise<T> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

describe('quarantine', () => {
  test('lists the ingestion side output and the quarantine asset, with the counts they were published with', async () => {
    const { status, body } = await getJson<QuarantineOverviewResponse>(app, '/api/quarantine');
    assert.equal(status, 200);
    assert.deepEqual(
      body.assets.map((a) => [a.assetKey, a.tables]),
      [
        ['raw/events', [{ table: 'raw.events_quarantine', origin: 'side_output', reasonColumn: '_error_type', rowCount: 2 }]],
        ['raw/negative_quarantine', [{ table: 'raw.negative_quarantine', origin: 'asset', reasonColumn: 'reject_reason', rowCount: 1 }]],
      ],
    );
  });

  test('an ingestion quarantine shows each row with file, line, column, reason and raw line, and counts by reason', async () => {
    const { body } = await getJson<QuarantineResponse>(app, '/api/assets/raw/events/quarantine');
    const [table] = body.tables;
    assert.ok(table);
    assert.equal(table.total, 2);
    assert.deepEqual(table.byReason.map((r) => [r.reason, r.count]).sort(), [
      ['bad_cast', 1],
      ['null_required', 1],
    ]);
    assert.deepEqual(
      table.rows.map((r) => [String(r._source_file).endsWith('events.csv'), r._line_number, r._column, r._error_type, r._raw_line]),
      [
        [true, 5, 'ts', 'bad_cast', 'not a time,3'],
        [true, 7, 'ts', 'null_required', ',2'],
      ],
    );
  });

  test('each load states accepted + quarantined + skipped = read', async () => {
    const { body } = await getJson<LoadsResponse>(app, '/api/assets/raw/events/loads');
    const [load] = body.materializations[0]!.loads;
    assert.deepEqual(
      { ...load, byReason: undefined, parts: undefined },
      { name: 'ingestion', read: 7, accepted: 4, quarantined: 2, skipped: 1, balanced: true, byReason: undefined, parts: undefined },
    );
    assert.equal(load!.byReason['blank_line'], 1);
  });

  test('rows are data: a viewer may not read them, but sees the accounting', async () => {
    const viewer = createApp(sluice, { resolvePrincipal: () => principalWithRoles('viewer', ['viewer']), uiDir: project.dir, log: () => undefined });
    const denied = await getJson<ApiErrorResponse>(viewer, '/api/assets/raw/events/quarantine');
    assert.equal(denied.status, 403);
    assert.equal((await getJson(viewer, '/api/assets/raw/events/loads')).status, 200);
  });
});

describe('checks', () => {
  test('every check of the project is listed worst first, a not-run check after failures', async () => {
    const { body } = await getJson<ChecksOverviewResponse>(app, '/api/checks');
    assert.deepEqual(
      body.checks.map((c) => [c.assetKey, c.name, c.state]),
      [
        ['mart/summary', 'total_under_ten', 'failed'],
        ['mart/summary', 'row_count', 'passed'],
      ],
    );
    assert.deepEqual(body.checks[0]!.latest!.sampleFailing, [{ events: 4, total: 15 }]);
  });

  test('a check keeps its history, newest first', async () => {
    assert.equal((await sluice.materialize({ select: 'mart/summary' })).status, 'succeeded');
    const { body } = await getJson<CheckHistoryResponse>(app, '/api/checks/history?asset=mart/summary&check=total_under_ten');
    assert.equal(body.results.length, 2);
    assert.ok(body.results[0]!.createdAt >= body.results[1]!.createdAt);
    assert.equal((await getJson(app, '/api/checks/history?asset=mart/summary&check=nope')).status, 404);
  });
});

describe('column lineage', () => {
  test('around a column: upstream to the file column and the transforms on the edges', async () => {
    const { status, body } = await getJson<ColumnLineageGraphResponse>(app, '/api/column-lineage/mart/summary/total');
    assert.equal(status, 200);
    assert.equal(body.focus, 'mart/summary.total');
    assert.deepEqual(body.asset?.columns, ['events', 'total']);
    const edges = body.edges.map((e) => `${e.from} -${e.transform}-> ${e.to}`).sort();
    assert.deepEqual(edges, ['file:events.csv.amount -identity-> raw/events.amount', 'raw/events.amount -aggregation-> mart/summary.total']);
    const downstream = await getJson<ColumnLineageGraphResponse>(app, '/api/column-lineage/raw/events/amount');
    assert.ok(downstream.body.edges.some((e) => e.from === 'raw/events.amount' && e.to === 'raw/negative_quarantine.amount' && e.transform === 'identity'));
    assert.equal((await getJson(app, '/api/column-lineage/mart/summary/nope')).status, 400);
  });

  test('the whole project has every asset column', async () => {
    const { body } = await getJson<ColumnLineageGraphResponse>(app, '/api/column-lineage');
    assert.ok(body.nodes.some((n) => n.id === 'mart/summary.events'));
    assert.ok(body.edges.some((e) => e.from === 'file:events.csv.amount' && e.to === 'raw/events.amount'));
  });
});

describe('partitions and backfills', () => {
  const grid = async (): Promise<PartitionGridResponse> => (await getJson<PartitionGridResponse>(app, '/api/assets/daily/amounts/partitions')).body;

  test('an unbuilt partitioned asset is all missing; an unpartitioned one says so', async () => {
    const body = await grid();
    assert.equal(body.keys.length, 10);
    assert.equal(body.status, '----------');
    assert.equal((await getJson<PartitionGridResponse>(app, '/api/assets/mart/summary/partitions')).body.partitioned, false);
  });

  test('a backfill is canceled with its partition in flight, resumed where it stopped, and the grid follows', async () => {
    project.hold(true);
    const started = await postJson<BackfillResponse>(app, '/api/backfills', { select: 'daily/amounts', from: '2001-01-02', to: '2001-01-04' });
    assert.equal(started.status, 202);
    const id = started.body.backfill.id;
    await until(grid, (g) => g.status.includes('r'), 'the backfill to run');
    const canceled = await postJson<CancelBackfillResponse>(app, `/api/backfills/${id}/cancel`);
    assert.equal(canceled.status, 200);
    assert.equal(canceled.body.canceled, true);
    assert.equal(canceled.body.backfill.state, 'canceled');
    project.hold(false);
    const resumed = await postJson<BackfillResponse>(app, '/api/backfills', { select: 'daily/amounts', from: '2001-01-02', to: '2001-01-04' });
    assert.equal(resumed.body.backfill.id, id);
    const done = await until(grid, (g) => g.counts.materialized === 3, 'three materialized partitions');
    assert.equal(done.status, '-mmm------');
    assert.equal((await postJson<CancelBackfillResponse>(app, `/api/backfills/${id}/cancel`)).body.canceled, false);
  });

  test('a partition built before its upstream changed is stale', async () => {
    assert.equal((await sluice.materialize({ select: 'raw/events' })).status, 'succeeded');
    assert.equal((await grid()).status, '-sss------');
  });
});
