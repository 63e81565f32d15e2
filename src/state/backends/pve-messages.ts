// What the pve backend tells a user about the holders of a workspace's lock: who, which operation,
// since when, through which node, when the lease was last renewed and when pmxcfs would free it
// if its holder has died. Used by the lock error and by force-unlock's "no such ID" answer.
import { StateLockedError } from "../errors.js";
import type { HolderRecord } from "./pve-lease.js";

export interface HolderView {
  rec: HolderRecord;
  /** The lock directory's mtime (epoch seconds): its last renewal. */
  renewed: number | undefined;
}

const iso = (s: number): string => new Date(s * 1000).toISOString().replace(/\.000Z$/, "Z");

export function describeHolders(holders: HolderView[], expiryMs: number, now = Date.now()): string {
  return holders
    .map(({ rec, renewed }) => {
      const h = rec.info;
      const lease =
        renewed === undefined
          ? "its lock directory is gone (released or expired just now)"
          : `last renewed ${iso(renewed)} (${Math.max(0, Math.round(now / 1000 - renewed))} s ago); if its holder stopped, pmxcfs frees it ${expiryMs / 1000} s after that renewal, from about ${iso(renewed + expiryMs / 1000)}`;
      return [
        "Lock Info:",
        `  ID:        ${h.id}`,
        `  Mode:      ${rec.mode} (${rec.mode === "exclusive" ? "a run that changes the state" : "a plan; plans share the lock"})`,
        `  Operation: ${h.operation}`,
        `  Who:       ${h.who} (pid ${h.pid} on ${h.host})`,
        `  Version:   ${h.version}`,
        `  Created:   ${h.created}`,
        `  Node:      ${rec.node} (the lease is renewed through it)`,
        `  Lease:     ${lease}`,
      ].join("\n");
    })
    .join("\n\n");
}

/** StateLockedError with the lease facts a pmxcfs lock has (the local file's text speaks of its own 10 s staleness). */
export class PveLockedError extends StateLockedError {
  constructor(where: string, holders: HolderView[], expiryMs: number) {
    super(where, holders[0]?.rec.info ?? null);
    const first = holders[0]?.rec.info;
    const detail = [
      holders.length
        ? describeHolders(holders, expiryMs)
        : `The cluster lock of ${where} is taken, but its holder left no record yet (it may be starting up right now, or it is a run that died while taking it: pmxcfs frees such a lock ${expiryMs / 1000} s after it was taken).`,
      "",
      "pmxform locks the state so that two runs cannot change it at once. Wait for the other run to finish and try again, or pass --lock-timeout 30s to wait for it.",
      ...(first ? ["If you are sure that run is gone, remove its lock with:", `  pmxform force-unlock ${first.id}`] : []),
    ].join("\n");
    Object.defineProperty(this, "detail", { value: detail });
    this.message = `Error acquiring the state lock\n\n${detail}`;
  }
}
