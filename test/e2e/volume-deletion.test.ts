// Deleting data is never the silent consequence of an omission (issue 22, defect 6), through the
// CLI on the simulator: a container with a data volume imported into a block that leaves the
// mount out fails to plan, with the error at the block; adding the mount back plans "No changes";
// allow_volume_removal = true plans the deletion, listed last in a section of its own (and in
// plan --json), and apply deletes the volume. A destroy lists the data volumes it deletes.
import { existsSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BUILT, NOT_BUILT, SIM_NODE, Workdir, simCalls } from "./helpers.js";

const MOUNT = `  mount "data" {
    storage = "local-lvm"
    size    = "1G"
    path    = "/data"
  }
`;

const block = (extra: string) => `${SIM_NODE}
resource "lxc_container" "web" {
  node     = "pve1"
  vmid     = 170
  template = "local:vztmpl/debian-12-standard_12.7-1_amd64.tar.zst"
  rootfs {
    storage = "local-lvm"
    size    = "4G"
  }
${extra}}
`;

/** The 1-based line of the resource block in block(). */
const BLOCK_LINE =
  block("")
    .split("\n")
    .findIndex((l) => l.startsWith('resource "lxc_container" "web"')) + 1;

describe.skipIf(!BUILT)(`volume deletion needs an opt-in and is listed last${BUILT ? "" : ` (skipped: ${NOT_BUILT})`}`, () => {
  let w: Workdir;
  const volumeFile = () => w.path("sim/nodes/pve1/lvm/vm-170-disk-1");
  const noChanges = async () => expect((await w.run("plan", "--detailed-exitcode")).stdout).toContain("No changes.");

  beforeAll(() => {
    w = new Workdir("pmx-e2e-voldel-");
  });
  afterAll(() => w.remove());

  it("imports a container with a data volume into a block without the mount: the plan fails at the block", async () => {
    w.write("main.pmx.hcl", block(MOUNT));
    expect((await w.run("apply", "--auto-approve")).code).toBe(0);
    expect(existsSync(volumeFile())).toBe(true);
    expect((await w.run("state", "rm", "lxc_container.web")).code).toBe(0);
    w.write("main.pmx.hcl", block(""));
    expect((await w.run("import", "lxc_container.web", "pve1/170")).code).toBe(0);
    const p = await w.run("plan");
    expect(p.code).toBe(1);
    expect(p.stdout).not.toContain("will be deleted");
    expect(p.stderr).toContain("Error: Plan would delete data volumes");
    expect(p.stderr).toContain(`on main.pmx.hcl line ${BLOCK_LINE}, in resource "lxc_container" "web":`);
    expect(p.stderr).toContain('  local-lvm:vm-170-disk-1 (1G): mount "mp0" is no longer in the configuration');
    // Both ways out: the mount block to add back, and the opt-in.
    expect(p.stderr).toContain('  mount "mp0" { storage = "local-lvm"  size = "1G"  path = "/data" }');
    expect(p.stderr).toContain("set allow_volume_removal = true in this resource block.");
    const json = await w.run("plan", "--json");
    expect(json.code).toBe(1);
    const doc = JSON.parse(json.stdout) as { errored: boolean; diagnostics: { summary: string; range?: { filename: string; start: { line: number; column: number } } }[] };
    expect(doc.errored).toBe(true);
    const d = doc.diagnostics.find((x) => x.summary === "Plan would delete data volumes");
    expect(d?.range).toMatchObject({ filename: "main.pmx.hcl", start: { line: BLOCK_LINE, column: 1 } });
    expect(existsSync(volumeFile())).toBe(true);
  });

  it("keeps the data by adding the mount back: No changes", async () => {
    w.write("main.pmx.hcl", block(MOUNT));
    await noChanges();
  });

  it("with allow_volume_removal = true the plan lists the volume in its last section, and apply deletes it", async () => {
    w.write("main.pmx.hcl", block("  allow_volume_removal = true\n"));
    const p = await w.run("plan");
    expect(p.stderr).toBe("");
    expect(p.code).toBe(0);
    const section = [
      "Warning: applying this plan deletes a volume and all data on it:",
      "",
      '  - local-lvm:vm-170-disk-1 (1G) of lxc_container.web: mount "mp0" is no longer in the configuration',
      "",
      "This cannot be undone.",
      "",
    ].join("\n");
    expect(p.stdout.endsWith(`Plan: 0 to add, 1 to change, 0 to destroy.\n\n${section}`)).toBe(true);
    const json = JSON.parse((await w.run("plan", "--json")).stdout) as { volume_deletions: unknown[] };
    expect(json.volume_deletions).toEqual([{ address: "lxc_container.web", volume: "local-lvm:vm-170-disk-1", size: "1G", reason: 'mount "mp0" is no longer in the configuration' }]);
    const before = simCalls(w).length;
    const a = await w.run("apply", "--auto-approve");
    expect(a.code).toBe(0);
    expect(a.stdout).toContain(section);
    const pct = simCalls(w)
      .slice(before)
      .filter((c) => c.tool === "pct" && c.argv[0] === "set")
      .map((c) => c.argv.filter((x, i, all) => all[i - 1] !== "--digest" && x !== "--digest").join(" "));
    expect(pct).toEqual(["set 170 --delete mp0", "set 170 --delete unused0"]);
    expect(existsSync(volumeFile())).toBe(false);
    await noChanges();
  });

  it("a destroy lists the data volumes it deletes with the container", async () => {
    w.write("main.pmx.hcl", block(MOUNT));
    expect((await w.run("apply", "--auto-approve")).code).toBe(0);
    const p = await w.run("plan", "--destroy");
    expect(p.code).toBe(0);
    expect(p.stdout).toMatch(
      /Plan: 0 to add, 0 to change, 1 to destroy\.\n\nWarning: applying this plan deletes a volume and all data on it:\n\n {2}- local-lvm:vm-170-disk-\d+ \(1G\) of lxc_container\.web: mount "data" \(mp0\), destroyed with the container\n\nThis cannot be undone\.\n$/,
    );
  });
});
