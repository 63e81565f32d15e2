// `pct migrate` of the simulator against pve-container: the checks of API2/LXC.pm migrate_vm
// (before the task: stderr, exit 255) and of LXC/Migrate.pm prepare/phase1 (inside the task: the
// ERROR lines on stdout, "migration aborted" on stderr, exit 255), and what a migration leaves.
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { setQuorum } from "../../src/sim/index.js";
import { parseStorageMap } from "../../src/sim/pct-migrate.js";
import { DEBIAN, newSim, simBuilt, skipMessage, type Runner } from "./helpers.js";

describe("pct migrate --target-storage parsing (pve-common JSONSchema parse_idmap)", () => {
  it.each([
    ["local-lvm:local", { entries: [["local-lvm", "local"]] }],
    [
      "a1:b1, c1:d1",
      {
        entries: [
          ["a1", "b1"],
          ["c1", "d1"],
        ],
      },
    ],
    ["local", { default: "local", entries: [] }],
    ["1", { identity: true, entries: [] }],
  ])("%s", (text, want) => {
    const m = parseStorageMap(text);
    expect({ ...(m.identity ? { identity: true } : {}), ...(m.default ? { default: m.default } : {}), entries: [...m.entries] }).toEqual(want);
  });
  it.each([
    ["a1:b1,a1:c1", "duplicate mapping for source 'a1'"],
    ["a1,b1", "default target ID can only be provided once"],
    ["1,a1:b1", "identity mapping cannot be combined with other mappings"],
    ["x", "entry 'x' contains invalid ID - storage ID 'x' cannot be shorter than 2 characters"],
    ["a1:b!", "entry 'a1:b!' contains invalid ID - storage ID 'b!' contains illegal characters"],
  ])("%s is refused: %s", (text, message) => {
    expect(() => parseStorageMap(text)).toThrow(message);
  });
});

