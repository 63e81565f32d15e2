// The local file's state lock. Exclusive (apply, state edits): a proper-lockfile directory lock
// `<state>.lock` held for a whole run, plus a `<state>.lock.info` JSON file naming the holder so
// that a blocked run can say who holds it. Shared (plan): readers do not block each other, so a
// reader does not take that directory; it registers a file in `<state>.lock.readers/` and keeps
// its mtime fresh. The two sides check each other in opposite order (a reader registers, then
// looks for the directory; a writer takes the directory, then looks for readers), so one of them
// always sees the other. A reader whose file is not refreshed for STALE_LOCK_MS is gone.

import { randomUUID } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, rmdirSync, statSync, utimesSync } from "node:fs";
import { hostname, userInfo } from "node:os";
import { dirname } from "node:path";
import lockfile from "proper-lockfile";
import { StateError, StateLockedError } from "./errors.js";
import { STALE_LOCK_MS, type LockInfo } from "./lock-info.js";
import { refuseLink, replaceFileSync } from "./no-follow.js";

export { STALE_LOCK_MS, type LockInfo } from "./lock-info.js";

/**
 * proper-lockfile loads signal-exit 3, which listens for SIGTERM, SIGINT, SIGHUP and the rest to
 * remove the lock before dying. A JS signal listener replaces the default action, and it runs only
 * when the event loop is free: a plan busy in a long synchronous evaluation ignored SIGTERM until
 * the work was done. Those listeners are removed so that signals keep their default action (the
 * process ends at once, also mid-loop); the lock directory it leaves stops being refreshed and is
 * taken over once stale (STALE_LOCK_MS), like a SIGKILLed run's, or cleared with force-unlock.
 * A normal exit still removes the lock (signal-exit's 'exit' hook stays). apply's own graceful
 * interrupt handler (commands/interrupt.ts) is installed while operations run, as before.
 */
function restoreDefaultSignalActions(): void {
  for (const sig of [
    "SIGTERM",
    "SIGINT",
    "SIGHUP",
    "SIGALRM",
    "SIGABRT",
    "SIGVTALRM",
    "SIGXCPU",
    "SIGXFSZ",
    "SIGUSR2",
    "SIGTRAP",
    "SIGSYS",
    "SIGQUIT",
    "SIGIOT",
    "SIGPOLL",
    "SIGPWR",
    "SIGSTKFLT",
    "SIGUNUSED",
  ] as const) {
    for (const fn of process.listeners(sig as NodeJS.Signals)) {
      // signal-exit 3's per-signal handler: compares the listener count with its emitter's count.
      if (fn.name === "listener" && String(fn).includes("emitter.count")) process.removeListener(sig, fn);
    }
  }
}
restoreDefaultSignalActions();

const POLL_MS = 200;
/** How long a blocked run waits for a new holder to write its lock info before failing without it. */
const INFO_WAIT_MS = 2000;

export interface HeldLock {
  readonly info: LockInfo;
  /** Set when proper-lockfile reports that the lock was lost (e.g. taken over as stale). */
  compromised(): Error | undefined;
  release(): Promise<void>;
}

export const lockDirOf = (target: string): string => `${target}.lock`;
export const lockInfoPathOf = (target: string): string => `${target}.lock.info`;
export const readersDirOf = (target: string): string => `${target}.lock.readers`;

/** The lock information of a run about to lock (its ID is what force-unlock takes). */
export function newLockInfo(path: string, operation: string, version: string): LockInfo {
  const user = safeUser();
  const host = hostname();
  return { id: randomUUID(), path, operation, who: `${user}@${host}`, user, host, pid: process.pid, version, created: new Date().toISOString() };
}

