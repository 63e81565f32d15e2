// Refresh reads the cluster in batches: planning 25 containers starts no more Proxmox
// processes than planning 1 (counted in the simulator's call log).
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BUILT, NOT_BUILT, SIM_NODE, Workdir } from "./helpers.js";

const cfg = (n: number) =>
  SIM_NODE +
  `resource "lxc_container" "ct" {
  count    = ${n}
  node     = "pve1"
  vmid     = 300 + count.index
  template = "local:vztmpl/alpine-3.22-default_20250617_amd64.tar.xz"
  rootfs {
    storage = "local-lvm"
    size    = "1G"
  }
}
`;

function callCount(w: Workdir): number {
  return readFileSync(w.path("sim/log/calls.jsonl"), "utf8").trim().split("\n").length;
}

describe.skipIf(!BUILT)(`refresh cost${BUILT ? "" : ` (skipped: ${NOT_BUILT})`}`, () => {
  let one: Workdir;
  let many: Workdir;
  beforeAll(async () => {
    one = new Workdir();
    many = new Workdir();
    one.write("main.pmx.hcl", cfg(1));
    many.write("main.pmx.hcl", cfg(25));
    expect((await one.run("apply", "--auto-approve")).code).toBe(0);
    expect((await many.run("apply", "--auto-approve")).code).toBe(0);
  });
  afterAll(() => {
    one.remove();
    many.remove();
  });

  it("starts the same number of processes for 25 containers as for 1", async () => {
    const before1 = callCount(one);
    const p1 = await one.run("plan", "--detailed-exitcode");
    const cost1 = callCount(one) - before1;
    const before25 = callCount(many);
    const p25 = await many.run("plan", "--detailed-exitcode");
    const cost25 = callCount(many) - before25;
    expect(p1.code).toBe(0);
    expect(p25.code).toBe(0);
    expect(cost1).toBeGreaterThan(0);
    expect(cost25).toBe(cost1);
  });
});
