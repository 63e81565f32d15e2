// One workspace's state as a run uses it, over any backend (backends/types.ts): locked for the
// whole run (shared for plan, exclusive for anything that writes), decrypted and validated on
// read, encrypted and saved as a compare-and-swap on every write. The local file is a backend like
// the others, so this is the one code path. When the backend cannot be written (PostgreSQL gone,
// cluster without quorum), the state is kept in `errored.pmxform.state.json` instead and the run
// reports it with the command that pushes it back. See docs/state-and-plan-files.md.

import { resolve } from "node:path";
import { jsonErrorRange } from "./json-error-at.js";
import { StateError } from "./errors.js";
import { newLockInfo } from "./lock.js";
import type { LockInfo } from "./lock-info.js";
import { refuseLink } from "./no-follow.js";
import { validateStateFile } from "./schema.js";
import { StateSerializer, joinPieces, samePiecesExceptSerial, type StateText } from "./serialize.js";
import { STATE_VERSION, type StateFile } from "./types.js";
import { pmxformVersion } from "./version.js";
import { DEFAULT_WORKSPACE, LocalBackend, atomicWrite, resolveTarget } from "./backends/local.js";
import { StateConflictError, type BackendLock, type LockMode, type StateBackend } from "./backends/types.js";
import { EncryptionError, isEnvelope, type Encryptor } from "./encryption.js";

export { StateError, StateLockedError } from "./errors.js";
export { atomicWrite } from "./backends/local.js";

/** Where a failed final save leaves the state (in the working directory), as Terraform's errored.tfstate. */
export const ERRORED_STATE_FILE = "errored.pmxform.state.json";

export interface OpenOptions {
  /** false only for read-only commands (show, output, state list) and tests. */
  lock: boolean;
  /** How long to wait for another run's lock; 0 = fail at once (Terraform's default). */
  lockTimeoutMs: number;
  /** Recorded in the lock info ("plan", "apply", ...). */
  operation: string;
  /** plan: "shared" (readers do not block readers); default "exclusive". */
  mode?: LockMode;
  /** The workspace (default "default"). */
  workspace?: string;
  /** Encrypts and decrypts the stored bytes (the encryption block). */
  encryption?: Encryptor;
  /** Where errored.pmxform.state.json goes when the backend cannot be written (default: the working directory). */
  erroredDir?: string;
  /** Close the backend on release (the store was handed a backend of its own). */
  closeBackend?: boolean;
}

interface Persisted {
  /** The plaintext (without the final newline) as last read, or the pieces last written, for change detection. */
  content: Buffer | StateText;
  serial: number;
  lineage: string;
}

const SKIPPED = Symbol("superseded by a later write");
/** The state ends with a newline; the rendered pieces do not (the serial comparison is on them). */
const FINAL_NEWLINE = Buffer.from("\n");

export class StateStore {
  private persisted: Persisted | null = null;
  private readonly serializer = new StateSerializer();
  private loaded = false;
  /** Set when the stored state could not be used: it must never be overwritten then. */
  private unreadable: StateError | EncryptionError | undefined;
  private writeCount = 0;
  private generation = 0;
  private tail: Promise<unknown> = Promise.resolve();
  private newest: Promise<StateFile> | undefined;
  private released = false;
  /** Set once the backend refused a write: from then on the state goes to the errored file only. */
  private erroredWith: Error | undefined;
  private erroredFile: string | undefined;
  /** The stored state was read through the encryption fallback: the next save rewrites it even if unchanged. */
  private reencode = false;

  private constructor(
    /** For messages: the local file, or "pg (...), workspace W". */
    readonly path: string,
    readonly backend: StateBackend,
    readonly workspace: string,
    private readonly lock: BackendLock | null,
    private readonly opts: OpenOptions,
  ) {}

  /** Opens (and by default locks) a local state file, default workspace. Creates nothing until the first write. */
  static async open(path: string, opts: OpenOptions): Promise<StateStore> {
    const abs = resolve(path);
    return StateStore.openBackend(new LocalBackend(abs, resolve(abs, "..", "pmxform.state.d")), { ...opts, closeBackend: true });
  }

  /** Opens (and by default locks) a workspace of a backend. */
  static async openBackend(backend: StateBackend, opts: OpenOptions): Promise<StateStore> {
    const workspace = opts.workspace ?? DEFAULT_WORKSPACE;
    const path = backend instanceof LocalBackend ? backend.pathOf(workspace) : `${backend.description}, workspace ${workspace}`;
    let lock: BackendLock | null = null;
    try {
      // Checked before anything changes: the backup is written only at the run's first state save.
      if (backend instanceof LocalBackend) refuseLink(`${backend.targetOf(workspace)}.backup`, "the state backup");
      if (opts.lock) lock = await backend.lock(workspace, opts.mode ?? "exclusive", newLockInfo(path, opts.operation, pmxformVersion()), opts.lockTimeoutMs);
    } catch (e) {
      if (opts.closeBackend) await backend.close();
      throw e;
    }
    return new StateStore(path, backend, workspace, lock, opts);
  }

