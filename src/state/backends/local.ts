// The local backend: each workspace's state is a file, laid out as Terraform does (the default
// workspace at the configured path, pmxform.state.json; another workspace W at
// pmxform.state.d/W/pmxform.state.json). Writes are atomic (temp file, fsync, rename, fsync dir)
// and keep the run's starting content as `<state>.backup`; the path may be a symlink (written
// through to its target). The lock is lock.ts's. The compare-and-swap is on the file itself: a
// write replaces the file only when it is still the one this backend last read or wrote (same
// inode, size and mtime; every writer renames a new file into place), so a run that bypassed the
// lock cannot be overwritten unseen.
import {
  fchmodSync,
  fsync,
  lstatSync,
  mkdirSync,
  closeSync,
  openSync,
  readFileSync,
  readdirSync,
  readlinkSync,
  realpathSync,
  renameSync,
  rmSync,
  statSync,
  writeSync,
  writevSync,
  existsSync,
} from "node:fs";
import { promisify } from "node:util";
import { dirname, join, resolve } from "node:path";
import { StateError } from "../errors.js";
import type { LockInfo } from "../lock-info.js";
import { acquireLock, forceUnlockTarget } from "../lock.js";
import { openExclusiveTemp, refuseLink } from "../no-follow.js";
import { isEnvelope } from "../encryption.js";
import { FileAuditLog } from "./audit-file.js";
import { StateConflictError, type AuditLogStorage, type BackendLock, type LockMode, type StateBackend, type StateVersion } from "./types.js";

export const DEFAULT_WORKSPACE = "default";
const FILE_NAME = "pmxform.state.json";

interface Seen {
  ino: number;
  size: number;
  mtimeMs: number;
}

export class LocalBackend implements StateBackend {
  readonly description: string;
  /** What each workspace's file held when first read (null: absent): the backup on the first write. */
  private readonly original = new Map<string, Buffer | null>();
  private readonly backedUp = new Set<string>();
  /** The file as last read or written by this backend, per workspace (the compare-and-swap's reference). */
  private readonly seen = new Map<string, Seen | null>();

  constructor(
    /** The default workspace's state file (absolute). */
    readonly defaultPath: string,
    /** Where other workspaces' directories are (absolute). */
    readonly workspaceDir: string,
  ) {
    this.description = `local file ${defaultPath}`;
  }

  /** The file a workspace's state is in, as the user would name it. */
  pathOf(workspace: string): string {
    return workspace === DEFAULT_WORKSPACE ? this.defaultPath : join(this.workspaceDir, workspace, FILE_NAME);
  }

  /** Where the bytes live: the path itself, or the target when the path is a symlink. */
  targetOf(workspace: string): string {
    return resolveTarget(this.pathOf(workspace));
  }

  async read(workspace: string): Promise<Buffer | null> {
    const path = this.pathOf(workspace);
    const target = this.targetOf(workspace);
    let st;
    try {
      st = statSync(target);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw err;
      this.remember(workspace, null, null);
      return null;
    }
    if (!st.isFile()) throw new StateError(`The state path ${path} is not a regular file. Point --state at a file.`, path);
    const mode = (st.mode & 0o777).toString(8).padStart(4, "0");
    if ((st.mode & 0o022) !== 0) {
      throw new StateError(
        `The state file ${path} can be written by ${st.mode & 0o002 ? "any user" : "its group"} (mode ${mode}), so someone else could change what pmxform manages. Restrict it with: chmod 600 ${target}`,
        path,
      );
    }
    // pmxform creates it 0600: wider read access means someone changed it, and the state maps the
    // infrastructure (and holds password digests), so it is refused like ssh refuses such keys.
    if ((st.mode & 0o044) !== 0) {
      throw new StateError(
        `The state file ${path} can be read by ${st.mode & 0o004 ? "any user" : "its group"} (mode ${mode}); pmxform keeps state files private to their owner. Restrict it with: chmod 600 ${target}`,
        path,
      );
    }
    const uid = process.getuid?.();
    if (uid !== undefined && st.uid !== uid) {
      throw new StateError(
        `The state file ${path} belongs to uid ${st.uid}, not to the user running pmxform (uid ${uid}); another user could change what pmxform manages, and writing it would take it over. Run pmxform as its owner, or take it over deliberately with: chown ${uid} ${target}`,
        path,
      );
    }
    const bytes = readFileSync(target);
    this.remember(workspace, bytes, { ino: st.ino, size: st.size, mtimeMs: st.mtimeMs });
    return bytes;
  }

  private remember(workspace: string, bytes: Buffer | null, seen: Seen | null): void {
    if (!this.original.has(workspace)) this.original.set(workspace, bytes);
    this.seen.set(workspace, seen);
  }

  async write(workspace: string, bytes: Buffer, expected: StateVersion | null, next: StateVersion): Promise<void> {
    const target = this.targetOf(workspace);
    refuseLink(`${target}.backup`, "the state backup");
    if (workspace !== DEFAULT_WORKSPACE) mkdirSync(dirname(target), { recursive: true, mode: 0o700 });
    this.checkUnchanged(workspace, target, expected);
    const original = this.original.get(workspace);
    if (!this.backedUp.has(workspace) && original) {
      await atomicWrite(`${target}.backup`, [original], 0o600, "the state backup");
      this.backedUp.add(workspace);
    }
    await atomicWrite(target, [bytes], 0o600);
    const st = statSync(target);
    this.seen.set(workspace, { ino: st.ino, size: st.size, mtimeMs: st.mtimeMs });
    void next;
  }

