// End to end over real sshd: a three-node simulated cluster, each node behind its own sshd port
// whose sessions run the simulator's executables as that node. Plan/apply/destroy, injected lock
// timeouts retried and counted, an out-of-band migration followed, a node made unreachable.
import { renameSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { closeAllSshConnections } from "../../src/exec/ssh.js";
import { initSim, readCalls, setFaults } from "../../src/sim/index.js";
import { HAVE_SSHD, NO_SSHD, simNodeBlock, startSshd, type Sshd } from "../helpers/sshd.js";
import { BUILT, NOT_BUILT, Workdir } from "./helpers.js";

const NODES = ["pve1", "pve2", "pve3"];
const ready = BUILT && HAVE_SSHD;

describe.skipIf(!ready)(`three-node cluster over SSH${ready ? "" : ` (skipped: ${BUILT ? NO_SSHD : NOT_BUILT})`}`, () => {
  let w: Workdir;
  let sim: string;
  const sshd = new Map<string, Sshd>();

  const proxmox = (): string => `proxmox {\n${NODES.map((n) => simNodeBlock(n, sshd.get(n)!, join(sim, "etc/pve"))).join("")}}\n`;

  const ct = (name: string, node: string, vmid: number): string => `resource "lxc_container" "${name}" {
  node     = "${node}"
  vmid     = ${vmid}
  hostname = "${name}"
  template = "local:vztmpl/alpine-3.22-default_20250617_amd64.tar.xz"
  rootfs {
    storage = "local-lvm"
    size    = "1G"
  }
}
`;
  const write = (placement: Record<string, string>): void => {
    w.write(
      "main.pmx.hcl",
      proxmox() +
        Object.entries(placement)
          .map(([name, node], i) => ct(name, node, 201 + i))
          .join(""),
    );
  };

  beforeAll(async () => {
    w = new Workdir("pmx-ssh-e2e-");
    sim = w.path("sim");
    initSim(sim, { nodes: NODES });
    const first = await startSshd({ env: { PATH: `${join(sim, "bin")}:/usr/sbin:/usr/bin:/sbin:/bin`, PMXSIM_NODE: "pve1" } });
    sshd.set("pve1", first);
    for (const n of NODES.slice(1)) {
      sshd.set(n, await startSshd({ env: { PATH: `${join(sim, "bin")}:/usr/sbin:/usr/bin:/sbin:/bin`, PMXSIM_NODE: n }, clientKey: first.clientKey }));
    }
  });
  afterAll(async () => {
    closeAllSshConnections();
    for (const s of sshd.values()) await s.remove();
    w?.remove();
  });

  it("creates one container per node, each through its own node, retrying injected lock timeouts", async () => {
    write({ a: "pve1", b: "pve2", c: "pve3" });
    setFaults(sim, [{ tool: "pct", args: ["create"], node: "pve2", times: 2, stderr: "can't lock file '/run/lock/lxc/pve-config-202.lock' - got timeout\n", exit: 255 }]);
    const plan = await w.run("plan", "--detailed-exitcode");
    expect(plan.stderr).toBe("");
    expect(plan.code).toBe(2);
    expect(plan.stdout).toContain("Plan: 3 to add, 0 to change, 0 to destroy.");

    const apply = await w.run("apply", "--auto-approve");
    expect(apply.code).toBe(0);
    expect(apply.stdout).toContain("Apply complete! Resources: 3 added, 0 changed, 0 destroyed.");
    const retries = apply.stderr.split("\n").filter((l) => l.startsWith("retry: "));
    expect(retries).toHaveLength(2);
    expect(retries[0]).toMatch(/^retry: pve2 \(root@127\.0\.0\.1:\d+\): pct create failed \(can't lock file '.*' - got timeout\); retrying in \d+\.\ds \(attempt 2 of 4\)$/);
    expect(retries[1]).toContain("(attempt 3 of 4)");

    const creates = readCalls(sim).filter((c) => c.tool === "pct" && c.argv[0] === "create");
    expect(creates.map((c) => `${c.node}:${c.argv[1]}:${c.exit}`).sort()).toEqual(["pve1:201:0", "pve2:202:0", "pve2:202:255", "pve2:202:255", "pve3:203:0"]);
    expect((await w.run("plan", "--detailed-exitcode")).code).toBe(0);
  });

  it("follows a container migrated outside pmxform to the node that now holds it", async () => {
    renameSync(join(sim, "etc/pve/nodes/pve1/lxc/201.conf"), join(sim, "etc/pve/nodes/pve3/lxc/201.conf"));
    const drift = await w.run("plan");
    expect(drift.stdout).toMatch(/node:\s+"?pve1"? -> "?pve3"?/);
    expect(drift.stdout).not.toContain("will be created");

    write({ a: "pve3", b: "pve2", c: "pve3" });
    const plan = await w.run("plan", "--detailed-exitcode");
    expect(plan.stdout).toContain("No changes.");
    expect(plan.code).toBe(0);
  });

  it("plans nothing for resources on a node it cannot reach, and the others as usual", async () => {
    await sshd.get("pve2")!.stop();
    try {
      write({ a: "pve3", b: "pve2", c: "pve3", d: "pve1" });
      const plan = await w.run("plan");
      expect(plan.code).toBe(0);
      expect(plan.stderr).toMatch(/Node unreachable[\s\S]*cannot reach root@127\.0\.0\.1 port \d+ \(.*Connection refused\)/);
      expect(plan.stderr).toMatch(/Resource could not be refreshed[\s\S]*lxc_container\.b/);
      expect(plan.stdout).not.toContain("lxc_container.b will be created");
      expect(plan.stdout).toContain("lxc_container.d will be created");
      expect(plan.stdout).toContain("Plan: 1 to add, 0 to change, 0 to destroy.");
    } finally {
      await sshd.get("pve2")!.start();
    }
    write({ a: "pve3", b: "pve2", c: "pve3" });
    expect((await w.run("plan", "--detailed-exitcode")).code).toBe(0);
  });

  it("destroys each container on the node that holds it", async () => {
    const before = readCalls(sim).length;
    const destroy = await w.run("destroy", "--auto-approve");
    expect(destroy.code).toBe(0);
    expect(destroy.stdout).toContain("Destroy complete! Resources: 3 destroyed.");
    const destroys = readCalls(sim)
      .slice(before)
      .filter((c) => c.tool === "pct" && c.argv[0] === "destroy");
    expect(destroys.map((c) => `${c.node}:${c.argv[1]}`).sort()).toEqual(["pve2:202", "pve3:201", "pve3:203"]);
  });
});
