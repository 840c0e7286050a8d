// Launching, following, canceling and re-executing runs through the API, with live events over SSE.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Sluice } from '../../src/runtime/sluice.js';
import type { ApiErrorResponse, CancelRunResponse, LaunchRunResponse, RunDetailResponse, RunsResponse, RunSummary } from '../../src/server/api-types.js';
import { createApp } from '../../src/server/app.js';
import { RunLauncher } from '../../src/server/run-launcher.js';
import { createFixtureProject, FIXTURE_KEYS, type FixtureProject } from './fixture-project.js';
import { eventsOf, getJson, openStream, postJson, runEvent, runStatus } from './test-client.js';

let project: FixtureProject;
let sluice: Sluice;
let launcher: RunLauncher;
let app: ReturnType<typeof createApp>;

before(async () => {
  project = createFixtureProject();
  sluice = await Sluice.open({ dir: project.dir });
  launcher = new RunLauncher(sluice);
  app = createApp(sluice, { launcher, heartbeatMs: 50, uiDir: project.dir, log: () => undefined });
});

after(async () => {
  project.hold(false);
  await launcher.cancelAll();
  await sluice.close();
  project.remove();
});

async function launch(body: unknown): Promise<string> {
  const { status, body: answer } = await postJson<LaunchRunResponse>(app, '/api/runs', body);
  assert.equal(status, 202, JSON.stringify(answer));
  return answer.runId;
}

/** Follows a run's stream (replayed from its start) until it ends; returns its final summary and events. */
async function follow(runId: string): Promise<{ run: RunSummary; types: string[] }> {
  const stream = await openStream(app, `/api/stream?runId=${runId}`);
  try {
    const final = await stream.until(runStatus(runId));
    return { run: JSON.parse(final.data) as RunSummary, types: eventsOf(stream.messages).map((e) => e.type) };
  } finally {
    await stream.close();
  }
}

describe('launching a run', () => {
  test('a launched run is listed at once, streams its events from the start and ends succeeded', async () => {
    const runId = await launch({ select: '*' });
    const listed = await getJson<RunsResponse>(app, '/api/runs');
    assert.ok(
      listed.body.runs.some((r) => r.id === runId),
      'the run is listed as soon as the launch answers',
    );
    const { run, types } = await follow(runId);
    assert.equal(run.status, 'succeeded');
    assert.equal(types[0], 'run_started');
    assert.equal(types.at(-1), 'run_succeeded');
    assert.equal(types.filter((t) => t === 'asset_succeeded').length, FIXTURE_KEYS.length);
  });

  test('a run page derives one step per asset from the event log, with times, attempts and rows', async () => {
    const runId = await launch({ select: '+clean/numbers' });
    await follow(runId);
    const { status, body } = await getJson<RunDetailResponse>(app, `/api/runs/${runId}`);
    assert.equal(status, 200);
    assert.equal(body.run.status, 'succeeded');
    assert.deepEqual(
      body.steps.map((s) => s.assetKey),
      ['raw/numbers', 'clean/numbers'],
    );
    for (const step of body.steps) {
      assert.equal(step.status, 'succeeded');
      assert.equal(step.attempts, 1);
      assert.equal(step.rowCount, 4);
      assert.ok(step.startedAt && step.endedAt && step.startedAt <= step.endedAt);
    }
    assert.ok(body.events.length >= 5);
    assert.ok(
      body.events.every((e, i) => i === 0 || e.id > body.events[i - 1]!.id),
      'events in log order',
    );
  });

  test('the shared stream sends every run event and full run summaries, then releases its listeners on disconnect', async () => {
    const listenersBefore = sluice.bus.listenerCount('event');
    const statusListenersBefore = sluice.bus.listenerCount('status');
    const stream = await openStream(app, '/api/stream');
    assert.equal(sluice.bus.listenerCount('event'), listenersBefore + 1);
    const runId = await launch({ select: 'raw/numbers' });
    const final = await stream.until(runStatus(runId, 'succeeded'));
    const summary = JSON.parse(final.data) as RunSummary;
    assert.deepEqual(summary.assetKeys, ['raw/numbers']);
    assert.ok(summary.endedAt);
    assert.ok(eventsOf(stream.messages).some((e) => e.runId === runId && e.type === 'asset_succeeded'));
    await stream.until((m) => m.event === 'heartbeat');
    await stream.close();
    for (let i = 0; i < 50 && sluice.bus.listenerCount('event') > listenersBefore; i++) await new Promise((r) => setTimeout(r, 10));
    assert.equal(sluice.bus.listenerCount('event'), listenersBefore);
    assert.equal(sluice.bus.listenerCount('status'), statusListenersBefore);
  });

  test('following a finished run replays its events and its final status, then a later `after` skips what was seen', async () => {
    const runId = await launch({ select: 'raw/numbers' });
    await follow(runId);
    const { run, types } = await follow(runId);
    assert.equal(run.status, 'succeeded');
    assert.equal(types[0], 'run_started');
    const detail = await getJson<RunDetailResponse>(app, `/api/runs/${runId}`);
    const lastButOne = detail.body.events.at(-2)!.id;
    const stream = await openStream(app, `/api/stream?runId=${runId}&after=${lastButOne}`);
    await stream.until(runStatus(runId));
    assert.deepEqual(
      eventsOf(stream.messages).map((e) => e.id),
      [detail.body.events.at(-1)!.id],
    );
    await stream.close();
  });

  test('concurrency is passed through and validated', async () => {
    const runId = await launch({ select: 'raw/numbers', concurrency: 1 });
    assert.equal((await follow(runId)).run.status, 'succeeded');
  });
});

