// Micro-batching and latency bookkeeping: runs start at once, arrivals during a run coalesce, percentiles weigh events.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LatencyTracker } from '../../src/automation/latency-tracker.js';
import { RunCoalescer } from '../../src/automation/run-coalescer.js';

describe('RunCoalescer', () => {
  it('starts a round at once, and any number of requests during it cost exactly one more round', async () => {
    let rounds = 0;
    let release!: () => void;
    const coalescer = new RunCoalescer(async () => {
      rounds += 1;
      if (rounds === 1) await new Promise<void>((resolve) => (release = resolve));
    });
    coalescer.request();
    assert.equal(rounds, 1, 'no waiting for a poll interval');
    for (let i = 0; i < 10; i++) coalescer.request();
    release();
    await coalescer.settled();
    assert.equal(rounds, 2);
  });

  it('keeps going after a failed round and reports the error', async () => {
    const errors: unknown[] = [];
    let rounds = 0;
    const coalescer = new RunCoalescer(
      async () => {
        rounds += 1;
        throw new Error(`round ${rounds}`);
      },
      (error) => errors.push(error),
    );
    coalescer.request();
    await coalescer.settled();
    coalescer.request();
    await coalescer.settled();
    assert.equal(rounds, 2);
    assert.deepEqual(
      errors.map((e) => (e as Error).message),
      ['round 1', 'round 2'],
    );
  });

  it('ignores requests once stopped', async () => {
    let rounds = 0;
    const coalescer = new RunCoalescer(async () => void (rounds += 1));
    await coalescer.stop();
    coalescer.request();
    assert.equal(rounds, 0);
  });
});

describe('LatencyTracker', () => {
  it('measures each event from reception to the first run that published it, weighted by batch size', () => {
    const tracker = new LatencyTracker();
    tracker.landed({ firstSeq: 1, lastSeq: 99, count: 99, receivedAt: 1000 });
    tracker.landed({ firstSeq: 100, lastSeq: 100, count: 1, receivedAt: 1050 });
    tracker.published('gold/x', 99, 1100);
    assert.deepEqual(tracker.stats('gold/x'), { events: 100, visible: 99, p50: 100, p99: 100, max: 100 });
    tracker.published('gold/x', 100, 2050);
    tracker.published('gold/x', 100, 9999);
    assert.deepEqual(tracker.stats('gold/x'), { events: 100, visible: 100, p50: 100, p99: 100, max: 1000 });
    assert.equal(tracker.stats('gold/x', 100, 100).p50, 1000, 'a range selects only its events');
    assert.equal(tracker.stats('silver/y').visible, 0, 'per asset');
    assert.equal(tracker.stats('silver/y').p50, null);
  });
});
