// destroy, apply --destroy and plan --destroy check every resource body as plan does, and refuse
// to run on a mistake, while values of what is being destroyed stay unknown.
import { existsSync, readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BUILT, NOT_BUILT, SIM_NODE, Workdir, container } from "./helpers.js";

// b's count, description and memory all depend on a, which destroy does not evaluate.
const dependent = `resource "lxc_container" "b" {
  count       = length(lxc_container.a.tags)
  node        = "pve1"
  description = "next to \${lxc_container.a.vmid}"
  memory      = 256 * (length(lxc_container.a.tags) + 1)
  template    = "local:vztmpl/debian-12-standard_12.7-1_amd64.tar.zst"
  rootfs {
    storage = "local-lvm"
    size    = "4G"
  }
}
output "b_hosts" {
  value = lxc_container.b[*].vmid
}
`;

describe.skipIf(!BUILT)(`destroy validates the configuration${BUILT ? "" : ` (skipped: ${NOT_BUILT})`}`, () => {
  let w: Workdir;
  beforeAll(async () => {
    w = new Workdir();
    w.write("main.pmx.hcl", SIM_NODE + container("a", `  vmid = 130\n  tags = ["web"]`) + dependent);
    expect((await w.run("apply", "--auto-approve")).code).toBe(0);
  });
  afterAll(() => w.remove());

  it("refuses a typo and a wrongly typed argument at their file:line:col, changing nothing", async () => {
    // Lines 15 and 16 of the file: SIM_NODE is 5 lines, then the resource header and node (7).
    w.write("main.pmx.hcl", SIM_NODE + container("a", `  vmid = 130\n  tags = ["web"]\n  memroy = 1\n  cores = "many"`) + dependent);
    const stateBefore = readFileSync(w.path("pmxform.state.json"), "utf8");
    for (const argv of [
      ["destroy", "--auto-approve"],
      ["apply", "--destroy", "--auto-approve"],
      ["plan", "--destroy"],
    ]) {
      const r = await w.run(...argv);
      expect(r.code, argv.join(" ")).toBe(1);
      expect(r.stderr).toContain("Error: Unsupported argument");
      expect(r.stderr).toContain("on main.pmx.hcl line 15");
      expect(r.stderr).toContain('Did you mean "memory"?');
      expect(r.stderr).toContain("Error: Invalid value for argument");
      expect(r.stderr).toContain("on main.pmx.hcl line 16");
      expect(r.stdout).not.toContain("Destroying");
    }
    const j = await w.run("destroy", "--auto-approve", "--json");
    expect(j.code).toBe(1);
    const doc = JSON.parse(j.stdout) as { errored: boolean; diagnostics: { summary: string; range: { filename: string; start: { line: number; column: number } } }[] };
    expect(doc.errored).toBe(true);
    expect(doc.diagnostics.map((d) => [d.summary, d.range.filename, d.range.start.line])).toEqual([
      ["Unsupported argument", "main.pmx.hcl", 15],
      ["Invalid value for argument", "main.pmx.hcl", 16],
    ]);
    expect(doc.diagnostics[1]!.range.start.column).toBe(11);
    expect(readFileSync(w.path("pmxform.state.json"), "utf8")).toBe(stateBefore);
    expect(existsSync(w.path("sim/etc/pve/nodes/pve1/lxc/130.conf"))).toBe(true);
  });

  it("destroys once the configuration is fixed, with values of destroyed resources unknown", async () => {
    w.write("main.pmx.hcl", SIM_NODE + container("a", `  vmid = 130\n  tags = ["web"]`) + dependent);
    const r = await w.run("destroy", "--auto-approve");
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("Destroy complete! Resources: 2 destroyed.");
    expect(existsSync(w.path("sim/etc/pve/nodes/pve1/lxc/130.conf"))).toBe(false);
  });

  it("checks the bodies on an empty state too", async () => {
    w.write("main.pmx.hcl", SIM_NODE + container("a", `  memroy = 1`));
    const r = await w.run("destroy", "--auto-approve");
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("Error: Unsupported argument");
  });
});
