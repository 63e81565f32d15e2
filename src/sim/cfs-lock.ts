// pmxcfs cluster locks: a directory `/etc/pve/priv/lock/<name>` (simulated under
// DIR/etc/pve/priv/lock). pve-cluster PVE/Cluster.pm cfs_lock takes one by mkdir; a failing mkdir
// (EEXIST) is followed by utime(0, 0) on it, an unlock request that pmxcfs honours only for an
// expired lock (cfs-plug-memdb.c cfs_plug_memdb_utimens -> memdb.c memdb_lock_expired, older than
// CFS_LOCK_TIMEOUT = 120 s), and the mkdir is retried; a later utime renews it, rmdir releases it.
// Without quorum every one of these fails with EACCES as any write under /etc/pve does.
import { mkdirSync, readFileSync, rmdirSync, rmSync, statSync, utimesSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Ctx } from "./ctx.js";
import { paths } from "./ctx.js";

/** pve-cluster src/pmxcfs/memdb.h CFS_LOCK_TIMEOUT, in seconds. */
export const CFS_LOCK_TIMEOUT_S = 120;

/**
 * The expiry this simulated cluster applies: 120 s unless sim.json sets "cfsLockTimeoutS" (a
 * test knob, setCfsLockTimeout in cfs-settings.ts, so a killed holder's lease can expire within a
 * test; real pmxcfs has no such setting).
 */
export function cfsLockTimeoutS(ctx: Ctx): number {
  try {
    const raw = JSON.parse(readFileSync(join(ctx.dir, "sim.json"), "utf8")) as { cfsLockTimeoutS?: unknown };
    return typeof raw.cfsLockTimeoutS === "number" && raw.cfsLockTimeoutS > 0 ? raw.cfsLockTimeoutS : CFS_LOCK_TIMEOUT_S;
  } catch {
    return CFS_LOCK_TIMEOUT_S;
  }
}

export type LockErrno = "EEXIST" | "ENOENT" | "EACCES" | "EINVAL";

/** The lock's directory in the simulated tree, or undefined for a name pmxcfs would not take. */
export function cfsLockPath(dir: string, name: string): string | undefined {
  return /^[\w.:-]+$/.test(name) && name !== "." && name !== ".." ? join(paths.pveDir(dir), "priv", "lock", name) : undefined;
}

/**
 * Which node wrote a lock last (memdb's te->writer, the node id of the message's sender): kept
 * beside the tree, since a lock directory itself must stay empty.
 */
function writerFile(ctx: Ctx, name: string): string {
  return join(ctx.dir, "run", "cfs-lock-writers", name);
}

function setWriter(ctx: Ctx, name: string): void {
  mkdirSync(join(ctx.dir, "run", "cfs-lock-writers"), { recursive: true });
  writeFileSync(writerFile(ctx, name), ctx.node);
}

function writerOf(ctx: Ctx, name: string): string | undefined {
  try {
    return readFileSync(writerFile(ctx, name), "utf8");
  } catch {
    return undefined;
  }
}

function denied(ctx: Ctx, name: string): LockErrno | undefined {
  if (!ctx.cfg.quorate) return "EACCES";
  return cfsLockPath(ctx.dir, name) ? undefined : "EINVAL";
}

/** mkdir: takes the lock; EEXIST while anyone holds it, expired or not. */
export function cfsLockMkdir(ctx: Ctx, name: string): LockErrno | undefined {
  const err = denied(ctx, name);
  if (err) return err;
  const p = cfsLockPath(ctx.dir, name)!;
  mkdirSync(join(p, ".."), { recursive: true });
  try {
    mkdirSync(p);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "EEXIST") return "EEXIST";
    throw e;
  }
  setWriter(ctx, name);
  return undefined;
}

/**
 * utime: mtime 0 is the unlock request (the lock goes away if it is older than 120 s, else stays),
 * any other time renews the lock to that time. Either way the MTIME message that follows
 * (cfs-plug-memdb.c cfs_plug_memdb_utimens) meets memdb.c memdb_mtime, which lets a lock's mtime
 * only grow: an unlock request on a live lock, or a renewal to an older time, fails with EACCES,
 * and on a lock the request just removed with ENOENT (which `touch -c` ignores). memdb_mtime also
 * takes a renewal only from the node that wrote the lock ("only allow lock updates if the writer is
 * the same"): through another node it is EACCES.
 */
export function cfsLockUtime(ctx: Ctx, name: string, mtimeS: number, nowMs = Date.now()): LockErrno | undefined {
  const err = denied(ctx, name);
  if (err) return err;
  const p = cfsLockPath(ctx.dir, name)!;
  let st;
  try {
    st = statSync(p);
  } catch {
    return "ENOENT";
  }
  if (mtimeS === 0) {
    if (st.isDirectory() && nowMs - st.mtimeMs > cfsLockTimeoutS(ctx) * 1000) {
      rmdirSync(p);
      rmSync(writerFile(ctx, name), { force: true });
      return "ENOENT";
    }
    return "EACCES";
  }
  if (mtimeS < Math.floor(st.mtimeMs / 1000)) return "EACCES";
  const writer = writerOf(ctx, name);
  if (writer !== undefined && writer !== ctx.node) return "EACCES";
  utimesSync(p, mtimeS, mtimeS);
  return undefined;
}

/** rmdir: releases the lock. */
export function cfsLockRmdir(ctx: Ctx, name: string): LockErrno | undefined {
  const err = denied(ctx, name);
  if (err) return err;
  try {
    rmdirSync(cfsLockPath(ctx.dir, name)!);
    rmSync(writerFile(ctx, name), { force: true });
    return undefined;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return "ENOENT";
    throw e;
  }
}
