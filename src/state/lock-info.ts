// What a lock holder records about itself (`<state>.lock.info`) and the liveness facts a
// blocked run uses to explain the situation to the user.

/** A holder that stops refreshing its lock (crashed, frozen) loses it after this long. */
export const STALE_LOCK_MS = 10_000;

export interface LockInfo {
  id: string;
  path: string;
  operation: string;
  who: string;
  user: string;
  host: string;
  pid: number;
  version: string;
  created: string;
}

/** Whether a process with this pid is alive on this host (EPERM means it exists but is not ours). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}
