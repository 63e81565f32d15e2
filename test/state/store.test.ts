import { chmodSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { execa } from "execa";
import { StateError, StateLockedError, StateStore } from "../../src/state/store.js";
import { LocalBackend } from "../../src/state/backends/local.js";
import { dirname, join as joinPath } from "node:path";

/** force-unlock as the command does it: through the local backend, default workspace. */
const forceUnlock = (path: string, id: string) => new LocalBackend(path, joinPath(dirname(path), "pmxform.state.d")).forceUnlock("default", id);
import { newState, type StateFile, type StateResource } from "../../src/state/types.js";

let dir: string;
let statePath: string;
const open: StateStore[] = [];
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "pmx-state-"));
  statePath = join(dir, "pmxform.state.json");
});
afterEach(async () => {
  for (const s of open.splice(0)) await s.release();
  rmSync(dir, { recursive: true, force: true });
});

async function openStore(path = statePath, opts: Partial<Parameters<typeof StateStore.open>[1]> = {}): Promise<StateStore> {
  const s = await StateStore.open(path, { lock: true, lockTimeoutMs: 0, operation: "apply", ...opts });
  open.push(s);
  return s;
}

function resource(i: number): StateResource {
  return {
    address: `lxc_container.ct${i}`,
    type: "lxc_container",
    name: `ct${i}`,
    provider: "proxmox",
    attributes: { vmid: 100 + i, node: "pve1", hostname: `ct${i}`, cores: 2, memory: 1024, net0: "name=eth0,bridge=vmbr0,ip=dhcp", tags: ["a", "b"] },
    sensitive_attributes: [["password_sha256"]],
    dependencies: ["oci_image.base"],
  };
}

const readJson = (p: string): StateFile => JSON.parse(readFileSync(p, "utf8")) as StateFile;
const mode = (p: string): number => statSync(p).mode & 0o777;

describe("StateStore: reading and writing", () => {
  it("creates nothing until the first write, which makes serial 1 with mode 0600", async () => {
    const store = await openStore();
    expect(await store.read()).toBeNull();
    expect(existsSync(statePath)).toBe(false);
    const state = newState("0.1.0");
    state.resources.push(resource(1));
    const written = await store.write(state);
    expect(written.serial).toBe(1);
    expect(state.serial).toBe(1); // the caller's object follows the file
    const onDisk = readJson(statePath);
    expect(onDisk).toMatchObject({ version: 1, lineage: state.lineage, serial: 1 });
    expect(onDisk.resources[0]).toEqual(resource(1));
    expect(mode(statePath)).toBe(0o600);
    expect(existsSync(`${statePath}.backup`)).toBe(false); // nothing to back up from a new state
    expect(store.writes).toBe(1);
    expect(readFileSync(statePath, "utf8").endsWith("}\n")).toBe(true);
  });

  it("raises the serial only when the content changed", async () => {
    const store = await openStore();
    const state = newState("0.1.0");
    await store.write(state);
    await store.write(state);
    await store.write({ ...state, serial: 77 }); // a stale serial from the caller is not content
    expect(store.writes).toBe(1);
    expect(readJson(statePath).serial).toBe(1);
    state.outputs["x"] = { value: 1, sensitive: false };
    await store.write(state);
    expect(store.writes).toBe(2);
    expect(readJson(statePath).serial).toBe(2);
  });

  it("keeps the state as this run found it in .backup (0600), once per run", async () => {
    const first = await openStore();
    const s = newState("0.1.0");
    await first.write(s);
    await first.release();
    const originalText = readFileSync(statePath, "utf8");

    const second = await openStore();
    const state = (await second.read())!;
    state.resources.push(resource(1));
    await second.write(state);
    state.resources.push(resource(2));
    await second.write(state);
    expect(readFileSync(`${statePath}.backup`, "utf8")).toBe(originalText);
    expect(mode(`${statePath}.backup`)).toBe(0o600);
    expect(readJson(statePath).serial).toBe(3);
  });

  it("writes without an explicit read first, still comparing with the file on disk", async () => {
    const a = await openStore();
    const s = newState("0.1.0");
    await a.write(s);
    await a.release();
    const b = await openStore();
    await b.write(readJson(statePath));
    expect(b.writes).toBe(0);
  });

  it("serialises concurrent writes and lands the newest content", async () => {
    const store = await openStore();
    const base = newState("0.1.0");
    const snapshots = Array.from({ length: 20 }, (_, i) => ({ ...base, resources: Array.from({ length: i + 1 }, (_, k) => resource(k)) }));
    const results = await Promise.all(snapshots.map((s) => store.write(s)));
    const onDisk = readJson(statePath);
    expect(onDisk.resources).toHaveLength(20);
    expect(store.writes).toBeGreaterThanOrEqual(1);
    expect(store.writes).toBeLessThanOrEqual(20);
    expect(onDisk.serial).toBe(store.writes);
    expect(results.at(-1)!.resources).toHaveLength(20);
  });

  it("keeps fields it does not know about", async () => {
    const store = await openStore();
    await store.write(newState("0.1.0"));
    await store.release();
    const raw = readJson(statePath) as StateFile & { future?: unknown };
    raw.future = { keep: true };
    raw.resources.push({ ...resource(3), extra: 1 } as StateResource);
    writeFileSync(statePath, JSON.stringify(raw), { mode: 0o600 });
    const again = await openStore();
    const state = (await again.read())!;
    state.outputs["o"] = { value: "v", sensitive: false };
    await again.write(state);
    const out = readJson(statePath) as StateFile & { future?: unknown };
    expect(out.future).toEqual({ keep: true });
    expect((out.resources[0] as StateResource & { extra?: number }).extra).toBe(1);
  });

  it("writes through a symlink to its target and leaves the link in place", async () => {
    const real = join(dir, "elsewhere");
    mkdirSync(real);
    const target = join(real, "state.json");
    symlinkSync(target, statePath); // dangling until the first write
    const store = await openStore();
    expect(await store.read()).toBeNull();
    await store.write(newState("0.1.0"));
    expect(lstatSync(statePath).isSymbolicLink()).toBe(true);
    expect(readJson(target).serial).toBe(1);
    expect(existsSync(`${target}.lock`)).toBe(true); // the lock is on the real file
  });

  it("writes a 5,000-resource state once per changed content (its speed is a benchmark: npm run bench)", async () => {
    const store = await openStore();
    const state = newState("0.1.0");
    for (let i = 0; i < 5000; i++) state.resources.push(resource(i));
    await store.write(state);
    for (let round = 0; round < 3; round++) {
      state.outputs["round"] = { value: round, sensitive: false };
      await store.write(state);
      await store.write(state);
    }
    expect(readJson(statePath).resources).toHaveLength(5000);
    expect(store.writes).toBe(4);
  });

  it("tells a nested attribute called serial from the state's own serial", async () => {
    const store = await openStore();
    const state = newState("0.1.0");
    state.resources.push({ ...resource(1), attributes: { serial: 1, note: '"serial": 1,' } });
    await store.write(state);
    await store.write(state);
    expect(store.writes).toBe(1);
    state.resources[0]!.attributes["serial"] = 2;
    await store.write(state);
    expect(store.writes).toBe(2);
    expect(readJson(statePath)).toMatchObject({ serial: 2, resources: [{ attributes: { serial: 2 } }] });
  });

  it("refuses a state of another lineage (a caller bug)", async () => {
    const store = await openStore();
    await store.write(newState("0.1.0"));
    await expect(store.write(newState("0.1.0"))).rejects.toThrow(/lineage/);
  });
});

