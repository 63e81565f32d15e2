// A three-node simulated cluster (the simulator directly: fast) for what happens to nodes and
// containers during a run: a node that leaves the cluster degrades refresh to its own resources,
// and a container migrated between plan and apply is followed to the node that holds it.
import { readFileSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { initSim, readCalls } from "../../src/sim/index.js";
import { BUILT, NOT_BUILT, Workdir } from "./helpers.js";

const NODES = ["pve1", "pve2", "pve3"];
const VMIDS: Record<string, number> = { a: 301, b: 302, c: 303 };

const ct = (name: string, node: string, vmid: number, memory: number): string => `resource "lxc_container" "${name}" {
  node     = "${node}"
  vmid     = ${vmid}
  hostname = "${name}"
  memory   = ${memory}
  template = "local:vztmpl/alpine-3.22-default_20250617_amd64.tar.xz"
  rootfs {
    storage = "local-lvm"
    size    = "1G"
  }
}
`;

describe.skipIf(!BUILT)(`cluster nodes and moving containers${BUILT ? "" : ` (skipped: ${NOT_BUILT})`}`, () => {
  let w: Workdir;
  let sim: string;
  const write = (cts: [name: string, node: string, memory: number][]): void => {
    const proxmox = `proxmox {\n${NODES.map((n) => `  node "${n}" { sim = "sim" }\n`).join("")}}\n`;
    w.write("main.pmx.hcl", proxmox + cts.map(([name, node, memory]) => ct(name, node, VMIDS[name]!, memory)).join(""));
  };
  const setClusterNodes = (nodes: string[]): void => {
    const file = join(sim, "sim.json");
    writeFileSync(file, JSON.stringify({ ...JSON.parse(readFileSync(file, "utf8")), nodes }, null, 2) + "\n");
  };
  const move = (vmid: number, from: string, to: string): void => renameSync(join(sim, `etc/pve/nodes/${from}/lxc/${vmid}.conf`), join(sim, `etc/pve/nodes/${to}/lxc/${vmid}.conf`));
  const pctCalls = (since: number, sub: string): string[] =>
    readCalls(sim)
      .slice(since)
      .filter((c) => c.tool === "pct" && c.argv[0] === sub)
      .map((c) => `${c.node}:${c.argv[1]}:${c.exit}`);

  beforeAll(async () => {
    w = new Workdir("pmx-cluster-nodes-");
    sim = w.path("sim");
    initSim(sim, { nodes: NODES });
    write([
      ["a", "pve1", 256],
      ["b", "pve2", 256],
      ["c", "pve3", 256],
    ]);
    const apply = await w.run("apply", "--auto-approve");
    expect(apply.stdout).toContain("Apply complete! Resources: 3 added");
  });
  afterAll(() => w?.remove());

  it("plans the other nodes normally when one has left the cluster, and nothing for the containers on it", async () => {
    setClusterNodes(["pve1", "pve3"]); // pvecm delnode pve2: its configs stay, but nothing answers for it
    try {
      write([
        ["a", "pve1", 512],
        ["b", "pve2", 512],
        ["c", "pve3", 256],
      ]);
      const plan = await w.run("plan", "--detailed-exitcode");
      expect(plan.code).toBe(2);
      expect(plan.stdout).toContain("lxc_container.a will be updated in-place");
      expect(plan.stdout).not.toContain("lxc_container.b will");
      expect(plan.stdout).toContain("Plan: 0 to add, 1 to change, 0 to destroy.");
      expect(plan.stderr).toMatch(
        /Warning: Resource could not be refreshed[\s\S]*lxc_container\.b: node pve2 could not be read: .*hostname lookup 'pve2' failed[\s\S]*plan with --refresh=false to use the last known state/,
      );

      // The last known state stands in for the refresh when the user asks for it.
      const blind = await w.run("plan", "--refresh=false");
      expect(blind.stdout).toContain("lxc_container.b will be updated in-place");

      // Removing b from the configuration does not plan a destroy on a node nobody can reach.
      write([
        ["a", "pve1", 512],
        ["c", "pve3", 256],
      ]);
      const removed = await w.run("plan");
      expect(removed.stdout).not.toContain("lxc_container.b will be destroyed");
      expect(removed.stderr).toContain("lxc_container.b: node pve2 could not be read");

      write([
        ["a", "pve1", 512],
        ["b", "pve2", 512],
        ["c", "pve3", 256],
      ]);
      const before = readCalls(sim).length;
      const apply = await w.run("apply", "--auto-approve");
      expect(apply.code).toBe(0);
      expect(apply.stdout).toContain("Apply complete! Resources: 0 added, 1 changed, 0 destroyed.");
      expect(pctCalls(before, "set").map((c) => c.split(":")[1])).toEqual(["301"]);
    } finally {
      setClusterNodes(NODES);
    }
    const back = await w.run("plan");
    expect(back.stdout).toContain("lxc_container.b will be updated in-place");
    expect(back.stdout).toContain("Plan: 0 to add, 1 to change, 0 to destroy.");
  });

  it("follows a container migrated between plan and apply to its new node, for a change and for a destroy", async () => {
    write([
      ["a", "pve1", 768],
      ["b", "pve2", 512],
      ["c", "pve3", 256],
    ]);
    expect((await w.run("plan", "-out=change.plan")).code).toBe(0);
    move(301, "pve1", "pve2");
    let before = readCalls(sim).length;
    const apply = await w.run("apply", "change.plan");
    expect(apply.code).toBe(0);
    expect(apply.stdout).toContain("lxc_container.a: container 301 moved from node pve1 to pve2 after the plan was made; following it there");
    // The ownership check reads the conf before the first pct call: its absence on pve1 finds
    // the container, so pct runs only where it is.
    expect(pctCalls(before, "set").filter((c) => c.includes(":301:"))).toEqual(["pve2:301:0"]);
    // The state follows it too: with the configuration naming its new node, nothing is left to do.
    write([
      ["a", "pve2", 768],
      ["b", "pve2", 512],
      ["c", "pve3", 256],
    ]);
    expect((await w.run("plan", "--detailed-exitcode")).code).toBe(0);

    write([
      ["b", "pve2", 512],
      ["c", "pve3", 256],
    ]);
    expect((await w.run("plan", "-out=destroy.plan")).code).toBe(0);
    move(301, "pve2", "pve3");
    before = readCalls(sim).length;
    const destroy = await w.run("apply", "destroy.plan");
    expect(destroy.code).toBe(0);
    expect(pctCalls(before, "destroy")).toEqual(["pve3:301:0"]);
  });

  it("refuses to follow a container whose configuration changed on its new node, and says to plan again", async () => {
    write([
      ["b", "pve2", 1024],
      ["c", "pve3", 256],
    ]);
    expect((await w.run("plan", "-out=stale.plan")).code).toBe(0);
    move(302, "pve2", "pve1");
    const conf = join(sim, "etc/pve/nodes/pve1/lxc/302.conf");
    writeFileSync(conf, readFileSync(conf, "utf8").replace(/^memory: .*$/m, "memory: 2048"));
    const before = readCalls(sim).length;
    const apply = await w.run("apply", "stale.plan");
    expect(apply.code).toBe(1);
    expect(apply.stderr).toContain(
      `lxc_container.b: container 302 moved from node pve2 to pve1 after the plan was made, and its configuration was changed there. Nothing was done; run "pmxform plan" again.`,
    );
    expect(pctCalls(before, "set")).toEqual([]);
    const plan = await w.run("plan");
    expect(plan.stdout).toMatch(/memory\s+= 2048 -> 1024/);
  });
});
