import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { leadingThrottle } from '../src/hooks/leading-throttle';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('leading throttle for live refetches', () => {
  it('runs the first call of a quiet period at once, then one run at the end of a busy window', async () => {
    let clock = 0;
    let runs = 0;
    const throttled = leadingThrottle(
      () => runs++,
      50,
      () => clock,
    );
    throttled.call();
    assert.equal(runs, 1, 'an isolated status change refetches without waiting');
    clock = 10;
    throttled.call();
    throttled.call();
    assert.equal(runs, 1, 'calls inside the window wait');
    clock = 60;
    await sleep(60);
    assert.equal(runs, 2, 'the burst collapsed into one run at the end of the window');
    clock = 200;
    throttled.call();
    assert.equal(runs, 3, 'after a quiet window the next call runs at once again');
  });

  it('drops a pending run when cancelled', async () => {
    let clock = 0;
    let runs = 0;
    const throttled = leadingThrottle(
      () => runs++,
      20,
      () => clock,
    );
    throttled.call();
    throttled.call();
    throttled.cancel();
    clock = 100;
    await sleep(40);
    assert.equal(runs, 1);
  });
});