describe.skipIf(!simBuilt)(`pct migrate (${simBuilt ? "built" : skipMessage})`, () => {
  let sim: ReturnType<typeof newSim>;
  let pct: (args: string[], node?: string) => ReturnType<Runner>;
  const confPath = (vmid: number, node: string) => join(sim.dir, "etc/pve/nodes", node, "lxc", `${vmid}.conf`);
  beforeAll(async () => {
    sim = newSim(["pve1", "pve2"]);
    pct = (args, node = "pve1") => sim.run("pct", args, { PMXSIM_NODE: node });
    expect((await pct(["create", "300", DEBIAN, "--rootfs", "local-lvm:1", "--mp0", "local-lvm:1,mp=/data"])).code).toBe(0);
  });
  afterAll(() => sim.cleanup());

  it("without quorum a migration writes nothing: the CT, its disk and its conf stay on the source (pve-cluster cfs-plug-memdb.c: /etc/pve read-only; pve-common file_set_contents)", async () => {
    expect((await pct(["create", "330", DEBIAN, "--rootfs", "local-zfs:1"])).code).toBe(0);
    const before = readFileSync(confPath(330, "pve1"), "utf8");
    setQuorum(sim.dir, false);
    try {
      const r = await pct(["migrate", "330", "pve2"]);
      expect(r.code).toBe(255);
      // the lock: migrate write in Migrate.pm prepare fails inside the task
      expect(r.stderr).toBe("migration aborted\n");
      expect(r.stdout).toMatch(/ ERROR: unable to open file '\/etc\/pve\/nodes\/pve1\/lxc\/330\.conf\.tmp\.\d+' - Permission denied\n/);
    } finally {
      setQuorum(sim.dir, true);
    }
    expect(readFileSync(confPath(330, "pve1"), "utf8")).toBe(before);
    expect(existsSync(confPath(330, "pve2"))).toBe(false);
    expect(existsSync(join(sim.dir, "nodes/pve1/zfs/subvol-330-disk-0"))).toBe(true);
    expect(existsSync(join(sim.dir, "nodes/pve2/zfs/subvol-330-disk-0"))).toBe(false);
    const moved = await pct(["migrate", "330", "pve2"]);
    expect(moved.code).toBe(0);
    expect(readFileSync(confPath(330, "pve2"), "utf8")).toContain("rootfs: local-zfs:subvol-330-disk-0,size=1G\n");
  });

  // Rows: arguments, where pct runs, the exact stderr, and (for task errors) the ERROR line of the log.
  const refusals: [string, string[], string, string | undefined][] = [
    ["the local node as target (raise_param_exc)", ["300", "pve1"], "400 Parameter verification failed.\ntarget: target is local node.\npct migrate <vmid> <target> [OPTIONS]\n", undefined],
    [
      "a timeout that is no integer (schema)",
      ["300", "pve2", "--timeout", "soon"],
      "400 Parameter verification failed.\ntimeout: type check ('integer') failed - got 'soon'\npct migrate <vmid> <target> [OPTIONS]\n",
      undefined,
    ],
    ["an unknown node (check_node_exists)", ["300", "pve9"], "no such cluster node 'pve9'\n", undefined],
    ["a CT of another node (load_config)", ["301", "pve2"], "Configuration file 'nodes/pve1/lxc/301.conf' does not exist\n", undefined],
    [
      "a bad storage map",
      ["300", "pve2", "--target-storage", "a1:b1,a1:c1"],
      "400 Parameter verification failed.\ntarget-storage: failed to parse storage map: duplicate mapping for source 'a1'\npct migrate <vmid> <target> [OPTIONS]\n",
      undefined,
    ],
    ["a mapped storage that does not exist ($check_storage_access_migrate)", ["300", "pve2", "--target-storage", "local-lvm:nope"], "storage 'nope' does not exist\n", undefined],
  ];
  it.each(refusals)("refuses %s", async (_what, args, stderr, logged) => {
    const r = await pct(["migrate", ...args]);
    expect(r.stderr).toBe(stderr);
    expect(r.code).toBe(255);
    if (logged) expect(r.stdout).toContain(logged);
    expect(existsSync(confPath(300, "pve1"))).toBe(true);
  });

  it("refuses a running CT without --restart before the task, and --online inside it", async () => {
    expect((await pct(["start", "300"])).code).toBe(0);
    const plain = await pct(["migrate", "300", "pve2"]);
    expect(plain.stderr).toBe("can't migrate running container without --online or --restart\n");
    expect(plain.code).toBe(255);
    const online = await pct(["migrate", "300", "pve2", "--online"]);
    expect(online.stderr).toBe("migration aborted\n");
    expect(online.code).toBe(255);
    expect(online.stdout).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d ERROR: lxc live migration is currently not implemented\n/);
    expect(online.stdout).toMatch(/ERROR: migration aborted \(duration 00:00:00\): lxc live migration is currently not implemented\n$/);
    expect((await pct(["status", "300"])).stdout).toBe("status: running\n");
    expect((await pct(["stop", "300"])).code).toBe(0);
  });

  it("refuses a locked CT, a local bind mount, and a snapshot on local storage, leaving the CT where it was", async () => {
    expect((await pct(["set", "300", "--lock", "backup"])).code).toBe(0);
    const locked = await pct(["migrate", "300", "pve2"]);
    expect(locked.stdout).toContain("ERROR: CT is locked (backup)\n");
    expect(locked.stderr).toBe("migration aborted\n");
    expect((await pct(["unlock", "300"])).code).toBe(0);

    expect((await pct(["set", "300", "--mp1", "/srv/share,mp=/share"])).code).toBe(0);
    const bind = await pct(["migrate", "300", "pve2"]);
    expect(bind.stdout).toContain("ERROR: cannot migrate local bind mount point 'mp1'\n");
    // shared=1 vouches that the path exists on the target: skipped, as Migrate.pm prepare does.
    expect((await pct(["set", "300", "--mp1", "/srv/share,mp=/share,shared=1"])).code).toBe(0);

    expect((await pct(["snapshot", "300", "before"])).code).toBe(0);
    const snap = await pct(["migrate", "300", "pve2"]);
    expect(snap.stdout).toContain("ERROR: can't migrate local volume 'local-lvm:vm-300-disk-0': non-migratable snapshot exists\n");
    expect(snap.stdout).toContain("ERROR: can't migrate CT - check log\n");
    expect(snap.stderr).toBe("migration aborted\n");
    expect((await pct(["delsnapshot", "300", "before"])).code).toBe(0);
    // A failed migration leaves no migrate lock behind (final_cleanup).
    expect(readFileSync(confPath(300, "pve1"), "utf8")).not.toMatch(/^lock:/m);
  });

  it("moves the conf and the volumes (data kept), with --restart and --target-storage", async () => {
    const disk0 = join(sim.dir, "nodes/pve1/lvm/vm-300-disk-0");
    writeFileSync(disk0, "data");
    expect((await pct(["start", "300"])).code).toBe(0);
    const r = await pct(["migrate", "300", "pve2", "--restart", "--target-storage", "local-lvm:local"]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(
      /shutdown CT 300\n[\s\S]*starting migration of CT 300 to node 'pve2'[\s\S]*volume 'local-lvm:vm-300-disk-0' is 'local:300\/vm-300-disk-0.raw' on the target\n[\s\S]*start container on target node\n[\s\S]*migration finished successfully/,
    );
    expect(existsSync(confPath(300, "pve1"))).toBe(false);
    expect(existsSync(disk0)).toBe(false);
    const conf = readFileSync(confPath(300, "pve2"), "utf8");
    expect(conf).toContain("rootfs: local:300/vm-300-disk-0.raw,size=1G\n");
    expect(conf).toContain("mp0: local:300/vm-300-disk-1.raw,mp=/data,size=1G\n");
    expect(conf).toContain("mp1: /srv/share,mp=/share,shared=1\n");
    expect(conf).not.toMatch(/^lock:/m);
    expect(readFileSync(join(sim.dir, "nodes/pve2/var/lib/vz/images/300/vm-300-disk-0.raw"), "utf8")).toBe("data");
    expect((await pct(["status", "300"], "pve2")).stdout).toBe("status: running\n");
    const vmlist = JSON.parse(readFileSync(join(sim.dir, "etc/pve/.vmlist"), "utf8")) as { ids: Record<string, { node: string }> };
    expect(vmlist.ids["300"]!.node).toBe("pve2");
    // Offline back, same storages: the volume names are kept.
    expect((await pct(["stop", "300"], "pve2")).code).toBe(0);
    expect((await pct(["migrate", "300", "pve1"], "pve2")).code).toBe(0);
    expect(readFileSync(confPath(300, "pve1"), "utf8")).toContain("rootfs: local:300/vm-300-disk-0.raw,size=1G\n");
  });

  it("pct help prints a command's usage from its own spec, resolves aliases, lists every command, refuses unknown ones", async () => {
    expect(await pct(["help", "migrate"])).toEqual({ code: 0, stdout: "USAGE: pct migrate <vmid> <target> [OPTIONS]\n", stderr: "" });
    expect((await pct(["help", "move_volume"])).stdout).toBe("USAGE: pct move-volume <vmid> <volume> [<storage>] [<target-vmid>] [<target-volume>] [OPTIONS]\n");
    const all = await pct(["help"]);
    expect(all.stdout.startsWith("USAGE: pct <COMMAND> [ARGS] [OPTIONS]\n\n")).toBe(true);
    expect(all.stdout).toContain("       pct migrate <vmid> <target> [OPTIONS]\n");
    expect(all.stdout).toContain("       pct set <vmid> [OPTIONS]\n");
    expect(all.stdout).not.toContain("move_volume");
    const bad = await pct(["help", "bogus"]);
    expect(bad.code).toBe(255);
    expect(bad.stderr).toBe("ERROR: unknown command 'pct bogus'\nUSAGE: pct <COMMAND> [ARGS] [OPTIONS]\n");
  });
});