/** Readers whose registration is fresh (a reader gone for STALE_LOCK_MS no longer counts). */
function liveReaders(target: string): { info: LockInfo | null; file: string }[] {
  let names: string[];
  try {
    names = readdirSync(readersDirOf(target));
  } catch {
    return [];
  }
  const out: { info: LockInfo | null; file: string }[] = [];
  for (const n of names) {
    if (!n.endsWith(".json")) continue;
    const file = `${readersDirOf(target)}/${n}`;
    try {
      if (Date.now() - statSync(file).mtimeMs > STALE_LOCK_MS) {
        rmSync(file, { force: true });
        continue;
      }
      out.push({ info: JSON.parse(readFileSync(file, "utf8")) as LockInfo, file });
    } catch {
      out.push({ info: null, file }); // being written or removed right now: counts as live
    }
  }
  return out;
}

/** Whether an exclusive holder (not a stale one) has the directory lock. */
async function writerPresent(target: string): Promise<boolean> {
  try {
    return await lockfile.check(target, { lockfilePath: lockDirOf(target), realpath: false, stale: STALE_LOCK_MS });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return false;
    throw err;
  }
}

/** A shared lock: registered as a reader while no exclusive holder has the state. */
async function acquireShared(target: string, info: LockInfo, timeoutMs: number): Promise<HeldLock> {
  refuseLink(readersDirOf(target), "the state readers directory");
  const deadline = Date.now() + Math.max(0, timeoutMs);
  const file = `${readersDirOf(target)}/${info.id}.json`;
  for (;;) {
    if (!existsSync(dirname(target))) throw new StateError(`Cannot lock the state: the directory of ${target} does not exist. Create it first or pass a different --state path.`, target);
    try {
      mkdirSync(readersDirOf(target), { recursive: true, mode: 0o755 });
      replaceFileSync(file, "the reader registration", JSON.stringify(info, null, 2) + "\n", 0o644);
    } catch (err) {
      // The last reader removed the (empty) directory between our mkdir and write: register again.
      if ((err as NodeJS.ErrnoException).code === "ENOENT") continue;
      throw err;
    }
    if (!(await writerPresent(target))) break;
    rmSync(file, { force: true });
    const left = deadline - Date.now();
    if (left <= 0) throw new StateLockedError(target, readLockInfo(target) ?? (await infoOfNewHolder(target)));
    await new Promise((r) => setTimeout(r, Math.min(POLL_MS, left)));
  }
  const beat = setInterval(() => {
    try {
      const now = new Date();
      utimesSync(file, now, now);
    } catch {
      // removed by force-unlock: the reader goes on reading; writes are compare-and-swap anyway
    }
  }, STALE_LOCK_MS / 4);
  beat.unref();
  let released = false;
  return {
    info,
    compromised: () => (existsSync(file) || released ? undefined : new Error("the shared lock was removed (force-unlock)")),
    release: async () => {
      if (released) return;
      released = true;
      clearInterval(beat);
      rmSync(file, { force: true });
      try {
        rmdirSync(readersDirOf(target)); // the last reader leaves no directory behind
      } catch {
        // other readers are registered, or a writer is looking at it
      }
    },
  };
}

export function readLockInfo(target: string): LockInfo | null {
  try {
    return JSON.parse(readFileSync(lockInfoPathOf(target), "utf8")) as LockInfo;
  } catch {
    return null; // missing or half-written: the holder may be between mkdir and writing its info
  }
}

