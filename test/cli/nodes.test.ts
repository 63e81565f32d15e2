// `pmxform nodes` / `inventory` (issue 16 item 11) through the CLI: on the simulator and over
// real sshd, each configured node's storages, bridges, templates and containers, which of them
// this state manages (with the address), the --json document of docs/json-output.md, and a
// clear message (exit 1) for a node that cannot be reached while the others are still listed.
import { join } from "node:path";
import { readFileSync, writeFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { closeAllSshConnections } from "../../src/exec/ssh.js";
import { initSim, loadSimContainer } from "../../src/sim/index.js";
import { HAVE_SSHD, NO_SSHD, simNodeBlock, startSshd, type Sshd } from "../helpers/sshd.js";
import { BUILT, NOT_BUILT, Workdir } from "../e2e/helpers.js";

interface NodeDoc {
  name: string;
  reachable: boolean;
  error?: string;
  storages: { name: string; type: string; content: string[]; free: number; total: number; used: number; shared: boolean; status: string }[];
  bridges: { name: string; mtu: number }[] | null;
  templates: { volid: string; storage: string; size: number; managed: boolean; address?: string }[];
  containers: { vmid: number; hostname?: string; status: string; kind: string; managed: boolean; address?: string }[];
}

const config = (proxmox: string) => `${proxmox}
resource "lxc_template" "d13" {
  node     = "pve2"
  storage  = "local"
  template = "debian-13-standard_13.1-2_amd64.tar.zst"
}

resource "lxc_container" "web" {
  node     = "pve1"
  vmid     = 120
  hostname = "web"
  started  = true
  template = "local:vztmpl/alpine-3.22-default_20250617_amd64.tar.xz"
  rootfs {
    storage = "local-lvm"
    size    = "1G"
  }
}
`;

/** The checks both transports share: managed and unmanaged containers and templates, storages, bridges. */
function checkInventory(nodes: NodeDoc[]): void {
  expect(nodes.map((n) => [n.name, n.reachable])).toEqual([
    ["pve1", true],
    ["pve2", true],
  ]);
  const [pve1, pve2] = nodes as [NodeDoc, NodeDoc];
  expect(pve1.storages.map((s) => [s.name, s.type, s.content.join(",")])).toEqual([
    ["local", "dir", "backup,iso,rootdir,snippets,vztmpl"],
    ["local-lvm", "lvmthin", "images,rootdir"],
    ["local-zfs", "zfspool", "images,rootdir"],
  ]);
  const lvm = pve1.storages.find((s) => s.name === "local-lvm")!;
  expect(lvm.used).toBe(1024 ** 3);
  expect(lvm.free).toBe(lvm.total - 1024 ** 3);
  expect(pve1.bridges).toEqual([
    { name: "vmbr0", mtu: 1500 },
    { name: "vmbr1", mtu: 9000 },
  ]);
  expect(pve1.containers).toEqual([
    { vmid: 120, id: "pve1/120", hostname: "web", status: "running", kind: "lxc", managed: true, address: "lxc_container.web" },
    { vmid: 130, id: "pve1/130", hostname: "legacy", status: "stopped", kind: "lxc", managed: false },
  ]);
  expect(pve2.containers).toEqual([]);
  const d13 = pve2.templates.find((t) => t.volid === "local:vztmpl/debian-13-standard_13.1-2_amd64.tar.zst")!;
  expect(d13).toMatchObject({ storage: "local", managed: true, address: "lxc_template.d13" });
  expect(d13.size).toBeGreaterThan(0);
  expect(pve2.templates.find((t) => t.volid.includes("alpine"))).toMatchObject({ managed: false });
  expect(pve1.templates.some((t) => t.volid.includes("debian-13"))).toBe(false);
}

function addUnmanaged(sim: string): void {
  loadSimContainer(sim, "pve1", 130, "arch: amd64\nhostname: legacy\nmemory: 256\nostype: alpine\nrootfs: local-lvm:vm-130-disk-0,size=1G\n");
}

describe.skipIf(!BUILT)(`pmxform nodes on the simulator${BUILT ? "" : ` (skipped: ${NOT_BUILT})`}`, () => {
  let w: Workdir;
  const proxmox = `proxmox {\n  node "pve1" { sim = "sim" }\n  node "pve2" { sim = "sim" }\n}\n`;
  beforeAll(async () => {
    w = new Workdir();
    initSim(w.path("sim"), { nodes: ["pve1", "pve2"] });
    w.write("main.pmx.hcl", config(proxmox));
    const apply = await w.run("apply", "-auto-approve");
    expect(apply.stderr).toBe("");
    addUnmanaged(w.path("sim"));
  }, 120_000);
  afterAll(() => w.remove());

  it("lists every node's storages, bridges, templates and containers, managed or not, as JSON", async () => {
    const r = await w.run("nodes", "--json");
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout) as { format_version: string; nodes: NodeDoc[] };
    expect(doc.format_version).toBe("1.0");
    checkInventory(doc.nodes);
  });

  it("prints the same as tables; inventory is the same command", async () => {
    const r = await w.run("inventory");
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Node pve1\n {2}Storages:\n {4}NAME +TYPE +CONTENT +FREE +TOTAL\n {4}local +dir +backup,iso,rootdir,snippets,vztmpl +100\.0 GiB +100\.0 GiB\n/);
    expect(r.stdout).toMatch(/ {4}120 +web +running +lxc_container\.web\n {4}130 +legacy +stopped +\(not managed\)\n/);
    expect(r.stdout).toMatch(/local:vztmpl\/debian-13-standard_13\.1-2_amd64\.tar\.zst +\d+ B +lxc_template\.d13\n/);
  });

  it("reports a node that cannot be read, lists the others, and exits 1", async () => {
    const file = w.path("sim/sim.json");
    const saved = readFileSync(file, "utf8");
    // pve2 leaves the simulated cluster: nothing answers for it
    writeFileSync(file, JSON.stringify({ ...JSON.parse(saved), nodes: ["pve1"] }));
    try {
      const r = await w.run("nodes", "--json");
      expect(r.code).toBe(1);
      const doc = JSON.parse(r.stdout) as { nodes: NodeDoc[] };
      expect(doc.nodes.map((n) => [n.name, n.reachable])).toEqual([
        ["pve1", true],
        ["pve2", false],
      ]);
      expect(doc.nodes[1]!.error).toMatch(/pve2/);
      const human = await w.run("nodes");
      expect(human.code).toBe(1);
      expect(human.stdout).toMatch(/^Node pve2: could not be read \(.+\)\n {2}Check the node's connection settings/m);
      expect(human.stdout).toContain("Node pve1\n");
    } finally {
      writeFileSync(file, saved);
    }
  });
});