  /** The lock ID this run holds (what `force-unlock` would need), if locked. */
  get lockId(): string | undefined {
    return this.lock?.info.id;
  }

  get lockMode(): LockMode | undefined {
    return this.lock?.mode;
  }

  /** Runs that died holding this state's lock, found when this run took it. */
  get abandonedLocks(): readonly LockInfo[] {
    return this.lock?.abandoned ?? [];
  }

  /** Where the local file's bytes live (a symlinked path's target); the description for other backends. */
  get target(): string {
    return this.backend instanceof LocalBackend ? resolveTarget(this.backend.pathOf(this.workspace)) : this.path;
  }

  /** How many times the state was actually written to the backend by this store. */
  get writes(): number {
    return this.writeCount;
  }

  /** Set when a write to the backend failed: the file holding the state instead, and why. */
  get errored(): { file: string; error: Error } | undefined {
    return this.erroredFile && this.erroredWith ? { file: this.erroredFile, error: this.erroredWith } : undefined;
  }

  /**
   * Reads and validates the state; null when there is none yet. Throws StateError (or
   * EncryptionError) for a state that cannot be trusted, after which `write` refuses to touch it.
   */
  async read(): Promise<StateFile | null> {
    try {
      const result = await this.readChecked();
      this.unreadable = undefined;
      return result;
    } catch (err) {
      if (err instanceof StateError || err instanceof EncryptionError) this.unreadable = err;
      throw err;
    }
  }

  /** The stored bytes, decrypted (state pull), or null. */
  async readPlain(): Promise<Buffer | null> {
    const stored = await this.backend.read(this.workspace);
    return stored === null ? null : this.decode(stored);
  }

  private async decode(stored: Buffer): Promise<Buffer> {
    if (this.opts.encryption) {
      const d = await this.opts.encryption.decodeWithSource(stored, `state in ${this.path}`);
      this.reencode = !d.primary;
      return d.plain;
    }
    if (isEnvelope(stored))
      throw new EncryptionError(
        `The state in ${this.path} is encrypted, but the configuration has no encryption block. Add the encryption block with the passphrase or key_file it was written with (docs/state-and-plan-files.md).`,
      );
    return stored;
  }

  /**
   * Persists `state` when its content differs from what is stored: the serial becomes the
   * persisted serial + 1 (also set on the object passed in) and the write is a compare-and-swap.
   * Concurrent calls are serialised; a call overtaken by a newer one resolves when the newer one is saved.
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

  /**
   * Replaces the stored state with `state` as given, serial included (state push, migration);
   * the backend refuses if the stored state changed since this store read it.
   */
  async replace(state: StateFile): Promise<void> {
    if (!this.loaded) await this.read();
    const prior = this.persisted;
    const rendered = this.serializer.render(state, state.serial);
    const plain = Buffer.concat([...rendered.pieces, FINAL_NEWLINE]);
    const bytes = this.opts.encryption ? await this.opts.encryption.encode(plain) : plain;
    await this.backend.write(this.workspace, bytes, prior ? { lineage: prior.lineage, serial: prior.serial } : null, { lineage: state.lineage, serial: state.serial });
    this.writeCount++;
    this.reencode = false;
    this.persisted = { content: rendered, serial: state.serial, lineage: state.lineage };
  }

  /** Waits for pending writes, then releases the lock. Safe to call twice. */
  async release(): Promise<void> {
    if (this.released) return;
    this.released = true;
    await this.tail;
    await this.lock?.release().catch(() => undefined);
    if (this.opts.closeBackend) await this.backend.close();
  }

  private async readChecked(): Promise<StateFile | null> {
    const stored = await this.backend.read(this.workspace);
    if (stored === null) {
      this.remember(null);
      return null;
    }
    const bytes = await this.decode(stored);
    const state = this.parse(bytes.toString("utf8"));
    const content = bytes.at(-1) === 0x0a ? bytes.subarray(0, -1) : bytes;
    this.remember({ content, serial: state.serial, lineage: state.lineage });
    return state;
  }

