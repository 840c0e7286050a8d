// Checks through the API: each defined check on the asset page with its latest result (or none yet), and POST /api/checks.
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { Sluice } from '../../src/runtime/sluice.js';
import type { ApiErrorResponse, AssetDetailResponse, AssetsResponse, RunChecksResponse, RunDetailResponse } from '../../src/server/api-types.js';
import { createApp } from '../../src/server/app.js';
import { principalWithRoles, type Role } from '../../src/access/principal.js';
import { createFixtureProject, type FixtureProject } from './fixture-project.js';
import { getJson, postJson } from './test-client.js';

let project: FixtureProject;
let sluice: Sluice;
let app: ReturnType<typeof createApp>;

before(async () => {
  project = createFixtureProject();
  sluice = await Sluice.open({ dir: project.dir });
  app = createApp(sluice, { uiDir: project.dir, log: () => undefined });
});

after(async () => {
  await sluice.close();
  project.remove();
});

const as = (...roles: Role[]): ReturnType<typeof createApp> => {
  const principal = { ...principalWithRoles(roles.join('+'), roles), name: `someone (${roles.join(', ')})` };
  return createApp(sluice, { resolvePrincipal: () => principal, uiDir: project.dir, log: () => undefined });
};

describe('before the first build', () => {
  test('an asset page lists every defined check with what it asserts and no result yet', async () => {
    const { status, body } = await getJson<AssetDetailResponse>(app, '/api/assets/clean/numbers');
    assert.equal(status, 200);
    assert.deepEqual(body.checks, [
      { name: 'not_null_n', type: 'not_null', severity: 'error', blocking: true, assertion: 'n is not null', description: null, threshold: null, latest: null },
      {
        name: 'accepted_range_n',
        type: 'accepted_range',
        severity: 'warn',
        blocking: false,
        assertion: 'n between 0 and 3',
        description: null,
        threshold: null,
        latest: null,
      },
    ]);
    assert.deepEqual(body.asset.checks, { passed: 0, warned: 0, failed: 0 }, 'a check that has not run counts nowhere');
  });

  test('an asset without checks has an empty list', async () => {
    assert.deepEqual((await getJson<AssetDetailResponse>(app, '/api/assets/mart/totals')).body.checks, []);
  });

  test('POST /api/checks skips assets that are not published yet and succeeds with no results', async () => {
    const { status, body } = await postJson<RunChecksResponse>(app, '/api/checks', {});
    assert.equal(status, 200);
    assert.equal(body.status, 'succeeded');
    assert.deepEqual(body.results, []);
  });
});

