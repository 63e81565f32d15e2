// Volume lifecycle through the CLI against the simulator (issue 6): moving rootfs and a mount to
// another storage stops and restarts a running container (pct move-volume --delete 1), a removed
// mount's volume is deleted in the same apply (keep_on_remove = false) or kept as unusedN and
// recorded in state (keep_on_remove = true); the next plan is "No changes".
import { existsSync, readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BUILT, NOT_BUILT, SIM_NODE, Workdir } from "./helpers.js";

const volume = (name: string, storage: string, path: string, extra = "") => `  mount "${name}" {
    storage = "${storage}"
    size    = "1G"
    path    = "${path}"
${extra}  }
`;

const ct = (rootStorage: string, mounts: string) => `${SIM_NODE}resource "lxc_container" "vols" {
  node     = "pve1"
  vmid     = 161
  template = "local:vztmpl/debian-12-standard_12.7-1_amd64.tar.zst"
  started  = true
  rootfs {
    storage = "${rootStorage}"
    size    = "4G"
  }
${mounts}}
`;

interface Call {
  tool: string;
  argv: string[];
}

describe.skipIf(!BUILT)(`volume moves and removals through the CLI${BUILT ? "" : ` (skipped: ${NOT_BUILT})`}`, () => {
  let w: Workdir;
  const conf = () => readFileSync(w.path("sim/etc/pve/nodes/pve1/lxc/161.conf"), "utf8");
  const calls = (): Call[] =>
    readFileSync(w.path("sim/log/calls.jsonl"), "utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as Call);
  const noChanges = async () => {
    const p = await w.run("plan", "--detailed-exitcode");
    expect(p.stdout).toContain("No changes.");
    expect(p.code).toBe(0);
  };

  beforeAll(() => {
    w = new Workdir("pmx-e2e-volumes-");
  });
  afterAll(() => w.remove());

  it("creates a running container with three volumes", async () => {
    w.write(
      "main.pmx.hcl",
      ct("local-lvm", volume("data", "local-lvm", "/data") + volume("scratch", "local-lvm", "/scratch") + volume("archive", "local-lvm", "/archive", "    keep_on_remove = true\n")),
    );
    const a = await w.run("apply", "--auto-approve");
    expect(a.stderr).toBe("");
    expect(a.code).toBe(0);
    expect(conf()).toMatch(/^mp2: local-lvm:vm-161-disk-3,mp=\/archive,size=1G$/m);
  });

  it("moves rootfs and a mount to another storage with the container stopped, and removes two mounts", async () => {
    w.write("main.pmx.hcl", ct("local", volume("data", "local", "/data") + "  allow_volume_removal = true\n"));
    const p = await w.run("plan");
    expect(p.code).toBe(0);
    expect(p.stdout).toContain("# lxc_container.vols will be updated in-place");
    expect(p.stdout).toMatch(/~ storage = "local-lvm" -> "local" # container will be stopped to move volume/);
    expect(p.stdout.match(/# container will be stopped to move volume/g)).toHaveLength(2);
    expect(p.stdout).toContain('# mount "data" (mp0) moves to storage local with pct move-volume (the old volume is deleted); apply stops the container for it and starts it again');
    expect(p.stdout).toContain('  - local-lvm:vm-161-disk-2 (1G) of lxc_container.vols: mount "scratch" (mp1) is no longer in the configuration\n');
    expect(p.stdout).toContain('# mount "archive" is removed: its volume local-lvm:vm-161-disk-3 (1G) is kept, detached as an unused disk (keep_on_remove = true)');
    const before = calls().length;
    const a = await w.run("apply", "--auto-approve");
    expect(a.code).toBe(0);
    const pct = calls()
      .slice(before)
      .filter((c) => c.tool === "pct")
      .map((c) => c.argv.join(" ").replace(/--digest [0-9a-f]{40}/, "--digest D"));
    // pct stop leaves the conf as it is, so the first write after it still checks the plan's digest;
    // every later write (move-volume, the --delete of the detached volume) the digest read before it.
    expect(pct).toEqual([
      "stop 161",
      "set 161 --digest D --delete mp1,mp2",
      "move-volume 161 rootfs local --delete 1 --digest D",
      "move-volume 161 mp0 local --delete 1 --digest D",
      "start 161",
      "set 161 --digest D --delete unused0",
    ]);
    const text = conf();
    expect(text).toMatch(/^rootfs: local:161\/vm-161-disk-\d+\.raw,size=4G$/m);
    expect(text).toMatch(/^mp0: local:161\/vm-161-disk-\d+\.raw,mp=\/data,size=1G$/m);
    expect(text).toMatch(/^unused1: local-lvm:vm-161-disk-3$/m);
    expect(text).not.toMatch(/vm-161-disk-2|unused0|local-lvm:vm-161-disk-[01]\b/);
    expect(existsSync(w.path("sim/nodes/pve1/lvm/vm-161-disk-2"))).toBe(false);
    expect(existsSync(w.path("sim/nodes/pve1/lvm/vm-161-disk-3"))).toBe(true);
    expect(existsSync(w.path("sim/run/pve1/161.running"))).toBe(true);
    const state = JSON.parse(readFileSync(w.path("pmxform.state.json"), "utf8")) as { resources: { attributes: Record<string, unknown> }[] };
    expect(state.resources[0]?.attributes["kept_volumes"]).toEqual({ archive: "local-lvm:vm-161-disk-3" });
    await noChanges();
  });
});