/** Takes the lock, polling until `timeoutMs` has passed; throws StateLockedError naming the holder. */
export async function acquireLock(target: string, opts: { timeoutMs: number; info: LockInfo; mode?: "shared" | "exclusive" }): Promise<HeldLock> {
  // mkdir never follows a link, but proper-lockfile's staleness check and removal would.
  refuseLink(lockDirOf(target), "the state lock directory");
  if (opts.mode === "shared") return acquireShared(target, opts.info, opts.timeoutMs);
  const deadline = Date.now() + Math.max(0, opts.timeoutMs);
  let lost: Error | undefined;
  let release: () => Promise<void>;
  for (;;) {
    try {
      release = await lockfile.lock(target, {
        lockfilePath: lockDirOf(target),
        realpath: false, // the state file may not exist yet
        stale: STALE_LOCK_MS,
        update: STALE_LOCK_MS / 2,
        retries: 0,
        onCompromised: (err) => {
          lost = err; // the default would throw from a timer and kill the process mid-apply
        },
      });
      break;
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === "ENOENT") throw new StateError(`Cannot lock the state: the directory of ${target} does not exist. Create it first or pass a different --state path.`, target);
      if (code !== "ELOCKED") throw err;
      const left = deadline - Date.now();
      if (left <= 0) throw new StateLockedError(target, readLockInfo(target) ?? (await infoOfNewHolder(target)));
      await new Promise((r) => setTimeout(r, Math.min(POLL_MS, left)));
    }
  }
  const info = opts.info;
  let wroteInfo = false;
  try {
    replaceFileSync(lockInfoPathOf(target), "the lock information", JSON.stringify(info, null, 2) + "\n", 0o644);
    wroteInfo = true;
    // Readers registered before this run took the directory finish first; new ones see the directory and wait.
    for (;;) {
      const readers = liveReaders(target).filter((r) => r.info?.id !== info.id);
      if (!readers.length) break;
      const left = deadline - Date.now();
      if (left <= 0) throw new StateLockedError(target, readers[0]!.info);
      await new Promise((r) => setTimeout(r, Math.min(POLL_MS, left)));
    }
  } catch (err) {
    if (wroteInfo) rmSync(lockInfoPathOf(target), { force: true }); // never a link someone planted there
    await release().catch(() => undefined);
    throw err;
  }
  let released = false;
  return {
    info,
    compromised: () => lost,
    release: async () => {
      if (released) return;
      released = true;
      // A lock removed by force-unlock and taken by another run is not ours to remove.
      if (readLockInfo(target)?.id !== info.id) return;
      rmSync(lockInfoPathOf(target), { force: true }); // info first, while the lock still guards it
      if (lost) return;
      try {
        await release();
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== "ERELEASED") throw err;
      }
    },
  };
}

/**
 * A holder writes its info right after taking the lock; a run that lost the race in between
 * waits briefly for it, so the error can name who holds the lock.
 */
async function infoOfNewHolder(target: string): Promise<LockInfo | null> {
  for (let waited = 0; waited < INFO_WAIT_MS; waited += 25) {
    await new Promise((r) => setTimeout(r, 25));
    const info = readLockInfo(target);
    if (info || !existsSync(lockDirOf(target))) return info;
  }
  return null;
}

/** Removes a lock left by a run that is gone, after checking that `id` is the holder's ID. */
export function forceUnlockTarget(target: string, id: string): void {
  const reader = liveReaders(target).find((r) => r.info?.id === id);
  if (reader) {
    rmSync(reader.file, { force: true });
    return;
  }
  const held = lockHeld(target);
  const info = readLockInfo(target);
  if (!held) {
    rmSync(lockInfoPathOf(target), { force: true });
    throw new StateError(`No lock is held on ${target}; nothing to unlock. Run the command that reported the lock again: the lock it met has been released.`, target);
  }
  if (!info) {
    throw new StateError(
      `The lock on ${target} has no readable ${lockInfoPathOf(target)}, so its ID cannot be checked. If you are sure no run is active, remove the directory ${lockDirOf(target)} by hand.`,
      target,
    );
  }
  if (info.id !== id) {
    throw new StateError(
      `The lock on ${target} has ID ${info.id}, not ${id} (held by ${info.who}, pid ${info.pid}, for ${info.operation}). Check the ID and run pmxform force-unlock ${info.id}.`,
      target,
    );
  }
  rmSync(lockInfoPathOf(target), { force: true });
  rmSync(lockDirOf(target), { recursive: true, force: true });
}

/** A lock directory counts even when stale: force-unlock is how a user clears it at once. */
function lockHeld(target: string): boolean {
  return existsSync(lockDirOf(target));
}

function safeUser(): string {
  try {
    return userInfo().username;
  } catch {
    return process.env["USER"] ?? "unknown";
  }
}
