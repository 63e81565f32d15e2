// Growing a volume together with other changes of the same pct key (issue 22, defect 3): on a
// running container `pct set` keeps the new mpN/rootfs value pending while `pct resize` writes the
// grown size into the current section, so a pending value carrying the old size= would overwrite
// it at the next start and every later `pct resize` fails with "disk is already at specified
// size". After apply and a restart the conf must show the new size and the next plan "No changes";
// a container the old order left that way is repaired by the next apply.
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { BUILT, NOT_BUILT, SIM_NODE, Workdir } from "./helpers.js";

interface Shape {
  rootSize: string;
  rootAcl?: boolean;
  size: string;
  path: string;
  backup?: boolean;
  started?: boolean;
  storage?: string;
}

const hcl = (s: Shape) => `${SIM_NODE}resource "lxc_container" "grow" {
  node     = "pve1"
  vmid     = 171
  template = "local:vztmpl/debian-12-standard_12.7-1_amd64.tar.zst"
  started  = ${s.started ?? true}
  rootfs {
    storage = "local-lvm"
    size    = "${s.rootSize}"
${s.rootAcl === undefined ? "" : `    acl     = ${s.rootAcl}\n`}  }
  mount "data" {
    storage = "${s.storage ?? "local-lvm"}"
    size    = "${s.size}"
    path    = "${s.path}"
${s.backup === undefined ? "" : `    backup  = ${s.backup}\n`}  }
}
`;

describe.skipIf(!BUILT)(`growing a volume together with other changes${BUILT ? "" : ` (skipped: ${NOT_BUILT})`}`, () => {
  let w: Workdir;
  const conf = () => readFileSync(w.path("sim/etc/pve/nodes/pve1/lxc/171.conf"), "utf8");
  const apply = async (s: Shape) => {
    w.write("main.pmx.hcl", hcl(s));
    const a = await w.run("apply", "--auto-approve");
    expect(a.stderr).toBe("");
    expect(a.code).toBe(0);
  };
  const pct = (...args: string[]) => {
    const r = spawnSync(w.path("sim/bin/pct"), args, { env: { ...process.env, PMXSIM_NODE: "pve1" }, encoding: "utf8" });
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
  };
  const reboot = () => pct("reboot", "171");
  const noChanges = async () => {
    const p = await w.run("plan", "--detailed-exitcode");
    expect(p.stdout).toContain("No changes.");
    expect(p.code).toBe(0);
  };

  beforeEach(async () => {
    w = new Workdir("pmx-e2e-grow-");
    await apply({ rootSize: "4G", size: "1G", path: "/data" });
  });
  afterEach(() => w.remove());

  it("grows a mount and changes its path in one apply on a running container", async () => {
    await apply({ rootSize: "4G", size: "3G", path: "/var/data" });
    reboot();
    expect(conf()).toMatch(/^mp0: local-lvm:vm-171-disk-1,mp=\/var\/data,size=3G$/m);
    await noChanges();
  });

  it("grows rootfs and changes a rootfs option in one apply on a running container", async () => {
    await apply({ rootSize: "6G", rootAcl: true, size: "1G", path: "/data" });
    reboot();
    expect(conf()).toMatch(/^rootfs: local-lvm:vm-171-disk-0,acl=1,size=6G$/m);
    await noChanges();
  });

  it("grows a mount whose earlier change still waits in [pve:pending]", async () => {
    await apply({ rootSize: "4G", size: "1G", path: "/data", backup: false });
    expect(conf()).toMatch(/\[pve:pending\][^]*^mp0: .*backup=0/m);
    await apply({ rootSize: "4G", size: "2G", path: "/data", backup: false });
    reboot();
    expect(conf()).toMatch(/^mp0: local-lvm:vm-171-disk-1,mp=\/data,backup=0,size=2G$/m);
    await noChanges();
  });

  it("repairs a container whose conf says a smaller size= than its volume has (left by the old order)", async () => {
    // What apply did before: pct set left mp0 pending with size=1G, pct resize grew it, a restart.
    pct("set", "171", "--mp0", "local-lvm:vm-171-disk-1,mp=/var/data,size=1G");
    pct("resize", "171", "mp0", "3G");
    reboot();
    expect(conf()).toMatch(/^mp0: local-lvm:vm-171-disk-1,mp=\/var\/data,size=1G$/m);
    await apply({ rootSize: "4G", size: "3G", path: "/var/data" });
    reboot();
    expect(conf()).toMatch(/^mp0: local-lvm:vm-171-disk-1,mp=\/var\/data,size=3G$/m);
    await noChanges();
  });

  it("grows a mount, moves it to another storage and changes its path in one apply", async () => {
    await apply({ rootSize: "4G", size: "2G", path: "/srv", storage: "local" });
    expect(conf()).toMatch(/^mp0: local:171\/vm-171-disk-\d+\.raw,mp=\/srv,size=2G$/m);
    expect(conf()).not.toContain("[pve:pending]");
    await noChanges();
  });

  it("grows a mount and changes its flags in the apply that also stops the container", async () => {
    await apply({ rootSize: "5G", rootAcl: false, size: "2G", path: "/srv", backup: true, started: false });
    expect(conf()).toMatch(/^mp0: local-lvm:vm-171-disk-1,mp=\/srv,backup=1,size=2G$/m);
    expect(conf()).toMatch(/^rootfs: local-lvm:vm-171-disk-0,acl=0,size=5G$/m);
    await noChanges();
  });
});