describe("StateStore: refusing files it cannot trust", () => {
  const cases: [string, string | (() => void), RegExp][] = [
    ["a truncated file", '{"version": 1, "pmxform_version": "0.1.0", "lineage": "x", "ser', /not valid JSON at line 1, column \d+: truncated or corrupted\?/],
    ["an empty file", "", /is empty/],
    [
      "a newer format",
      JSON.stringify({ version: 2, pmxform_version: "9.0.0", lineage: "x", serial: 1, resources: [], outputs: {} }),
      /format version 2 \(written by pmxform 9\.0\.0\).*Upgrade pmxform/,
    ],
    [
      "a wrong shape",
      JSON.stringify({ version: 1, pmxform_version: "0.1.0", lineage: "x", serial: -1, resources: [{ address: "a" }], outputs: {} }),
      /not a valid pmxform state:\n {2}serial: .*\n {2}resources\.0\.type/,
    ],
  ];
  for (const [what, content, message] of cases) {
    it(`refuses ${what} and never overwrites it`, async () => {
      writeFileSync(statePath, content as string, { mode: 0o600 });
      const store = await openStore();
      await expect(store.read()).rejects.toThrow(StateError);
      await expect(store.read()).rejects.toThrow(message);
      await expect(store.write(newState("0.1.0"))).rejects.toThrow(/Refusing to overwrite/);
      expect(readFileSync(statePath, "utf8")).toBe(content);
    });
  }

  it("refuses a group- or world-writable state file and says how to fix it", async () => {
    writeFileSync(statePath, JSON.stringify(newState("0.1.0")));
    chmodSync(statePath, 0o666);
    const store = await openStore();
    await expect(store.read()).rejects.toThrow(/can be written by any user \(mode 0666\).*chmod 600/);
    chmodSync(statePath, 0o620);
    await expect(store.read()).rejects.toThrow(/can be written by its group/);
    chmodSync(statePath, 0o600);
    expect((await store.read())?.version).toBe(1);
  });

  it("says so when the state directory does not exist", async () => {
    await expect(StateStore.open(join(dir, "missing", "s.json"), { lock: true, lockTimeoutMs: 0, operation: "plan" })).rejects.toThrow(/directory .* does not exist/);
  });
});

