// The pve state backend with the real runner against the simulator's pmxcfs (src/sim cfs-*.ts):
// a 5,000-resource state through chunks, readers beside a writer never seeing a mix (random sizes
// and interleavings), quorum loss refusing writes and keeping the state, a SIGKILLed holder whose
// lease expires and who is named meanwhile, node failover, compare-and-swap, shared/exclusive
// leases, force-unlock and workspaces.
import { randomBytes, randomUUID } from "node:crypto";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SimRunner } from "../../src/exec/sim.js";
import { SshRunner } from "../../src/exec/ssh.js";
import { initSim, setCfsLockTimeout, setFaults, setQuorum, simMainPath } from "../../src/sim/index.js";
import { createPveBackend } from "../../src/state/backends/pve.js";
import type { StateBackend } from "../../src/state/backends/types.js";
import { StateError, StateLockedError } from "../../src/state/errors.js";
import type { LockInfo } from "../../src/state/lock-info.js";
import { freePort } from "../helpers/net.js";
import { prng } from "../helpers/prng.js";
import { expectCompareAndSwap, expectNoLostUpdate, expectSharedExcludesExclusive, lockInfo as info, spawnLockHolder, version as v } from "../helpers/backend-contract.js";

const simBuilt = existsSync(simMainPath());
/**
 * The simulator's lock expiry and the lease the backend assumes (PMXFORM_PVE_LEASE_S): short on the
 * cluster where tests watch leases expire, long elsewhere so a loaded machine's slow commands never
 * let a lease lapse where a test does not expect it.
 */
