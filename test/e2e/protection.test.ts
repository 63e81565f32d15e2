// A protected container through the CLI against the simulator (issue 24): Proxmox refuses to add,
// change or remove mount points while protection is on, and checks the flag the container has,
// not the one the same pct set brings. The plan says so; with protection = false apply turns the
// flag off in a call of its own first, then changes the mounts.
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BUILT, NOT_BUILT, SIM_NODE, Workdir } from "./helpers.js";

const ct = (protection: boolean, mounts: string) => `${SIM_NODE}resource "lxc_container" "guarded" {
  node       = "pve1"
  vmid       = 171
  template   = "local:vztmpl/debian-12-standard_12.7-1_amd64.tar.zst"
  protection = ${protection}
  rootfs {
    storage = "local-lvm"
    size    = "4G"
  }
${mounts}}
`;
const data = `  mount "data" {
    storage = "local-lvm"
    size    = "1G"
    path    = "/data"
  }
`;

describe.skipIf(!BUILT)(`protected containers through the CLI${BUILT ? "" : ` (skipped: ${NOT_BUILT})`}`, () => {
  let w: Workdir;
  const conf = () => readFileSync(w.path("sim/etc/pve/nodes/pve1/lxc/171.conf"), "utf8");
  beforeAll(() => {
    w = new Workdir("pmx-e2e-protection-");
  });
  afterAll(() => w.remove());

  it("creates a protected container", async () => {
    w.write("main.pmx.hcl", ct(true, ""));
    const a = await w.run("apply", "--auto-approve");
    expect(a.stderr).toBe("");
    expect(a.code).toBe(0);
    expect(conf()).toContain("protection: 1\n");
  });

  it("plan refuses a new mount while protection stays on, naming what cannot change", async () => {
    w.write("main.pmx.hcl", ct(true, data));
    const p = await w.run("plan");
    expect(p.code).toBe(1);
    expect(p.stderr).toContain("Mounts cannot change while protection is on");
    expect(p.stderr).toContain("This plan changes mp0.");
    expect(p.stderr).toContain("can't update CT 171 drive 'mp0' - protection mode enabled");
    const a = await w.run("apply", "--auto-approve");
    expect(a.code).toBe(1);
    expect(conf()).not.toContain("mp0:");
  });

  it("with protection = false, apply unprotects first and then adds the mount", async () => {
    w.write("main.pmx.hcl", ct(false, data));
    const p = await w.run("plan");
    expect(p.code).toBe(0);
    expect(p.stdout).toContain("protection is turned off in a pct set of its own before mp0 change");
    const a = await w.run("apply", "--auto-approve");
    expect(a.stderr).toBe("");
    expect(a.code).toBe(0);
    expect(conf()).toMatch(/^mp0: local-lvm:vm-171-disk-1,mp=\/data,size=1G$/m);
    expect(conf()).not.toContain("protection: 1");
    const again = await w.run("plan", "--detailed-exitcode");
    expect(again.stdout).toContain("No changes.");
  });
});
