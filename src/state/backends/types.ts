// The contract of a state backend: where a workspace's state bytes live and how runs exclude
// each other there. The local file, the Proxmox cluster filesystem and PostgreSQL implement it;
// StateStore keeps validation, serialisation and the run's bookkeeping above it.
import type { LockInfo } from "../lock-info.js";

/** plan takes a shared lock (readers do not block readers); anything that writes, an exclusive one. */
export type LockMode = "shared" | "exclusive";

/** What a write expects to replace: the lineage and serial this run last read or wrote (null: no state yet). */
export interface StateVersion {
  lineage: string;
  serial: number;
}

export interface BackendLock {
  readonly info: LockInfo;
  readonly mode: LockMode;
  /** Holders that died holding this lock (their session ended, their lease expired): said to the user. */
  readonly abandoned?: readonly LockInfo[];
  /** Set when the backend lost the lock under the run (session ended, lease expired). */
  lost(): Error | undefined;
  release(): Promise<void>;
}

export interface StateBackend {
  /** For messages: "pg (127.0.0.1:5432/pmxform, schema pmxform)"; never credentials. */
  readonly description: string;
  /** The workspace's state bytes, or null when it has none yet. */
  read(workspace: string): Promise<Buffer | null>;
  /**
   * Replaces the workspace's state when it is still `expected` (compare-and-swap): a write based
   * on a state someone else has changed meanwhile fails with StateConflictError, lock or no lock.
   */
  write(workspace: string, bytes: Buffer, expected: StateVersion | null, next: StateVersion): Promise<void>;
  /** Waits up to timeoutMs for the lock; throws StateLockedError naming the holder. */
  lock(workspace: string, mode: LockMode, info: LockInfo, timeoutMs: number): Promise<BackendLock>;
  /** Removes a lock by its ID, ending the holder's hold on it (a stuck or vanished run). */
  forceUnlock(workspace: string, id: string): Promise<void>;
  /** Workspaces that hold a state. */
  workspaces(): Promise<string[]>;
  deleteWorkspace(workspace: string): Promise<void>;
  close(): Promise<void>;
  /** The workspace's audit log (src/audit), stored beside its state; absent: this backend keeps none. */
  auditLog?(workspace: string): AuditLogStorage;
}

/** A workspace's audit log: one JSON record per line, only ever appended (docs/audit.md). */
export interface AuditLogStorage {
  /** For messages: the file, or "table pmxform.audit of pg (...)". */
  readonly description: string;
  /** Every line, oldest first ([] when the log does not exist yet). */
  lines(): Promise<string[]>;
  /**
   * Appends the line `next(lines)` computes from the lines already there. Callers hold the state's
   * exclusive lock, which serialises appenders; the storage makes the line durable before returning.
   */
  append(next: (lines: readonly string[]) => string): Promise<void>;
}

/** The state changed since this run read it: saving would lose someone else's update. */
export class StateConflictError extends Error {
  constructor(
    readonly where: string,
    readonly expected: StateVersion | null,
    /** "other": a state whose version cannot be told (encrypted, damaged). */
    readonly found: StateVersion | null | "other",
  ) {
    const was = (v: StateVersion | null | "other") => (v === "other" ? "a different state" : v ? `serial ${v.serial} of lineage ${v.lineage}` : "no state");
    super(
      `The state in ${where} changed while this run held it: this run expected ${was(expected)} but found ${was(found)}. ` +
        "Nothing was overwritten. Another run changed it (a lock was bypassed with -lock=false or force-unlock). Run pmxform plan again to see the current state.",
    );
    this.name = "StateConflictError";
  }
}
