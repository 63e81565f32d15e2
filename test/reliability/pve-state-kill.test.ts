// kill -9 of pmxform in the middle of saving its state to the pve backend: its chunks are on
// pmxcfs, its staged manifest too, and the manifest swap (mv) never happens. The next command
// runs from another operator whose backend reaches the cluster through another node: it must find
// the old state whole (never a mix, never a parse error), be told clearly who held the lock, get
// it once pmxcfs's expiry frees the dead run's lease, and its own write must clear the leftovers.
// The simulator holds the swap at a gate (src/sim/faults.ts Fault.gate), so the kill lands there.
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { initSim, setCfsLockTimeout } from "../../src/sim/index.js";
import { validateStateFile } from "../../src/state/schema.js";
import { BUILT, NOT_BUILT, Workdir, cli, container } from "../e2e/helpers.js";
import { runHeldAt } from "../helpers/gate.js";
import { expectCleanFailure } from "./faults-harness.js";

/** The dead run's lease outlives it by this much (pmxcfs's lock expiry, and what the backend assumes). */
const LEASE_S = 10;
const ENV = { PMXFORM_PVE_LEASE_S: String(LEASE_S) };

const config = (simDir: string, backendNode: string, memory: number) => `proxmox {
  node "pve1" {
    sim = "${simDir}"
  }
  node "pve2" {
    sim = "${simDir}"
  }
}

backend "pve" {
  nodes = ["${backendNode}"]
}

${container(
  "web",
  `  vmid     = 150
  hostname = "web"
  memory   = ${memory}
  started  = false`,
)}`;

interface Manifest {
  serial: number;
  lineage: string;
  chunks: string[];
}

describe.skipIf(!BUILT)(`kill -9 between the pve backend's chunk writes and its manifest swap${BUILT ? "" : ` (skipped: ${NOT_BUILT})`}`, () => {
  let simDir: string;
  let alice: Workdir;
  let bob: Workdir;
  const wsDir = () => join(simDir, "etc/pve/priv/pmxform/default");
  const manifest = () => JSON.parse(readFileSync(join(wsDir(), "manifest.json"), "utf8")) as Manifest;
  const chunkFiles = () =>
    readdirSync(wsDir())
      .filter((n) => n.startsWith("chunk."))
      .sort();

  beforeAll(() => {
    simDir = mkdtempSync(join(tmpdir(), "pmx-kill-swap-sim-"));
    initSim(simDir, { nodes: ["pve1", "pve2"] });
    setCfsLockTimeout(simDir, LEASE_S);
    alice = new Workdir("pmx-kill-swap-alice-").write("main.pmx.hcl", config(simDir, "pve1", 512));
    bob = new Workdir("pmx-kill-swap-bob-").write("main.pmx.hcl", config(simDir, "pve2", 512));
  });
  afterAll(() => {
    alice?.remove();
    bob?.remove();
    if (simDir) rmSync(simDir, { recursive: true, force: true });
  });

  it("leaves the old state whole; the next run through another node names the dead holder, then writes and clears the leftovers", { timeout: 300_000 }, async () => {
    expect((await cli(alice.dir, ["init"], ENV)).code).toBe(0);
    const created = await cli(alice.dir, ["apply", "-auto-approve"], ENV);
    expect(created.code, created.stderr).toBe(0);
    const before = manifest();
    expect((await cli(bob.dir, ["init"], ENV)).code).toBe(0);
    const beforeState = await cli(bob.dir, ["state", "pull"], ENV);
    expect(beforeState.code, beforeState.stderr).toBe(0);

    // Alice's next apply is held right before its first manifest swap, then killed with the swap undone.
    alice.write("main.pmx.hcl", config(simDir, "pve1", 1024));
    const held = await runHeldAt(simDir, { tool: "mv", argsRegex: "\\.manifest\\..*\\.tmp" }, alice.dir, ["apply", "-auto-approve"], ENV);
    // The write is really half done: chunks the manifest does not name, and a staged manifest.
    const staged = readdirSync(wsDir()).filter((n) => /^\.manifest\..*\.tmp$/.test(n));
    expect(staged).toHaveLength(1);
    expect(chunkFiles().filter((c) => !before.chunks.includes(c)).length).toBeGreaterThan(0);
    held.child.kill("SIGKILL");
    await held.done;
    // The swap dies with its run (its ssh session would): it must never happen.
    process.kill(held.heldPid, "SIGKILL");

    // The state is the old one, exactly.
    expect(manifest()).toEqual(before);
    const holder = JSON.parse(readFileSync(join(wsDir(), "holder.json"), "utf8")) as { info: { id: string; operation: string; pid: number }; node: string };
    expect(holder.info).toMatchObject({ operation: "apply", pid: held.child.pid });
    expect(holder.node).toBe("pve1");

    // Bob, through pve2, while the dead run's lease lasts: refused, and told who and what to do.
    const blocked = await cli(bob.dir, ["plan", "-lock-timeout=0s"], ENV);
    expectCleanFailure(blocked, "plan under a dead run's lease");
    expect(blocked.stderr).toContain("Error acquiring the state lock");
    expect(blocked.stderr).toContain(`ID:        ${holder.info.id}`);
    expect(blocked.stderr).toContain("Operation: apply");
    expect(blocked.stderr).toContain(`pmxform force-unlock ${holder.info.id}`);
    expect(blocked.stderr).toMatch(new RegExp(`pmxcfs frees it ${LEASE_S} s after that renewal`));

    // Once pmxcfs's expiry frees it, bob reads the old state, whole and valid.
    const pulled = await cli(bob.dir, ["state", "pull", "-lock-timeout=120s"], ENV);
    expect(pulled.code, pulled.stderr).toBe(0);
    expect(pulled.stdout).toBe(beforeState.stdout);
    const checked = validateStateFile(JSON.parse(pulled.stdout));
    expect("problems" in checked ? checked.problems : []).toEqual([]);

    // What the dead run did to the container before its save (pct set --memory 1024) is not lost:
    // refresh reads it from the cluster, so bob's plan (512 MB) undoes it in the open.
    const drift = await cli(bob.dir, ["plan", "-no-color", "-detailed-exitcode", "-lock-timeout=120s"], ENV);
    expect(drift.code, drift.stderr).toBe(2);
    expect(drift.stdout).toMatch(/memory *= 1024 -> 512/);

    // Bob's own apply (his config says 768 MB) goes through pve2 and clears the dead write's files.
    bob.write("main.pmx.hcl", config(simDir, "pve2", 768));
    const applied = await cli(bob.dir, ["apply", "-auto-approve", "-lock-timeout=120s"], ENV);
    expect(applied.code, applied.stderr).toBe(0);
    const after = manifest();
    expect(after.lineage).toBe(before.lineage);
    expect(after.serial).toBeGreaterThan(before.serial);
    expect(chunkFiles()).toEqual([...after.chunks].sort());
    expect(readdirSync(wsDir()).filter((n) => n.endsWith(".tmp"))).toEqual([]);
    expect(existsSync(join(wsDir(), "holder.json"))).toBe(false);
    const plan = await cli(bob.dir, ["plan", "-detailed-exitcode"], ENV);
    expect(plan.code, plan.stdout + plan.stderr).toBe(0);
  });
});
