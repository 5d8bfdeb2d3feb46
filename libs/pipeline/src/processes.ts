/**
 * @module processes
 * Whether a process of this host still runs, for the files a process leaves behind when it
 * is killed (a run folder's lock, a temporary folder named after its pid).
 */

/** Whether a process with `pid` runs on this host: signal 0 checks that it exists, sending nothing. */
export function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    // EPERM: it runs, as another user.
    return (e as NodeJS.ErrnoException).code !== 'ESRCH';
  }
}
