import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { executePlan, type StepHandlers } from '../../src/runtime/executor.js';
import type { Plan } from '../../src/runtime/planner.js';

const plan = (edges: Record<string, string[]>): Plan => ({ selection: '*', steps: Object.entries(edges).map(([key, waitsFor]) => ({ key, waitsFor })) });
const tick = (ms: number) => new Promise((r) => setTimeout(r, ms));

function handlers(run: StepHandlers['run'], retries = 0): StepHandlers & { started: string[] } {
  const started: string[] = [];
  return { started, run, retryPolicy: () => ({ retries, delayMs: 5 }), onStart: (key) => void started.push(key) };
}

describe('executor', () => {
  it('starts each step only after all its upstream steps succeeded', async () => {
    const finished: string[] = [];
    const h = handlers(async (key) => {
      await tick(key === 'a' ? 20 : 1);
      finished.push(key);
    });
    await executePlan(plan({ a: [], b: [], c: ['a', 'b'], d: ['c'] }), h, { concurrency: 4 });
    assert.ok(h.started.indexOf('c') > h.started.indexOf('a'));
    assert.ok(finished.indexOf('a') < h.started.indexOf('c') + 1);
    assert.deepEqual(finished.slice(-2), ['c', 'd']);
  });

  it('never runs more steps at once than the concurrency bound, and does use it', async () => {
    let running = 0;
    let peak = 0;
    const h = handlers(async () => {
      running++;
      peak = Math.max(peak, running);
      await tick(10);
      running--;
    });
    const wide = Object.fromEntries(Array.from({ length: 12 }, (_, i) => [`s${i}`, []]));
    await executePlan(plan(wide), h, { concurrency: 3 });
    assert.equal(peak, 3);
  });

  it('retries a failing step with backoff and succeeds on a later attempt', async () => {
    const attempts: number[] = [];
    const h = handlers(async (_key, attempt) => {
      attempts.push(attempt);
      if (attempt < 3) throw new Error('flaky');
    }, 2);
    const outcomes = await executePlan(plan({ a: [] }), h, { concurrency: 1 });
    assert.deepEqual(attempts, [1, 2, 3]);
    assert.equal(outcomes.get('a')!.status, 'succeeded');
    assert.equal(outcomes.get('a')!.attempts, 3);
  });

  it('a failed step skips its downstream while independent branches still run', async () => {
    const h = handlers(async (key) => {
      if (key === 'a') throw new Error('boom');
    });
    const outcomes = await executePlan(plan({ a: [], b: ['a'], c: ['b'], x: [], y: ['x'] }), h, { concurrency: 2 });
    assert.equal(outcomes.get('a')!.status, 'failed');
    assert.equal(outcomes.get('a')!.error!.message, 'boom');
    assert.equal(outcomes.get('b')!.status, 'skipped');
    assert.deepEqual(outcomes.get('c')!.failedUpstream, ['a']);
    assert.equal(outcomes.get('y')!.status, 'succeeded');
    assert.ok(!h.started.includes('b'));
  });

  it('cancellation stops running steps and starts nothing new', async () => {
    const controller = new AbortController();
    const h = handlers(
      (key, _attempt, signal) =>
        new Promise<void>((resolve, reject) => {
          if (key === 'a') setTimeout(() => controller.abort(), 5);
          const timer = setTimeout(resolve, 1000);
          signal.addEventListener('abort', () => {
            clearTimeout(timer);
            reject(new Error('interrupted'));
          });
        }),
    );
    const outcomes = await executePlan(plan({ a: [], b: ['a'] }), h, { concurrency: 1, signal: controller.signal });
    assert.equal(outcomes.get('a')!.status, 'canceled');
    assert.equal(outcomes.get('b')!.status, 'canceled');
    assert.deepEqual(h.started, ['a']);
  });

  it('starts ready steps in plan order, however late or in whatever order they became ready', async () => {
    // Plan order: r, then z, y, x (not alphabetical); m waits for y and x; n waits for z only.
    const steps = { r: [], z: ['r'], y: ['r'], x: ['r'], m: ['y', 'x'], n: ['z'] };
    const h = handlers(async () => undefined);
    await executePlan(plan(steps), h, { concurrency: 1 });
    assert.deepEqual(h.started, ['r', 'z', 'y', 'x', 'm', 'n']);
  });

  it('runs a wide fan-out of thousands of steps, each once, in plan order', async () => {
    const wide: Record<string, string[]> = { root: [] };
    // Keys in an order that is neither alphabetical nor numeric, so only the plan position can order them.
    const keys = Array.from({ length: 3000 }, (_, i) => `k${(i * 7919) % 3000}`);
    for (const key of keys) wide[key] = ['root'];
    const h = handlers(async () => undefined);
    const outcomes = await executePlan(plan(wide), h, { concurrency: 1 });
    assert.deepEqual(h.started, ['root', ...keys]);
    assert.ok([...outcomes.values()].every((o) => o.status === 'succeeded'));
  });
});
