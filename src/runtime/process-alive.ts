// Whether a process on this host still exists: how crashed runs and stale dev-server files are told apart.

/**
 * True when `pid` names a live process (EPERM: alive but owned by another user).
 * @example isProcessAlive(process.pid) // true
 */
export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