  private parse(text: string): StateFile {
    const restore =
      this.backend instanceof LocalBackend
        ? `The file was left untouched. If it was damaged, restore ${this.target}.backup (the state before the last run that changed it) after checking its content.`
        : "The stored state was left untouched. If it was damaged, push a good copy with pmxform state push FILE.";
    if (text.trim() === "") throw new StateError(`The state ${this.path} is empty (truncated?). ${restore}`, this.path);
    let data: unknown;
    try {
      data = JSON.parse(text);
    } catch (err) {
      const at = this.backend instanceof LocalBackend ? jsonErrorRange(this.path, text) : undefined;
      // The parser's own text quotes the damaged lines (newlines and all): the position says more.
      const what = at ? `at line ${at.start.line}, column ${at.start.column}` : `(${(err as Error).message})`;
      throw new StateError(`The state ${this.path} is not valid JSON ${what}: truncated or corrupted? ${restore}`, this.path, at);
    }
    const version = (data as { version?: unknown } | null)?.version;
    if (typeof version === "number" && version > STATE_VERSION) {
      const by = (data as { pmxform_version?: unknown }).pmxform_version;
      throw new StateError(
        `The state ${this.path} uses state format version ${version}${typeof by === "string" ? ` (written by pmxform ${by})` : ""}; this pmxform (${pmxformVersion()}) reads version ${STATE_VERSION} only. Upgrade pmxform to use this state.`,
        this.path,
      );
    }
    const checked = validateStateFile(data);
    if ("problems" in checked) {
      throw new StateError(`The state ${this.path} is not a valid pmxform state:\n  ${checked.problems.join("\n  ")}\n${restore}`, this.path);
    }
    return checked.state;
  }

  private remember(persisted: Persisted | null): void {
    this.loaded = true;
    this.persisted = persisted;
  }

  private async writeNow(state: StateFile): Promise<StateFile> {
    if (this.unreadable)
      throw new StateError(
        `Refusing to overwrite ${this.path}: it could not be read (${this.unreadable.message.split("\n")[0]}). Repair or restore it as that message says, then run again.`,
        this.path,
      );
    const lost = this.lock?.lost();
    if (lost && this.backend instanceof LocalBackend)
      throw new StateError(`The state lock on ${this.path} was lost (${lost.message}); another run may be using the state. Nothing more was written; run plan again.`, this.path);
    // A remote lock is lost with its connection (the server went away): the backend is not written
    // without it, and the state goes to the errored file instead, so nothing is forgotten.
    if (lost) this.erroredWith ??= new StateError(`The state lock on ${this.path} was lost (${lost.message})`, this.path);
    if (this.lock?.mode === "shared") throw new Error(`bug: writing the state ${this.path} under a shared lock`);
    if (!this.loaded) await this.read();
    const prior = this.persisted;
    if (prior && prior.lineage !== state.lineage) {
      throw new Error(`bug: writing state lineage ${state.lineage} over ${this.path} which has lineage ${prior.lineage}`);
    }
    const priorSerial = prior?.serial ?? 0;
    const serial = priorSerial + 1;
    // Serialised once, with the next serial: a save of unchanged content differs from the stored
    // text only in the serial, and is skipped. Compared piece by piece with the last write
    // (unchanged resources reuse the same buffers), or as bytes after a read.
    const rendered = this.serializer.render(state, serial);
    let joined: Buffer | undefined;
    if (prior) {
      const before = prior.content;
      const byPieces = "pieces" in before ? samePiecesExceptSerial(rendered, before) : undefined;
      const unchanged = byPieces ?? sameExceptSerial((joined = joinPieces(rendered)), serial, "pieces" in before ? joinPieces(before) : before, priorSerial);
      if (unchanged && !this.reencode) {
        state.serial = priorSerial;
        return state;
      }
    }
    const plain = Buffer.concat([joined ?? joinPieces(rendered), FINAL_NEWLINE]);
    const bytes = this.opts.encryption ? await this.opts.encryption.encode(plain) : plain;
    if (!this.erroredWith) {
      try {
        await this.backend.write(this.workspace, bytes, prior ? { lineage: prior.lineage, serial: prior.serial } : null, { lineage: state.lineage, serial });
        this.writeCount++;
        this.reencode = false;
      } catch (err) {
        // A conflict means someone else's update is there: never overwritten, and not a failure of
        // the backend. A local file that cannot be written fails the save as it always did.
        if (err instanceof StateConflictError || this.backend instanceof LocalBackend) throw err;
        this.erroredWith = err as Error;
      }
    }
    if (this.erroredWith) await this.writeErrored(bytes);
    this.persisted = { content: rendered, serial, lineage: state.lineage };
    state.serial = serial;
    return state;
  }

  /** Keeps the state the backend refused in errored.pmxform.state.json, so nothing created is forgotten. */
  private async writeErrored(bytes: Buffer): Promise<void> {
    const file = resolve(this.opts.erroredDir ?? process.cwd(), ERRORED_STATE_FILE);
    await atomicWrite(file, [bytes], 0o600, "the errored state file");
    this.erroredFile = file;
  }
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
