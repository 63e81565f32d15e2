// Two resources of one configuration naming the same object (one vmid, one dataset, one Samba
// share under names that differ only in case, one template) are a plan error at the second
// one's identifying argument: applied, they would become two state entries claiming one object,
// each apply undoing the other's change. Checked generically through ResourceType.objectId.
import { appendFileSync, existsSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { initSim } from "../../src/sim/init.js";
import { BUILT, NOT_BUILT, SIM_NODE, Workdir, container, simCalls } from "./helpers.js";

describe.skipIf(!BUILT)(`one object named by two resources${BUILT ? "" : ` (skipped: ${NOT_BUILT})`}`, () => {
  let w: Workdir;
  beforeAll(() => {
    w = new Workdir("pmx-same-object-");
    initSim(w.path("sim"), { zfsPools: ["tank"] });
    appendFileSync(w.path("sim/nodes/pve1/etc/samba/smb.conf"), "include = /etc/samba/pmxform.conf\n");
  });
  afterAll(() => w.remove());

  const calls = () => (existsSync(w.path("sim/log/calls.jsonl")) ? simCalls(w) : []);
  const refused = async (hcl: string, line: number, names: string) => {
    w.write("main.pmx.hcl", SIM_NODE + hcl);
    const before = calls().length;
    const r = await w.run("plan");
    expect(r.code, r.stdout + r.stderr).toBe(1);
    expect(r.stderr).toContain("Two resources manage the same object");
    expect(r.stderr).toContain(names);
    expect(r.stderr).toContain(`on main.pmx.hcl line ${line}`);
    // A plan never writes; nothing beyond the refresh's reads ran.
    const writes = calls()
      .slice(before)
      .filter((c) => !["list", "config", "get", "status", "listsnapshot"].includes(c.argv[0] ?? "") && !["pvesh", "pvesm", "pveam", "grep", "stat"].includes(c.tool));
    expect(writes).toEqual([]);
  };

  it("two containers with one vmid", async () => {
    await refused(container("a", "  vmid = 150") + container("b", "  vmid = 150"), 22, "lxc_container.a and lxc_container.b both name container pve1/150");
  });

  it("two datasets with one name on one node", async () => {
    const ds = (n: string) => `resource "zfs_dataset" "${n}" {\n  node = "pve1"\n  name = "tank/media"\n}\n`;
    await refused(ds("a") + ds("b"), 12, "zfs_dataset.a and zfs_dataset.b both name dataset pve1/tank/media");
  });

  it("two Samba shares whose names differ only in case (Samba's names are case-insensitive)", async () => {
    const smb = (n: string, name: string) => `resource "smb_share" "${n}" {\n  node = "pve1"\n  name = "${name}"\n  path = "/tank/media"\n}\n`;
    await refused(smb("a", "media") + smb("b", "Media"), 13, "smb_share.a and smb_share.b both name share pve1:/etc/samba/pmxform.d/media.conf");
  });

  it("distinct objects plan as usual", async () => {
    w.write("main.pmx.hcl", SIM_NODE + container("a", "  vmid = 150") + container("b", "  vmid = 151"));
    const r = await w.run("plan");
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain("2 to add");
  });
});
