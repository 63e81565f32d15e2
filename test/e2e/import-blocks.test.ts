// import blocks: planned like Terraform's ("Preparing import", "will be imported", "1 to import"),
// carried out by apply, and --generate-config-out for targets without a resource block.
import { execFileSync } from "node:child_process";
import { appendFileSync, readFileSync } from "node:fs";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { BUILT, NOT_BUILT, SIM_NODE, Workdir } from "./helpers.js";

const TEMPLATE = "local:vztmpl/debian-12-standard_12.7-1_amd64.tar.zst";

describe.skipIf(!BUILT)(`import blocks${BUILT ? "" : ` (skipped: ${NOT_BUILT})`}`, () => {
  let w: Workdir;
  beforeEach(async () => {
    w = new Workdir();
    w.write("main.pmx.hcl", SIM_NODE);
    expect((await w.run("plan")).code).toBe(0); // creates the simulator
    execFileSync(w.path("sim/bin/pct"), ["create", "105", TEMPLATE, "--hostname", "legacy", "--memory", "1024", "--net0", "name=eth0,bridge=vmbr0,ip=dhcp"]);
  });
  afterEach(() => w.remove());

  it("imports through plan and apply, then re-plans as no changes", async () => {
    w.write(
      "main.pmx.hcl",
      SIM_NODE +
        `import {
  to = lxc_container.legacy
  id = "pve1/105"
}

resource "lxc_container" "legacy" {
  node     = "pve1"
  template = "${TEMPLATE}"
  hostname = "legacy"
  memory   = 1024
  network "eth0" {
    bridge = "vmbr0"
    ip     = "dhcp"
  }
}
`,
    );
    const p = await w.run("plan");
    expect(p.stderr).toBe("");
    expect(p.stdout).toContain("lxc_container.legacy: Preparing import... [id=pve1/105]");
    expect(p.stdout).toContain("# lxc_container.legacy will be imported");
    expect(p.stdout).toContain("Plan: 1 to import, 0 to add, 0 to change, 0 to destroy.");
    const a = await w.run("apply", "--auto-approve");
    expect(a.stderr).toBe("");
    expect(a.stdout).toContain("lxc_container.legacy: Import complete [id=pve1/105]");
    expect(a.stdout).toContain("Apply complete! Resources: 1 imported, 0 added, 0 changed, 0 destroyed.");
    expect((await w.run("state", "list")).stdout).toBe("lxc_container.legacy\n");
    expect((await w.run("plan", "--detailed-exitcode")).code).toBe(0);
  });

  it("imports and updates in one plan when the configuration differs", async () => {
    w.write(
      "main.pmx.hcl",
      SIM_NODE + `import {\n  to = lxc_container.legacy\n  id = "105"\n}\n\nresource "lxc_container" "legacy" {\n  node     = "pve1"\n  template = "${TEMPLATE}"\n  memory   = 2048\n}\n`,
    );
    const p = await w.run("plan");
    expect(p.stdout).toContain("# lxc_container.legacy will be updated in-place");
    expect(p.stdout).toContain('(imported from "105")');
    expect(p.stdout).toContain("Plan: 1 to import, 0 to add, 1 to change, 0 to destroy.");
    expect((await w.run("apply", "--auto-approve")).code).toBe(0);
    expect(readFileSync(w.path("sim/etc/pve/nodes/pve1/lxc/105.conf"), "utf8")).toMatch(/^memory: 2048$/m);
  });

  it("refuses an import block without a resource block, or writes one with --generate-config-out", async () => {
    w.write("main.pmx.hcl", SIM_NODE + `import {\n  to = lxc_container.legacy\n  id = "pve1/105"\n}\n`);
    const refused = await w.run("plan");
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain("Configuration for import target does not exist");
    expect(refused.stderr).toContain("main.pmx.hcl line 7");
    const gen = await w.run("plan", "--generate-config-out", "generated.pmx.hcl");
    expect(gen.stderr).toBe("");
    expect(gen.stdout).toContain("Generated configuration for 1 import target(s) in generated.pmx.hcl");
    expect(gen.stdout).toContain("Plan: 1 to import, 0 to add, 0 to change, 0 to destroy.");
    expect(readFileSync(w.path("generated.pmx.hcl"), "utf8")).toContain('resource "lxc_container" "legacy"');
    expect((await w.run("validate")).code).toBe(0);
    expect((await w.run("apply", "--auto-approve")).code).toBe(0);
    expect((await w.run("plan", "--detailed-exitcode")).code).toBe(0);
  });

  it("reports what a hand-edited conf holds that is not configuration, in the plan and the generated file", async () => {
    appendFileSync(w.path("sim/etc/pve/nodes/pve1/lxc/105.conf"), "garbage that is no setting\nswap: -5\n");
    w.write("main.pmx.hcl", SIM_NODE + `import {\n  to = lxc_container.legacy\n  id = "pve1/105"\n}\n`);
    const gen = await w.run("plan", "--generate-config-out", "generated.pmx.hcl");
    expect(gen.code).toBe(0);
    expect(gen.stderr).toContain("Imported values that are not configuration");
    expect(gen.stderr).toContain('line "garbage that is no setting"');
    const generated = readFileSync(w.path("generated.pmx.hcl"), "utf8");
    expect(generated).toContain("# not managed: swap = -5");
    expect(generated).not.toMatch(/^\s*swap\s*=/m);
    expect((await w.run("apply", "--auto-approve")).code).toBe(0);
    expect((await w.run("plan", "--detailed-exitcode")).code).toBe(0);
  });

  it("reports an import of something that does not exist at the import block", async () => {
    w.write("main.pmx.hcl", SIM_NODE + `import {\n  to = lxc_container.ghost\n  id = "pve1/999"\n}\n\nresource "lxc_container" "ghost" {\n  node     = "pve1"\n  template = "${TEMPLATE}"\n}\n`);
    const p = await w.run("plan");
    expect(p.code).toBe(1);
    expect(p.stderr).toContain("Cannot import non-existent remote object");
    expect((await w.run("state", "list")).stdout).toBe("");
  });
});
