// The smallest configuration (node + template) applies with Proxmox's defaults and re-plans as
// no changes; a vmid allocated at plan time that was taken meanwhile fails cleanly at apply.
import { execFileSync } from "node:child_process";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { BUILT, NOT_BUILT, SIM_NODE, Workdir } from "./helpers.js";

const minimal = (name: string) => `resource "lxc_container" "${name}" {
  node     = "pve1"
  template = "local:vztmpl/debian-12-standard_12.7-1_amd64.tar.zst"
}
`;

describe.skipIf(!BUILT)(`defaults and allocation${BUILT ? "" : ` (skipped: ${NOT_BUILT})`}`, () => {
  let w: Workdir;
  beforeEach(() => {
    w = new Workdir();
  });
  afterEach(() => w.remove());

  it("applies a container with nothing but node and template", async () => {
    w.write("main.pmx.hcl", SIM_NODE + minimal("a"));
    const a = await w.run("apply", "--auto-approve");
    expect(a.stderr).toBe("");
    expect(a.stdout).toContain("[vmid=100]");
    expect((await w.run("plan", "--detailed-exitcode")).code).toBe(0);
  });

  it("refuses cleanly when the planned vmid was taken after planning", async () => {
    w.write("main.pmx.hcl", SIM_NODE + minimal("a"));
    expect((await w.run("plan", "--out", "p.out")).stdout).toMatch(/\+ vmid\s+= 100/);
    execFileSync(w.path("sim/bin/pct"), ["create", "100", "local:vztmpl/debian-12-standard_12.7-1_amd64.tar.zst"]);
    const r = await w.run("apply", "p.out");
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("lxc_container.a");
    expect(r.stderr).toMatch(/100 already exists|vmid 100/i);
    expect(r.stderr).not.toMatch(/TypeError|at .*\.js:\d+/);
    expect((await w.run("state", "list")).stdout).toBe("");
    // A new plan allocates the next free vmid.
    const again = await w.run("apply", "--auto-approve");
    expect(again.stdout).toContain("[vmid=101]");
  });
});
