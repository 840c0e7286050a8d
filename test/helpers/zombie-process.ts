// A zombie process for tests: exited, never reaped, so kill(pid, 0) still succeeds on it (Linux /proc needed).
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';

/**
 * The child exits only once its parent has become `sleep`, which never waits for it: a child that exited while its
 * parent was still the shell could be reaped by that shell (under load it was, 1 in a few CI runs).
 */
const CHILD = `while [ "$(cat /proc/$PPID/comm)" != sleep ]; do sleep 0.01; done; exit 0`;

/**
 * Runs `body` with the pid of a zombie: a shell's background child that exits once the shell is replaced by `sleep`.
 * @example await withZombie((pid) => assert.equal(isProcessAlive(pid), false));
 */
export async function withZombie(body: (pid: number) => Promise<void> | void): Promise<void> {
  const parent = spawn('sh', ['-c', `sh -c '${CHILD}' & echo $!; exec sleep 60`], { stdio: ['ignore', 'pipe', 'ignore'] });
  try {
    const pid = await new Promise<number>((resolve) => parent.stdout!.once('data', (chunk: Buffer) => resolve(Number(chunk.toString().trim()))));
    const deadline = Date.now() + 10_000;
    while (!/\) Z /.test(readFileSync(`/proc/${pid}/stat`, 'utf8'))) {
      if (Date.now() > deadline) throw new Error(`process ${pid} did not become a zombie`);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    await body(pid);
  } finally {
    parent.kill('SIGKILL');
  }
}
