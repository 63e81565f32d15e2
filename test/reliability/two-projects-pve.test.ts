// Two projects (two working directories, two configurations) on one simulated cluster and one pve
// state backend. B's init on the workspace A uses finds A's state (it neither resets nor hides
// it); in a workspace of its own B can neither see nor change A's state, nor take A's vmid; and
// A's apply, held mid-run at a fault gate (src/sim/faults.ts Fault.gate), keeps B out of A's
// workspace with a message naming it, while B's own workspace stays free.
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { initSim } from "../../src/sim/index.js";
import { BUILT, NOT_BUILT, Workdir, container, type CliResult } from "../e2e/helpers.js";
import { runHeldAt } from "../helpers/gate.js";
import { expectCleanFailure } from "./faults-harness.js";

const config = (simDir: string, name: string, vmid: number, memory = 512) => `proxmox {
  node "pve1" {
    sim = "${simDir}"
  }
}

backend "pve" {
  nodes = ["pve1"]
}

${container(
  name,
  `  vmid     = ${vmid}
  hostname = "${name}"
  memory   = ${memory}
  started  = false`,
)}`;

describe.skipIf(!BUILT)(`two projects on one cluster and one pve backend${BUILT ? "" : ` (skipped: ${NOT_BUILT})`}`, () => {
  let simDir: string;
  let a: Workdir;
  let b: Workdir;
  const manifestOf = (ws: string) => readFileSync(join(simDir, "etc/pve/priv/pmxform", ws, "manifest.json"), "utf8");
  const confOf = (vmid: number) => join(simDir, `etc/pve/nodes/pve1/lxc/${vmid}.conf`);
  const listed = (r: CliResult) => r.stdout.trim().split("\n").filter(Boolean);

  beforeAll(async () => {
    simDir = mkdtempSync(join(tmpdir(), "pmx-two-projects-sim-"));
    initSim(simDir, { nodes: ["pve1"] });
    a = new Workdir("pmx-project-a-").write("main.pmx.hcl", config(simDir, "web", 150));
    b = new Workdir("pmx-project-b-").write("main.pmx.hcl", config(simDir, "db", 151));
    const initA = await a.run("init");
    expect(initA.code).toBe(0);
    expect(initA.stdout, "a fresh workspace holds nothing to mention").not.toContain("already holds");
    const applied = await a.run("apply", "-auto-approve");
    expect(applied.code, applied.stderr).toBe(0);
  });
  afterAll(() => {
    a?.remove();
    b?.remove();
    if (simDir) rmSync(simDir, { recursive: true, force: true });
  });

  it("B's init on A's workspace finds A's state as it is, and B's plan says in so many words what it would do to A's container", { timeout: 180_000 }, async () => {
    const before = manifestOf("default");
    const init = await b.run("init");
    expect(init.code, init.stderr).toBe(0);
    // B is told at once that the workspace is not empty, with what identifies A's state.
    const aState = JSON.parse((await a.run("state", "pull")).stdout) as { serial: number; lineage: string };
    expect(init.stdout).toContain(`Workspace default already holds 1 resource (serial ${aState.serial}, lineage ${aState.lineage})`);
    expect(manifestOf("default"), "init rewrote the existing state").toBe(before);
    expect(listed(await b.run("state", "list"))).toEqual(["lxc_container.web"]);
    // Sharing a workspace is sharing a project: nothing is hidden, the destroy is spelled out.
    const plan = await b.run("plan", "-no-color", "-detailed-exitcode");
    expect(plan.code).toBe(2);
    expect(plan.stdout).toContain("lxc_container.web will be destroyed");
    expect(plan.stdout).toContain("Plan: 1 to add, 0 to change, 1 to destroy.");
    expect(manifestOf("default"), "a plan wrote the state").toBe(before);
  });

  it("in its own workspace B neither sees nor changes A's state, cannot take A's vmid, and destroys only its own container", { timeout: 240_000 }, async () => {
    const before = manifestOf("default");
    expect((await b.run("workspace", "new", "b")).code).toBe(0);
    expect(listed(await b.run("state", "list"))).toEqual([]);

    b.write("main.pmx.hcl", config(simDir, "db", 150));
    const taken = await b.run("apply", "-auto-approve", "-no-color");
    expectCleanFailure(taken, "B asks for A's vmid");
    expect(taken.stderr).toContain("VMID already in use");
    expect(taken.stderr).toMatch(/main\.pmx\.hcl line \d+/);
    expect(readFileSync(confOf(150), "utf8")).toContain("hostname: web");

    b.write("main.pmx.hcl", config(simDir, "db", 151));
    const applied = await b.run("apply", "-auto-approve", "-no-color");
    expect(applied.code, applied.stderr).toBe(0);
    expect(applied.stdout).toContain("Resources: 1 added, 0 changed, 0 destroyed.");
    expect(manifestOf("default"), "B's apply wrote A's state").toBe(before);
    expect(listed(await a.run("state", "list"))).toEqual(["lxc_container.web"]);
    const aPlan = await a.run("plan", "-detailed-exitcode");
    expect(aPlan.code, aPlan.stdout + aPlan.stderr).toBe(0);

    const destroyed = await b.run("destroy", "-auto-approve", "-no-color");
    expect(destroyed.code, destroyed.stderr).toBe(0);
    expect(destroyed.stdout).toContain("Resources: 1 destroyed.");
    expect(existsSync(confOf(151))).toBe(false);
    expect(readFileSync(confOf(150), "utf8")).toContain("hostname: web");
    expect(manifestOf("default")).toBe(before);
  });

  it("A's apply holding its workspace keeps B out of it with a message naming the run, while B's own workspace stays free", { timeout: 240_000 }, async () => {
    a.write("main.pmx.hcl", config(simDir, "web", 150, 1024));
    const held = await runHeldAt(simDir, { tool: "pct", args: ["set"] }, a.dir, ["apply", "-auto-approve"]);
    try {
      // B in its own workspace: not held up by A's lock.
      const own = await b.run("plan", "-lock-timeout=0s", "-detailed-exitcode");
      expect(own.stderr).toBe("");
      expect(own.code).toBe(2);

      // B in A's workspace: refused, told who holds it and how to get past a dead holder.
      expect((await b.run("workspace", "select", "default")).code).toBe(0);
      for (const args of [
        ["plan", "-lock-timeout=0s"],
        ["state", "rm", "-lock-timeout=0s", "lxc_container.web"],
      ]) {
        const blocked = await b.run(...args);
        expectCleanFailure(blocked, args.join(" "));
        expect(blocked.stderr).toContain("Error acquiring the state lock");
        expect(blocked.stderr).toContain("Operation: apply");
        expect(blocked.stderr).toContain(`pid ${held.child.pid}`);
        expect(blocked.stderr).toMatch(/pmxform force-unlock \S+/);
      }
      expect(listed(await a.run("state", "list", "-lock=false"))).toEqual(["lxc_container.web"]);
    } finally {
      held.open();
    }
    const aDone = await held.done;
    expect(aDone.code, aDone.stderr).toBe(0);
    expect(readFileSync(confOf(150), "utf8")).toContain("memory: 1024");
    // A's lock is gone with its run: B gets in at once.
    const after = await b.run("plan", "-lock-timeout=0s", "-detailed-exitcode");
    expect(after.stderr).toBe("");
    expect(after.code).toBe(2);
  });
});