describe('after a build', () => {
  before(async () => {
    assert.equal((await sluice.materialize({ select: '*' })).status, 'succeeded');
  });

  test('each defined check carries its latest result from the run that built the asset', async () => {
    const { body } = await getJson<AssetDetailResponse>(app, '/api/assets/clean/numbers');
    const [notNull, range] = body.checks;
    assert.equal(notNull?.name, 'not_null_n');
    assert.deepEqual({ passed: notNull?.latest?.passed, stage: notNull?.latest?.stage }, { passed: true, stage: 'staged' });
    assert.equal(range?.assertion, 'n between 0 and 3');
    assert.deepEqual(
      { passed: range?.latest?.passed, failing: range?.latest?.failingCount, total: range?.latest?.totalCount },
      { passed: false, failing: 1, total: 4 },
    );
    assert.deepEqual(
      range?.latest?.sampleFailing.map((row) => row.n),
      [4],
    );
  });

  test('POST /api/checks evaluates the checks on the published tables, as `sluice check --json` prints them, and records a run', async () => {
    const { status, body } = await postJson<RunChecksResponse>(app, '/api/checks', { select: 'clean/numbers' });
    assert.equal(status, 200);
    assert.equal(body.status, 'succeeded', 'a failed warn check does not fail the run');
    assert.deepEqual(
      body.results.map((r) => [r.assetKey, r.checkName, r.passed, r.severity]),
      [
        ['clean/numbers', 'not_null_n', true, 'error'],
        ['clean/numbers', 'accepted_range_n', false, 'warn'],
      ],
    );
    const range = body.results[1]!;
    assert.deepEqual(range.sampleFailing, [{ n: 4 }]);
    assert.match(range.sql, /clean/);
    assert.equal(typeof range.durationMs, 'number');

    const run = await getJson<RunDetailResponse>(app, `/api/runs/${body.runId}`);
    assert.equal(run.body.run.status, 'succeeded');
    assert.equal(run.body.run.selection, 'check clean/numbers');
    const page = await getJson<AssetDetailResponse>(app, '/api/assets/clean/numbers');
    assert.ok(
      page.body.checks.every((c) => c.latest?.stage === 'published' && c.latest.runId === body.runId),
      'the page shows the new results',
    );
  });

  test('an error check failing on the published table makes the check run fail, still as a 200 answer', async () => {
    await postJson(app, '/api/warehouse/change', { sql: 'INSERT INTO clean.numbers VALUES (NULL, NULL)' });
    try {
      const { status, body } = await postJson<RunChecksResponse>(app, '/api/checks', { select: 'clean/numbers' });
      assert.equal(status, 200);
      assert.equal(body.status, 'failed');
      assert.equal(body.results.find((r) => r.checkName === 'not_null_n')?.passed, false);
      const { body: list } = await getJson<AssetsResponse>(app, '/api/assets');
      assert.deepEqual(list.assets.find((a) => a.key === 'clean/numbers')?.checks, { passed: 0, warned: 1, failed: 1 });
    } finally {
      await postJson(app, '/api/warehouse/change', { sql: 'DELETE FROM clean.numbers WHERE n IS NULL' });
    }
  });

  test('a bad selection or payload is a 400 with the usual codes', async () => {
    const selection = await postJson<ApiErrorResponse>(app, '/api/checks', { select: 'clean/numbrs' });
    assert.equal(selection.status, 400);
    assert.equal(selection.body.error.code, 'INVALID_SELECTION');
    assert.match(selection.body.error.message, /clean\/numbers/);
    for (const payload of [{ select: 42 }, { select: '' }]) {
      const { status, body } = await postJson<ApiErrorResponse>(app, '/api/checks', payload);
      assert.equal(status, 400, JSON.stringify(payload));
      assert.equal(body.error.code, 'INVALID_REQUEST');
      assert.match(body.error.message, /select/);
    }
  });

  test('running checks is an operator action: viewers and analysts get 403 naming check:run', async () => {
    for (const role of ['viewer', 'analyst'] as const) {
      const { status, body } = await postJson<ApiErrorResponse>(as(role), '/api/checks', {});
      assert.equal(status, 403, role);
      assert.equal(body.error.code, 'ACCESS_DENIED');
      assert.match(body.error.message, /check:run/);
    }
    assert.equal((await postJson(as('operator'), '/api/checks', { select: 'clean/numbers' })).status, 200);
  });
});

describe('after the checks of an asset change', () => {
  let changed: Sluice;
  let changedApp: ReturnType<typeof createApp>;

  before(async () => {
    await sluice.close();
    const config = join(project.dir, 'sluice.config.ts');
    const source = readFileSync(config, 'utf8');
    const range = "checks.acceptedRange('n', { min: 0, max: 3 }, { severity: 'warn' })";
    assert.ok(source.includes(range));
    // The range check is replaced by a row count under another name, and not_null_n keeps its name but becomes a warning.
    writeFileSync(
      config,
      source
        .replace(range, "checks.rowCount({ min: 1 }, { description: 'never empty' })")
        .replace("checks.notNull('n')", "checks.notNull('n', { severity: 'warn', threshold: { maxFailingPercent: 5 } })"),
    );
    changed = await Sluice.open({ dir: project.dir });
    sluice = changed;
    changedApp = createApp(changed, { uiDir: project.dir, log: () => undefined });
  });

  test('a new check reads "not run yet", a kept one keeps its result, and a removed one no longer counts', async () => {
    const { body } = await getJson<AssetDetailResponse>(changedApp, '/api/assets/clean/numbers');
    assert.deepEqual(
      body.checks.map((c) => ({ name: c.name, severity: c.severity, threshold: c.threshold, description: c.description, ran: c.latest !== null })),
      [
        { name: 'not_null_n', severity: 'warn', threshold: { maxFailingPercent: 5 }, description: null, ran: true },
        { name: 'row_count', severity: 'error', threshold: null, description: 'never empty', ran: false },
      ],
    );
    assert.equal(body.checks[1]?.assertion, 'row count >= 1');
    assert.deepEqual(body.asset.checks, { passed: 1, warned: 0, failed: 0 }, 'the removed range check no longer warns');
  });
});
