// pct move-volume's --digest and --target-digest on the simulator: a stale digest is refused under
// the CT lock with PVE::Tools::assert_if_modified's text before anything is copied or reassigned
// (pve-container src/PVE/API2/LXC.pm move_volume); the right one, or none, lets the move run.
import { createHash } from "node:crypto";
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEBIAN, newSim, simBuilt, skipMessage, type Runner } from "./helpers.js";

const MODIFIED = "detected modified configuration - file changed by other user? Try again.\n";

describe.skipIf(!simBuilt)(`pct move-volume --digest (${simBuilt ? "built" : skipMessage})`, () => {
  let sim: ReturnType<typeof newSim>;
  let pct: (args: string[]) => ReturnType<Runner>;
  const conf = (vmid: number) => readFileSync(join(sim.dir, "etc/pve/nodes/pve1/lxc", `${vmid}.conf`), "utf8");
  const digest = (vmid: number) => createHash("sha1").update(conf(vmid), "utf8").digest("hex");
  const volumes = () => readdirSync(join(sim.dir, "nodes/pve1/lvm")).sort();
  beforeAll(async () => {
    sim = newSim(["pve1"]);
    pct = (args) => sim.run("pct", args);
    expect((await pct(["create", "100", DEBIAN, "--rootfs", "local-lvm:1", "--mp0", "local-lvm:1,mp=/a", "--mp1", "local-lvm:1,mp=/b"])).code).toBe(0);
    expect((await pct(["create", "200", DEBIAN, "--rootfs", "local-lvm:1"])).code).toBe(0);
  });
  afterAll(() => sim.cleanup());

  it("to another storage: a stale digest is refused and nothing moves; the current one moves it", async () => {
    const before = conf(100);
    const stale = createHash("sha1").update("someone else's conf").digest("hex");
    const r = await pct(["move-volume", "100", "mp0", "local", "--delete", "1", "--digest", stale]);
    expect(r.stderr).toBe(MODIFIED);
    expect(r.code).not.toBe(0);
    expect(conf(100)).toBe(before);
    const lvm = volumes();
    // The digest of a conf someone changed after it was read: refused as well.
    const read = digest(100);
    expect((await pct(["set", "100", "--memory", "1024"])).code).toBe(0);
    expect((await pct(["move-volume", "100", "mp0", "local", "--digest", read])).stderr).toBe(MODIFIED);
    expect(volumes()).toEqual(lvm);
    const ok = await pct(["move-volume", "100", "mp0", "local", "--delete", "1", "--digest", digest(100)]);
    expect(ok.stderr).toBe("");
    expect(ok.code).toBe(0);
    expect(conf(100)).toMatch(/^mp0: local:100\/vm-100-disk-\d+\.raw,mp=\/a,size=1G$/m);
  });

  it("an empty --digest checks nothing (assert_if_modified compares only two true digests)", async () => {
    const r = await pct(["move-volume", "100", "mp0", "local-lvm", "--delete", "1", "--digest", ""]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
  });

  it("to another CT: --digest checks the source, --target-digest the target, each refusal naming its container", async () => {
    const stale = "0".repeat(40);
    const src = conf(100);
    const dst = conf(200);
    const args = ["move-volume", "100", "mp1", "--target-vmid", "200", "--target-volume", "mp0"];
    expect((await pct([...args, "--digest", stale])).stderr).toBe(`Container 100: ${MODIFIED}`);
    expect((await pct([...args, "--digest", digest(100), "--target-digest", stale])).stderr).toBe(`Container 200: ${MODIFIED}`);
    expect(conf(100)).toBe(src);
    expect(conf(200)).toBe(dst);
    const ok = await pct([...args, "--digest", digest(100), "--target-digest", digest(200)]);
    expect(ok.stderr).toBe("");
    expect(ok.code).toBe(0);
    expect(conf(200)).toMatch(/^mp0: local-lvm:vm-200-disk-\d+,mp=\/b,size=1G$/m);
    expect(conf(100)).not.toMatch(/^mp1:/m);
  });
});
