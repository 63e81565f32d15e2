// Cross-process file locks inside DIR (the real pct uses flock on /run/lock/lxc/...): exclusive
// create of a lock file holding the owner's pid; a dead owner's lock is taken over (as the
// kernel drops a killed process's flock).
import { mkdirSync, openSync, closeSync, linkSync, readFileSync, rmSync, writeSync } from "node:fs";
import { join } from "node:path";
import { paths, sleepSync, type Ctx } from "./ctx.js";
import { SimError } from "./errors.js";

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

/**
 * The lock file appears with its owner's pid already in it (written aside, then hard-linked into
 * place, which fails if it exists): a process killed between creating and writing would
 * otherwise leave an empty lock that no one can prove stale.
 */
function createWithPid(file: string): void {
  const aside = `${file}.${process.pid}.new`;
  const fd = openSync(aside, "w");
  try {
    writeSync(fd, String(process.pid));
  } finally {
    closeSync(fd);
  }
  try {
    linkSync(aside, file);
  } finally {
    rmSync(aside, { force: true });
  }
}

/** Takes the lock or returns false after timeoutMs. */
export function tryLockFile(file: string, timeoutMs: number): boolean {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      createWithPid(file);
      return true;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === "ENOENT") {
        mkdirSync(join(file, ".."), { recursive: true });
        continue;
      }
      if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
    }
    let owner: number;
    try {
      owner = Number(readFileSync(file, "utf8"));
    } catch {
      continue; // released between our attempts
    }
    if (Number.isFinite(owner) && owner > 0 && !alive(owner)) {
      rmSync(file, { force: true });
      continue;
    }
    if (Date.now() >= deadline) return false;
    sleepSync(15);
  }
}

export function lockTimeoutMs(ctx: Ctx): number {
  const v = Number(ctx.env["PMXSIM_LOCK_TIMEOUT_MS"]);
  return Number.isFinite(v) && v >= 0 && ctx.env["PMXSIM_LOCK_TIMEOUT_MS"] !== undefined ? v : 2000;
}

/** Runs fn holding the CT config lock (pve-config-<vmid>.lock), like PVE's lock_config. */
export function withConfigLock<T>(ctx: Ctx, vmid: number, fn: () => T): T {
  const file = join(paths.lockDir(ctx.dir), `pve-config-${vmid}.lock`);
  if (!tryLockFile(file, lockTimeoutMs(ctx))) {
    throw new SimError(`can't lock file '/run/lock/lxc/pve-config-${vmid}.lock' - got timeout`);
  }
  try {
    if (ctx.pendingHangMs > 0) {
      const ms = ctx.pendingHangMs;
      ctx.pendingHangMs = 0;
      sleepSync(ms);
    }
    return fn();
  } finally {
    rmSync(file, { force: true });
  }
}

/** Short internal lock (fault counters, volume allocation); never reported to the user. */
export function withInternalLock<T>(dir: string, name: string, fn: () => T): T {
  const file = join(dir, "run", "lock", `${name}.lock`);
  if (!tryLockFile(file, 10_000)) throw new Error(`internal lock ${name} timed out`);
  try {
    return fn();
  } finally {
    rmSync(file, { force: true });
  }
}