describe('failure and re-execution', () => {
  test('a failed asset fails the run and skips its downstream; re-executing after the fix runs only what did not succeed', async () => {
    project.breakSource(true);
    let failedRunId: string;
    try {
      failedRunId = await launch({ select: '*' });
      const { run } = await follow(failedRunId);
      assert.equal(run.status, 'failed');
      assert.match(run.error?.message ?? '', /raw\/numbers/);
    } finally {
      project.breakSource(false);
    }
    const failed = await getJson<RunDetailResponse>(app, `/api/runs/${failedRunId}`);
    const byKey = new Map(failed.body.steps.map((s) => [s.assetKey, s]));
    assert.equal(byKey.get('raw/numbers')?.status, 'failed');
    assert.match(byKey.get('raw/numbers')?.error ?? '', /numbers\.csv/);
    assert.equal(byKey.get('clean/numbers')?.status, 'skipped');
    assert.equal(byKey.get('mart/totals')?.status, 'skipped');
    assert.equal(byKey.get('ops/gate')?.status, 'succeeded');

    const assets = await getJson<{ assets: { key: string; status: string; statusReason?: string }[] }>(app, '/api/assets');
    const raw = assets.body.assets.find((a) => a.key === 'raw/numbers')!;
    assert.equal(raw.status, 'failed');
    assert.match(raw.statusReason ?? '', /failed/);

    const { status, body } = await postJson<LaunchRunResponse>(app, `/api/runs/${failedRunId}/reexecute`);
    assert.equal(status, 202);
    assert.notEqual(body.runId, failedRunId);
    const { run } = await follow(body.runId);
    assert.equal(run.status, 'succeeded');
    assert.deepEqual(run.assetKeys, ['raw/numbers', 'clean/numbers', 'mart/totals']);
  });

  test('re-executing a run that succeeded is a 400 saying there is nothing to retry', async () => {
    const runId = await launch({ select: 'raw/numbers' });
    await follow(runId);
    const { status, body } = await postJson<ApiErrorResponse>(app, `/api/runs/${runId}/reexecute`);
    assert.equal(status, 400);
    assert.match(body.error.message, /nothing to retry/);
  });
});

describe('canceling', () => {
  test('canceling a running run stops it as canceled; the running asset shows as running until then', async () => {
    project.hold(true);
    try {
      const runId = await launch({ select: 'ops/gate' });
      const stream = await openStream(app, `/api/stream?runId=${runId}`);
      await stream.until(runEvent('asset_started', 'ops/gate'));
      const assets = await getJson<{ assets: { key: string; status: string }[] }>(app, '/api/assets');
      assert.equal(assets.body.assets.find((a) => a.key === 'ops/gate')?.status, 'running');

      const reexecuteActive = await postJson<ApiErrorResponse>(app, `/api/runs/${runId}/reexecute`);
      assert.equal(reexecuteActive.status, 409);
      assert.equal(reexecuteActive.body.error.code, 'RUN_ACTIVE');

      const cancel = await postJson<CancelRunResponse>(app, `/api/runs/${runId}/cancel`);
      assert.equal(cancel.status, 200);
      assert.equal(cancel.body.canceled, true);
      await stream.until(runStatus(runId, 'canceled'));
      await stream.close();

      const detail = await getJson<RunDetailResponse>(app, `/api/runs/${runId}`);
      assert.equal(detail.body.run.status, 'canceled');
      assert.deepEqual(
        detail.body.steps.map((s) => s.status),
        ['canceled'],
      );
      const again = await postJson<CancelRunResponse>(app, `/api/runs/${runId}/cancel`);
      assert.deepEqual(again.body, { runId, canceled: false, status: 'canceled' });
    } finally {
      project.hold(false);
    }
  });

  test('a shutdown cancels active runs and waits for them to stop', async () => {
    project.hold(true);
    try {
      const runId = await launch({ select: 'ops/gate' });
      assert.deepEqual(launcher.activeRunIds(), [runId]);
      await launcher.cancelAll();
      assert.deepEqual(launcher.activeRunIds(), []);
      assert.equal((await getJson<RunDetailResponse>(app, `/api/runs/${runId}`)).body.run.status, 'canceled');
    } finally {
      project.hold(false);
    }
  });
});
