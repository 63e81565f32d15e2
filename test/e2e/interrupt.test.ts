// Ctrl-C during apply: the operation in flight finishes and is recorded, nothing new starts,
// the state is saved, and a second apply converges.
import { spawn } from "node:child_process";
import { existsSync, writeFileSync } from "node:fs";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { BIN, BUILT, NOT_BUILT, SIM_NODE, Workdir, container } from "./helpers.js";

describe.skipIf(!BUILT)(`interrupting apply${BUILT ? "" : ` (skipped: ${NOT_BUILT})`}`, () => {
  let w: Workdir;
  beforeEach(() => {
    w = new Workdir();
  });
  afterEach(() => w.remove());

  it("finishes in-flight work, starts nothing new, saves the state", async () => {
    // first -> second: the second waits for the first, so an interrupt during the first
    // must leave the second unstarted.
    w.write("main.pmx.hcl", SIM_NODE + container("first", `  vmid = 270`) + container("second", `  vmid = 271\n  depends_on = [lxc_container.first]`));
    expect((await w.run("plan")).code).toBe(0);
    writeFileSync(w.path("sim/faults.json"), JSON.stringify([{ tool: "pct", args: ["create", "270"], hangMs: 4000 }]));
    const child = spawn(process.execPath, [BIN, "apply", "--auto-approve"], { cwd: w.dir, env: { ...process.env, NO_COLOR: "1" } });
    let out = "";
    let err = "";
    child.stdout.on("data", (d: Buffer) => (out += d.toString()));
    child.stderr.on("data", (d: Buffer) => (err += d.toString()));
    for (let i = 0; i < 2400 && !out.includes("lxc_container.first: Creating..."); i++) await new Promise((r) => setTimeout(r, 25));
    child.kill("SIGINT");
    const code = await new Promise<number>((r) => child.on("close", (c) => r(c ?? 1)));
    expect(err + "\n---stdout---\n" + out).toContain("Gracefully shutting down");
    expect(out, err).toContain("lxc_container.first: Creation complete");
    expect(out).toContain("lxc_container.first: Creation complete");
    expect(out).not.toContain("lxc_container.second: Creating...");
    expect(code).toBe(1);
    expect((await w.run("state", "list")).stdout.trim()).toBe("lxc_container.first");
    expect(existsSync(w.path("sim/etc/pve/nodes/pve1/lxc/271.conf"))).toBe(false);
    const again = await w.run("apply", "--auto-approve");
    expect(again.stdout).toContain("Apply complete! Resources: 1 added, 0 changed, 0 destroyed.");
  });
});
