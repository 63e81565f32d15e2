// Plan checks what the node has (issue 16 item 9), through the CLI on the simulator: a missing
// template, storage or bridge, a storage without the content type, an MTU above the bridge's
// are errors at the attribute's line with the closest name the node has; volumes larger than a
// storage's free space a warning. A template an lxc_template of the configuration downloads is
// not missing. Checks follow the node: a bridge removed on the node is found by the next plan,
// and the simulator refuses to start the container there, as Proxmox does.
import { writeFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { initSim, readCalls } from "../../src/sim/index.js";
import { DEFAULT_INTERFACES, interfacesPath } from "../../src/sim/network.js";
import { BUILT, NOT_BUILT, SIM_NODE, Workdir } from "../e2e/helpers.js";

interface Diag {
  severity: string;
  summary: string;
  detail: string;
  range?: { filename: string; start: { line: number } };
}

const ct = (name: string, o: { template?: string; rootfs?: string; size?: string; bridge?: string; mtu?: number; mount?: string } = {}): string => `resource "lxc_container" "${name}" {
  node     = "pve1"
  template = ${o.template ?? '"local:vztmpl/debian-12-standard_12.7-1_amd64.tar.zst"'}
  rootfs {
    storage = "${o.rootfs ?? "local-lvm"}"
    size    = "${o.size ?? "2G"}"
  }
${o.mount ? `  mount "data" {\n    storage = "${o.mount}"\n    size    = "1G"\n    path    = "/data"\n  }\n` : ""}  network "eth0" {
    bridge = "${o.bridge ?? "vmbr0"}"
${o.mtu ? `    mtu    = ${o.mtu}\n` : ""}  }
}
`;

/** The 1-based line of the first line containing `text`. */
const lineOf = (src: string, text: string): number => src.split("\n").findIndex((l) => l.includes(text)) + 1;

describe.skipIf(!BUILT)(`plan checks the node${BUILT ? "" : ` (skipped: ${NOT_BUILT})`}`, () => {
  let w: Workdir;
  beforeAll(() => {
    w = new Workdir();
    initSim(w.path("sim"));
  });
  afterAll(() => w.remove());

  const planJson = async (src: string): Promise<{ code: number; diags: Diag[] }> => {
    w.write("main.pmx.hcl", SIM_NODE + src);
    const r = await w.run("plan", "-json");
    const doc = JSON.parse(r.stdout) as { diagnostics?: Diag[] };
    return { code: r.code, diags: doc.diagnostics ?? [] };
  };

  it("reports a missing template, storage and bridge at their lines, with did-you-mean", async () => {
    const src = ct("bad", { template: '"local:vztmpl/debian-12-standart_12.7-1_amd64.tar.zst"', rootfs: "local-lv", bridge: "vmbr9" });
    const full = SIM_NODE + src;
    const { code, diags } = await planJson(src);
    expect(code).toBe(1);
    const by = (s: string) => diags.find((d) => d.summary === s)!;
    expect(by("Template not found").detail).toContain('Did you mean "local:vztmpl/debian-12-standard_12.7-1_amd64.tar.zst"?');
    expect(by("Template not found").range!.start.line).toBe(lineOf(full, "standart"));
    expect(by("Storage does not exist").detail).toContain('Did you mean "local-lvm"?');
    expect(by("Storage does not exist").range!.start.line).toBe(lineOf(full, '"local-lv"'));
    expect(by("Bridge does not exist").detail).toMatch(/no bridge "vmbr9".*bridges: vmbr0, vmbr1.*Did you mean "vmbr\d"\?/);
    expect(by("Bridge does not exist").range!.start.line).toBe(lineOf(full, "vmbr9"));
  });

  it("refuses a template on a storage without vztmpl content (the simulator's storages all hold rootdir: see test/providers/lxc/node-checks.test.ts)", async () => {
    const { code, diags } = await planJson(ct("c", { template: '"local-lvm:vztmpl/debian-12-standard_12.7-1_amd64.tar.zst"' }));
    expect(code).toBe(1);
    expect(diags.map((d) => d.summary)).toEqual(["Storage cannot hold templates"]);
    expect(diags[0]!.detail).toContain('Use "local" (a lvmthin storage cannot hold files)');
  });

  it("refuses an MTU above the bridge's and accepts it on the jumbo-frame bridge", async () => {
    const src = ct("m", { mtu: 9000 });
    const { code, diags } = await planJson(src);
    expect(code).toBe(1);
    expect(diags[0]!.summary).toBe("MTU bigger than the bridge's");
    expect(diags[0]!.range!.start.line).toBe(lineOf(SIM_NODE + src, "mtu"));
    expect((await planJson(ct("m", { mtu: 9000, bridge: "vmbr1" }))).code).toBe(0);
  });

  it("warns when the planned volumes exceed a storage's free space", async () => {
    const src = ct("big", { rootfs: "local", size: "150G" });
    const { code, diags } = await planJson(src);
    expect(code).toBe(0);
    expect(diags.map((d) => [d.severity, d.summary])).toEqual([["warning", "Not enough free space on the storage"]]);
    expect(diags[0]!.detail).toContain('150.0 GiB on storage "local"');
    expect(diags[0]!.range!.start.line).toBe(lineOf(SIM_NODE + src, "150G"));
  });

  it("takes a template an lxc_template of the configuration downloads as present", async () => {
    const tpl = `resource "lxc_template" "d13" {
  node     = "pve1"
  storage  = "local"
  template = "debian-13-standard_13.1-2_amd64.tar.zst"
}
`;
    const byRef = await planJson(tpl + ct("a", { template: "lxc_template.d13.volid" }));
    expect(byRef.diags).toEqual([]);
    expect(byRef.code).toBe(0);
    const literal = await planJson(tpl + ct("a", { template: '"local:vztmpl/debian-13-standard_13.1-2_amd64.tar.zst"' }));
    expect(literal.diags).toEqual([]);
    // without the lxc_template it is missing
    expect((await planJson(ct("a", { template: '"local:vztmpl/debian-13-standard_13.1-2_amd64.tar.zst"' }))).diags.map((d) => d.summary)).toEqual(["Template not found"]);
  });

  it("finds a bridge removed on the node after apply: a warning for the kept NIC, and the node refuses to start the container", async () => {
    w.write("main.pmx.hcl", SIM_NODE + ct("keep", { bridge: "vmbr1" }));
    const apply = await w.run("apply", "-auto-approve");
    expect(apply.stderr).toBe("");
    expect(apply.code).toBe(0);
    const iface = interfacesPath(w.path("sim"), "pve1");
    writeFileSync(iface, DEFAULT_INTERFACES.replace(/auto vmbr1\n[^]*?\n\n/, ""));
    try {
      const plan = await w.run("plan", "-detailed-exitcode");
      expect(plan.code).toBe(0);
      expect(plan.stderr).toContain("Warning: Bridge does not exist");
      expect(plan.stderr).toContain("Proxmox refuses to start it");
      // the plan's verdict is the node's: starting it fails with Proxmox's message
      w.write("main.pmx.hcl", SIM_NODE + ct("keep", { bridge: "vmbr1" }).replace("node     =", "started  = true\n  node     ="));
      const start = await w.run("apply", "-auto-approve");
      expect(start.code).toBe(1);
      expect(start.stderr).toContain("bridge 'vmbr1' does not exist");
    } finally {
      writeFileSync(iface, DEFAULT_INTERFACES);
    }
    w.write("main.pmx.hcl", SIM_NODE);
    expect((await w.run("apply", "-auto-approve")).code).toBe(0);
  });

  it("reads the bridges in one call per node, and -refresh=false still calls nothing", async () => {
    w.write("main.pmx.hcl", SIM_NODE + ct("one"));
    expect((await w.run("apply", "-auto-approve")).code).toBe(0);
    let before = readCalls(w.path("sim")).length;
    expect((await w.run("plan", "-detailed-exitcode")).code).toBe(0);
    const calls = readCalls(w.path("sim"))
      .slice(before)
      .map((c) => [c.tool, ...c.argv].join(" "));
    expect(calls.filter((c) => c.includes("/network"))).toEqual(["pvesh get /nodes/pve1/network --type any_bridge --output-format json"]);
    // a no-op plan creates nothing, so no template listing
    expect(calls.filter((c) => c.includes("/content"))).toEqual([]);
    before = readCalls(w.path("sim")).length;
    expect((await w.run("plan", "-refresh=false", "-detailed-exitcode")).code).toBe(0);
    expect(readCalls(w.path("sim")).slice(before)).toEqual([]);
    w.write("main.pmx.hcl", SIM_NODE);
    expect((await w.run("apply", "-auto-approve")).code).toBe(0);
  });
});
