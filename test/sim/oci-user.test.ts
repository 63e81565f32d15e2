// The OCI image's `User` mapped to lxc.init.uid/gid/groups at create, as pve-container's Create.pm
// resolve_oci_user does (6.1.0+): every branch of the lookup, then through a real `pct create`.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { parseConf } from "../../src/pve/conf.js";
import { resolveOciUser, type RootfsView } from "../../src/sim/oci-user.js";
import { newSim, simBuilt, skipMessage } from "./helpers.js";
import { ociArchive, writeTar } from "./tarwrite.js";

const PASSWD = "root:x:0:0:root:/root:/bin/sh\napp:x:1000:1001::/home/app:/bin/sh\nnogid:x:1002:\n";
const GROUP = "root:x:0:\nappgrp:x:1001:\nwheel:x:10:root,app\ndocker:x:999:app\nempty:x:50:\n";

function view(files: Record<string, string>, dirs: string[] = ["etc"]): RootfsView {
  return { readText: (p) => files[p], hasDir: (d) => dirs.includes(d) };
}
const image = view({ "etc/passwd": PASSWD, "etc/group": GROUP });

describe("resolve_oci_user", () => {
  it("a name: uid and primary gid from /etc/passwd, supplementary groups from /etc/group", () => {
    expect(resolveOciUser("app", image)).toEqual({ uid: "1000", gid: "1001", groups: "10,999" });
  });
  it("a numeric uid known to /etc/passwd gets its gid and its name's groups", () => {
    expect(resolveOciUser("1000", image)).toEqual({ uid: "1000", gid: "1001", groups: "10,999" });
    // root is a member of wheel only; an empty member list matches nobody.
    expect(resolveOciUser("0", image)).toEqual({ uid: "0", gid: "0", groups: "10" });
  });
  it("a numeric uid unknown to /etc/passwd: the uid alone", () => {
    expect(resolveOciUser("4242", image)).toEqual({ uid: "4242" });
  });
  it("an explicit group (number or name) replaces the lookup and leaves out supplementary groups", () => {
    expect(resolveOciUser("app:5000", image)).toEqual({ uid: "1000", gid: "5000" });
    expect(resolveOciUser("1000:docker", image)).toEqual({ uid: "1000", gid: "999" });
    expect(resolveOciUser("1000:nosuchgroup", image)).toEqual({ uid: "1000" });
  });
  it("an unknown name writes no uid, but an empty groups line (the real code's defined empty string)", () => {
    expect(resolveOciUser("ghost", image)).toEqual({ groups: "" });
  });
  it("a passwd line whose gid field is trailing-empty has no gid (Perl split drops it)", () => {
    expect(resolveOciUser("nogid", image)).toEqual({ uid: "1002", groups: "" });
  });
  it("no /etc/passwd or /etc/group: what is given is kept, nothing is looked up", () => {
    expect(resolveOciUser("1000:1000", view({}))).toEqual({ uid: "1000", gid: "1000" });
    expect(resolveOciUser("app", view({}))).toEqual({});
  });
  it("refuses a malformed User and an image without /etc", () => {
    for (const bad of [":1000", "1000:", "a:b:c"]) expect(() => resolveOciUser(bad, image)).toThrow("OCI config value for 'User' has an invalid format");
    expect(() => resolveOciUser("1000", view({}, []))).toThrow("cannot resolve /etc/passwd path in container rootfs");
  });
});

describe.skipIf(!simBuilt)(`pct create maps User (${simBuilt ? "built" : skipMessage})`, () => {
  let sim: ReturnType<typeof newSim>;
  beforeAll(() => {
    sim = newSim();
  });
  afterAll(() => sim.cleanup());
  const cache = () => join(sim.dir, "nodes/pve1/var/lib/vz/template/cache");
  const layer = gzipSync(
    writeTar([
      { name: "etc/", type: "5" },
      { name: "etc/os-release", data: "ID=alpine\n" },
      { name: "usr/", type: "5" },
      { name: "usr/share/", type: "5" },
      { name: "usr/share/passwd", data: PASSWD },
      // Through a symlink, as abs_path in the chroot resolves it.
      { name: "etc/passwd", type: "2", linkname: "../usr/share/passwd" },
      { name: "etc/group", data: GROUP },
    ]),
  );

  it("writes lxc.init.uid, gid and groups before lxc.init.cwd", async () => {
    writeFileSync(join(cache(), "app.tar"), ociArchive({ Cmd: ["/app"], User: "app", WorkingDir: "/srv" }, layer));
    const r = await sim.run("pct", ["create", "180", "local:vztmpl/app.tar", "--storage", "local-lvm"]);
    expect(r.stderr).toBe("");
    const text = readFileSync(join(sim.dir, "etc/pve/nodes/pve1/lxc/180.conf"), "utf8");
    expect(parseConf(text).main.lxc).toEqual([
      ["lxc.init.uid", "1000"],
      ["lxc.init.gid", "1001"],
      ["lxc.init.groups", "10,999"],
      ["lxc.init.cwd", "/srv"],
      ["lxc.signal.halt", "SIGTERM"],
    ]);
  });

  it('User "0" and "" are skipped (Perl truth), a bad User fails the create', async () => {
    for (const [vmid, user] of [
      ["181", "0"],
      ["182", ""],
    ] as const) {
      writeFileSync(join(cache(), `u${vmid}.tar`), ociArchive({ Cmd: ["/app"], User: user }, layer));
      expect((await sim.run("pct", ["create", vmid, `local:vztmpl/u${vmid}.tar`, "--storage", "local-lvm"])).code).toBe(0);
      expect(readFileSync(join(sim.dir, `etc/pve/nodes/pve1/lxc/${vmid}.conf`), "utf8")).not.toContain("lxc.init.uid");
    }
    writeFileSync(join(cache(), "bad.tar"), ociArchive({ Cmd: ["/app"], User: "a:b:c" }, layer));
    const bad = await sim.run("pct", ["create", "183", "local:vztmpl/bad.tar", "--storage", "local-lvm"]);
    expect(bad.code).toBe(255);
    expect(bad.stderr).toBe("unable to create CT 183 - OCI config value for 'User' has an invalid format\n");
  });
});
