// The apply graph and lifecycle rules through the CLI: a failure in the middle of a 10-resource
// graph (successes recorded, dependents skipped, independent branches finished), prevent_destroy,
// --target, --replace, restart-requiring changes, moved blocks, no-TTY refusal.
import { writeFileSync } from "node:fs";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { BUILT, NOT_BUILT, SIM_NODE, Workdir, container } from "./helpers.js";

/** A chain a1 -> a2 -> a3 -> a4 -> a5 (each depends on the previous) and five independent b's. */
function tenResources(): string {
  let s = SIM_NODE;
  for (let i = 1; i <= 5; i++) {
    s += container(`a${i}`, `  vmid     = ${200 + i}\n  hostname = "a${i}"${i > 1 ? `\n  description = "after \${lxc_container.a${i - 1}.vmid}"` : ""}`);
    s += container(`b${i}`, `  vmid     = ${210 + i}\n  hostname = "b${i}"`);
  }
  return s;
}

describe.skipIf(!BUILT)(`apply graph and lifecycle rules${BUILT ? "" : ` (skipped: ${NOT_BUILT})`}`, () => {
  let w: Workdir;
  beforeEach(() => {
    w = new Workdir();
  });
  afterEach(() => w.remove());

  it("a failure mid-graph keeps the successes in state and skips only the dependents", async () => {
    w.write("main.pmx.hcl", tenResources());
    // Initialise the simulator, then make the create of vmid 203 (a3) fail.
    expect((await w.run("plan")).code).toBe(0);
    writeFileSync(w.path("sim/faults.json"), JSON.stringify([{ tool: "pct", args: ["create", "203"], stderr: "unable to create CT 203 - storage 'local-lvm' is full", exit: 255 }]));
    const r = await w.run("apply", "--auto-approve");
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("lxc_container.a3");
    expect(r.stderr).toContain("storage 'local-lvm' is full");
    expect(r.stderr).toMatch(/lxc_container\.a4 \(because lxc_container\.a3 failed\)/);
    const list = (await w.run("state", "list")).stdout.trim().split("\n").sort();
    expect(list).toEqual(["lxc_container.a1", "lxc_container.a2", "lxc_container.b1", "lxc_container.b2", "lxc_container.b3", "lxc_container.b4", "lxc_container.b5"]);
    // The fault fired once; a rerun converges.
    const again = await w.run("apply", "--auto-approve");
    expect(again.stderr).toBe("");
    expect(again.stdout).toContain("Apply complete! Resources: 3 added, 0 changed, 0 destroyed.");
    expect((await w.run("plan", "--detailed-exitcode")).code).toBe(0);
  });

  it("honours prevent_destroy", async () => {
    w.write("main.pmx.hcl", SIM_NODE + container("keep", `  vmid = 230\n  lifecycle {\n    prevent_destroy = true\n  }`));
    expect((await w.run("apply", "--auto-approve")).code).toBe(0);
    const d = await w.run("destroy", "--auto-approve");
    expect(d.code).toBe(1);
    expect(d.stderr).toContain("Instance cannot be destroyed");
    expect(d.stderr).toContain("main.pmx.hcl");
    expect((await w.run("state", "list")).stdout.trim()).toBe("lxc_container.keep");
  });

  it("--target limits the plan to a resource and its dependencies; --replace forces a replacement", async () => {
    w.write("main.pmx.hcl", tenResources());
    const t = await w.run("plan", "--target", "lxc_container.a2");
    expect(t.stdout).toContain("lxc_container.a1 will be created");
    expect(t.stdout).toContain("lxc_container.a2 will be created");
    expect(t.stdout).not.toContain("lxc_container.b1");
    expect(t.stdout).toContain("Plan: 2 to add, 0 to change, 0 to destroy.");
    expect((await w.run("apply", "--auto-approve", "-target=lxc_container.b1")).code).toBe(0);
    expect((await w.run("state", "list")).stdout.trim()).toBe("lxc_container.b1");
    const rep = await w.run("plan", "--replace", "lxc_container.b1", "--target", "lxc_container.b1");
    expect(rep.stdout).toContain("# lxc_container.b1 will be replaced, as requested");
    expect(rep.stdout).toContain("Plan: 1 to add, 0 to change, 1 to destroy.");
  });

  it("marks changes that need a restart and restarts only when allowed", async () => {
    const cfg = (nesting: boolean, allow: boolean) =>
      SIM_NODE + container("svc", `  vmid = 240\n  started = true\n  features {\n    nesting = ${nesting}\n  }${allow ? "\n  restart_on_change = true" : ""}`);
    w.write("main.pmx.hcl", cfg(false, false));
    expect((await w.run("apply", "--auto-approve")).code).toBe(0);
    w.write("main.pmx.hcl", cfg(true, false));
    const p = await w.run("plan");
    expect(p.stdout).toContain("# requires restart");
    const a = await w.run("apply", "--auto-approve");
    expect(a.code).toBe(0);
    expect(a.stdout).toMatch(/restart/i);
    w.write("main.pmx.hcl", cfg(true, true));
    const b = await w.run("apply", "--auto-approve");
    expect(b.code).toBe(0);
    expect((await w.run("plan", "--detailed-exitcode")).code).toBe(0);
  });

  it("follows moved blocks without touching the container", async () => {
    w.write("main.pmx.hcl", SIM_NODE + container("old", `  vmid = 250`));
    expect((await w.run("apply", "--auto-approve")).code).toBe(0);
    w.write("main.pmx.hcl", SIM_NODE + container("new", `  vmid = 250`) + `moved {\n  from = lxc_container.old\n  to   = lxc_container.new\n}\n`);
    const p = await w.run("plan");
    expect(p.stdout).toContain("# lxc_container.old has moved to lxc_container.new");
    expect(p.stdout).not.toContain("will be destroyed");
    expect((await w.run("apply", "--auto-approve")).code).toBe(0);
    expect((await w.run("state", "list")).stdout.trim()).toBe("lxc_container.new");
  });

  it("plan reports a reference cycle between resources with its config line", async () => {
    w.write("main.pmx.hcl", SIM_NODE + container("x", `  description = lxc_container.y.hostname`) + container("y", `  description = lxc_container.x.hostname`));
    const r = await w.run("plan");
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("Cycle in the configuration");
    expect(r.stderr).toMatch(/lxc_container\.(x|y) -> lxc_container\.(x|y) -> lxc_container\.(x|y)/);
    expect(r.stderr).toMatch(/on main\.pmx\.hcl line \d+/);
  });

  it("refuses to apply without --auto-approve when there is no terminal", async () => {
    w.write("main.pmx.hcl", SIM_NODE + container("x", `  vmid = 260`));
    const r = await w.run("apply");
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("--auto-approve");
    expect((await w.run("state", "list")).stdout).toBe("");
  });
});
