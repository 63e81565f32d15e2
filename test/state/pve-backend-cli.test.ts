// Two operators through the real CLI with `backend "pve"` on a shared simulated cluster: their
// concurrent applies run one at a time (no lost update, one container each, valid shared state),
// a re-plan is a no-op from either work dir, and an apply SIGKILLed while holding the lease is
// named to the next run until pmxcfs's expiry frees the lock.
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { initSim, setCfsLockTimeout, setFaults } from "../../src/sim/index.js";
import { BIN, BUILT, NOT_BUILT, Workdir, cli, container } from "../e2e/helpers.js";

const config = (simDir: string) => `proxmox {
  node "pve1" {
    sim = "${simDir}"
  }
}

backend "pve" {
  nodes = ["pve1"]
}

${container(
  "web",
  `  vmid     = 150
  hostname = "web"
  memory   = 512`,
)}
${container(
  "db",
  `  vmid     = 151
  hostname = "db"
  memory   = 1024`,
)}`;

describe.skipIf(!BUILT)(`pve backend through the CLI${BUILT ? "" : ` (skipped: ${NOT_BUILT})`}`, () => {
  let simDir: string;
  let alice: Workdir;
  let bob: Workdir;
  beforeAll(() => {
    simDir = mkdtempSync(join(tmpdir(), "pmx-pve-cli-sim-"));
    initSim(simDir, { nodes: ["pve1"] });
    alice = new Workdir("pmx-pve-alice-").write("main.pmx.hcl", config(simDir));
    bob = new Workdir("pmx-pve-bob-").write("main.pmx.hcl", config(simDir));
  });
  afterAll(() => {
    alice.remove();
    bob.remove();
    rmSync(simDir, { recursive: true, force: true });
  });

  it("serialises two operators' concurrent applies; the shared state holds each container once and re-plans as no changes", async () => {
    for (const w of [alice, bob]) {
      const init = await w.run("init");
      expect(init.stderr).toBe("");
      expect(init.code).toBe(0);
    }
    // Slow creates keep the first apply inside its lease while the second one asks for the lock.
    setFaults(simDir, [{ tool: "pct", args: ["create"], hangMs: 1500, times: 2 }]);
    const [a, b] = await Promise.all([alice.run("apply", "-auto-approve", "-lock-timeout=300s"), bob.run("apply", "-auto-approve", "-lock-timeout=300s")]);
    setFaults(simDir, []);
    expect([a.code, b.code], `alice: ${a.stderr}\nbob: ${b.stderr}`).toEqual([0, 0]);
    // One of them created both containers; the other, holding the lock after it, found nothing to do.
    const outcomes = [a.stdout, b.stdout].map((o) => (o.includes("Apply complete! Resources: 2 added") ? "created" : o.includes("No changes.") ? "nothing to do" : o)).sort();
    expect(outcomes).toEqual(["created", "nothing to do"]);
    expect(readdirSync(join(simDir, "etc/pve/nodes/pve1/lxc")).sort()).toEqual(["150.conf", "151.conf"]);
    // The state lives in pmxcfs, not in either work dir.
    expect(existsSync(join(simDir, "etc/pve/priv/pmxform/default/manifest.json"))).toBe(true);
    expect(existsSync(alice.path("pmxform.state.json")) || existsSync(bob.path("pmxform.state.json"))).toBe(false);
    const list = await bob.run("state", "list");
    expect(list.stdout.trim().split("\n").sort()).toEqual(["lxc_container.db", "lxc_container.web"]);
    for (const w of [alice, bob]) {
      const plan = await w.run("plan", "-detailed-exitcode");
      expect(plan.stderr).toBe("");
      expect(plan.code).toBe(0);
      expect(plan.stdout).toContain("No changes.");
    }
    // Every lock was released: no lease is left in priv/lock.
    expect(readdirSync(join(simDir, "etc/pve/priv/lock")).filter((n) => n.startsWith("pmxform-"))).toEqual([]);
  }, 600_000);

  it("names a SIGKILLed apply that held the lease, and runs again once pmxcfs's expiry frees it", async () => {
    // Long enough that the next run surely asks while the killed run's lease lasts, even on a loaded machine.
    const LEASE_S = 30;
    setCfsLockTimeout(simDir, LEASE_S);
    const env = { PMXFORM_PVE_LEASE_S: String(LEASE_S) };
    try {
      alice.write("main.pmx.hcl", config(simDir).replace("memory   = 512", "memory   = 768"));
      // The update hangs in pct set, so the apply is surely holding its lease when it is killed.
      setFaults(simDir, [{ tool: "pct", args: ["set"], hangMs: 20_000 }]);
      const child = spawn(process.execPath, [BIN, "apply", "-auto-approve"], { cwd: alice.dir, env: { ...process.env, NO_COLOR: "1", ...env }, stdio: "ignore" });
      const holderFile = join(simDir, "etc/pve/priv/pmxform/default/holder.json");
      for (let i = 0; i < 600 && !existsSync(holderFile); i++) await new Promise((r) => setTimeout(r, 100));
      const holder = JSON.parse(readFileSync(holderFile, "utf8")) as { info: { id: string; operation: string; pid: number } };
      expect(holder.info.operation).toBe("apply");
      child.kill("SIGKILL");
      await new Promise((r) => child.once("exit", r));
      setFaults(simDir, []);

      const blocked = await cli(bob.dir, ["plan", "-lock-timeout=0s"], env);
      expect(blocked.code).toBe(1);
      expect(blocked.stderr).toContain("Error acquiring the state lock");
      expect(blocked.stderr).toContain(`ID:        ${holder.info.id}`);
      expect(blocked.stderr).toContain("Operation: apply");
      expect(blocked.stderr).toContain(`pid ${holder.info.pid}`);
      expect(blocked.stderr).toMatch(/Lease: {5}last renewed .* s ago\); if its holder stopped, pmxcfs frees it 30 s after that renewal/);
      expect(blocked.stderr).toContain(`pmxform force-unlock ${holder.info.id}`);

      const after = await cli(bob.dir, ["plan", "-lock-timeout=120s", "-detailed-exitcode"], env);
      expect(after.stderr).toBe("");
      expect([0, 2]).toContain(after.code);
    } finally {
      setCfsLockTimeout(simDir, undefined);
      setFaults(simDir, []);
    }
  }, 300_000);
});
