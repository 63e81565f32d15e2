// Values Proxmox refuses by format are refused by pmxform validate too (issue 24): a time zone
// outside zone.tab and a nameserver with %iface after anything but an fe80: address failed only
// at apply before, once the simulator refused them as the real node does.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BUILT, NOT_BUILT, SIM_NODE, Workdir } from "./helpers.js";

const ct = (body: string) => `${SIM_NODE}resource "lxc_container" "fmt" {
  node     = "pve1"
  vmid     = 173
  template = "local:vztmpl/debian-12-standard_12.7-1_amd64.tar.zst"
${body}}
`;

describe.skipIf(!BUILT)(`Proxmox value formats at validate${BUILT ? "" : ` (skipped: ${NOT_BUILT})`}`, () => {
  let w: Workdir;
  beforeAll(() => {
    w = new Workdir("pmx-e2e-formats-");
  });
  afterAll(() => w.remove());

  it("refuses a time zone link name and a non-link-local %iface at their line and column", async () => {
    const hcl = ct(`  timezone   = "Asia/Calcutta"\n  nameserver = ["10.0.0.1%eth0"]\n`);
    const lineOf = (needle: string) => hcl.slice(0, hcl.indexOf(needle)).split("\n").length;
    w.write("main.pmx.hcl", hcl);
    const v = await w.run("validate");
    expect(v.code).toBe(1);
    expect(v.stderr).toContain("a time zone from zone.tab");
    expect(v.stderr).toContain(`on main.pmx.hcl line ${lineOf("timezone")},`);
    expect(v.stderr).toContain('"%interface" only after an fe80: address');
    expect(v.stderr).toContain(`on main.pmx.hcl line ${lineOf("nameserver")},`);
  });

  it("accepts zone.tab names, UTC, host and a link-local nameserver, and apply stores them", async () => {
    w.write("main.pmx.hcl", ct(`  timezone   = "Asia/Kolkata"\n  nameserver = ["fe80::1%vmbr0", "10.0.0.1"]\n`));
    const a = await w.run("apply", "--auto-approve");
    expect(a.stderr).toBe("");
    expect(a.code).toBe(0);
    for (const tz of ["UTC", "host"]) {
      w.write("main.pmx.hcl", ct(`  timezone = "${tz}"\n`));
      expect((await w.run("validate")).code).toBe(0);
    }
  });
});
