// A server killed with -9 whose parent has not reaped it yet is a zombie: it must count as gone.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isProcessAlive } from '../../src/runtime/process-alive.js';
import { withZombie } from '../helpers/zombie-process.js';

describe('isProcessAlive', () => {
  it('is true for this process and false for a pid that does not exist', () => {
    assert.equal(isProcessAlive(process.pid), true);
    assert.equal(isProcessAlive(2 ** 22 + 12_345), false);
  });

  it(
    'is false for a zombie (exited, not yet reaped), although kill(pid, 0) still succeeds on it',
    { skip: process.platform !== 'linux' && 'needs /proc' },
    async () => {
      await withZombie((pid) => {
        assert.doesNotThrow(() => process.kill(pid, 0));
        assert.equal(isProcessAlive(pid), false);
      });
    },
  );
});
