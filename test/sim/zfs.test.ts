// The simulated zfs executable, driven through the real runner: each refusal with OpenZFS's exact
// text and exit code (the source each comes from is cited in src/sim/zfs.ts), and the state it
// leaves; output formats of get and list with and without -H/-p.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { initSim } from "../../src/sim/index.js";
import { SimRunner } from "../../src/exec/sim.js";
import { BUILT, NOT_BUILT } from "../e2e/helpers.js";

describe.skipIf(!BUILT)(`simulated zfs${BUILT ? "" : ` (skipped: ${NOT_BUILT})`}`, () => {
  let dir: string;
  let run: SimRunner;
  const zfs = async (...args: string[]) => {
    const r = await run.run(["zfs", ...args], { okCodes: [0, 1, 2] });
    return { code: r.exitCode, out: r.stdout, err: r.stderr };
  };
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "pmx-zfs-"));
    initSim(join(dir, "sim"), { zfsPools: ["tank"] });
    run = new SimRunner(join(dir, "sim"), "pve1");
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("lists the installer's rpool, the extra pool and local-zfs volumes as datasets (one truth with pvesm)", async () => {
    await run.run(["pvesm", "alloc", "local-zfs", "100", "subvol-100-disk-0", "1G", "--format", "subvol"]);
    const l = await zfs("list", "-Hp", "-o", "name,refquota,mountpoint");
    expect(l.out.split("\n")).toEqual(
      expect.arrayContaining([
        "rpool\t0\t/rpool",
        "rpool/ROOT/pve-1\t0\t/",
        "rpool/data\t0\t/rpool/data",
        `rpool/data/subvol-100-disk-0\t${1024 ** 3}\t/rpool/data/subvol-100-disk-0`,
        "tank\t0\t/tank",
      ]),
    );
    const acl = await zfs("get", "-H", "-o", "value,source", "acltype", "rpool/data/subvol-100-disk-0");
    expect(acl.out).toBe("posix\tlocal\n");
  });

  it("creates with -o, resolves values and sources as zfs get prints them", async () => {
    expect((await zfs("create", "-o", "recordsize=1M", "-o", "xattr=on", "-o", "acltype=posixacl", "-o", "com.example:tag=x", "tank/media")).code).toBe(0);
    expect((await zfs("create", "-p", "tank/media/films/hd")).code).toBe(0);
    const g = await zfs("get", "-Hp", "-o", "name,property,value,source", "recordsize,xattr,acltype,com.example:tag,mountpoint,casesensitivity,used", "tank/media/films");
    expect(g.out).toBe(
      [
        "tank/media/films\trecordsize\t1048576\tinherited from tank/media",
        "tank/media/films\txattr\tsa\tinherited from tank/media",
        "tank/media/films\tacltype\tposix\tinherited from tank/media",
        "tank/media/films\tcom.example:tag\tx\tinherited from tank/media",
        "tank/media/films\tmountpoint\t/tank/media/films\tdefault",
        "tank/media/films\tcasesensitivity\tsensitive\t-",
        "tank/media/films\tused\t196608\t-",
        "",
      ].join("\n"),
    );
    const human = await zfs("get", "recordsize,quota", "tank/media");
    expect(human.out).toBe("NAME        PROPERTY    VALUE  SOURCE\ntank/media  recordsize  1M     local\ntank/media  quota       none   default\n");
    // -p on an existing dataset succeeds without setting anything (zfs_main.c zfs_do_create).
    expect((await zfs("create", "-p", "-o", "atime=off", "tank/media")).code).toBe(0);
    expect((await zfs("get", "-H", "-o", "source", "atime", "tank/media")).out).toBe("default\n");
  });

  const refusals: [string, string[], number, string][] = [
    ["parent missing", ["create", "tank/x/y"], 1, "cannot create 'tank/x/y': parent does not exist\n"],
    ["no such pool", ["create", "-p", "nopool/x"], 1, "cannot create 'nopool/x': no such pool 'nopool'\n"],
    ["exists", ["create", "tank/media"], 1, "cannot create 'tank/media': dataset already exists\n"],
    ["bad name", ["create", "tank/a$b"], 1, "cannot create 'tank/a$b': invalid character '$' in name\n"],
    ["readonly", ["set", "used=1", "tank/media"], 1, "cannot set property for 'tank/media': 'used' is readonly\n"],
    ["set-once after create", ["set", "casesensitivity=mixed", "tank/media"], 1, "cannot set property for 'tank/media': 'casesensitivity' is readonly\n"],
    ["unknown", ["set", "colour=red", "tank/media"], 1, "cannot set property for 'tank/media': invalid property 'colour'\n"],
    ["bad index", ["set", "atime=maybe", "tank/media"], 1, "cannot set property for 'tank/media': 'atime' must be one of 'on | off'\n"],
    ["bad size", ["set", "quota=12Q", "tank/media"], 1, "cannot set property for 'tank/media': invalid numeric suffix 'Q'\n"],
    ["recordsize", ["set", "recordsize=3000", "tank/media"], 1, "cannot set property for 'tank/media': 'recordsize' must be power of 2 from 512B to 16M\n"],
    ["quota below used", ["set", "quota=1K", "tank/media"], 1, "cannot set property for 'tank/media': size is less than current used or reserved space\n"],
    ["missing dataset", ["set", "atime=off", "tank/nope"], 1, "cannot open 'tank/nope': dataset does not exist\n"],
    ["inherit quota", ["inherit", "quota", "tank/media"], 1, "'quota' property cannot be inherited\nuse 'zfs set quota=none' to clear\nuse 'zfs inherit -S quota' to revert to received value\n"],
    ["inherit set-once", ["inherit", "casesensitivity", "tank/media"], 1, "casesensitivity property is read-only\n"],
    ["destroy children", ["destroy", "tank/media"], 1, "cannot destroy 'tank/media': filesystem has children\nuse '-r' to destroy the following datasets:\ntank/media/films\ntank/media/films/hd\n"],
    [
      "destroy pool",
      ["destroy", "tank"],
      1,
      "cannot destroy 'tank': operation does not apply to pools\nuse 'zfs destroy -r tank' to destroy all datasets in the pool\nuse 'zpool destroy tank' to destroy the pool itself\n",
    ],
    ["encryption without key", ["create", "-o", "encryption=on", "tank/secret"], 1, "Encryption create error: Keyformat required for new encryption root.\n"],
  ];
  for (const [what, argv, code, err] of refusals) {
    it(`refuses: ${what}`, async () => {
      const before = (await zfs("get", "-Hp", "-o", "name,property,value,source", "all")).out;
      const r = await zfs(...argv);
      expect(r.err.split("\nusage:")[0] + (r.err.includes("\nusage:") ? "\n" : "")).toBe(err);
      expect(r.code).toBe(code);
      expect((await zfs("get", "-Hp", "-o", "name,property,value,source", "all")).out.replace(/\tavailable\t\d+/g, "")).toBe(before.replace(/\tavailable\t\d+/g, ""));
    });
  }

  it("counts files under the mountpoint as used space, and snapshots as dependents of destroy", async () => {
    writeFileSync(join(dir, "sim/nodes/pve1/fs/tank/media/films/hd/a.mkv"), Buffer.alloc(5000));
    const used = await zfs("get", "-Hp", "-o", "value", "used,referenced", "tank/media/films/hd");
    expect(used.out).toBe(`${98304 + 5000}\n${98304 + 5000}\n`);
    expect((await zfs("snapshot", "tank/media/films/hd@s1")).code).toBe(0);
    expect((await zfs("snapshot", "tank/media/films/hd@s1")).err).toBe("cannot create snapshot 'tank/media/films/hd@s1': dataset already exists\n");
    const d = await zfs("destroy", "tank/media/films/hd");
    expect(d.err).toBe("cannot destroy 'tank/media/films/hd': filesystem has children\nuse '-r' to destroy the following datasets:\ntank/media/films/hd@s1\n");
    expect((await zfs("list", "-Hp", "-t", "snapshot", "-o", "name")).out).toBe("tank/media/films/hd@s1\n");
    expect((await zfs("destroy", "tank/media/films/hd@s1")).code).toBe(0);
    expect((await zfs("destroy", "tank/media/films/hd")).code).toBe(0);
    expect((await zfs("list", "-H", "-o", "name", "tank/media/films/hd")).err).toBe("cannot open 'tank/media/films/hd': dataset does not exist\n");
  });

  it("moves files with the mountpoint, and chown/stat see node paths", async () => {
    writeFileSync(join(dir, "sim/nodes/pve1/fs/tank/media/films/f.txt"), "x");
    expect((await zfs("set", "mountpoint=/srv/films", "tank/media/films")).code).toBe(0);
    expect((await run.run(["chown", "1000:100", "/srv/films"])).exitCode).toBe(0);
    const st = await run.run([join(dir, "sim/bin/stat"), "-c", "%u:%g:%n", "/srv/films", "/srv/films/f.txt"]);
    expect(st.stdout).toBe("1000:100:/srv/films\n0:0:/srv/films/f.txt\n");
    expect((await zfs("inherit", "mountpoint", "tank/media/films")).code).toBe(0);
    expect((await zfs("get", "-H", "-o", "value,source", "mountpoint", "tank/media/films")).out).toBe("/tank/media/films\tdefault\n");
  });
});
