// The local file as a StateBackend: Terraform's workspace layout, the compare-and-swap that
// refuses to overwrite a file someone else replaced, shared locks that do not block each other
// but do block (and are blocked by) an exclusive one, in this process and across processes, and
// the store's errored-state fallback when a remote backend refuses a write.
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { LocalBackend } from "../../src/state/backends/local.js";
import { StateConflictError, type BackendLock, type LockMode, type StateBackend, type StateVersion } from "../../src/state/backends/types.js";
import { StateError, StateLockedError } from "../../src/state/errors.js";
import { newLockInfo } from "../../src/state/lock.js";
import type { LockInfo } from "../../src/state/lock-info.js";
import { ERRORED_STATE_FILE, StateStore } from "../../src/state/store.js";
import { Encryptor } from "../../src/state/encryption.js";
import { newState } from "../../src/state/types.js";

let dir: string;
let backend: LocalBackend;
const info = (op: string) => newLockInfo("test", op, "test");

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "pmx-local-backend-"));
  backend = new LocalBackend(join(dir, "pmxform.state.json"), join(dir, "pmxform.state.d"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe("LocalBackend", () => {
  it("lays workspaces out as Terraform does and lists them", async () => {
    await backend.write("default", Buffer.from("{}\n"), null, { lineage: "L", serial: 1 });
    await backend.write("dev", Buffer.from("{}\n"), null, { lineage: "M", serial: 1 });
    expect(existsSync(join(dir, "pmxform.state.json"))).toBe(true);
    expect(existsSync(join(dir, "pmxform.state.d/dev/pmxform.state.json"))).toBe(true);
    expect(await backend.workspaces()).toEqual(["default", "dev"]);
    await backend.deleteWorkspace("dev");
    expect(await backend.workspaces()).toEqual(["default"]);
    await expect(backend.deleteWorkspace("default")).rejects.toThrow(StateError);
  });

  it("refuses to overwrite a file replaced by someone else since it was read (compare-and-swap)", async () => {
    const state = JSON.stringify({ ...newState("t"), lineage: "L", serial: 3 });
    writeFileSync(join(dir, "pmxform.state.json"), state, { mode: 0o600 });
    await backend.read("default");
    // Another run that bypassed the lock renames a new file into place.
    const other = new LocalBackend(join(dir, "pmxform.state.json"), join(dir, "pmxform.state.d"));
    await other.read("default");
    await other.write("default", Buffer.from(JSON.stringify({ ...newState("t"), lineage: "L", serial: 4 })), { lineage: "L", serial: 3 }, { lineage: "L", serial: 4 });
    const err = await backend.write("default", Buffer.from("{}"), { lineage: "L", serial: 3 }, { lineage: "L", serial: 4 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StateConflictError);
    expect((err as StateConflictError).found).toEqual({ lineage: "L", serial: 4 });
    expect((JSON.parse(readFileSync(join(dir, "pmxform.state.json"), "utf8")) as { serial: number }).serial).toBe(4);
    // A file that appeared where none was expected is someone's state too.
    const fresh = new LocalBackend(join(dir, "x.json"), join(dir, "x.d"));
    expect(await fresh.read("default")).toBeNull();
    writeFileSync(join(dir, "x.json"), "{}", { mode: 0o600 });
    await expect(fresh.write("default", Buffer.from("{}"), null, { lineage: "L", serial: 1 })).rejects.toBeInstanceOf(StateConflictError);
  });

  it("shared locks do not block each other; an exclusive one waits for them and blocks new ones", async () => {
    const r1 = await backend.lock("default", "shared", info("plan"), 0);
    const r2 = await backend.lock("default", "shared", info("plan"), 0);
    const blocked = await backend.lock("default", "exclusive", info("apply"), 0).catch((e: unknown) => e);
    expect(blocked).toBeInstanceOf(StateLockedError);
    expect((blocked as StateLockedError).holder?.operation).toBe("plan");
    // The writer waits (lock timeout) until both readers are done.
    const writer = backend.lock("default", "exclusive", info("apply"), 5000);
    await new Promise((r) => setTimeout(r, 300));
    await r1.release();
    await new Promise((r) => setTimeout(r, 300));
    await r2.release();
    const w = await writer;
    const reader = await backend.lock("default", "shared", info("plan"), 0).catch((e: unknown) => e);
    expect(reader).toBeInstanceOf(StateLockedError);
    expect((reader as StateLockedError).holder?.operation).toBe("apply");
    await w.release();
    const again = await backend.lock("default", "shared", info("plan"), 0);
    await again.release();
    expect(existsSync(join(dir, "pmxform.state.json.lock.readers"))).toBe(false);
  });

  it("locks are per workspace", async () => {
    const a = await backend.lock("default", "exclusive", info("apply"), 0);
    const b = await backend.lock("dev", "exclusive", info("apply"), 0);
    await a.release();
    await b.release();
  });

  it("force-unlock removes a reader's registration by its ID", async () => {
    const r = await backend.lock("default", "shared", info("plan"), 0);
    await backend.forceUnlock("default", r.info.id);
    expect(r.lost()).toBeInstanceOf(Error);
    const w = await backend.lock("default", "exclusive", info("apply"), 0);
    await w.release();
    await r.release();
  });

  it("many readers in other processes run at once; a writer in between gets the state alone", async () => {
    const store = new URL("../../src/state/backends/local.ts", import.meta.url).pathname;
    const lockTs = new URL("../../src/state/lock.ts", import.meta.url).pathname;
    const script = `
import { LocalBackend } from ${JSON.stringify(store)};
import { newLockInfo } from ${JSON.stringify(lockTs)};
import { appendFileSync } from "node:fs";
const [path, mode, log] = process.argv.slice(2);
const b = new LocalBackend(path, path + ".d");
const l = await b.lock("default", mode, newLockInfo("x", mode, "t"), 30000);
appendFileSync(log, "start " + mode + "\\n");
await new Promise((r) => setTimeout(r, 400));
appendFileSync(log, "end " + mode + "\\n");
await l.release();
`;
    writeFileSync(join(dir, "holder.mts"), script);
    const log = join(dir, "log");
    writeFileSync(log, "");
    const runOne = (mode: LockMode) =>
      new Promise<number>((resolve) =>
        spawn(process.execPath, ["--import", "tsx", join(dir, "holder.mts"), join(dir, "pmxform.state.json"), mode, log], { stdio: "ignore", cwd: process.cwd() }).on("exit", (c) => resolve(c ?? -1)),
      );
    const codes = await Promise.all([runOne("shared"), runOne("shared"), runOne("exclusive"), runOne("shared"), runOne("exclusive")]);
    expect(codes).toEqual([0, 0, 0, 0, 0]);
    // Replay the log: an exclusive holder is never alongside anyone.
    let readers = 0;
    let writers = 0;
    for (const line of readFileSync(log, "utf8").trim().split("\n")) {
      const [what, mode] = line.split(" ");
      const d = what === "start" ? 1 : -1;
      if (mode === "shared") readers += d;
      else writers += d;
      expect(writers === 0 || (writers === 1 && readers === 0), line).toBe(true);
    }
  }, 60_000);
});

/** A backend that fails writes on demand, as a PostgreSQL server that went away. */
class FlakyBackend implements StateBackend {
  readonly description = "flaky (test)";
  readonly stored = new Map<string, Buffer>();
  failing = false;
  async read(ws: string): Promise<Buffer | null> {
    return this.stored.get(ws) ?? null;
  }
  async write(ws: string, bytes: Buffer, _expected: StateVersion | null, _next: StateVersion): Promise<void> {
    if (this.failing) throw new StateError("the server closed the connection", "flaky");
    this.stored.set(ws, bytes);
  }
  async lock(_ws: string, mode: LockMode, i: LockInfo): Promise<BackendLock> {
    return { info: i, mode, lost: () => undefined, release: async () => undefined };
  }
  async forceUnlock(): Promise<void> {}
  async workspaces(): Promise<string[]> {
    return [...this.stored.keys()];
  }
  async deleteWorkspace(): Promise<void> {}
  async close(): Promise<void> {}
}

describe("StateStore over a backend that stops accepting writes", () => {
  it("keeps every later save in errored.pmxform.state.json (encrypted like the state), and says so", async () => {
    const b = new FlakyBackend();
    const enc = new Encryptor({ primary: { passphrase: "a passphrase of some length" }, enforced: true });
    const store = await StateStore.openBackend(b, { lock: true, lockTimeoutMs: 0, operation: "apply", encryption: enc, erroredDir: dir });
    const state = (await store.read()) ?? newState("t");
    state.outputs = { one: { value: 1, sensitive: false } };
    await store.write(state);
    expect(store.errored).toBeUndefined();
    b.failing = true;
    state.outputs = { one: { value: 1, sensitive: false }, two: { value: 2, sensitive: false } };
    await store.write(state);
    state.outputs = { ...state.outputs, three: { value: 3, sensitive: false } };
    await store.write(state);
    expect(store.errored?.file).toBe(join(dir, ERRORED_STATE_FILE));
    expect(store.errored?.error.message).toMatch(/closed the connection/);
    const errored = readFileSync(join(dir, ERRORED_STATE_FILE));
    expect(errored.toString()).not.toContain("three");
    const plain = JSON.parse((await enc.decode(errored, "errored")).toString()) as { serial: number; outputs: Record<string, unknown> };
    expect(Object.keys(plain.outputs)).toEqual(["one", "two", "three"]);
    expect(plain.serial).toBe(3);
    // The backend kept its last good state.
    const kept = JSON.parse((await enc.decode(b.stored.get("default")!, "kept")).toString()) as { serial: number };
    expect(kept.serial).toBe(1);
    await store.release();
  });
});