describe("StateStore: locking", () => {
  it("blocks a second run and names the holder, with the force-unlock hint", async () => {
    const holder = await openStore(statePath, { operation: "apply" });
    const err = await openStore(statePath, { operation: "plan" }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StateLockedError);
    const e = err as StateLockedError;
    expect(e.name).toBe("StateLockedError");
    expect(e.message).toMatch(/^Error acquiring the state lock\n/);
    expect(e.message).toContain(`ID:        ${holder.lockId}`);
    expect(e.message).toContain("Operation: apply");
    expect(e.message).toMatch(/Who: {7}\S+@\S+ \(pid \d+\)/);
    expect(e.message).toMatch(/Created: {3}\d{4}-\d\d-\d\dT/);
    expect(e.message).toContain(`pmxform force-unlock ${holder.lockId}`);
    expect(e.holder?.id).toBe(holder.lockId);
    const info = JSON.parse(readFileSync(`${statePath}.lock.info`, "utf8")) as Record<string, unknown>;
    expect(info).toMatchObject({ id: holder.lockId, pid: process.pid, operation: "apply" });
  });

  it("waits up to the lock timeout for the holder to release", async () => {
    const holder = await openStore();
    setTimeout(() => void holder.release(), 300);
    const t0 = Date.now();
    const second = await openStore(statePath, { lockTimeoutMs: 5000 });
    expect(Date.now() - t0).toBeGreaterThanOrEqual(250);
    expect(second.lockId).toBeDefined();
    expect(readFileSync(`${statePath}.lock.info`, "utf8")).toContain(second.lockId!);
  });

  it("gives up after the lock timeout", async () => {
    await openStore();
    const t0 = Date.now();
    await expect(openStore(statePath, { lockTimeoutMs: 400 })).rejects.toBeInstanceOf(StateLockedError);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(380);
  });

  it("removes its lock and info on release", async () => {
    const s = await openStore();
    await s.release();
    expect(existsSync(`${statePath}.lock`)).toBe(false);
    expect(existsSync(`${statePath}.lock.info`)).toBe(false);
  });

  it("blocks across processes: a lock held by another process stops this one", async () => {
    const script = `
      import lockfile from "proper-lockfile";
      await lockfile.lock(process.argv[1], { lockfilePath: process.argv[1] + ".lock", realpath: false });
      console.log("locked");
      setTimeout(() => {}, 30000);`;
    const child = execa("node", ["--input-type=module", "-e", script, statePath], { cwd: process.cwd(), reject: false });
    await new Promise<void>((resolve) => child.stdout.on("data", () => resolve()));
    try {
      await expect(openStore(statePath, { lockTimeoutMs: 0 })).rejects.toBeInstanceOf(StateLockedError);
    } finally {
      child.kill("SIGKILL");
      await child;
    }
  });

  it("explains a lock whose holder died, and takes it over once stale", async () => {
    const dead = await execa("node", ["-e", "console.log(process.pid)"]);
    const deadPid = Number(dead.stdout.trim());
    mkdirSync(`${statePath}.lock`);
    const info = {
      id: "11111111-2222-3333-4444-555555555555",
      path: statePath,
      operation: "apply",
      who: `x@${(await import("node:os")).hostname()}`,
      user: "x",
      host: (await import("node:os")).hostname(),
      pid: deadPid,
      version: "0.1.0",
      created: new Date().toISOString(),
    };
    writeFileSync(`${statePath}.lock.info`, JSON.stringify(info));
    const err = (await openStore().catch((e: unknown) => e)) as StateLockedError;
    expect(err).toBeInstanceOf(StateLockedError);
    expect(err.message).toContain(`(pid ${deadPid}) is no longer running`);
    // A lock not refreshed for longer than the stale period is taken over.
    const old = new Date(Date.now() - 60_000);
    utimesSync(`${statePath}.lock`, old, old);
    const store = await openStore();
    expect(store.lockId).not.toBe(info.id);
  });

  it("force-unlock checks the ID, then removes the lock", async () => {
    const holder = await openStore();
    await expect(forceUnlock(statePath, "not-the-id")).rejects.toThrow(new RegExp(`has ID ${holder.lockId}, not not-the-id`));
    expect(existsSync(`${statePath}.lock`)).toBe(true);
    await forceUnlock(statePath, holder.lockId!);
    expect(existsSync(`${statePath}.lock`)).toBe(false);
    expect(existsSync(`${statePath}.lock.info`)).toBe(false);
    const next = await openStore();
    expect(next.lockId).toBeDefined();
    await holder.release(); // the old holder's release must not remove the new holder's lock info
    expect((JSON.parse(readFileSync(`${statePath}.lock.info`, "utf8")) as { id: unknown }).id).toBe(next.lockId);
  });

  it("force-unlock says when there is no lock", async () => {
    await expect(forceUnlock(statePath, "x")).rejects.toThrow(/No lock is held/);
  });

  it("read-only opens take no lock", async () => {
    await openStore();
    const ro = await openStore(statePath, { lock: false });
    expect(ro.lockId).toBeUndefined();
    expect(await ro.read()).toBeNull();
  });
});
