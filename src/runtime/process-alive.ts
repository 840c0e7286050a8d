// Whether a process on this host still exists: how crashed runs and stale dev-server files are told apart.
import { readFileSync } from 'node:fs';

/**
 * True when `pid` names a live process (EPERM: alive but owned by another user). A zombie — a process
 * that exited (e.g. killed with -9) but was not yet reaped by its parent — counts as dead: it holds no
 * port, no lock and will never answer, although `kill(pid, 0)` still succeeds on it.
 * @example isProcessAlive(process.pid) // true
 */
export function isProcessAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  const state = processState(pid);
  return state !== 'Z' && state !== 'X';
}

/**
 * The one-letter state of a process from /proc/<pid>/stat (`R`, `S`, `Z`...), or undefined where there is
 * no /proc (macOS) or the process just vanished. The name field may hold spaces and parentheses, so the
 * state is read after the last `)`.
 */
function processState(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) || undefined;
  } catch {
    return undefined;
  }
}
