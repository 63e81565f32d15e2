// The simulator's stat answers for its fake /dev like GNU stat, so the snapshot's device read
// (and its parser) runs unchanged against it; a device removed from the node disappears.
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { deviceStatArgv, parseDeviceStat } from "../../../providers/mounts/host-devices.js";
import { newSim, simBuilt, skipMessage } from "../../sim/helpers.js";

describe.skipIf(!simBuilt)(`simulated stat${simBuilt ? "" : ` (skipped: ${skipMessage})`}`, () => {
  const sim = newSim(["pve1", "pve2"]);
  afterAll(() => sim.cleanup());

  it("prints each existing device node, reports the others and exits 1", async () => {
    const r = await sim.run("stat", deviceStatArgv().slice(1), { PMXSIM_NODE: "pve1" });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("stat: cannot statx '/dev/dri/card1': No such file or directory\n");
    const devices = parseDeviceStat(r.stdout);
    expect([...devices.keys()].sort()).toEqual([
      "/dev/dri/card0",
      "/dev/dri/renderD128",
      "/dev/nvidia-caps/nvidia-cap1",
      "/dev/nvidia-caps/nvidia-cap2",
      "/dev/nvidia-uvm",
      "/dev/nvidia-uvm-tools",
      "/dev/nvidia0",
      "/dev/nvidiactl",
    ]);
    expect(devices.get("/dev/nvidia-uvm")).toEqual({ major: 508, minor: 0 });
  });

  it("answers per node from that node's device table", async () => {
    const file = join(sim.dir, "nodes/pve2/devices.json");
    const table = JSON.parse(readFileSync(file, "utf8")) as Record<string, unknown>;
    delete table["dri/renderD128"];
    writeFileSync(file, JSON.stringify(table));
    const r = await sim.run("stat", ["-c", "%n %t:%T", "/dev/dri/renderD128", "/dev/dri/card0"], { PMXSIM_NODE: "pve2" });
    expect(r.stdout).toBe("/dev/dri/card0 e2:0\n");
    expect(r.code).toBe(1);
  });
});
