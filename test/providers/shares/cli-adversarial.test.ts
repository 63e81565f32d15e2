// Shares against a node that acts between plan and apply, and values only apply knows: a saved
// plan whose node lost the include line fails before writing; exportfs refusing the new exports
// puts the previous file back; an index that lost a share's include is drift and is repaired; a
// path built from a new container's MAC address (unknown at plan) is written from the configuration
// evaluated at apply, and the re-plan is clean.
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BUILT, NOT_BUILT, SIM_NODE, Workdir } from "../../e2e/helpers.js";

const SHARES = (readOnly: boolean) => `resource "smb_share" "media" {
  node = "pve1"
  name = "media"
  path = "/tank/media"
  read_only = ${readOnly}
}
resource "nfs_share" "backups" {
  node = "pve1"
  name = "backups"
  path = "/tank/backups"
  client "10.0.0.0/8" {
    read_only = ${readOnly}
  }
}
`;

describe.skipIf(!BUILT)(`shares when the node changes under pmxform${BUILT ? "" : ` (skipped: ${NOT_BUILT})`}`, () => {
  let w: Workdir;
  const node = (p: string) => w.path(`sim/nodes/pve1${p}`);
  const read = (p: string) => readFileSync(node(p), "utf8");
  const noChanges = async () => {
    const r = await w.run("plan", "-detailed-exitcode");
    expect(r.stdout + r.stderr).toContain("No changes.");
    expect(r.code).toBe(0);
  };

  beforeAll(async () => {
    w = new Workdir("pmx-shares-adv-");
    w.write("main.pmx.hcl", SIM_NODE + SHARES(true));
    await w.run("plan"); // creates the simulator
    writeFileSync(node("/etc/samba/smb.conf"), read("/etc/samba/smb.conf") + "include = /etc/samba/pmxform.conf\n");
    const r = await w.run("apply", "-auto-approve");
    expect(r.code, r.stderr).toBe(0);
  });
  afterAll(() => w.remove());

  it("a saved plan applied after the include line was removed fails before writing anything", async () => {
    w.write("main.pmx.hcl", SIM_NODE + SHARES(false));
    expect((await w.run("plan", "-out", "p.plan")).code).toBe(0);
    const conf = read("/etc/samba/smb.conf");
    writeFileSync(node("/etc/samba/smb.conf"), conf.replace("include = /etc/samba/pmxform.conf\n", ""));
    const before = read("/etc/samba/pmxform.d/media.conf");
    const r = await w.run("apply", "p.plan");
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('no longer ends with the line "include = /etc/samba/pmxform.conf"');
    expect(read("/etc/samba/pmxform.d/media.conf")).toBe(before);
    writeFileSync(node("/etc/samba/smb.conf"), conf);
  });

  it("exportfs refusing the new exports puts the previous file back and fails with exportfs's words", async () => {
    // The saved plan's NFS change went through above: this asks for another.
    w.write("main.pmx.hcl", SIM_NODE + SHARES(true));
    const before = read("/etc/exports.d/pmxform-backups.exports");
    expect(before).toContain("10.0.0.0/8(rw,");
    writeFileSync(
      w.path("sim/faults.json"),
      JSON.stringify([{ tool: "exportfs", args: ["-ra"], exit: 1, stderr: 'exportfs: /etc/exports.d/pmxform-backups.exports:2: unknown keyword "xprtsec=mtls"' }]),
    );
    const r = await w.run("apply", "-auto-approve", "-target", "nfs_share.backups");
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("exportfs -ra on node pve1 refused the new exports; /etc/exports.d/pmxform-backups.exports was put back as it was");
    expect(r.stderr).toContain('unknown keyword "xprtsec=mtls"');
    expect(read("/etc/exports.d/pmxform-backups.exports")).toBe(before);
    rmSync(w.path("sim/faults.json"));
  });

  it("applies both after all, and an index that lost the share's include is drift that apply repairs", async () => {
    w.write("main.pmx.hcl", SIM_NODE + SHARES(false));
    expect((await w.run("apply", "-auto-approve")).code).toBe(0);
    expect(read("/etc/exports.d/pmxform-backups.exports")).toContain("10.0.0.0/8(rw,");
    writeFileSync(node("/etc/samba/pmxform.conf"), "# emptied by hand\n");
    const plan = await w.run("plan");
    expect(plan.stdout).toContain("(/etc/samba/pmxform.conf does not include this file)");
    expect((await w.run("apply", "-auto-approve")).code).toBe(0);
    expect(read("/etc/samba/pmxform.conf")).toContain("include = /etc/samba/pmxform.d/media.conf\n");
    await noChanges();
  });

  it("a path only apply knows (a new container's MAC address) is written from the configuration evaluated at apply", async () => {
    w.write(
      "main.pmx.hcl",
      SIM_NODE +
        SHARES(false) +
        `resource "lxc_container" "app" {
  node     = "pve1"
  template = "local:vztmpl/debian-12-standard_12.7-1_amd64.tar.zst"
  rootfs {
    storage = "local-lvm"
    size    = "2G"
  }
  network "eth0" {
    bridge = "vmbr0"
    ip     = "dhcp"
  }
}
resource "smb_share" "appdata" {
  node = "pve1"
  name = "appdata"
  path = "/tank/appdata/ct-\${lxc_container.app.network["eth0"].hwaddr}"
}
`,
    );
    const plan = await w.run("plan");
    expect(plan.stdout).toMatch(/\+ path\s+= \(known after apply\)/);
    const r = await w.run("apply", "-auto-approve");
    expect(r.code, r.stderr).toBe(0);
    const state = JSON.parse(readFileSync(w.path("pmxform.state.json"), "utf8")) as { resources: { address: string; attributes: { network?: Record<string, { hwaddr: string }> } }[] };
    const mac = state.resources.find((x) => x.address === "lxc_container.app")!.attributes.network!["eth0"]!.hwaddr;
    expect(mac).toMatch(/^BC:24:11:/);
    expect(read("/etc/samba/pmxform.d/appdata.conf")).toContain(`\tpath = /tank/appdata/ct-${mac}\n`);
    await noChanges();
  });
});