const LEASE_S = 8;
const LONG_LEASE_S = 60;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe.skipIf(!simBuilt)(`pve backend on the simulator${simBuilt ? "" : " (skipped: run npm run build)"}`, () => {
  let dir: string;
  /** The cluster of the expiry tests (its locks expire after LEASE_S). */
  let expDir: string;
  const saved = process.env["PMXFORM_PVE_LEASE_S"];
  const make = (simDir: string, leaseS: number, nodes: string[], extra: Partial<Parameters<typeof createPveBackend>[0]>): StateBackend => {
    process.env["PMXFORM_PVE_LEASE_S"] = String(leaseS);
    try {
      return createPveBackend({ nodes, runnerFor: (n) => new SimRunner(simDir, n), pveRootFor: () => resolve(simDir, "etc/pve"), ...extra });
    } finally {
      if (saved === undefined) delete process.env["PMXFORM_PVE_LEASE_S"];
      else process.env["PMXFORM_PVE_LEASE_S"] = saved;
    }
  };
  const backend = (nodes = ["pve1"], extra: Partial<Parameters<typeof createPveBackend>[0]> = {}) => make(dir, LONG_LEASE_S, nodes, extra);
  const expiring = (nodes = ["pve1"]) => make(expDir, LEASE_S, nodes, {});
  const wsDir = (ws: string, simDir = dir) => join(simDir, "etc/pve/priv/pmxform", ws);

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "pmx-pve-backend-"));
    initSim(dir, { nodes: ["pve1", "pve2"] });
    setCfsLockTimeout(dir, LONG_LEASE_S);
    expDir = mkdtempSync(join(tmpdir(), "pmx-pve-expiry-"));
    initSim(expDir, { nodes: ["pve1", "pve2"] });
    setCfsLockTimeout(expDir, LEASE_S);
  });
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
    rmSync(expDir, { recursive: true, force: true });
  });

  it("round-trips a state of 5,000 resources through chunks of at most 1 MiB, and removes the old chunks after the next swap", async () => {
    const rng = prng(5000);
    const resources = Array.from({ length: 5000 }, (_, i) => ({
      address: `lxc_container.ct${i}`,
      type: "lxc_container",
      name: `ct${i}`,
      provider: "proxmox",
      // incompressible, so the gzipped state still needs several chunks
      attributes: { vmid: 1000 + i, node: `pve${1 + (i % 2)}`, hostname: `ct-${i}`, description: randomBytes(300 + Math.floor(rng() * 200)).toString("base64") },
    }));
    const state = Buffer.from(JSON.stringify({ version: 1, serial: 1, lineage: "L", resources }, null, 2));
    const b = backend();
    await b.write("big", state, null, v(1));
    const chunks = readdirSync(wsDir("big")).filter((n) => n.startsWith("chunk."));
    expect(chunks.length).toBeGreaterThanOrEqual(3);
    for (const c of chunks) expect(statSync(join(wsDir("big"), c)).size).toBeLessThanOrEqual(1024 * 1024);
    const manifest = JSON.parse(readFileSync(join(wsDir("big"), "manifest.json"), "utf8")) as { chunks: string[]; serial: number };
    expect(manifest.chunks.sort()).toEqual(chunks.sort());
    const back = await backend(["pve2"]).read("big");
    expect(back!.equals(state)).toBe(true);
    expect((JSON.parse(back!.toString()) as { resources: unknown[] }).resources).toHaveLength(5000);
    await b.write("big", Buffer.from('{"small":true}'), v(1), v(2));
    expect(
      readdirSync(wsDir("big"))
        .filter((n) => n.startsWith("chunk."))
        .some((n) => chunks.includes(n)),
    ).toBe(false);
    expect((await b.read("big"))!.toString()).toBe('{"small":true}');
  }, 120_000);

  it("a reader beside a writer gets exactly one written state each time, never a mix, at random sizes and interleavings", async () => {
    const seed = Number(process.env["PMX_SEED"] ?? Date.now() % 100000);
    const rng = prng(seed);
    // Content is a pure function of the serial, so any mix of two versions is detectable.
    // Random bytes (not UTF-8, hardly compressible) of sizes that need one, two or three chunks.
    const sizes = Array.from({ length: 6 }, () => [2_000, 700_000, 1_400_000, 2_000_000][Math.floor(rng() * 4)]!);
    const content = (serial: number): Buffer => {
      const r = prng(seed * 100 + serial);
      const n = sizes[serial - 1]!;
      const body = Buffer.alloc(Math.ceil(n / 4) * 4);
      for (let i = 0; i < body.length; i += 4) body.writeUInt32LE(Math.floor(r() * 2 ** 32), i);
      return Buffer.concat([Buffer.from(`${serial}:`), body.subarray(0, n)]);
    };
    const writer = backend(["pve1"]);
    const readers = [backend(["pve2"]), backend(["pve1"])];
    let done = false;
    const seen: number[][] = readers.map(() => []);
    const readLoop = async (k: number) => {
      while (!done) {
        const got = await readers[k]!.read("mix");
        if (got) {
          const serial = Number(got.subarray(0, got.indexOf(":")).toString());
          expect(got.equals(content(serial)), `seed ${seed}: reader ${k} got a state that is not version ${serial}`).toBe(true);
          seen[k]!.push(serial);
        }
        await sleep(Math.floor(rng() * 150));
      }
    };
    const writeLoop = async () => {
      for (let s = 1; s <= sizes.length; s++) {
        await writer.write("mix", content(s), s === 1 ? null : v(s - 1), v(s));
        await sleep(Math.floor(rng() * 300));
      }
      done = true;
    };
    await Promise.all([writeLoop(), ...readers.map((_, k) => readLoop(k))]);
    for (const s of seen) expect(s, `seed ${seed}: serials went backwards`).toEqual([...s].sort((a, b) => a - b));
    expect(seen.flat().length).toBeGreaterThan(2);
    expect((await readers[0]!.read("mix"))!.equals(content(sizes.length))).toBe(true);
  }, 240_000);

  it("without quorum refuses the write and the lock with a clear message and keeps the old state; quorum back, writes work", async () => {
    const b = backend();
    await b.write("quorum", Buffer.from("before"), null, v(1));
    setQuorum(dir, false);
    try {
      const err = await b.write("quorum", Buffer.from("after"), v(1), v(2)).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(StateError);
      expect((err as Error).message).toMatch(
        /^The cluster has no quorum, so pve .* cannot be changed: node pve1 refused saving the state .*Nothing was changed and the state stays as it was\. Restore quorum/,
      );
      const lock = await b.lock("quorum", "exclusive", info("apply"), 500).catch((e: unknown) => e);
      expect((lock as Error).message).toMatch(/no quorum.*taking the state lock/);
      expect((await b.read("quorum"))!.toString()).toBe("before");
    } finally {
      setQuorum(dir, true);
    }
    await b.write("quorum", Buffer.from("after"), v(1), v(2));
    expect((await b.read("quorum"))!.toString()).toBe("after");
  }, 180_000);

  it("quorum lost between the chunks and the manifest swap: the write fails, the old state stays, its chunks are cleared", async () => {
    const b = backend();
    await b.write("midway", Buffer.from("old"), null, v(1));
    // The manifest's staging write is refused as pmxcfs would once quorum went away.
    setFaults(dir, [{ tool: "dd", argsRegex: "\\.manifest\\..*\\.tmp", exit: 1, stderr: "dd: failed to open 'manifest.tmp': Permission denied" }]);
    try {
      const err = await b.write("midway", Buffer.from("new"), v(1), v(2)).catch((e: unknown) => e);
      expect((err as Error).message).toMatch(/no quorum/);
    } finally {
      setFaults(dir, []);
    }
    expect((await b.read("midway"))!.toString()).toBe("old");
    expect(readdirSync(wsDir("midway")).filter((n) => n.startsWith("chunk."))).toHaveLength(1);
    expect(existsSync(join(dir, "etc/pve/priv/lock/pmxform-midway.w"))).toBe(false);
  }, 180_000);

  it("a CAS conflict raises StateConflictError and overwrites nothing; concurrent unlocked writers lose no update", async () => {
    await expectCompareAndSwap(backend(["pve1"]), backend(["pve2"]), "cas");
    await expectNoLostUpdate([backend(["pve1"]), backend(["pve2"]), backend(["pve1"])], "race", 3);
  }, 180_000);

  it("plans share the lock, apply waits for them and excludes everyone, and a blocked run is told who holds it", async () => {
    const [r1, w] = [backend(["pve1"]), backend(["pve1"])];
    const { held: x, blocked } = await expectSharedExcludesExclusive({ reader1: r1, reader2: backend(["pve2"]), writer: w }, "locks", 600, (err) => {
      expect(err.message).toContain("Mode:      shared");
      expect(existsSync(join(dir, "etc/pve/priv/lock/pmxform-locks")), "a refused apply reopens the gate").toBe(false);
    });
    expect((blocked as Error).message).toContain(`pmxform force-unlock ${x.info.id}`);
    expect((blocked as Error).message).toMatch(/Node: {6}pve1 .*\n {2}Lease: {5}last renewed .* s ago\); if its holder stopped, pmxcfs frees it 60 s after that renewal/);
    // the exclusive holder still writes (its own short write lock is another directory)
    await w.write("locks", Buffer.from("under lease"), null, v(1));
    await x.release();
    expect(readdirSync(join(dir, "etc/pve/priv/lock")).filter((n) => n.startsWith("pmxform-locks"))).toEqual([]);
    await (await r1.lock("locks", "shared", info("plan"), 0)).release();
  }, 240_000);

  it("a lease outlives the pmxcfs expiry while its heartbeat runs", async () => {
    const b = expiring();
    const held = await b.lock("beat", "exclusive", info("apply"), 0);
    await sleep(LEASE_S * 1000 * 2);
    expect(held.lost()).toBeUndefined();
    const other = await expiring(["pve2"])
      .lock("beat", "exclusive", info("apply", "bob@desk"), 300)
      .catch((e: unknown) => e);
    expect((other as StateLockedError).holder?.id).toBe(held.info.id);
    await held.release();
  }, 180_000);

  it("a SIGKILLed holder is named while its lease lasts, and pmxcfs's expiry then frees the lock", async () => {
    const id = randomUUID();
    const child = await spawnLockHolder(join(import.meta.dirname, "fixtures/pve-hold-lock.ts"), [expDir, "pve1", "killed", "exclusive", id], { ...process.env, PMXFORM_PVE_LEASE_S: String(LEASE_S) });
    const b = expiring(["pve2"]);
    child.kill("SIGKILL");
    const killedAt = Date.now();
    const err = await b.lock("killed", "exclusive", info("apply"), 200).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StateLockedError);
    expect((err as StateLockedError).holder).toMatchObject({ id, who: "child@test", operation: "apply" });
    expect((err as Error).message).toContain(`pmxform force-unlock ${id}`);
    const lock = await b.lock("killed", "exclusive", info("apply", "next@run"), 30_000);
    // not before the dead holder's last renewal had aged past the expiry
    expect(Date.now() - killedAt).toBeGreaterThan(1000);
    const holder = JSON.parse(readFileSync(join(wsDir("killed", expDir), "holder.json"), "utf8")) as { info: LockInfo; node: string };
    expect(holder.info.who).toBe("next@run");
    expect(holder.node).toBe("pve2");
    await lock.release();
  }, 180_000);

  it("an apply waits out a SIGKILLed plan's shared lease, then clears the plan's leftover record", async () => {
    const id = randomUUID();
    const child = await spawnLockHolder(join(import.meta.dirname, "fixtures/pve-hold-lock.ts"), [expDir, "pve1", "killed-plan", "shared", id], {
      ...process.env,
      PMXFORM_PVE_LEASE_S: String(LEASE_S),
    });
    child.kill("SIGKILL");
    const b = expiring(["pve2"]);
    const err = await b.lock("killed-plan", "exclusive", info("apply"), 200).catch((e: unknown) => e);
    expect((err as StateLockedError).holder).toMatchObject({ id, operation: "apply", who: "child@test" });
    expect((err as Error).message).toContain("Mode:      shared");
    const lock = await b.lock("killed-plan", "exclusive", info("apply", "next@run"), 60_000);
    expect(readdirSync(wsDir("killed-plan", expDir)).filter((n) => n.startsWith("holder.r-"))).toEqual([]);
    await lock.release();
  }, 180_000);

  it("force-unlock names the holders for an unknown ID, removes the right lock, and the old holder learns it lost it", async () => {
    const [holder, other] = [backend(["pve1"]), backend(["pve2"])];
    const held = await holder.lock("force", "exclusive", info("apply", "stuck@host"), 0);
    const missing = await other.forceUnlock("force", "no-such-id").catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(StateError);
    expect((missing as Error).message).toContain("No lock with ID no-such-id");
    expect((missing as Error).message).toContain(`ID:        ${held.info.id}`);
    expect((missing as Error).message).toContain("Who:       stuck@host");
    await other.forceUnlock("force", held.info.id);
    const mine = await other.lock("force", "exclusive", info("apply"), 2000);
    // its next heartbeat (every LONG_LEASE_S / 4) finds its holder record naming another run
    for (let i = 0; i < 160 && !held.lost(); i++) await sleep(250);
    expect(held.lost()?.message).toMatch(/lost: its holder record no longer names this run/);
    await held.release();
    // the old holder's release left the new holder's lock alone
    expect(existsSync(join(dir, "etc/pve/priv/lock/pmxform-force"))).toBe(true);
    await mine.release();
    expect(existsSync(join(dir, "etc/pve/priv/lock/pmxform-force"))).toBe(false);
  }, 120_000);

  it("uses the next configured node when the first is down or has no pmxcfs, and says so when none works", async () => {
    const port = await freePort();
    const empty = mkdtempSync(join(tmpdir(), "pmx-no-pmxcfs-"));
    try {
      const runnerFor = (n: string) => (n === "down" ? new SshRunner({ destination: "root@127.0.0.1", port, connectTimeoutS: 2 }) : new SimRunner(dir, n));
      const pveRootFor = (n: string) => (n === "unmounted" ? join(empty, "etc/pve") : resolve(dir, "etc/pve"));
      const b = backend(["down", "unmounted", "pve2"], { runnerFor, pveRootFor });
      await b.write("failover", Buffer.from("via pve2"), null, v(1));
      expect((await b.read("failover"))!.toString()).toBe("via pve2");
      const lock = await b.lock("failover", "exclusive", info("apply"), 0);
      expect((JSON.parse(readFileSync(join(wsDir("failover"), "holder.json"), "utf8")) as { node: string }).node).toBe("pve2");
      await lock.release();
      expect(await b.workspaces()).toContain("failover");
      const none = backend(["down", "unmounted"], { runnerFor, pveRootFor });
      const err = await none.read("failover").catch((e: unknown) => e);
      expect(err).toBeInstanceOf(StateError);
      expect((err as Error).message).toMatch(/None of the nodes of pve .* could be used:\n {2}down: .*\n {2}unmounted: the cluster filesystem is not mounted/);
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  }, 180_000);

  it("lists workspaces that hold a state and deletes one, leaving the others", async () => {
    const b = backend();
    await b.write("ws-a", Buffer.from("a"), null, v(1));
    await b.write("ws-b", Buffer.from("b"), null, v(1));
    const held = await b.lock("ws-empty", "exclusive", info("apply"), 0); // a lock alone is no workspace
    expect(await b.workspaces()).toEqual(expect.arrayContaining(["ws-a", "ws-b"]));
    expect(await b.workspaces()).not.toContain("ws-empty");
    await held.release();
    await b.deleteWorkspace("ws-b");
    expect(await b.read("ws-b")).toBeNull();
    expect(existsSync(wsDir("ws-b"))).toBe(false);
    expect(await b.workspaces()).not.toContain("ws-b");
    expect((await b.read("ws-a"))!.toString()).toBe("a");
    await expect(b.read("../etc")).rejects.toThrow(/cannot be stored in the pve backend/);
  }, 180_000);
});
