// The simulator's Samba and NFS side against the real tools: testparm answers the recorded
// outputs of Samba 4.17's /usr/bin/testparm byte for byte (test/sim/fixtures/testparm, recorded
// with `testparm -s FILE`), exportfs parses exports(5) and refuses bad options, and the node-file
// coreutils (reached through the SimRunner, as the provider reaches them) keep each node's
// /etc/samba apart with GNU's texts.
import { copyFileSync, existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SimRunner } from "../../src/exec/sim.js";
import { CommandError } from "../../src/exec/runner.js";
import { etabPath } from "../../src/sim/exportfs.js";
import { reloadLogPath } from "../../src/sim/smbcontrol.js";
import { newSim, simBuilt, skipMessage } from "./helpers.js";

const FIX = join(import.meta.dirname, "fixtures", "testparm");
const CASES = ["unknown-param", "bad-section", "bad-bool", "bad-octal", "pmxform-share", "debian-stock"];

describe.skipIf(!simBuilt)(`simulated testparm, exportfs, smbcontrol and node files${simBuilt ? "" : ` (skipped: ${skipMessage})`}`, () => {
  let sim: ReturnType<typeof newSim>;
  let pve1: SimRunner;
  let pve2: SimRunner;
  const nodeFile = (node: string, p: string) => join(sim.dir, "nodes", node, p);
  beforeAll(() => {
    sim = newSim(["pve1", "pve2"]);
    pve1 = new SimRunner(sim.dir, "pve1");
    pve2 = new SimRunner(sim.dir, "pve2");
  });
  afterAll(() => sim.cleanup());

  for (const name of CASES) {
    it(`testparm -s answers ${name}.conf as Samba 4.17 did (exit, stdout, stderr)`, async () => {
      copyFileSync(join(FIX, `${name}.conf`), nodeFile("pve1", `etc/samba/${name}.conf`));
      const r = await pve1.run(["testparm", "-s", `/etc/samba/${name}.conf`], { okCodes: [0, 1] });
      expect(r.exitCode).toBe(Number(readFileSync(join(FIX, `${name}.exit`), "utf8")));
      expect(r.stdout).toBe(readFileSync(join(FIX, `${name}.stdout`), "utf8"));
      // The recording named the file relative to its directory.
      expect(r.stderr.replace(`/etc/samba/${name}.conf`, `${name}.conf`)).toBe(readFileSync(join(FIX, `${name}.stderr`), "utf8"));
    });
  }

  it("testparm follows includes into the node's own files, and a missing include is skipped", async () => {
    writeFileSync(nodeFile("pve1", "etc/samba/top.conf"), "[global]\ninclude = /etc/samba/inc.conf\ninclude = /etc/samba/missing.conf\n");
    writeFileSync(nodeFile("pve1", "etc/samba/inc.conf"), "[data]\npath = /data\nwriteable = yes\n");
    const r = await pve1.run(["testparm", "-s", "/etc/samba/top.conf"]);
    expect(r.stdout).toContain("[data]\n\tpath = /data\n\tread only = No\n");
    // pve2 has no inc.conf: its own /etc/samba is another directory.
    writeFileSync(nodeFile("pve2", "etc/samba/top.conf"), "[global]\ninclude = /etc/samba/inc.conf\n");
    expect((await pve2.run(["testparm", "-s", "/etc/samba/top.conf"])).stdout).not.toContain("[data]");
  });

  it("the node-file coreutils write, rename, list and remove within one node, with GNU's texts", async () => {
    await pve1.run(["mkdir", "-p", "/etc/samba/pmxform.d"]);
    await pve1.run(["dd", "of=/etc/samba/pmxform.d/.a.conf.new", "status=none"], { stdin: "[a]\npath = /a\n" });
    await pve1.run(["mv", "-f", "-T", "/etc/samba/pmxform.d/.a.conf.new", "/etc/samba/pmxform.d/a.conf"]);
    expect(readFileSync(nodeFile("pve1", "etc/samba/pmxform.d/a.conf"), "utf8")).toBe("[a]\npath = /a\n");
    expect(existsSync(nodeFile("pve2", "etc/samba/pmxform.d/a.conf"))).toBe(false);
    const g = await pve1.run(["grep", "-rHs", "", "--", "/etc/samba/pmxform.d", "/etc/exports.d"], { okCodes: [0, 1, 2] });
    expect(g.stdout).toBe("/etc/samba/pmxform.d/a.conf:[a]\n/etc/samba/pmxform.d/a.conf:path = /a\n");
    const mv = await pve1.run(["mv", "-f", "-T", "/etc/samba/pmxform.d/nope", "/etc/samba/pmxform.d/x"]).catch((e: unknown) => e);
    expect(mv).toBeInstanceOf(CommandError);
    expect((mv as CommandError).stderr).toBe("mv: cannot stat '/etc/samba/pmxform.d/nope': No such file or directory\n");
    const dd = await pve1.run(["dd", "of=/etc/samba/nodir/x", "status=none"], { stdin: "x" }).catch((e: unknown) => e);
    expect((dd as CommandError).stderr).toBe("dd: failed to open '/etc/samba/nodir/x': No such file or directory\n");
    await pve1.run(["rm", "-f", "--", "/etc/samba/pmxform.d/a.conf", "/etc/samba/pmxform.d/gone"]);
    expect(existsSync(nodeFile("pve1", "etc/samba/pmxform.d/a.conf"))).toBe(false);
    const up = await pve1.run(["grep", "-rHs", "", "--", "/etc/samba/../pve/x"]).catch((e: unknown) => e);
    expect((up as CommandError).exitCode).toBe(2);
  });

  it("exportfs -ra takes well-formed exports and refuses an unknown keyword, keeping the previous table", async () => {
    writeFileSync(nodeFile("pve1", "etc/exports.d/a.exports"), "/srv/a 192.168.1.0/24(rw,sync,no_subtree_check) host1(ro,async)\n");
    writeFileSync(nodeFile("pve1", "etc/exports.d/.hidden.exports"), "/srv/h *(bogus)\n");
    writeFileSync(nodeFile("pve1", "etc/exports.d/skip.txt"), "/srv/t *(bogus)\n");
    await pve1.run(["exportfs", "-ra"]);
    const good = readFileSync(etabPath(sim.dir, "pve1"), "utf8");
    expect(good).toBe("/srv/a\t192.168.1.0/24(rw,sync,no_subtree_check)\n/srv/a\thost1(ro,async)\n");
    writeFileSync(nodeFile("pve1", "etc/exports.d/b.exports"), "# x\n/srv/b *(rw,sync,nosuchoption)\n");
    const bad = await pve1.run(["exportfs", "-ra"]).catch((e: unknown) => e);
    expect((bad as CommandError).stderr).toBe('exportfs: /etc/exports.d/b.exports:2: unknown keyword "nosuchoption"\n');
    expect(readFileSync(etabPath(sim.dir, "pve1"), "utf8")).toBe(good);
    writeFileSync(nodeFile("pve1", "etc/exports.d/b.exports"), "/srv/b *(rw,anonuid=abc)\n");
    expect(((await pve1.run(["exportfs", "-ra"]).catch((e: unknown) => e)) as CommandError).stderr).toContain('bad anonuid "abc"');
    writeFileSync(nodeFile("pve1", "etc/exports.d/b.exports"), "/srv/b *(rw)\n");
    const warned = await pve1.run(["exportfs", "-ra"]);
    expect(warned.stderr).toContain(`No 'sync' or 'async' option specified for export "*:/srv/b"`);
  });

  it("smbcontrol all reload-config records the reload on its node", async () => {
    await pve2.run(["smbcontrol", "all", "reload-config"]);
    expect(readFileSync(reloadLogPath(sim.dir, "pve2"), "utf8")).toMatch(/reload-config\n$/);
    expect(existsSync(reloadLogPath(sim.dir, "pve1"))).toBe(false);
  });
});
