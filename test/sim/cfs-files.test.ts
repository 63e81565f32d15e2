// The simulated pmxcfs private tree as the pve state backend's coreutils meet it: the 1 MiB file
// limit, rename replacing its target in one step (never a lock), writes refused without quorum
// while reads go on, non-empty directories kept, the simulator's DIR/etc/pve spelling accepted,
// and every path outside /etc/pve/priv handed to the system's tool.
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, utimesSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { setQuorum, simBin } from "../../src/sim/index.js";
import { newSim, simBuilt, skipMessage } from "./helpers.js";

const MiB = 1024 * 1024;

describe.skipIf(!simBuilt)(`simulated pmxcfs private tree (${simBuilt ? "built" : skipMessage})`, () => {
  const sim = newSim(["pve1"]);
  const scratch = mkdtempSync(join(tmpdir(), "pmx-cfs-files-"));
  afterAll(() => {
    sim.cleanup();
    rmSync(scratch, { recursive: true, force: true });
  });
  const disk = (rel: string) => join(sim.dir, "etc/pve", rel);
  const dd = (of: string, data: string | Buffer) => {
    try {
      execFileSync(simBin(sim.dir, "dd"), [`of=${of}`, "bs=65536", "status=none"], { input: data, stdio: ["pipe", "pipe", "pipe"] });
      return { code: 0, stderr: "" };
    } catch (e) {
      const err = e as { status: number; stderr: Buffer };
      return { code: err.status, stderr: err.stderr.toString() };
    }
  };

  it("a file of exactly 1 MiB is written; one byte more fails with EFBIG and keeps what was written before the failing block [pve-cluster src/pmxcfs/memdb.h MEMDB_MAX_FILE_SIZE; memdb.c memdb_pwrite: offset + count > MEMDB_MAX_FILE_SIZE -> -EFBIG]", async () => {
    expect((await sim.run("mkdir", ["-p", "/etc/pve/priv/pmxform/default"])).code).toBe(0);
    const full = Buffer.alloc(MiB, "a");
    expect(dd("/etc/pve/priv/pmxform/default/a", full)).toEqual({ code: 0, stderr: "" });
    expect(statSync(disk("priv/pmxform/default/a")).size).toBe(MiB);
    const over = dd("/etc/pve/priv/pmxform/default/a", Buffer.concat([Buffer.alloc(MiB, "b"), Buffer.from("c")]));
    expect(over).toEqual({ code: 1, stderr: "dd: error writing '/etc/pve/priv/pmxform/default/a': File too large\n" });
    // the open truncated it; the 16 blocks of 64 KiB before the failing one are there
    expect(readFileSync(disk("priv/pmxform/default/a")).equals(Buffer.alloc(MiB, "b"))).toBe(true);
  });

  it("rename replaces its target in one step, and a lock directory cannot be renamed [memdb.c memdb_rename: unlink_tree_entry(to) then link, one bdb_backend_write; 'we do not allow rename for locks']", async () => {
    dd("/etc/pve/priv/pmxform/default/next", "new");
    dd("/etc/pve/priv/pmxform/default/cur", "old");
    const mv = await sim.run("mv", ["-f", "-T", "--", "/etc/pve/priv/pmxform/default/next", "/etc/pve/priv/pmxform/default/cur"]);
    expect([mv.code, mv.stderr]).toEqual([0, ""]);
    expect(readFileSync(disk("priv/pmxform/default/cur"), "utf8")).toBe("new");
    expect(existsSync(disk("priv/pmxform/default/next"))).toBe(false);
    const gone = await sim.run("mv", ["-f", "-T", "/etc/pve/priv/pmxform/default/next", "/etc/pve/priv/pmxform/default/cur"]);
    expect([gone.code, gone.stderr]).toEqual([1, "mv: cannot stat '/etc/pve/priv/pmxform/default/next': No such file or directory\n"]);
    expect((await sim.run("mkdir", ["/etc/pve/priv/lock/mv-test"])).code).toBe(0);
    const lock = await sim.run("mv", ["-f", "-T", "/etc/pve/priv/lock/mv-test", "/etc/pve/priv/lock/mv-other"]);
    expect([lock.code, lock.stderr]).toEqual([1, "mv: cannot move '/etc/pve/priv/lock/mv-test' to '/etc/pve/priv/lock/mv-other': Permission denied\n"]);
    expect((await sim.run("rmdir", ["/etc/pve/priv/lock/mv-test"])).code).toBe(0);
  });

  it("rmdir keeps a non-empty directory; rm removes files, -f ignores missing ones, a directory is refused [memdb.c memdb_delete: -ENOTEMPTY]", async () => {
    const full = await sim.run("rmdir", ["/etc/pve/priv/pmxform/default"]);
    expect([full.code, full.stderr]).toEqual([1, "rmdir: failed to remove '/etc/pve/priv/pmxform/default': Directory not empty\n"]);
    expect((await sim.run("rm", ["-f", "--", "/etc/pve/priv/pmxform/default/cur", "/etc/pve/priv/pmxform/default/missing"])).code).toBe(0);
    const missing = await sim.run("rm", ["/etc/pve/priv/pmxform/default/missing"]);
    expect([missing.code, missing.stderr]).toEqual([1, "rm: cannot remove '/etc/pve/priv/pmxform/default/missing': No such file or directory\n"]);
    const dir = await sim.run("rm", ["-f", "/etc/pve/priv/pmxform/default"]);
    expect([dir.code, dir.stderr]).toEqual([1, "rm: cannot remove '/etc/pve/priv/pmxform/default': Is a directory\n"]);
  });

  it("without quorum dd, mv, rm, mkdir and rmdir fail with EACCES and change nothing, reads still answer, mkdir -p of an existing directory still succeeds [dcdb.c dcdb_deliver: !cfs_is_quorate() -> -EACCES; cfs-plug-memdb.c tree_entry_stat 0444/0555]", async () => {
    dd("/etc/pve/priv/pmxform/default/keep", "kept");
    setQuorum(sim.dir, false);
    try {
      expect(dd("/etc/pve/priv/pmxform/default/keep", "lost")).toEqual({ code: 1, stderr: "dd: failed to open '/etc/pve/priv/pmxform/default/keep': Permission denied\n" });
      const mv = await sim.run("mv", ["-f", "-T", "/etc/pve/priv/pmxform/default/keep", "/etc/pve/priv/pmxform/default/moved"]);
      expect([mv.code, mv.stderr]).toEqual([1, "mv: cannot move '/etc/pve/priv/pmxform/default/keep' to '/etc/pve/priv/pmxform/default/moved': Permission denied\n"]);
      const rm = await sim.run("rm", ["-f", "/etc/pve/priv/pmxform/default/keep"]);
      expect([rm.code, rm.stderr]).toEqual([1, "rm: cannot remove '/etc/pve/priv/pmxform/default/keep': Permission denied\n"]);
      const mk = await sim.run("mkdir", ["-p", "/etc/pve/priv/pmxform/other"]);
      expect([mk.code, mk.stderr]).toEqual([1, "mkdir: cannot create directory '/etc/pve/priv/pmxform/other': Permission denied\n"]);
      expect((await sim.run("mkdir", ["-p", "/etc/pve/priv/pmxform/default"])).code).toBe(0);
      expect(readFileSync(disk("priv/pmxform/default/keep"), "utf8")).toBe("kept");
      expect(execFileSync("cat", [disk("priv/pmxform/default/keep")], { encoding: "utf8" })).toBe("kept");
    } finally {
      setQuorum(sim.dir, true);
    }
  });

  it("accepts the simulator's own spelling DIR/etc/pve/priv/... (a runner's pve_root) as the same tree", async () => {
    const real = join(sim.dir, "etc/pve/priv/pmxform/default/real");
    expect(dd(real, "via DIR")).toEqual({ code: 0, stderr: "" });
    setQuorum(sim.dir, false);
    try {
      expect(dd(real, "refused").code).toBe(1);
      const lock = await sim.run("mkdir", [join(sim.dir, "etc/pve/priv/lock/real-spelling")]);
      expect(lock.stderr).toBe(`mkdir: cannot create directory '${join(sim.dir, "etc/pve/priv/lock/real-spelling")}': Permission denied\n`);
    } finally {
      setQuorum(sim.dir, true);
    }
    expect(readFileSync(real, "utf8")).toBe("via DIR");
  });

  it("hands dd, mv and rm on any other path to the system's tools", () => {
    const a = join(scratch, "a");
    execFileSync(simBin(sim.dir, "dd"), [`of=${a}`, "status=none"], { input: "plain" });
    execFileSync(simBin(sim.dir, "mv"), [a, join(scratch, "b")]);
    expect(readFileSync(join(scratch, "b"), "utf8")).toBe("plain");
    execFileSync(simBin(sim.dir, "rm"), [join(scratch, "b")]);
    expect(existsSync(join(scratch, "b"))).toBe(false);
  });

  it("an unlock request fails with EACCES on a live lock and frees an expired one; a renewal to an older time is EACCES [cfs-plug-memdb.c cfs_plug_memdb_utimens; memdb.c memdb_mtime: a lock's mtime may only grow]", async () => {
    const lock = "/etc/pve/priv/lock/renew-test";
    expect((await sim.run("mkdir", [lock])).code).toBe(0);
    const req = await sim.run("touch", ["-c", "-d", "@0", lock]);
    expect([req.code, req.stderr]).toEqual([1, `touch: setting times of '${lock}': Permission denied\n`]);
    const back = await sim.run("touch", ["-c", "-d", "@1000", lock]);
    expect([back.code, back.stderr]).toEqual([1, `touch: setting times of '${lock}': Permission denied\n`]);
    const old = Date.now() / 1000 - 121;
    utimesSync(disk("priv/lock/renew-test"), old, old);
    expect((await sim.run("touch", ["-c", "-d", "@0", lock])).code).toBe(0);
    expect(existsSync(disk("priv/lock/renew-test"))).toBe(false);
  });

  it("only the node that took a lock renews it; any node releases it [memdb.c memdb_mtime: 'only allow lock updates if the writer is the same'; memdb_delete has no writer check]", async () => {
    const two = newSim(["pve1", "pve2"]);
    try {
      const lock = "/etc/pve/priv/lock/writer-test";
      expect((await two.run("mkdir", [lock], { PMXSIM_NODE: "pve1" })).code).toBe(0);
      expect((await two.run("touch", ["-c", lock], { PMXSIM_NODE: "pve1" })).code).toBe(0);
      const other = await two.run("touch", ["-c", lock], { PMXSIM_NODE: "pve2" });
      expect([other.code, other.stderr]).toEqual([1, `touch: setting times of '${lock}': Permission denied\n`]);
      expect((await two.run("rmdir", [lock], { PMXSIM_NODE: "pve2" })).code).toBe(0);
      // taken again through pve2, it is pve2's to renew
      expect((await two.run("mkdir", [lock], { PMXSIM_NODE: "pve2" })).code).toBe(0);
      expect((await two.run("touch", ["-c", lock], { PMXSIM_NODE: "pve2" })).code).toBe(0);
      expect((await two.run("touch", ["-c", lock], { PMXSIM_NODE: "pve1" })).code).toBe(1);
    } finally {
      two.cleanup();
    }
  });
});