  /** Throws StateConflictError when the file is not the one this backend last saw. */
  private checkUnchanged(workspace: string, target: string, expected: StateVersion | null): void {
    let now: Seen | null = null;
    try {
      const st = statSync(target);
      now = { ino: st.ino, size: st.size, mtimeMs: st.mtimeMs };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw err;
    }
    const seen = this.seen.get(workspace);
    if (seen !== undefined) {
      const same = seen === null ? now === null : now !== null && now.ino === seen.ino && now.size === seen.size && now.mtimeMs === seen.mtimeMs;
      if (same) return;
    } else if (expected === null ? now === null : now !== null && sameVersion(readFileSync(target), expected)) return;
    throw new StateConflictError(`${this.pathOf(workspace)}`, expected, now === null ? null : (versionOf(readFileSync(target)) ?? "other"));
  }

  async lock(workspace: string, mode: LockMode, info: LockInfo, timeoutMs: number): Promise<BackendLock> {
    const target = this.targetOf(workspace);
    if (workspace !== DEFAULT_WORKSPACE) mkdirSync(dirname(target), { recursive: true, mode: 0o700 });
    const held = await acquireLock(target, { timeoutMs, info: { ...info, path: target }, mode });
    return { info: held.info, mode, lost: () => held.compromised(), release: () => held.release() };
  }

  async forceUnlock(workspace: string, id: string): Promise<void> {
    forceUnlockTarget(this.targetOf(workspace), id);
  }

  async workspaces(): Promise<string[]> {
    const out = new Set<string>([DEFAULT_WORKSPACE]);
    try {
      for (const d of readdirSync(this.workspaceDir, { withFileTypes: true })) if (d.isDirectory()) out.add(d.name);
    } catch {
      // no workspace created yet
    }
    return [...out].sort();
  }

  async deleteWorkspace(workspace: string): Promise<void> {
    if (workspace === DEFAULT_WORKSPACE) throw new StateError("The default workspace cannot be deleted. Remove its resources with pmxform destroy if that is what you want.", this.defaultPath);
    const dir = join(this.workspaceDir, workspace);
    if (existsSync(dir)) rmSync(dir, { recursive: true, force: true });
  }

  async close(): Promise<void> {}

  /** Beside the state's bytes (a symlinked state's target), so the log moves with the state. */
  auditLog(workspace: string): AuditLogStorage {
    return new FileAuditLog(`${this.targetOf(workspace)}.audit.jsonl`);
  }
}

/** lineage and serial of a stored state, when it is plain JSON (an encrypted one does not say). */
export function versionOf(bytes: Buffer): StateVersion | null {
  if (isEnvelope(bytes)) return null;
  try {
    const d = JSON.parse(bytes.toString("utf8")) as { lineage?: unknown; serial?: unknown };
    return typeof d.lineage === "string" && typeof d.serial === "number" ? { lineage: d.lineage, serial: d.serial } : null;
  } catch {
    return null;
  }
}

function sameVersion(bytes: Buffer, v: StateVersion): boolean {
  const found = versionOf(bytes);
  return found !== null && found.lineage === v.lineage && found.serial === v.serial;
}

/** Writes through a symlink to its target, so the link survives the rename. */
export function resolveTarget(path: string): string {
  const abs = resolve(path);
  try {
    if (!lstatSync(abs).isSymbolicLink()) return abs;
  } catch {
    return abs;
  }
  try {
    return realpathSync(abs);
  } catch {
    return resolve(dirname(abs), readlinkSync(abs)); // a dangling link: the first write creates its target
  }
}

const fsyncAsync = promisify(fsync);

/**
 * Temp file in the same directory, fsync, rename over the target, fsync the directory.
 * The write itself is synchronous (about twice as fast as the promise API for a multi-megabyte
 * state), the two fsyncs go to libuv's thread pool: they are the slow part on a busy disk, and
 * an apply keeps starting and reaping Proxmox calls while they wait. `content` may be a list of
 * byte pieces, written with one writev.
 */
export async function atomicWrite(path: string, content: string | readonly Buffer[], mode = 0o600, what = "the file"): Promise<void> {
  refuseLink(path, what);
  const { tmp, fd } = openExclusiveTemp(path, mode);
  try {
    fchmodSync(fd, mode); // the umask may have narrowed the mode given to open
    if (typeof content === "string") writeSync(fd, content, null, "utf8");
    else writeAll(fd, content);
    await fsyncAsync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, path);
  const dir = openSync(dirname(path), "r");
  try {
    await fsyncAsync(dir);
  } finally {
    closeSync(dir);
  }
}

/** libuv's writev goes on after short writes and past IOV_MAX; a shortfall left is an error. */
function writeAll(fd: number, pieces: readonly Buffer[]): void {
  const expected = pieces.reduce((n, p) => n + p.length, 0);
  const written = writevSync(fd, pieces);
  if (written !== expected) throw new Error(`short write: ${written} of ${expected} bytes`);
}
