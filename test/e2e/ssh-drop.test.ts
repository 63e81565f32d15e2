// End to end over real sshd: the connection to a node dies in the middle of an apply. One node's
// sshd (with every session) is killed during its second `pct create`, another node's connection
// drops under a read. What finished stays in the state, the rest is reported with what happened
// and what to do, the read is retried visibly, and the next apply converges once sshd is back.
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { closeAllSshConnections } from "../../src/exec/ssh.js";
import { initSim, readCalls } from "../../src/sim/index.js";
import { HAVE_SSHD, NO_SSHD, simNodeBlock, startSshd, type Sshd } from "../helpers/sshd.js";
import { BUILT, NOT_BUILT, Workdir } from "./helpers.js";

const NODES = ["pve1", "pve2", "pve3"];
const PLACEMENT: [name: string, node: string, vmid: number][] = [
  ["a", "pve1", 401],
  ["b1", "pve2", 411],
  ["b2", "pve2", 412],
  ["b3", "pve2", 413],
  ["c", "pve3", 421],
];
const ready = BUILT && HAVE_SSHD;

describe.skipIf(!ready)(`connections dropped during apply${ready ? "" : ` (skipped: ${BUILT ? NO_SSHD : NOT_BUILT})`}`, () => {
  let w: Workdir;
  let sim: string;
  const sshd = new Map<string, Sshd>();

  beforeAll(async () => {
    w = new Workdir("pmx-ssh-drop-");
    sim = w.path("sim");
    initSim(sim, { nodes: NODES });
    for (const n of NODES) {
      const env = { PATH: `${join(sim, "bin")}:/usr/sbin:/usr/bin:/sbin:/bin`, PMXSIM_NODE: n };
      const clientKey = sshd.get("pve1")?.clientKey;
      sshd.set(n, await startSshd({ env, wrap: ["pct", "cat"], ...(clientKey ? { clientKey } : {}) }));
    }
    // pve2 runs one operation at a time, so "its second pct create" is always the same one.
    const nodes = NODES.map((n) => simNodeBlock(n, sshd.get(n)!, join(sim, "etc/pve"), n === "pve2" ? ["max_parallel = 1"] : []));
    const cts = PLACEMENT.map(
      ([name, node, vmid]) => `resource "lxc_container" "${name}" {
  node     = "${node}"
  vmid     = ${vmid}
  template = "local:vztmpl/alpine-3.22-default_20250617_amd64.tar.xz"
  rootfs {
    storage = "local-lvm"
    size    = "1G"
  }
}
`,
    );
    w.write("main.pmx.hcl", `proxmox {\n${nodes.join("")}}\n${cts.join("")}`);
  });
  afterAll(async () => {
    closeAllSshConnections();
    for (const s of sshd.values()) await s.remove();
    w?.remove();
  });

  it("keeps what finished, reports the rest, retries the dropped read, and converges once the node is back", async () => {
    sshd.get("pve2")!.dropOn([{ tool: "pct", sub: "create", nth: 2, what: "node" }]);
    // (Only this file: the remote login shell runs cat for its own purposes too.)
    sshd.get("pve3")!.dropOn([{ tool: "cat", sub: join(sim, "etc/pve/nodes/pve3/lxc/421.conf"), nth: 1, what: "connection" }]);
    const apply = await w.run("apply", "--auto-approve");
    expect(sshd.get("pve2")!.dropped()).toEqual([expect.stringMatching(/^pct create 412 .*\(node\)$/)]);
    expect(sshd.get("pve3")!.dropped()).toEqual([expect.stringMatching(/^cat .*\/421\.conf \(connection\)$/)]);
    expect(apply.code).toBe(1);

    // The read under the dropped connection was retried, visibly; the mutation was not.
    const retries = apply.stderr.split("\n").filter((l) => l.startsWith("retry: "));
    expect(retries).toEqual([expect.stringMatching(/^retry: pve3 \(root@127\.0\.0\.1:\d+\): cat \S+ failed \(the SSH connection dropped\); retrying in \d+\.\ds \(attempt 2 of 4\)$/)]);
    expect(apply.stderr).toContain("Error: lxc_container.b2: creation failed");
    expect(apply.stderr).toMatch(
      /lxc_container\.b2: pct create failed: pct create on pve2 \(root@127\.0\.0\.1:\d+\) failed: the connection to root@127\.0\.0\.1 dropped while pct create was running, so it may or may not have been carried out on the node\. Check that the node is up, then run pmxform plan/,
    );
    expect(apply.stderr).toContain("Error: lxc_container.b3: creation failed");
    expect(apply.stderr).toMatch(/cannot reach root@127\.0\.0\.1 port \d+ \(.*Connection refused\)\. Check that the node is up/);
    expect(apply.stderr).toContain("The state records everything that finished: 3 added, 0 changed, 0 destroyed.");

    const state = await w.run("state", "list");
    expect(state.stdout.trim().split("\n")).toEqual(["lxc_container.a", "lxc_container.b1", "lxc_container.c"]);
    const creates = readCalls(sim).filter((c) => c.tool === "pct" && c.argv[0] === "create");
    expect(creates.map((c) => `${c.node}:${c.argv[1]}`).sort()).toEqual(["pve1:401", "pve2:411", "pve3:421"]);

    for (const s of sshd.values()) s.dropOn([]);
    await sshd.get("pve2")!.start();
    const again = await w.run("apply", "--auto-approve");
    expect(again.code).toBe(0);
    expect(again.stdout).toContain("Apply complete! Resources: 2 added, 0 changed, 0 destroyed.");
    expect((await w.run("plan", "--detailed-exitcode")).code).toBe(0);
  });
});
