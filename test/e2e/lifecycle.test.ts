// End to end through the CLI against the simulator: create, no-op re-plan, in-place update,
// restart-requiring update, replace, drift, destroy.
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BUILT, NOT_BUILT, SIM_NODE, Workdir, container } from "./helpers.js";

const web = (extra = "", memory = 512) =>
  container(
    "web",
    `  vmid     = 150
  hostname = "web"
  memory   = ${memory}
  network "eth0" {
    bridge = "vmbr0"
    ip     = "dhcp"
  }
  tags     = ["Web", "prod"]
${extra}`,
  );

describe.skipIf(!BUILT)(`lxc_container lifecycle through the CLI${BUILT ? "" : ` (skipped: ${NOT_BUILT})`}`, () => {
  let w: Workdir;
  beforeAll(() => {
    w = new Workdir();
  });
  afterAll(() => w.remove());

  it("creates from nothing and re-plans as no changes", async () => {
    w.write("main.pmx.hcl", SIM_NODE + web() + 'output "vmid" {\n  value = lxc_container.web.vmid\n}\n');
    const plan = await w.run("plan", "--detailed-exitcode");
    expect(plan.stderr).toBe("");
    expect(plan.code).toBe(2);
    expect(plan.stdout).toContain("# lxc_container.web will be created");
    expect(plan.stdout).toContain("Plan: 1 to add, 0 to change, 0 to destroy.");

    const apply = await w.run("apply", "--auto-approve");
    expect(apply.stderr).toBe("");
    expect(apply.code).toBe(0);
    expect(apply.stdout).toContain("lxc_container.web: Creating...");
    expect(apply.stdout).toMatch(/lxc_container\.web: Creation complete after \d+s \[vmid=150\]/);
    expect(apply.stdout).toContain("Apply complete! Resources: 1 added, 0 changed, 0 destroyed.");
    expect(apply.stdout).toContain("vmid = 150");

    const conf = readFileSync(w.path("sim/etc/pve/nodes/pve1/lxc/150.conf"), "utf8");
    expect(conf).toMatch(/^memory: 512$/m);
    expect(conf).toMatch(/^net0: name=eth0,bridge=vmbr0,hwaddr=BC:24:11:[0-9A-F:]+,ip=dhcp,type=veth$/m);

    const again = await w.run("plan", "--detailed-exitcode");
    expect(again.stdout).toContain("No changes.");
    expect(again.code).toBe(0);
  });

  it("updates memory in place with one pct set", async () => {
    w.write("main.pmx.hcl", SIM_NODE + web("", 1024));
    const plan = await w.run("plan");
    expect(plan.stdout).toContain("# lxc_container.web will be updated in-place");
    expect(plan.stdout).toMatch(/~ memory\s+= 512 -> 1024/);
    expect(plan.stdout).toContain("Plan: 0 to add, 1 to change, 0 to destroy.");
    const apply = await w.run("apply", "--auto-approve");
    expect(apply.code).toBe(0);
    expect(apply.stdout).toContain("Apply complete! Resources: 0 added, 1 changed, 0 destroyed.");
    const calls = readFileSync(w.path("sim/log/calls.jsonl"), "utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as { argv: string[] });
    const sets = calls.filter((c) => c.argv[0] === "set");
    expect(sets.at(-1)?.argv).toEqual(expect.arrayContaining(["set", "150", "--memory", "1024"]));
    expect((await w.run("plan", "--detailed-exitcode")).code).toBe(0);
  });

  it("reports drift from an out-of-band pct set and plans to undo it", async () => {
    execFileSync(w.path("sim/bin/pct"), ["set", "150", "--memory", "4096"]);
    const plan = await w.run("plan");
    expect(plan.stdout).toContain("Objects have changed outside pmxform");
    expect(plan.stdout).toMatch(/memory: 1024 -> 4096/);
    expect(plan.stdout).toMatch(/~ memory\s+= 4096 -> 1024/);
    expect((await w.run("apply", "--auto-approve")).code).toBe(0);
    expect((await w.run("plan", "--detailed-exitcode")).code).toBe(0);
  });

  it("replaces when the template changes, saying which attribute forces it", async () => {
    w.write("main.pmx.hcl", SIM_NODE + web("", 1024).replace("debian-12-standard_12.7-1_amd64.tar.zst", "alpine-3.22-default_20250617_amd64.tar.xz"));
    const plan = await w.run("plan");
    expect(plan.stdout).toContain("# lxc_container.web must be replaced");
    expect(plan.stdout).toContain("# forces replacement");
    expect(plan.stdout).toContain("Plan: 1 to add, 0 to change, 1 to destroy.");
    const apply = await w.run("apply", "--auto-approve");
    expect(apply.stderr).toBe("");
    expect(apply.code).toBe(0);
    expect((await w.run("plan", "--detailed-exitcode")).code).toBe(0);
  });

  it("destroys everything", async () => {
    const d = await w.run("destroy", "--auto-approve");
    expect(d.code).toBe(0);
    expect(d.stdout).toContain("Destroy complete! Resources: 1 destroyed.");
    const list = await w.run("state", "list");
    expect(list.stdout).toBe("");
    expect(() => readFileSync(join(w.dir, "sim/etc/pve/nodes/pve1/lxc/150.conf"))).toThrow();
  });
});
