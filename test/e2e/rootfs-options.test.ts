// rootfs shared/ro/idmap and mount keepattrs end to end through the CLI and the simulator: they
// are declarable (written by pct create/set), read back without drift, corrected when changed
// outside pmxform, and written by import --generate-config-out so the next plan is "No changes".
import { readFileSync, writeFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { initSim, loadSimContainer } from "../../src/sim/index.js";
import { BUILT, NOT_BUILT, SIM_NODE, Workdir } from "./helpers.js";

const IDMAP = "u:0:100000:65536;g:0:100000:65536";

const config = (rootfsExtra: string) => `${SIM_NODE}
resource "lxc_container" "web" {
  node     = "pve1"
  vmid     = 170
  template = "local:vztmpl/debian-12-standard_12.7-1_amd64.tar.zst"
  started  = true
  rootfs {
    storage = "local-lvm"
    size    = "4G"
${rootfsExtra}
  }
  mount "data" {
    storage    = "local-lvm"
    size       = "1G"
    path       = "/data"
    keep_attrs = true
  }
}
`;

describe.skipIf(!BUILT)(`rootfs shared/read_only/idmap and mount keep_attrs${BUILT ? "" : ` (skipped: ${NOT_BUILT})`}`, () => {
  let w: Workdir;
  const conf = () => readFileSync(w.path("sim/etc/pve/nodes/pve1/lxc/170.conf"), "utf8");
  const line = (key: string) => new RegExp(`^${key}: .*$`, "m").exec(conf())?.[0] ?? "";
  beforeAll(() => {
    w = new Workdir("pmx-rootfs-options-");
  });
  afterAll(() => w.remove());

  it("creates them, and the next plan says No changes", async () => {
    w.write("main.pmx.hcl", config(`    shared    = true\n    read_only = false\n    idmap     = "${IDMAP}"`));
    const apply = await w.run("apply", "--auto-approve");
    expect(apply.code, apply.stdout + apply.stderr).toBe(0);
    expect(line("rootfs")).toMatch(/,shared=1(,|$)/);
    expect(line("rootfs")).toMatch(/,ro=0(,|$)/);
    expect(line("rootfs")).toContain(`idmap=${IDMAP}`);
    expect(line("mp0")).toMatch(/,keepattrs=1(,|$)/);
    const plan = await w.run("plan", "--detailed-exitcode");
    expect(plan.stdout + plan.stderr).toContain("No changes.");
    expect(plan.code).toBe(0);
  });

  it("an option removed outside pmxform is planned back (restart while running), and then plans nothing", async () => {
    writeFileSync(
      w.path("sim/etc/pve/nodes/pve1/lxc/170.conf"),
      conf()
        .replace(/,shared=1/, "")
        .replace(/,keepattrs=1/, ""),
    );
    const plan = await w.run("plan", "--detailed-exitcode");
    expect(plan.code, plan.stdout + plan.stderr).toBe(2);
    expect(plan.stdout).toMatch(/\+ shared\s+= true/);
    expect(plan.stdout).toMatch(/\+ keep_attrs\s+= true/);
    expect(plan.stdout).toContain("# requires restart");
    expect(plan.stdout).toContain("Plan: 0 to add, 1 to change, 0 to destroy.");
    const apply = await w.run("apply", "--auto-approve");
    expect(apply.code, apply.stdout + apply.stderr).toBe(0);
    // The running container keeps them pending until it restarts; refresh reads the pending view.
    expect(conf()).toMatch(/\[pve:pending\][\s\S]*rootfs: .*shared=1/);
    const again = await w.run("plan", "--detailed-exitcode");
    expect(again.stdout).toContain("No changes.");
  });

  it("set outside pmxform and declared: no drift; import writes them and the generated block plans No changes", async () => {
    const v = new Workdir("pmx-rootfs-import-");
    try {
      v.write("main.pmx.hcl", SIM_NODE);
      initSim(v.path("sim"), { nodes: ["pve1"] });
      loadSimContainer(
        v.path("sim"),
        "pve1",
        181,
        `arch: amd64\nhostname: shared\nmemory: 512\nmp0: /srv/nfs,mp=/nfs,shared=1,keepattrs=1,ro=1\nrootfs: local-lvm:vm-181-disk-0,ro=1,shared=1,idmap=${IDMAP},size=2G\nunprivileged: 1\n`,
      );
      const imp = await v.run("import", "--all", "--generate-config-out", "generated.pmx.hcl");
      expect(imp.code, imp.stderr).toBe(0);
      expect(imp.stderr).not.toMatch(/rootfs\.|mount\./);
      const generated = readFileSync(v.path("generated.pmx.hcl"), "utf8");
      for (const arg of [/shared\s+= true/, /read_only\s+= true/, new RegExp(`idmap\\s+= "${IDMAP}"`), /keep_attrs\s+= true/]) expect(generated).toMatch(arg);
      const plan = await v.run("plan", "--detailed-exitcode");
      expect(plan.stdout + plan.stderr, generated).toContain("No changes.");
      expect(plan.code).toBe(0);
    } finally {
      v.remove();
    }
  });
});