const ready = BUILT && HAVE_SSHD;
describe.skipIf(!ready)(`pmxform nodes over SSH${ready ? "" : ` (skipped: ${BUILT ? NO_SSHD : NOT_BUILT})`}`, () => {
  let w: Workdir;
  let sim: string;
  const sshd = new Map<string, Sshd>();
  const proxmox = () => `proxmox {\n${["pve1", "pve2"].map((n) => simNodeBlock(n, sshd.get(n)!, join(sim, "etc/pve"))).join("")}}\n`;
  beforeAll(async () => {
    w = new Workdir("pmx-nodes-ssh-");
    sim = w.path("sim");
    initSim(sim, { nodes: ["pve1", "pve2"] });
    const env = (n: string) => ({ PATH: `${join(sim, "bin")}:/usr/sbin:/usr/bin:/sbin:/bin`, PMXSIM_NODE: n });
    const first = await startSshd({ env: env("pve1") });
    sshd.set("pve1", first);
    sshd.set("pve2", await startSshd({ env: env("pve2"), clientKey: first.clientKey }));
    w.write("main.pmx.hcl", config(proxmox()));
    const apply = await w.run("apply", "-auto-approve");
    expect(apply.stderr).toBe("");
    addUnmanaged(sim);
  }, 120_000);
  afterAll(async () => {
    closeAllSshConnections();
    for (const s of sshd.values()) await s.remove();
    w?.remove();
  });

  it("reads each node over its own connection", async () => {
    const r = await w.run("nodes", "--json");
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    checkInventory((JSON.parse(r.stdout) as { nodes: NodeDoc[] }).nodes);
  });

  it("names the node whose sshd is down, and still lists the other", async () => {
    await sshd.get("pve2")!.stop();
    try {
      const r = await w.run("nodes");
      expect(r.code).toBe(1);
      expect(r.stdout).toMatch(/^Node pve2: could not be read \(.*(ssh|onnection|refused).*\)$/m);
      expect(r.stdout).toContain("120   web");
    } finally {
      await sshd.get("pve2")!.start();
    }
  });
});
