// lxc_template through the CLI on the simulator (issue 16 item 10): a fresh-node configuration
// downloads its template with pveam before the container that names it is created, plans no
// change after apply and after import, refuses at plan time a name the catalogue lacks and a
// storage without templates, reports pveam's checksum refusal, and destroy removes the template
// after the container.
import { existsSync, rmSync, writeFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { initSim, readCalls } from "../../src/sim/index.js";
import { BUILT, NOT_BUILT, SIM_NODE, Workdir } from "../e2e/helpers.js";

const D13 = "debian-13-standard_13.1-2_amd64.tar.zst";
const tpl = (name: string, template: string, storage = "local") => `resource "lxc_template" "${name}" {
  node     = "pve1"
  storage  = "${storage}"
  template = "${template}"
}
`;
const ct = `resource "lxc_container" "web" {
  node     = "pve1"
  template = lxc_template.d13.volid
  rootfs {
    storage = "local-lvm"
    size    = "2G"
  }
}
`;

describe.skipIf(!BUILT)(`lxc_template${BUILT ? "" : ` (skipped: ${NOT_BUILT})`}`, () => {
  let w: Workdir;
  const cached = (file: string) => existsSync(w.path(`sim/nodes/pve1/var/lib/vz/template/cache/${file}`));
  beforeAll(() => {
    w = new Workdir();
    initSim(w.path("sim"));
  });
  afterAll(() => w.remove());

  it("downloads the template before creating the container that names it, and plans nothing after", async () => {
    w.write("main.pmx.hcl", SIM_NODE + tpl("d13", D13) + ct);
    const plan = await w.run("plan");
    expect(plan.stderr).toBe("");
    expect(plan.stdout).toContain(`+ volid    = "local:vztmpl/${D13}"`);
    expect(plan.stdout).toContain(`+ template = "local:vztmpl/${D13}"`);
    const before = readCalls(w.path("sim")).length;
    const apply = await w.run("apply", "-auto-approve");
    expect(apply.stderr).toBe("");
    expect(apply.code).toBe(0);
    const calls = readCalls(w.path("sim"))
      .slice(before)
      .map((c) => [c.tool, ...c.argv].join(" "));
    const download = calls.indexOf(`pveam download local ${D13}`);
    const create = calls.findIndex((c) => c.startsWith("pct create"));
    expect(download).toBeGreaterThanOrEqual(0);
    expect(create).toBeGreaterThan(download);
    expect(calls[create]).toContain(`local:vztmpl/${D13}`);
    expect(cached(D13)).toBe(true);
    const again = await w.run("plan", "-detailed-exitcode");
    expect(again.stderr).toBe("");
    expect(again.code).toBe(0);
    const shown = await w.run("state", "show", "lxc_template.d13");
    expect(shown.stdout).toMatch(/size\s+= \d+/);
  });

  it("plans a re-download when the template was removed on the node", async () => {
    expect((await w.run("plan", "-detailed-exitcode")).code).toBe(0);
    const gone = w.path(`sim/nodes/pve1/var/lib/vz/template/cache/${D13}`);
    rmSync(gone); // removed on the node behind pmxform's back
    const plan = await w.run("plan", "-detailed-exitcode");
    expect(plan.code).toBe(2);
    expect(plan.stdout).toContain("Plan: 1 to add, 0 to change, 0 to destroy.");
    expect((await w.run("apply", "-auto-approve")).code).toBe(0);
    expect(cached(D13)).toBe(true);
  });

  it("refuses at plan time a name the node's catalogue lacks and a storage without templates, with did-you-mean", async () => {
    w.write("main.pmx.hcl", SIM_NODE + tpl("d13", D13) + ct + tpl("typo", "ubuntu-24.04-standart_24.04-2_amd64.tar.zst", "local-lvm"));
    const plan = await w.run("plan");
    expect(plan.code).toBe(1);
    expect(plan.stderr).toContain("Error: No such template");
    expect(plan.stderr).toContain('Did you mean "ubuntu-24.04-standard_24.04-2_amd64.tar.zst"?');
    expect(plan.stderr).toContain("Error: Storage cannot hold templates");
    expect(plan.stderr).toMatch(/on main\.pmx\.hcl line \d+, in resource "lxc_template" "typo":/);
  });

  it("reports pveam's checksum refusal of a corrupt file at the destination, with the fix", async () => {
    const file = "rockylinux-9-default_20240912_amd64.tar.xz";
    writeFileSync(w.path(`sim/nodes/pve1/var/lib/vz/template/cache/${file}`), "truncated");
    w.write("main.pmx.hcl", SIM_NODE + tpl("d13", D13) + ct + tpl("rocky", file));
    const plan = await w.run("plan");
    expect(plan.stdout).toContain("is already on node pve1: apply adopts it once pveam has checked its sha512 sum");
    const apply = await w.run("apply", "-auto-approve");
    expect(apply.code).toBe(1);
    expect(apply.stderr).toContain("checksum mismatch");
    expect(apply.stderr).toContain(`pveam remove local:vztmpl/${file}`);
    w.write("main.pmx.hcl", SIM_NODE + tpl("d13", D13) + ct);
  });

  it("imports an existing template and plans no change", async () => {
    const file = "alpine-3.22-default_20250617_amd64.tar.xz";
    w.write("main.pmx.hcl", SIM_NODE + tpl("d13", D13) + ct + tpl("alpine", file));
    const miss = await w.run("import", "lxc_template.alpine", "pve1/local:vztmpl/nothing_1_amd64.tar.zst");
    expect(miss.code).toBe(1);
    expect(miss.stderr).toContain("there is no local:vztmpl/nothing_1_amd64.tar.zst on node pve1");
    const bad = await w.run("import", "lxc_template.alpine", "pve1/105");
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain("NODE/STORAGE:vztmpl/FILE");
    const imp = await w.run("import", "lxc_template.alpine", `pve1/local:vztmpl/${file}`);
    expect(imp.stderr).toBe("");
    expect(imp.code).toBe(0);
    const plan = await w.run("plan", "-detailed-exitcode");
    expect(plan.stderr).toBe("");
    expect(plan.code).toBe(0);
    // a second address for the same template is refused (one object, one entry)
    w.write("extra.pmx.hcl", tpl("alpine2", file));
    const twice = await w.run("import", "lxc_template.alpine2", `pve1/local:vztmpl/${file}`);
    expect(twice.code).toBe(0);
    const conflict = await w.run("plan");
    expect(conflict.code).toBe(1);
    expect(conflict.stderr).toContain("lxc_template.alpine2");
    expect((await w.run("state", "rm", "lxc_template.alpine2")).code).toBe(0);
    rmSync(w.path("extra.pmx.hcl"));
  });

  it("destroys the container first, then removes the templates with pveam remove", async () => {
    const before = readCalls(w.path("sim")).length;
    const destroy = await w.run("destroy", "-auto-approve");
    expect(destroy.stderr).toBe("");
    expect(destroy.code).toBe(0);
    const calls = readCalls(w.path("sim"))
      .slice(before)
      .map((c) => [c.tool, ...c.argv].join(" "));
    const ctGone = calls.findIndex((c) => c.startsWith("pct destroy"));
    const tplGone = calls.indexOf(`pveam remove local:vztmpl/${D13}`);
    expect(ctGone).toBeGreaterThanOrEqual(0);
    expect(tplGone).toBeGreaterThan(ctGone);
    expect(cached(D13)).toBe(false);
    expect(cached("alpine-3.22-default_20250617_amd64.tar.xz")).toBe(false);
  });
});
