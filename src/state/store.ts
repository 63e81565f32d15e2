// The state file on disk: locked for the whole run, validated on read, written atomically
// (temp file, fsync, rename, fsync dir) with the run's starting content kept as `<state>.backup`.
// See docs/state-and-plan-files.md for the rules this implements.

import { promisify } from "node:util";
import { closeSync, fchmodSync, fsync, lstatSync, openSync, readFileSync, readlinkSync, realpathSync, renameSync, statSync, writeSync, writevSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { StateError } from "./errors.js";
import { acquireLock, forceUnlockTarget, type HeldLock } from "./lock.js";
import { openExclusiveTemp, refuseLink } from "./no-follow.js";
import { validateStateFile } from "./schema.js";
import { StateSerializer, joinPieces, samePiecesExceptSerial, type StateText } from "./serialize.js";
import { STATE_VERSION, type StateFile } from "./types.js";
import { pmxformVersion } from "./version.js";

export { StateError, StateLockedError } from "./errors.js";

export interface OpenOptions {
  /** false only for read-only commands (show, output, state list) and tests. */
  lock: boolean;
  /** How long to wait for another run's lock; 0 = fail at once (Terraform's default). */
  lockTimeoutMs: number;
  /** Recorded in the lock info ("plan", "apply", ...). */
  operation: string;
}

interface Persisted {
  /** The file's bytes (without the final newline) as last read, or the pieces last written, for change detection. */
  content: Buffer | StateText;
  serial: number;
  lineage: string;
}

const SKIPPED = Symbol("superseded by a later write");
/** The state file ends with a newline; the rendered pieces do not (the serial comparison is on them). */
const FINAL_NEWLINE = Buffer.from("\n");

export class StateStore {
  private persisted: Persisted | null = null;
  private readonly serializer = new StateSerializer();
  private loaded = false;
  /** Set when the file on disk could not be used: it must never be overwritten then. */
  private unreadable: StateError | undefined;
  /** The file's content when this run first read it; becomes `<state>.backup` on the first write. */
  private original: string | null = null;
  private backedUp = false;
  private writeCount = 0;
  private generation = 0;
  private tail: Promise<unknown> = Promise.resolve();
  private newest: Promise<StateFile> | undefined;
  private released = false;

  private constructor(
    /** The path as given. */
    readonly path: string,
    /** Where the bytes live: the path itself, or the target when the path is a symlink. */
    readonly target: string,
    private readonly lock: HeldLock | null,
  ) {}

  /** Opens (and by default locks) a state file. Creates nothing on disk until the first write. */
  static async open(path: string, opts: OpenOptions): Promise<StateStore> {
    const target = resolveTarget(path);
    const lock = opts.lock ? await acquireLock(target, { timeoutMs: opts.lockTimeoutMs, operation: opts.operation, version: pmxformVersion() }) : null;
    // Checked before anything changes: the backup is written only at the run's first state save.
    try {
      refuseLink(`${target}.backup`, "the state backup");
    } catch (e) {
      await lock?.release();
      throw e;
    }
    return new StateStore(resolve(path), target, lock);
  }

  /** The lock ID this run holds (what `force-unlock` would need), if locked. */
  get lockId(): string | undefined {
    return this.lock?.info.id;
  }

  /** How many times the file was actually written by this store. */
  get writes(): number {
    return this.writeCount;
  }

  /**
   * Reads and validates the state; null when there is no state file yet. Throws StateError for a
   * file that cannot be trusted, after which `write` refuses to touch it.
   */
  read(): StateFile | null {
    try {
      const result = this.readChecked();
      this.unreadable = undefined;
      return result;
    } catch (err) {
      if (err instanceof StateError) this.unreadable = err;
      throw err;
    }
  }

  /**
   * Persists `state` when its content differs from what is on disk: the serial becomes the
   * persisted serial + 1 (also set on the object passed in) and the write is atomic. Concurrent
   * calls are serialised; a call overtaken by a newer one resolves when the newer one is on disk.
   */
  async write(state: StateFile): Promise<StateFile> {
    if (this.released) throw new Error("state store used after release");
    const gen = ++this.generation;
    const mine = (async (): Promise<StateFile | typeof SKIPPED> => {
      await this.tail;
      return gen === this.generation ? this.writeNow(state) : SKIPPED;
    })();
    this.tail = mine.catch(() => undefined);
    const result = mine.then((r) => (r === SKIPPED ? this.newest! : r));
    this.newest = result;
    return result;
  }

  /** Waits for pending writes, then releases the lock. Safe to call twice. */
  async release(): Promise<void> {
    if (this.released) return;
    this.released = true;
    await this.tail;
    await this.lock?.release();
  }

  private readChecked(): StateFile | null {
    let bytes: Buffer;
    try {
      const st = statSync(this.target);
      if (!st.isFile()) throw new StateError(`The state path ${this.path} is not a regular file. Point --state at a file.`, this.path);
      const mode = (st.mode & 0o777).toString(8).padStart(4, "0");
      if ((st.mode & 0o022) !== 0) {
        throw new StateError(
          `The state file ${this.path} can be written by ${st.mode & 0o002 ? "any user" : "its group"} (mode ${mode}), so someone else could change what pmxform manages. Restrict it with: chmod 600 ${this.target}`,
          this.path,
        );
      }
      // pmxform creates it 0600: wider read access means someone changed it, and the state maps the
      // infrastructure (and holds password digests), so it is refused like ssh refuses such keys.
      if ((st.mode & 0o044) !== 0) {
        throw new StateError(`The state file ${this.path} can be read by ${st.mode & 0o004 ? "any user" : "its group"} (mode ${mode}); pmxform keeps state files private to their owner. Restrict it with: chmod 600 ${this.target}`, this.path);
      }
      const uid = process.getuid?.();
      if (uid !== undefined && st.uid !== uid) {
        throw new StateError(
          `The state file ${this.path} belongs to uid ${st.uid}, not to the user running pmxform (uid ${uid}); another user could change what pmxform manages, and writing it would take it over. Run pmxform as its owner, or take it over deliberately with: chown ${uid} ${this.target}`,
          this.path,
        );
      }
      bytes = readFileSync(this.target);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw err;
      this.remember(null, null);
      return null;
    }
    const text = bytes.toString("utf8");
    const state = this.parse(text);
    const content = bytes.at(-1) === 0x0a ? bytes.subarray(0, -1) : bytes;
    this.remember(text, { content, serial: state.serial, lineage: state.lineage });
    return state;
  }

  private parse(text: string): StateFile {
    const restore = `The file was left untouched. If it was damaged, restore ${this.target}.backup (the state before the last run that changed it) after checking its content.`;
    if (text.trim() === "") throw new StateError(`The state file ${this.path} is empty (truncated?). ${restore}`, this.path);
    let data: unknown;
    try {
      data = JSON.parse(text);
    } catch (err) {
      throw new StateError(`The state file ${this.path} is not valid JSON (truncated or corrupted?): ${(err as Error).message}. ${restore}`, this.path);
    }
    const version = (data as { version?: unknown } | null)?.version;
    if (typeof version === "number" && version > STATE_VERSION) {
      const by = (data as { pmxform_version?: unknown }).pmxform_version;
      throw new StateError(
        `The state file ${this.path} uses state format version ${version}${typeof by === "string" ? ` (written by pmxform ${by})` : ""}; this pmxform (${pmxformVersion()}) reads version ${STATE_VERSION} only. Upgrade pmxform to use this state.`,
        this.path,
      );
    }
    const checked = validateStateFile(data);
    if ("problems" in checked) {
      throw new StateError(`The state file ${this.path} is not a valid pmxform state:\n  ${checked.problems.join("\n  ")}\n${restore}`, this.path);
    }
    return checked.state;
  }

  private remember(raw: string | null, persisted: Persisted | null): void {
    if (!this.loaded) this.original = raw;
    this.loaded = true;
    this.persisted = persisted;
  }

  private async writeNow(state: StateFile): Promise<StateFile> {
    if (this.unreadable) throw new StateError(`Refusing to overwrite ${this.path}: it could not be read (${this.unreadable.message.split("\n")[0]})`, this.path);
    const lost = this.lock?.compromised();
    if (lost) throw new StateError(`The state lock on ${this.path} was lost (${lost.message}); another run may be using the state. Nothing more was written; run plan again.`, this.path);
    if (!this.loaded) this.read();
    const prior = this.persisted;
    if (prior && prior.lineage !== state.lineage) {
      throw new Error(`bug: writing state lineage ${state.lineage} over ${this.path} which has lineage ${prior.lineage}`);
    }
    const priorSerial = prior?.serial ?? 0;
    const serial = priorSerial + 1;
    // Serialised once, with the next serial: a save of unchanged content differs from the file's
    // text only in the serial, and is skipped. Compared piece by piece with the last write (unchanged
    // resources reuse the same buffers), or as bytes after a read.
    const rendered = this.serializer.render(state, serial);
    let joined: Buffer | undefined;
    if (prior) {
      const before = prior.content;
      const byPieces = "pieces" in before ? samePiecesExceptSerial(rendered, before) : undefined;
      const unchanged = byPieces ?? sameExceptSerial((joined = joinPieces(rendered)), serial, "pieces" in before ? joinPieces(before) : before, priorSerial);
      if (unchanged) {
        state.serial = priorSerial;
        return state;
      }
    }
    if (!this.backedUp && this.original !== null) {
      await atomicWrite(`${this.target}.backup`, this.original, 0o600, "the state backup");
      this.backedUp = true;
    }
    await atomicWrite(this.target, [...(joined ? [joined] : rendered.pieces), FINAL_NEWLINE], 0o600);
    this.writeCount++;
    this.persisted = { content: rendered, serial, lineage: state.lineage };
    state.serial = serial;
    return state;
  }
}

/** Removes the lock on the state at `path` if its lock ID is `id` (`pmxform force-unlock`). */
export async function forceUnlock(path: string, id: string): Promise<void> {
  forceUnlockTarget(resolveTarget(path), id);
}

/**
 * Whether two serialisations are equal but for their serial. The top-level serial is the first
 * `"serial": ` in the text: it precedes resources and outputs, and string values cannot contain
 * an unescaped quote.
 */
function sameExceptSerial(a: Buffer, serialA: number, b: Buffer, serialB: number): boolean {
  const ka = Buffer.from(`"serial": ${serialA},`);
  const kb = Buffer.from(`"serial": ${serialB},`);
  const ia = a.indexOf(ka);
  const ib = b.indexOf(kb);
  if (ia < 0 || ib < 0 || ia !== ib || a.length - ka.length !== b.length - kb.length) return false;
  return a.subarray(0, ia).equals(b.subarray(0, ib)) && a.subarray(ia + ka.length).equals(b.subarray(ib + kb.length));
}

/** Writes through a symlink to its target, so the link survives the rename. */
function resolveTarget(path: string): string {
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
 * an apply keeps starting and reaping Proxmox calls while they wait. Writes are serialised by
 * the store, so nothing else touches the file meanwhile. `content` may be a list of byte pieces,
 * written with one writev (the state's cached per-resource texts).
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
  const written = writevSync(fd, pieces as Buffer[]);
  if (written !== expected) throw new Error(`short write: ${written} of ${expected} bytes`);
}
