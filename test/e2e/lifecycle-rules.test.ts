// ignore_changes, replace_triggered_by, create_before_destroy, and the state/output commands.
import { execFileSync } from "node:child_process";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { BUILT, NOT_BUILT, SIM_NODE, Workdir, container } from "./helpers.js";

describe.skipIf(!BUILT)(`lifecycle rules and state commands${BUILT ? "" : ` (skipped: ${NOT_BUILT})`}`, () => {
  let w: Workdir;
  beforeEach(() => {
    w = new Workdir();
  });
  afterEach(() => w.remove());

  it("ignore_changes keeps out-of-band edits of the listed attributes", async () => {
    w.write("main.pmx.hcl", SIM_NODE + container("web", `  vmid = 170\n  memory = 512\n  description = "managed"\n  lifecycle {\n    ignore_changes = [memory]\n  }`));
    expect((await w.run("apply", "--auto-approve")).code).toBe(0);
    execFileSync(w.path("sim/bin/pct"), ["set", "170", "--memory", "2048", "--description", "edited"]);
    const p = await w.run("plan");
    expect(p.stdout).toMatch(/~ description\s+= "edited" -> "managed"/);
    expect(p.stdout).not.toMatch(/~ memory\s+=/);
    expect(p.stdout).toContain("Plan: 0 to add, 1 to change, 0 to destroy.");
  });

  it("replace_triggered_by replaces a resource when what it names changes", async () => {
    const cfg = (mem: number) => SIM_NODE + container("db", `  vmid = 180\n  memory = ${mem}`) + container("app", `  vmid = 181\n  lifecycle {\n    replace_triggered_by = [lxc_container.db]\n  }`);
    w.write("main.pmx.hcl", cfg(512));
    expect((await w.run("apply", "--auto-approve")).code).toBe(0);
    w.write("main.pmx.hcl", cfg(1024));
    const p = await w.run("plan");
    expect(p.stdout).toContain("# lxc_container.db will be updated in-place");
    expect(p.stdout).toContain("# lxc_container.app will be replaced due to changes in replace_triggered_by");
    expect(p.stdout).toContain("Plan: 1 to add, 1 to change, 1 to destroy.");
  });

  it("create_before_destroy creates the replacement first", async () => {
    const cfg = (tpl: string) => SIM_NODE + container("web", `  hostname = "web"\n  lifecycle {\n    create_before_destroy = true\n  }`).replace("debian-12-standard_12.7-1_amd64.tar.zst", tpl);
    w.write("main.pmx.hcl", cfg("debian-12-standard_12.7-1_amd64.tar.zst"));
    expect((await w.run("apply", "--auto-approve")).code).toBe(0);
    w.write("main.pmx.hcl", cfg("alpine-3.22-default_20250617_amd64.tar.xz"));
    const p = await w.run("plan");
    expect(p.stdout).toContain("+/- resource");
    const a = await w.run("apply", "--auto-approve");
    expect(a.stderr).toBe("");
    const creating = a.stdout.indexOf("Creating...");
    const destroying = a.stdout.indexOf("Destroying...");
    expect(creating).toBeGreaterThan(-1);
    expect(destroying).toBeGreaterThan(creating);
    expect((await w.run("plan", "--detailed-exitcode")).code).toBe(0);
  });

  it("state list/show/mv/rm and output", async () => {
    w.write("main.pmx.hcl", SIM_NODE + container("a", `  vmid = 190\n  password = "s3cret-pw"`) + 'output "vmid" {\n  value = lxc_container.a.vmid\n}\n');
    expect((await w.run("apply", "--auto-approve")).code).toBe(0);
    expect((await w.run("state", "list")).stdout).toBe("lxc_container.a\n");
    const show = await w.run("state", "show", "lxc_container.a");
    expect(show.stdout).toContain('resource "lxc_container" "a" {');
    expect(show.stdout).toMatch(/vmid\s+= 190/);
    expect(show.stdout).not.toContain("s3cret-pw");
    expect((await w.run("output", "vmid")).stdout.trim()).toBe("190");
    expect(JSON.parse((await w.run("output", "--json")).stdout)).toEqual({ vmid: { sensitive: false, value: 190 } });
    const mv = await w.run("state", "mv", "lxc_container.a", "lxc_container.b");
    expect(mv.stdout).toContain("Successfully moved 1 object(s).");
    expect((await w.run("state", "list")).stdout).toBe("lxc_container.b\n");
    const rm = await w.run("state", "rm", "lxc_container.b");
    expect(rm.stdout).toContain("Removed lxc_container.b");
    expect((await w.run("state", "list")).stdout).toBe("");
    const missing = await w.run("state", "show", "lxc_container.zzz");
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain("is not in the state");
  });
});
