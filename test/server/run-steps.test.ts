// Deriving a run's per-asset steps from its event log.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { RunEvent, RunSummary } from '../../src/server/api-types.js';
import { deriveSteps } from '../../src/runtime/run-state.js';

let nextId = 1;
function event(type: string, assetKey: string | null, data: Record<string, unknown> = {}, message = type): RunEvent {
  const id = nextId++;
  return { id, runId: 'r', ts: `2001-01-01T00:00:${String(id).padStart(2, '0')}.000Z`, type, assetKey, level: 'info', message, data } as RunEvent;
}

const run = (status: RunSummary['status'], assetKeys: string[] = ['a/x', 'b/y', 'c/z'], error: RunSummary['error'] = null) => ({
  assetKeys,
  status,
  endedAt: status === 'started' ? null : '2001-01-01T00:01:00.000Z',
  error,
});

test('a step that never started is pending while the run is going', () => {
  const steps = deriveSteps(run('started'), [event('run_started', null)]);
  assert.deepEqual(
    steps.map((s) => s.status),
    ['pending', 'pending', 'pending'],
  );
  assert.deepEqual(steps[0], { assetKey: 'a/x', status: 'pending', startedAt: null, endedAt: null, attempts: 0, rowCount: null, error: null });
});

test('a succeeded step keeps its first start, its end, its rows and its attempts across retries', () => {
  const events = [
    event('asset_started', 'a/x', { attempt: 1 }),
    event('asset_retrying', 'a/x', { attempt: 1, delayMs: 10, error: { name: 'Error', message: 'flaky' } }),
    event('asset_started', 'a/x', { attempt: 2 }),
    event('asset_succeeded', 'a/x', { durationMs: 5, rowCount: 12, dataVersion: 'v', attempts: 2 }),
  ];
  const [step] = deriveSteps(run('started', ['a/x']), events);
  assert.equal(step!.status, 'succeeded');
  assert.equal(step!.startedAt, events[0]!.ts);
  assert.equal(step!.endedAt, events[3]!.ts);
  assert.equal(step!.rowCount, 12);
  assert.equal(step!.attempts, 2);
  assert.equal(step!.error, null);
});

test('a failed step carries the error message; its downstream is skipped with the reason', () => {
  const steps = deriveSteps(run('failed', ['a/x', 'b/y']), [
    event('asset_started', 'a/x', { attempt: 1 }),
    event('asset_failed', 'a/x', { durationMs: 1, attempts: 1, error: { name: 'SluiceError', message: 'bad SQL' } }),
    event('asset_skipped', 'b/y', { reason: 'upstream_failed', failedUpstream: ['a/x'] }, 'skipped because upstream "a/x" failed'),
  ]);
  assert.deepEqual(
    steps.map((s) => [s.status, s.error]),
    [
      ['failed', 'bad SQL'],
      ['skipped', 'skipped because upstream "a/x" failed'],
    ],
  );
});

test('a canceled run closes its running and pending steps as canceled', () => {
  const steps = deriveSteps(run('canceled'), [event('asset_started', 'a/x', { attempt: 1 }), event('asset_not_executed', 'b/y', { reason: 'canceled' })]);
  assert.deepEqual(
    steps.map((s) => s.status),
    ['canceled', 'canceled', 'canceled'],
  );
  assert.equal(steps[0]!.endedAt, '2001-01-01T00:01:00.000Z');
});

test('a run whose process died shows the asset it was building as failed with the run error, the rest not executed', () => {
  const crash = { name: 'AbandonedRunError', message: 'the process running this run stopped' };
  const steps = deriveSteps(run('failed', ['a/x', 'b/y'], crash), [event('asset_started', 'a/x', { attempt: 1 }), event('run_failed', null)]);
  assert.deepEqual(
    steps.map((s) => [s.status, s.error]),
    [
      ['failed', crash.message],
      ['not_executed', null],
    ],
  );
  assert.equal(steps[0]!.endedAt, '2001-01-01T00:01:00.000Z');
});

test('events of assets outside the plan and log lines are ignored', () => {
  const steps = deriveSteps(run('started', ['a/x']), [event('asset_started', 'z/other', { attempt: 1 }), event('asset_log', 'a/x', {})]);
  assert.deepEqual(
    steps.map((s) => s.status),
    ['pending'],
  );
});
