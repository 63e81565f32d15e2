// smb_share and nfs_share end to end through the CLI on the simulator: the missing include line
// is a plan error with the line to add; create, in-place change, rename (replace), drift from a
// hand edit, a testparm refusal that leaves the live file alone, a second project claiming the
// same share, import of one share and import --all, destroy; no-op re-plans after each; the
// refresh reads shares with one process per node however many there are.
import { appendFileSync, existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BUILT, NOT_BUILT, SIM_NODE, Workdir, simCalls } from "../../e2e/helpers.js";

const SMB = (name: string, extra = "") => `resource "smb_share" "media" {
  node             = "pve1"
  name             = "${name}"
  path             = "/tank/media"
  guest_ok         = true
  valid_users      = ["alice", "@family"]
  allowed_networks = ["192.168.1.0/24"]
  create_mask      = "644"
${extra}}
`;
const NFS = (opts = "") => `resource "nfs_share" "backups" {
  node = "pve1"
  name = "backups"
  path = "/tank/backups"
  client "192.168.1.0/24" {
    read_only = false
${opts}  }
  client "nas.lan" {}
}
`;
const DOCS = `resource "smb_share" "docs" {
  node = "pve1"
  name = "docs"
  path = "/tank/docs"
}
`;

describe.skipIf(!BUILT)(`smb_share and nfs_share through the CLI${BUILT ? "" : ` (skipped: ${NOT_BUILT})`}`, () => {
  let w: Workdir;
  const node = (p: string) => w.path(`sim/nodes/pve1${p}`);
  const read = (p: string) => readFileSync(node(p), "utf8");
  const config = (...parts: string[]) => w.write("main.pmx.hcl", SIM_NODE + parts.join(""));
  const noChanges = async (wd = w) => {
    const r = await wd.run("plan", "-detailed-exitcode");
    expect(r.stdout + r.stderr, "re-plan").toContain("No changes.");
    expect(r.code).toBe(0);
  };

  beforeAll(() => {
    w = new Workdir("pmx-shares-");
  });
  afterAll(() => w.remove());

  it("plans an error with the exact line to add while smb.conf does not include pmxform's index", async () => {
    config(SMB("media"), NFS());
    const r = await w.run("plan");
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("smb.conf does not include pmxform's shares");
    expect(r.stderr).toContain("on main.pmx.hcl line 6");
    expect(r.stderr).toContain("  include = /etc/samba/pmxform.conf");
    // pmxform never wrote smb.conf.
    expect(read("/etc/samba/smb.conf")).not.toContain("pmxform");
    // Placed in the middle of [global] it would hand the globals after it to the last share.
    writeFileSync(node("/etc/samba/smb.conf"), read("/etc/samba/smb.conf").replace("[global]\n", "[global]\ninclude = /etc/samba/pmxform.conf\n"));
    const mid = await w.run("plan");
    expect(mid.code).toBe(1);
    expect(mid.stderr).toContain("Move the line to the end of /etc/samba/smb.conf");
    writeFileSync(node("/etc/samba/smb.conf"), read("/etc/samba/smb.conf").replace("include = /etc/samba/pmxform.conf\n", "") + "include = /etc/samba/pmxform.conf\n");
  });

  it("validate points at a bad network and a bad NFS client with file:line:col", async () => {
    const v = new Workdir("pmx-shares-v-");
    try {
      v.write("main.pmx.hcl", SIM_NODE + SMB("media").replace('["192.168.1.0/24"]', '["192.168.1.7/24"]') + NFS().replace('client "nas.lan"', 'client "10.0.0.0/33"'));
      const r = await v.run("validate");
      expect(r.code).toBe(1);
      expect(r.stderr).toContain("without host bits");
      expect(r.stderr).toContain('on main.pmx.hcl line 12, in resource "smb_share" "media":\n  12:   allowed_networks = ["192.168.1.7/24"]');
      expect(r.stderr).toContain('on main.pmx.hcl line 22, in resource "nfs_share" "backups"');
      expect(r.stderr).toContain('"10.0.0.0/33"');
      expect(r.stderr).toContain("larger than 32");
    } finally {
      v.remove();
    }
  });

  it("creates both shares: files, index, testparm-clean config, Samba reloaded, exports live; then no changes", async () => {
    const r = await w.run("apply", "-auto-approve");
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(read("/etc/samba/pmxform.d/media.conf")).toMatch(
      /^# pmxform smb_share media; owner [0-9a-f-]+\. .*\n\[media\]\n\tpath = \/tank\/media\n\tguest ok = yes\n\tvalid users = alice @family\n\thosts allow = 192\.168\.1\.0\/24\n\tcreate mask = 0644\n$/,
    );
    expect(read("/etc/samba/pmxform.conf")).toContain("include = /etc/samba/pmxform.d/media.conf\n");
    expect(read("/etc/exports.d/pmxform-backups.exports")).toContain(
      "/tank/backups 192.168.1.0/24(rw,sync,root_squash,no_all_squash,no_subtree_check) nas.lan(ro,sync,root_squash,no_all_squash,no_subtree_check)\n",
    );
    expect(read("/var/lib/nfs/etab")).toContain("/tank/backups\tnas.lan(ro,");
    expect(read("/var/log/samba-reloads.log").trim().split("\n")).toHaveLength(1);
    // No staged or check file is left behind.
    expect(existsSync(node("/etc/samba/pmxform.d/.media.conf.new"))).toBe(false);
    expect(existsSync(node("/etc/samba/.smb.conf.pmxform-check"))).toBe(false);
    await noChanges();
  });

  it("changes options in place (one file rewritten, nothing replaced)", async () => {
    config(SMB("media", '  read_only = false\n  comment   = "Family media"\n'), NFS("    root_squash = false\n    anonuid = 1000\n"));
    const plan = await w.run("plan");
    expect(plan.stdout).toContain("~ update in-place");
    expect(plan.stdout).toMatch(/\+ comment\s+= "Family media"/);
    expect(plan.stdout).not.toContain("forces replacement");
    const r = await w.run("apply", "-auto-approve");
    expect(r.code, r.stderr).toBe(0);
    expect(read("/etc/samba/pmxform.d/media.conf")).toContain("\tcomment = Family media\n\tread only = no\n");
    expect(read("/etc/exports.d/pmxform-backups.exports")).toContain("192.168.1.0/24(rw,sync,no_root_squash,no_all_squash,no_subtree_check,anonuid=1000)");
    await noChanges();
  });

  it("drift: a hand edit of the share file is reported and undone", async () => {
    const f = node("/etc/samba/pmxform.d/media.conf");
    writeFileSync(f, readFileSync(f, "utf8").replace("read only = no", "read only = yes") + "\tvfs objects = fruit\n");
    const plan = await w.run("plan");
    expect(plan.stdout).toMatch(/~ read_only\s+= true -> false/);
    expect(plan.stdout).toContain('"vfs objects = fruit"');
    expect((await w.run("apply", "-auto-approve")).code).toBe(0);
    expect(read("/etc/samba/pmxform.d/media.conf")).not.toContain("vfs objects");
    await noChanges();
  });

  it("a testparm refusal fails the apply with testparm's words and leaves the live file as it was", async () => {
    const before = read("/etc/samba/pmxform.d/media.conf");
    writeFileSync(
      w.path("sim/faults.json"),
      JSON.stringify([
        { tool: "testparm", exit: 1, stderr: "Load smb config files from /etc/samba/.smb.conf.pmxform-check\nset_variable_helper(maybe): value is not boolean!\nError loading services." },
      ]),
    );
    config(SMB("media", '  read_only = false\n  comment   = "Changed"\n'), NFS("    root_squash = false\n    anonuid = 1000\n"));
    const r = await w.run("apply", "-auto-approve");
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("testparm on node pve1 refused the new share; /etc/samba/pmxform.d/media.conf was left as it was");
    expect(r.stderr).toContain("Error loading services.");
    expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
    expect(read("/etc/samba/pmxform.d/media.conf")).toBe(before);
    expect(existsSync(node("/etc/samba/pmxform.d/.media.conf.new"))).toBe(false);
    rmSync(w.path("sim/faults.json"));
    expect((await w.run("apply", "-auto-approve")).code).toBe(0);
    expect(read("/etc/samba/pmxform.d/media.conf")).toContain("comment = Changed");
  });

  it("renaming a share replaces it: the old file and its include go, the new one comes", async () => {
    config(SMB("Media2", '  read_only = false\n  comment   = "Changed"\n'), NFS("    root_squash = false\n    anonuid = 1000\n"), DOCS);
    const plan = await w.run("plan");
    expect(plan.stdout).toContain("must be replaced");
    expect(plan.stdout).toMatch(/name\s+= "media" -> "Media2" # forces replacement/);
    const r = await w.run("apply", "-auto-approve");
    expect(r.code, r.stderr).toBe(0);
    expect(existsSync(node("/etc/samba/pmxform.d/media.conf"))).toBe(false);
    expect(read("/etc/samba/pmxform.d/media2.conf")).toContain("[Media2]");
    const index = read("/etc/samba/pmxform.conf");
    expect(index).not.toContain("media.conf");
    expect(index).toContain("include = /etc/samba/pmxform.d/docs.conf\ninclude = /etc/samba/pmxform.d/media2.conf\n");
    await noChanges();
  });

  it("the refresh reads every share of a node with one process", async () => {
    const before = simCalls(w).length;
    await w.run("plan");
    const calls = simCalls(w).slice(before);
    expect(calls.filter((c) => c.tool === "grep")).toHaveLength(1);
    expect(calls.filter((c) => ["testparm", "dd", "mv", "smbcontrol", "exportfs"].includes(c.tool))).toEqual([]);
  });

  it("a second project on the same cluster cannot create a share of the same name", async () => {
    const b = new Workdir("pmx-shares-b-");
    try {
      b.write("main.pmx.hcl", SIM_NODE.replace('sim = "sim"', `sim = "${w.path("sim")}"`) + DOCS);
      const r = await b.run("plan");
      expect(r.code).toBe(1);
      expect(r.stderr).toContain("Share already exists");
      expect(r.stderr).toMatch(/written by pmxform, owner [0-9a-f-]+/);
      expect(r.stderr).toContain("pmxform import smb_share.docs pve1/docs");
    } finally {
      b.remove();
    }
  });

  it("import of one share and import --all adopt pmxform's files, and plan shows no changes", async () => {
    expect((await w.run("state", "rm", "smb_share.docs")).code).toBe(0);
    const one = await w.run("import", "smb_share.docs", "pve1/docs");
    expect(one.code, one.stderr).toBe(0);
    await noChanges();
    expect((await w.run("state", "rm", "smb_share.media", "nfs_share.backups", "smb_share.docs")).code).toBe(0);
    config();
    const all = await w.run("import", "--all", "--generate-config-out", "gen.pmx.hcl");
    expect(all.code, all.stderr).toBe(0);
    expect(all.stdout).toContain('Importing from ID "pve1/backups"');
    const gen = readFileSync(w.path("gen.pmx.hcl"), "utf8");
    expect(gen).toContain('resource "smb_share" "Media2"');
    expect(gen).toContain('resource "nfs_share" "backups"');
    expect(gen).toMatch(/client "192\.168\.1\.0\/24" \{\n\s+read_only\s+= false\n\s+root_squash\s+= false\n\s+anonuid\s+= 1000\n/);
    await noChanges();
  });

  it("destroy removes the files, the includes and the exports", async () => {
    appendFileSync(node("/etc/exports"), "/srv/theirs *(ro,sync)\n");
    const r = await w.run("destroy", "-auto-approve");
    expect(r.code, r.stderr).toBe(0);
    expect(existsSync(node("/etc/samba/pmxform.d/media2.conf"))).toBe(false);
    expect(existsSync(node("/etc/exports.d/pmxform-backups.exports"))).toBe(false);
    expect(read("/etc/samba/pmxform.conf")).not.toContain("include");
    expect(read("/var/lib/nfs/etab")).toBe("/srv/theirs\t*(ro,sync)\n");
    expect(read("/etc/samba/smb.conf")).toContain("include = /etc/samba/pmxform.conf");
  });
});
