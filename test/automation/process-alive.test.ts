// A server killed with -9 whose parent has not reaped it yet is a zombie: it must count as gone.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { describe, it } from 'node:test';
import { isProcessAlive } from '../../src/runtime/process-alive.js';

/** Starts a shell whose background child exits at once and is never reaped while the shell sleeps: a zombie. */
async function withZombie(body: (pid: number) => Promise<void> | void): Promise<void> {
  // `exec sleep` replaces the shell, so nothing waits for the finished child.
  const parent = spawn('sh', ['-c', 'sh -c "exit 0" & echo $!; exec sleep 30'], { stdio: ['ignore', 'pipe', 'ignore'] });
  try {
    const pid = await new Promise<number>((resolve) => parent.stdout!.once('data', (chunk: Buffer) => resolve(Number(chunk.toString().trim()))));
    const deadline = Date.now() + 10_000;
    const { readFileSync } = await import('node:fs');
    while (!/\) Z /.test(readFileSync(`/proc/${pid}/stat`, 'utf8'))) {
      if (Date.now() > deadline) throw new Error(`process ${pid} did not become a zombie`);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    await body(pid);
  } finally {
    parent.kill('SIGKILL');
  }
}

describe('isProcessAlive', () => {
  it('is true for this process and false for a pid that does not exist', () => {
    assert.equal(isProcessAlive(process.pid), true);
    assert.equal(isProcessAlive(2 ** 22 + 12_345), false);
  });

  it('is false for a zombie (exited, not yet reaped), although kill(pid, 0) still succeeds on it', { skip: process.platform !== 'linux' && 'needs /proc' }, async () => {
    await withZombie((pid) => {
      assert.doesNotThrow(() => process.kill(pid, 0));
      assert.equal(isProcessAlive(pid), false);
    });
  });
});
