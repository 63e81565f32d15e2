// `pct push` in the simulator against pve-container src/PVE/CLI/pct.pm, sub push: the running
// check dies before the task (exit 255); a file that cannot be opened fails inside the task,
// which has no $upid_exit, so pct prints the error and exits 0.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readPushes } from "../../src/sim/index.js";
import { DEBIAN, newSim, simBuilt, skipMessage, type Runner } from "./helpers.js";

describe.skipIf(!simBuilt)(`pct push (${simBuilt ? "built" : skipMessage})`, () => {
  let sim: ReturnType<typeof newSim>;
  let pct: (args: string[]) => ReturnType<Runner>;
  beforeAll(async () => {
    sim = newSim();
    pct = (args) => sim.run("pct", args);
    expect((await pct(["create", "120", DEBIAN, "--rootfs", "local-lvm:1"])).code).toBe(0);
  });
  afterAll(() => sim.cleanup());

  it("refuses a stopped container before the task starts", async () => {
    const file = join(sim.dir, "keys");
    writeFileSync(file, "k\n");
    const r = await pct(["push", "120", file, "/root/.ssh/authorized_keys"]);
    expect(r).toMatchObject({ code: 255, stderr: "can only push files to a running CT\n" });
    expect(readPushes(sim.dir)).toEqual([]);
  });

  it("prints a missing source file's error from the task and still exits 0", async () => {
    expect((await pct(["start", "120"])).code).toBe(0);
    const r = await pct(["push", "120", "/nonexistent/keys", "/root/.ssh/authorized_keys"]);
    expect(r).toMatchObject({ code: 0, stderr: "failed to open /nonexistent/keys for reading\n" });
    expect(readPushes(sim.dir)).toEqual([]);
  });

  it("records the pushed content, destination and permissions", async () => {
    const file = join(sim.dir, "keys2");
    writeFileSync(file, "ssh-ed25519 AAAA x\n");
    const r = await pct(["push", "120", file, "/root/.ssh/authorized_keys", "--perms", "0600"]);
    expect(r).toMatchObject({ code: 0, stderr: "" });
    expect(readPushes(sim.dir)).toEqual([{ node: "pve1", vmid: 120, destination: "/root/.ssh/authorized_keys", perms: "0600", content: "ssh-ed25519 AAAA x\n" }]);
  });
});
