// lxc_container on a zfspool storage end to end (issue 24 item 7): `storage = "local-zfs"` creates
// subvol-VMID-disk-N datasets whose refquota is the size, growing one is an in-place pct resize
// that sets the new refquota, and each apply re-plans as "No changes".
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BUILT, NOT_BUILT, SIM_NODE, Workdir } from "./helpers.js";

const ct = (rootSize: string, dataSize: string) => `${SIM_NODE}resource "lxc_container" "zfs" {
  node     = "pve1"
  vmid     = 171
  template = "local:vztmpl/debian-12-standard_12.7-1_amd64.tar.zst"
  started  = true
  rootfs {
    storage = "local-zfs"
    size    = "${rootSize}"
  }
  mount "data" {
    storage = "local-zfs"
    size    = "${dataSize}"
    path    = "/data"
  }
}
`;

describe.skipIf(!BUILT)(`lxc_container on local-zfs through the CLI${BUILT ? "" : ` (skipped: ${NOT_BUILT})`}`, () => {
  let w: Workdir;
  const conf = () => readFileSync(w.path("sim/etc/pve/nodes/pve1/lxc/171.conf"), "utf8");
  /** the refquota the simulated dataset records, in bytes */
  const refquota = (name: string) => (JSON.parse(readFileSync(w.path(`sim/nodes/pve1/zfs/${name}`), "utf8")) as { size: number }).size;
  const noChanges = async () => {
    const p = await w.run("plan", "--detailed-exitcode");
    expect(p.stdout).toContain("No changes.");
    expect(p.code).toBe(0);
  };

  beforeAll(() => {
    w = new Workdir("pmx-e2e-zfs-");
  });
  afterAll(() => w.remove());

  /** Applies the sizes (GiB), then checks the conf, each dataset's refquota and a clean re-plan. */
  const applyAndCheck = async (root: number, data: number) => {
    w.write("main.pmx.hcl", ct(`${root}G`, `${data}G`));
    const a = await w.run("apply", "--auto-approve");
    expect([a.code, a.stderr]).toEqual([0, ""]);
    expect(conf()).toMatch(new RegExp(`^rootfs: local-zfs:subvol-171-disk-0,size=${root}G$`, "m"));
    expect(conf()).toMatch(new RegExp(`^mp0: local-zfs:subvol-171-disk-1,mp=/data,size=${data}G$`, "m"));
    expect([refquota("subvol-171-disk-0"), refquota("subvol-171-disk-1")]).toEqual([root * 1024 ** 3, data * 1024 ** 3]);
    await noChanges();
  };

  it("creates the container on subvol datasets", async () => {
    await applyAndCheck(4, 1);
  });

  it("grows rootfs and the mount in place (pct resize sets the refquota)", async () => {
    w.write("main.pmx.hcl", ct("6G", "2G"));
    const p = await w.run("plan");
    expect(p.code).toBe(0);
    expect(p.stdout).toContain("# lxc_container.zfs will be updated in-place");
    await applyAndCheck(6, 2);
  });
});
