// `-refresh=false` reads nothing (issue 16 item 7): a plan from the last known state makes no
// call to any node (counted in the simulator's call log), on one node and on three, and works
// with no node reachable without advising the flag already given. Only a plan that creates
// something reads the cluster (a free VMID), and then allocates one that is really free.
import { readFileSync, writeFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { initSim, readCalls } from "../../src/sim/index.js";
import { BUILT, NOT_BUILT, Workdir } from "../e2e/helpers.js";

const ct = (name: string, node: string, memory: number, vmid?: number): string => `resource "lxc_container" "${name}" {
  node     = "${node}"
${vmid ? `  vmid     = ${vmid}\n` : ""}  hostname = "${name}"
  memory   = ${memory}
  template = "local:vztmpl/alpine-3.22-default_20250617_amd64.tar.xz"
  rootfs {
    storage = "local-lvm"
    size    = "1G"
  }
}
`;

for (const nodes of [["pve1"], ["pve1", "pve2", "pve3"]]) {
  describe.skipIf(!BUILT)(`--refresh=false on ${nodes.length} node(s)${BUILT ? "" : ` (skipped: ${NOT_BUILT})`}`, () => {
    let w: Workdir;
    const write = (memory: number, extra = "") =>
      w.write("main.pmx.hcl", `proxmox {\n${nodes.map((n) => `  node "${n}" { sim = "sim" }\n`).join("")}}\n` + nodes.map((n, i) => ct(`c${i}`, n, memory)).join("") + extra);
    beforeAll(async () => {
      w = new Workdir();
      initSim(w.path("sim"), { nodes });
      write(256);
      expect((await w.run("apply", "-auto-approve")).code).toBe(0);
    }, 60_000);
    afterAll(() => w.remove());

    it("plans an update from the last known state with zero calls to the nodes", async () => {
      write(512);
      const before = readCalls(w.path("sim")).length;
      const plan = await w.run("plan", "-refresh=false", "-detailed-exitcode");
      expect(plan.stderr).toBe("");
      expect(plan.code).toBe(2);
      expect(plan.stdout).toContain(`Plan: 0 to add, ${nodes.length} to change, 0 to destroy.`);
      expect(readCalls(w.path("sim")).slice(before)).toEqual([]);
    });

    it("reads the cluster only when something is created, and allocates a VMID that is free", async () => {
      write(256, ct("extra", "pve1", 256));
      const before = readCalls(w.path("sim")).length;
      const plan = await w.run("plan", "-refresh=false", "-json");
      expect(plan.code).toBe(0);
      expect(readCalls(w.path("sim")).length).toBeGreaterThan(before);
      const doc = JSON.parse(plan.stdout) as {
        resource_changes: { address: string; change: { after: { vmid: number } | null } }[];
        prior_state: { values: { root_module: { resources: { values: { vmid: number } }[] } } };
      };
      const taken = doc.prior_state.values.root_module.resources.map((r) => r.values.vmid);
      const extra = doc.resource_changes.find((c) => c.address === "lxc_container.extra")!;
      expect(taken).not.toContain(extra.change.after!.vmid);
    });

    it("works with no node reachable, without advising the flag the user passed", async () => {
      write(768);
      // As a node that left the cluster: nothing answers for any of them.
      const file = w.path("sim/sim.json");
      const saved = readFileSync(file, "utf8");
      writeFileSync(file, JSON.stringify({ ...JSON.parse(saved), nodes: ["elsewhere"] }));
      try {
        const blind = await w.run("plan", "-refresh=false");
        expect(blind.stderr).toBe("");
        expect(blind.code).toBe(0);
        expect(blind.stdout).toContain(`${nodes.length} to change`);
        w.write("main.pmx.hcl", `proxmox {\n${nodes.map((n) => `  node "${n}" { sim = "sim" }\n`).join("")}}\n` + ct("c0", "pve1", 256) + ct("fresh", "pve1", 256));
        const creating = await w.run("plan", "-refresh=false");
        expect(creating.code).toBe(1);
        expect(creating.stderr).toContain("No node could be read");
        expect(creating.stderr).not.toContain("--refresh=false to use");
      } finally {
        writeFileSync(file, saved);
      }
    });
  });
}
