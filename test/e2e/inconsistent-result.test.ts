// The engine's check of what apply did against what the plan showed (src/engine/verify-result.ts),
// end to end. Someone edits the container's conf by hand while apply runs, after its first write
// (the only one the plan's digest guards: each write changes the digest) and before apply reads
// the container back. No pct call fails, so only the comparison with the plan can tell: apply
// reports "Object changed outside pmxform during apply" (hostname was not in the plan's changes) naming the attribute with the
// planned and the actual value, and the state records the container as it was read back.
import { spawn } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { BIN, BUILT, NOT_BUILT, SIM_NODE, Workdir, container } from "./helpers.js";

const cfg = (memory: number, started: boolean) => SIM_NODE + container("app", `  vmid     = 171\n  hostname = "app"\n  started  = ${started}\n  memory   = ${memory}`);

describe.skipIf(!BUILT)(`inconsistent result after apply${BUILT ? "" : ` (skipped: ${NOT_BUILT})`}`, () => {
  let w: Workdir;
  beforeEach(() => {
    w = new Workdir();
    w.write("main.pmx.hcl", cfg(512, false));
  });
  afterEach(() => w.remove());

  it("a conf edited by hand between apply's steps: the mismatch is reported and the container stays recorded", async () => {
    expect((await w.run("apply", "--auto-approve")).code).toBe(0);
    w.write("main.pmx.hcl", cfg(1024, true));
    // The update is `pct set --digest D --memory 1024`, then `pct start`, held here for 3 s.
    writeFileSync(w.path("sim/faults.json"), JSON.stringify([{ tool: "pct", args: ["start", "171"], hangMs: 3000 }]));
    const conf = w.path("sim/etc/pve/nodes/pve1/lxc/171.conf");
    const child = spawn(process.execPath, [BIN, "apply", "--auto-approve"], { cwd: w.dir, env: { ...process.env, NO_COLOR: "1" } });
    let out = "";
    let err = "";
    child.stdout.on("data", (d: Buffer) => (out += d.toString()));
    child.stderr.on("data", (d: Buffer) => (err += d.toString()));
    // Once the digest-checked set has written memory: 1024, a person renames the container by hand.
    for (let i = 0; i < 2400 && !readFileSync(conf, "utf8").includes("memory: 1024"); i++) await new Promise((r) => setTimeout(r, 25));
    writeFileSync(conf, readFileSync(conf, "utf8").replace(/^hostname: app$/m, "hostname: intruder"));
    const code = await new Promise<number>((r) => child.on("close", (c) => r(c ?? 1)));

    expect(code, out + err).toBe(1);
    // hostname was not part of the plan's changes: an outside change, not a provider bug.
    expect(err).toContain("Object changed outside pmxform during apply");
    expect(err).not.toContain("pmxform issue");
    expect(err).toContain('Run "pmxform plan"');
    // The updated container was saved, and the summary counts it.
    expect(err + out).toContain("1 changed");
    expect(err).toContain('hostname: planned "app", but the object now has "intruder"');
    expect(err).toContain("saved to the state");
    expect(err).not.toContain("memory: planned");
    expect(out).not.toContain("Apply complete!");
    const state = JSON.parse(readFileSync(w.path("pmxform.state.json"), "utf8")) as { resources: { address: string; attributes: Record<string, unknown> }[] };
    const app = state.resources.find((x) => x.address === "lxc_container.app")!;
    expect([app.attributes["memory"], app.attributes["hostname"], app.attributes["started"]]).toEqual([1024, "intruder", true]);

    // The next plan starts from what was saved: only the hostname goes back.
    const again = await w.run("plan");
    expect(again.stdout).toMatch(/~ hostname\s+= "intruder" -> "app"/);
    expect(again.stdout).toContain("Plan: 0 to add, 1 to change, 0 to destroy.");
  });
});
