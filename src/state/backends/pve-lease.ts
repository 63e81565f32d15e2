// Leases on pmxcfs cluster locks for the pve backend. A cluster lock is a directory
// /etc/pve/priv/lock/<name> taken by mkdir (pve-cluster PVE/Cluster.pm cfs_lock); pmxcfs frees one
// that nobody renewed for 120 s when someone asks (utime 0, the unlock request: cfs-plug-memdb.c
// cfs_plug_memdb_utimens, dcdb.c, memdb.c memdb_lock_expired with memdb.h CFS_LOCK_TIMEOUT).
// A run that holds a lock longer than that keeps it alive with a heartbeat: touching the lock
// moves its mtime, which restarts pmxcfs's clock (memdb.c memdb_mtime, which allows that only to
// the node that wrote the lock, so every renewal goes through the node that took it).
// The lock directory must stay empty (pmxcfs cannot remove a non-empty one, memdb_delete's
// ENOTEMPTY, so it would never expire): who holds it is recorded in a holder file beside the state.
import type { LockInfo } from "../lock-info.js";
import type { LockMode } from "./types.js";
import { FsError, NodeDownError, type PveNode } from "./pve-node.js";

/** pve-cluster src/pmxcfs/memdb.h CFS_LOCK_TIMEOUT. */
export const CFS_LOCK_TIMEOUT_S = 120;

/**
 * How long pmxcfs keeps an unrenewed lock, and the pace derived from it. PMXFORM_PVE_LEASE_S exists
 * for tests against a simulator whose expiry was shortened (sim.json cfsLockTimeoutS); a real
 * cluster always uses 120 s and the variable must not be set there.
 */
export interface LeaseTiming {
  expiryMs: number;
  /** Renewal period: four renewals per expiry, so three may fail before the lease is at risk. */
  heartbeatMs: number;
  /** A lease whose last renewal began longer ago than this may already be gone: it counts as lost. */
  safeMs: number;
  pollMs: number;
}

export function leaseTiming(env: NodeJS.ProcessEnv = process.env): LeaseTiming {
  const raw = Number(env["PMXFORM_PVE_LEASE_S"]);
  const expiryMs = (Number.isFinite(raw) && raw > 0 ? raw : CFS_LOCK_TIMEOUT_S) * 1000;
  return { expiryMs, heartbeatMs: expiryMs / 4, safeMs: (expiryMs * 7) / 8, pollMs: Math.min(1000, Math.max(100, expiryMs / 40)) };
}

/** What a holder file says (holder.json for the exclusive holder, holder.r-<id>.json for a shared one). */
export interface HolderRecord {
  info: LockInfo;
  mode: LockMode;
  /** The node the lease is held and renewed through. */
  node: string;
  /** The cluster lock directory (below priv/lock). */
  lock: string;
  taken_at: string;
}

export class NoQuorumError extends Error {
  constructor(readonly node: string) {
    super(`node ${node} refused the change with "Permission denied"`);
    this.name = "NoQuorumError";
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Takes the lock directory `rel` by mkdir until `deadlineMs`, asking pmxcfs to free an expired one
 * between attempts as cfs_lock does. False when it stayed taken; NoQuorumError when pmxcfs refused.
 */
export async function takeLockDir(node: PveNode, rel: string, deadlineMs: number, t: LeaseTiming): Promise<boolean> {
  let madeParent = false;
  let asked = false;
  for (;;) {
    try {
      await node.mkdir(rel);
      return true;
    } catch (err) {
      if (!(err instanceof FsError)) throw err;
      if (err.errno === "EACCES") throw new NoQuorumError(node.name);
      if (err.errno === "ENOENT" && !madeParent) {
        // priv/lock appears with the first cluster lock ever taken (cfs_lock runs `mkdir $lockdir` each time).
        madeParent = true;
        await node.mkdirP("priv/lock");
        continue;
      }
      if (err.errno !== "EEXIST") throw err;
    }
    // Out of time, but only after one more mkdir following an unlock request: the request may
    // just have freed an expired lock, and that mkdir then takes it.
    if (asked && Date.now() >= deadlineMs) return false;
    await node.unlockRequest(rel);
    asked = true;
    const left = deadlineMs - Date.now();
    if (left > 0) await sleep(Math.min(t.pollMs, left));
  }
}

/**
 * A held cluster lock kept alive by a heartbeat. `stillOurs` is checked at each beat (the holder
 * file still names this run: force-unlock removes it, a run that took over an expired lease
 * rewrites it); a beat that cannot run for safeMs declares the lease lost, since pmxcfs may have
 * freed it by then.
 */
export class Lease {
  private lastRenewStart: number;
  private lostError: Error | undefined;
  private timer: NodeJS.Timeout | undefined;
  private beating: Promise<void> | undefined;
  private released = false;

  constructor(
    readonly node: PveNode,
    readonly lockRel: string,
    private readonly t: LeaseTiming,
    private readonly stillOurs: () => Promise<boolean>,
    takenAt: number,
  ) {
    this.lastRenewStart = takenAt;
  }

  start(): void {
    this.timer = setInterval(() => {
      this.beating ??= this.beat().finally(() => (this.beating = undefined));
    }, this.t.heartbeatMs);
    this.timer.unref();
  }

  /** Renews now; afterwards lost() tells whether the lease survived. */
  async beat(): Promise<void> {
    if (this.lostError || this.released) return;
    const started = Date.now();
    if (started - this.lastRenewStart > this.t.safeMs)
      return this.lose(`it was not renewed for ${Math.round((started - this.lastRenewStart) / 1000)} s and pmxcfs frees an unrenewed lock after ${this.t.expiryMs / 1000} s`);
    try {
      if (!(await this.stillOurs())) return this.lose("its holder record no longer names this run (force-unlock, or another run took over the expired lease)");
      await this.node.renew(this.lockRel);
      this.lastRenewStart = started;
    } catch (err) {
      // A failed renewal is retried at the next beat; the lease counts as lost only once safeMs passed.
      if (!(err instanceof FsError || err instanceof NodeDownError)) throw err;
      if (err instanceof FsError && err.errno === "ENOENT") this.lose("its lock directory is gone (force-unlock)");
    }
  }

  private lose(why: string): void {
    this.lostError ??= new Error(`the cluster lock ${this.lockRel} held through ${this.node.name} was lost: ${why}; another run may have taken it`);
    this.stop();
  }

  lost(): Error | undefined {
    if (this.released) return undefined;
    if (!this.lostError && Date.now() - this.lastRenewStart > this.t.safeMs) this.lose(`it was not renewed for over ${Math.round(this.t.safeMs / 1000)} s`);
    return this.lostError;
  }

  /** Renews when a heartbeat is due (for a lock held by a sequence of commands, not a timer). */
  async keepAlive(): Promise<void> {
    if (this.age() >= this.t.heartbeatMs) await this.beat();
  }

  /** Milliseconds since the last renewal began (the lease's age as pmxcfs may count it). */
  age(): number {
    return Date.now() - this.lastRenewStart;
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Stops the heartbeat; removes the lock only while it is still ours (a lost one may be another run's now). */
  async release(removeHolder: () => Promise<void>): Promise<void> {
    if (this.released) return;
    this.stop();
    await this.beating;
    const wasLost = this.lost();
    this.released = true;
    if (wasLost) return;
    await removeHolder().catch(() => undefined);
    await this.node.rmdir(this.lockRel).catch(() => undefined);
  }
}
