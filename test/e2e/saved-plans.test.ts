// Saved plans and locking through the CLI: apply exactly a plan, refuse stale, already-applied,
// tampered and foreign plans, and block a concurrent apply with the lock holder named.
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { BUILT, NOT_BUILT, SIM_NODE, Workdir, cli, container } from "./helpers.js";

const cfg = (memory: number) => SIM_NODE + container("app", `  vmid     = 160\n  hostname = "app"\n  memory   = ${memory}`);

describe.skipIf(!BUILT)(`saved plans and locking${BUILT ? "" : ` (skipped: ${NOT_BUILT})`}`, () => {
  let w: Workdir;
  beforeEach(() => {
    w = new Workdir();
    w.write("main.pmx.hcl", cfg(512));
  });
  afterEach(() => w.remove());

  it("applies exactly the saved plan, then refuses to apply it twice", async () => {
    const plan = await w.run("plan", "--out", "plan.out");
    expect(plan.code).toBe(0);
    expect(plan.stdout).toContain("Saved the plan to: plan.out");
    const show = await w.run("show", "plan.out");
    expect(show.stdout).toContain("# lxc_container.app will be created");
    const json = JSON.parse((await w.run("show", "--json", "plan.out")).stdout) as { resource_changes: { address: string; change: { actions: string[] } }[] };
    expect(json.resource_changes.map((c) => [c.address, c.change.actions])).toEqual([["lxc_container.app", ["create"]]]);

    const apply = await w.run("apply", "plan.out");
    expect(apply.stderr).toBe("");
    expect(apply.stdout).toContain("Apply complete! Resources: 1 added, 0 changed, 0 destroyed.");
    const again = await w.run("apply", "plan.out");
    expect(again.code).toBe(1);
    expect(again.stderr).toContain("Saved plan is stale");
  });

  it("refuses a plan made stale by another apply", async () => {
    expect((await w.run("apply", "--auto-approve")).code).toBe(0);
    w.write("main.pmx.hcl", cfg(1024));
    expect((await w.run("plan", "--out", "plan.out")).code).toBe(0);
    w.write("main.pmx.hcl", cfg(2048));
    expect((await w.run("apply", "--auto-approve")).code).toBe(0);
    w.write("main.pmx.hcl", cfg(1024));
    const r = await w.run("apply", "plan.out");
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("Saved plan is stale");
  });

  it("refuses a tampered, truncated or foreign plan", async () => {
    expect((await w.run("plan", "--out", "plan.out")).code).toBe(0);
    const text = readFileSync(w.path("plan.out"), "utf8");
    writeFileSync(w.path("tampered.out"), text.replace('"memory": 512', '"memory": 4096'));
    const t = await w.run("apply", "tampered.out");
    expect(t.code).toBe(1);
    expect(t.stderr).toMatch(/modified|checksum/i);
    writeFileSync(w.path("truncated.out"), text.slice(0, Math.floor(text.length / 2)));
    const tr = await w.run("apply", "truncated.out");
    expect(tr.code).toBe(1);
    expect(tr.stderr).toContain("Failed to load the saved plan");

    const other = new Workdir();
    try {
      other.write("main.pmx.hcl", cfg(512));
      writeFileSync(other.path("plan.out"), text);
      const f = await other.run("apply", "plan.out");
      expect(f.code).toBe(1);
      expect(f.stderr).toContain("another working directory");
    } finally {
      other.remove();
    }
    // A changed configuration also invalidates the plan.
    w.write("main.pmx.hcl", cfg(768));
    const c = await w.run("apply", "plan.out");
    expect(c.code).toBe(1);
    expect(c.stderr).toContain("the configuration files changed");
  });

  it("blocks a second run while the state is locked, naming the holder; --lock-timeout waits", async () => {
    // Initialise the simulator, then make the first apply's pct create hang so it holds the lock.
    expect((await w.run("plan")).code).toBe(0);
    writeFileSync(w.path("sim/faults.json"), JSON.stringify([{ tool: "pct", args: ["create"], hangMs: 4000 }]));
    const first = cli(w.dir, ["apply", "--auto-approve"]);
    for (let i = 0; i < 200 && !existsSync(w.path("pmxform.state.json.lock.info")); i++) await new Promise((r) => setTimeout(r, 50));
    const second = await cli(w.dir, ["plan"]);
    expect(second.code).toBe(1);
    expect(second.stderr).toContain("Error acquiring the state lock");
    expect(second.stderr).toMatch(/Operation:\s+apply/);
    expect(second.stderr).toMatch(/pid \d+/);
    expect(second.stderr).toContain("pmxform force-unlock");
    const waiting = cli(w.dir, ["plan", "--detailed-exitcode", "--lock-timeout", "60s"]);
    const done = await first;
    expect(done.stderr).toBe("");
    expect(done.code).toBe(0);
    const waited = await waiting;
    expect(waited.stdout).toContain("No changes.");
    expect(waited.code).toBe(0);
  });
});
