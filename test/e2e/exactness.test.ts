// "A no-op plan after apply or import, always", through the CLI against the simulator: hwaddr as a
// computed-when-absent attribute (import, create, change, removal), mount and device names adopted
// after import, configurations written the way
// users write them (Proxmox normalises what it stores), and every real-world fixture re-imported
// under a hand-rewritten configuration.
import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { initSim, loadSimContainer } from "../../src/sim/index.js";
import { BUILT, NOT_BUILT, ROOT, SIM_NODE, Workdir } from "./helpers.js";

const TEMPLATE = "local:vztmpl/debian-12-standard_12.7-1_amd64.tar.zst";
const SHARED = process.env["PMXFORM_SHARED"] ?? resolve(ROOT, "../shared");
const FIXTURES = join(SHARED, "fixtures/pve-conf");
const HAVE_FIXTURES = existsSync(FIXTURES);

interface PlanJson {
  resource_changes: { address: string; change: { actions: string[] } }[];
}
/** Addresses whose planned action is not no-op. */
async function changed(w: Workdir): Promise<string[]> {
  const p = await w.run("plan", "--json");
  expect(p.code, p.stderr).toBe(0);
  return (JSON.parse(p.stdout) as PlanJson).resource_changes.filter((r) => r.change.actions.join() !== "no-op").map((r) => r.address);
}
const conf = (w: Workdir, vmid: number) => readFileSync(w.path(`sim/etc/pve/nodes/pve1/lxc/${vmid}.conf`), "utf8");
const net0 = (w: Workdir, vmid: number) => /^net0: (.*)$/m.exec(conf(w, vmid))?.[1];

describe.skipIf(!BUILT)(`hwaddr is computed when absent${BUILT ? "" : ` (skipped: ${NOT_BUILT})`}`, () => {
  let w: Workdir;
  /** A conf as Proxmox writes it, or hand-written without a MAC (Proxmox generates one only when it writes netN). */
  const stored = (vmid: number, mac?: string) =>
    `arch: amd64\nhostname: ct${vmid}\nmemory: 512\nnet0: name=eth0,bridge=vmbr0,${mac ? `hwaddr=${mac},` : ""}ip=dhcp,type=veth\nostype: debian\nrootfs: local-lvm:vm-${vmid}-disk-0,size=1G\nswap: 512\nunprivileged: 1\n`;
  const hcl = (vmid: number, eth0: string) =>
    `resource "lxc_container" "c${vmid}" {\n  node     = "pve1"\n  vmid     = ${vmid}\n  template = "${TEMPLATE}"\n  hostname = "ct${vmid}"\n  rootfs {\n    storage = "local-lvm"\n    size    = "1G"\n  }\n  network "eth0" {\n    bridge = "vmbr0"\n${eth0}  }\n}\n`;
  const dhcp = '    ip     = "dhcp"\n';
  const yamlBlock = `resources:\n  lxc_container.c152:\n    node: pve1\n    vmid: 152\n    template: ${TEMPLATE}\n    hostname: ct152\n    rootfs:\n      storage: local-lvm\n      size: 1G\n    network:\n      eth0:\n        bridge: vmbr0\n        ip: dhcp\n`;
  const yamlFlow = `resources:\n  lxc_container.c153: { node: pve1, vmid: 153, template: "${TEMPLATE}", hostname: ct153, rootfs: { storage: local-lvm, size: 1G }, network: { eth0: { bridge: vmbr0, ip: dhcp } } }\n`;
  const writeConfig = (c150: string, c151: string, extra = "") => {
    w.write("main.pmx.hcl", SIM_NODE + hcl(150, c150) + hcl(151, c151) + extra);
    w.write("block.pmx.yaml", yamlBlock);
    w.write("flow.pmx.yaml", yamlFlow);
  };

  beforeAll(() => {
    w = new Workdir("pmx-exact-hwaddr-");
    initSim(w.path("sim"), { nodes: ["pve1"] });
    loadSimContainer(w.path("sim"), "pve1", 150, stored(150, "BC:24:11:AA:01:50"));
    loadSimContainer(w.path("sim"), "pve1", 151, stored(151));
    loadSimContainer(w.path("sim"), "pve1", 152, stored(152, "BC:24:11:AA:01:52"));
    loadSimContainer(w.path("sim"), "pve1", 153, stored(153));
  });
  afterAll(() => w.remove());

  it("(a) import, then a hand-written config without hwaddr (HCL block, YAML block and flow): No changes", async () => {
    writeConfig(dhcp, dhcp);
    for (const vmid of [150, 151, 152, 153]) {
      const imp = await w.run("import", `lxc_container.c${vmid}`, `pve1/${vmid}`);
      expect(imp.code, imp.stderr).toBe(0);
    }
    const plan = await w.run("plan", "--detailed-exitcode");
    expect(plan.stdout, plan.stderr).toContain("No changes.");
    expect(plan.code).toBe(0);
    // Nothing wrote the hand-edited confs.
    expect(conf(w, 151)).toBe(stored(151));
    expect(conf(w, 153)).toBe(stored(153));
  });

  it("(b) create without hwaddr -> apply -> No changes, with the MAC Proxmox generated", async () => {
    writeConfig(dhcp, dhcp, hcl(160, dhcp));
    const apply = await w.run("apply", "--auto-approve");
    expect(apply.code, apply.stderr).toBe(0);
    expect(net0(w, 160)).toMatch(/hwaddr=BC:24:11:[0-9A-F]{2}:[0-9A-F]{2}:[0-9A-F]{2},/);
    expect(await changed(w)).toEqual([]);
  });

  it("(c) another hwaddr is an in-place update -> apply -> No changes", async () => {
    writeConfig(dhcp + '    hwaddr = "bc:24:11:00:00:99"\n', dhcp, hcl(160, dhcp));
    const plan = await w.run("plan", "--detailed-exitcode");
    expect(plan.code, plan.stderr).toBe(2);
    expect(plan.stdout).toContain("# lxc_container.c150 will be updated in-place");
    expect(plan.stdout).toMatch(/~ hwaddr\s+= "BC:24:11:AA:01:50" -> "BC:24:11:00:00:99"/);
    expect(plan.stdout).not.toContain("forces replacement");
    expect(plan.stdout).toContain("Plan: 0 to add, 1 to change, 0 to destroy.");
    expect((await w.run("apply", "--auto-approve")).code).toBe(0);
    expect(net0(w, 150)).toBe("name=eth0,bridge=vmbr0,hwaddr=BC:24:11:00:00:99,ip=dhcp,type=veth");
    expect(await changed(w)).toEqual([]);
  });

  it("(d) removing hwaddr from the config keeps the MAC: No changes", async () => {
    writeConfig(dhcp, dhcp, hcl(160, dhcp));
    expect(await changed(w)).toEqual([]);
    expect(net0(w, 150)).toContain("hwaddr=BC:24:11:00:00:99");
  });

  it("another change to a netN without MAC shows the MAC Proxmox will generate, then No changes", async () => {
    writeConfig(dhcp, '    ip     = "10.0.0.51/24"\n', hcl(160, dhcp));
    const plan = await w.run("plan");
    expect(plan.stdout).toMatch(/\+ hwaddr\s+= \(known after apply\)/);
    expect(plan.stdout).toContain("Plan: 0 to add, 1 to change, 0 to destroy.");
    expect((await w.run("apply", "--auto-approve")).code).toBe(0);
    expect(net0(w, 151)).toMatch(/^name=eth0,bridge=vmbr0,hwaddr=BC:24:11:[0-9A-F:]{8},ip=10\.0\.0\.51\/24,type=veth$/);
    expect(await changed(w)).toEqual([]);
  });
});

describe.skipIf(!BUILT)(`mount and device names are adopted after import${BUILT ? "" : ` (skipped: ${NOT_BUILT})`}`, () => {
  it("import (items named mp0, mp1, dev0..2) -> hand-written names and a gpu block -> No changes; growing a named mount is a resize, not a new volume", async () => {
    const w = new Workdir("pmx-exact-names-");
    try {
      w.write("main.pmx.hcl", SIM_NODE);
      initSim(w.path("sim"), { nodes: ["pve1"] });
      execFileSync(w.path("sim/bin/pct"), [
        "create",
        "170",
        TEMPLATE,
        "--rootfs",
        "local-lvm:1",
        "--mp0",
        "local-lvm:1,mp=/data,backup=1",
        "--mp1",
        "/tank/media,mp=/media,ro=1",
        "--dev0",
        "/dev/net/tun",
        "--dev1",
        "/dev/dri/card0,gid=44,mode=0660",
        "--dev2",
        "/dev/dri/renderD128,gid=44,mode=0660",
      ]);
      const body = (size: string) =>
        `resource "lxc_container" "named" {
  node     = "pve1"
  vmid     = 170
  template = "${TEMPLATE}"
  rootfs {
    storage = "local-lvm"
    size    = "1G"
  }
  mount "data" {
    storage = "local-lvm"
    size    = "${size}"
    path    = "/data"
    backup  = true
  }
  mount "media" {
    host_path = "/tank/media"
    path      = "/media"
    read_only = true
  }
  device "tun" {
    path = "/dev/net/tun"
  }
  gpu {
    vendor = "intel"
    gid    = 44
  }
}
`;
      w.write("main.pmx.hcl", SIM_NODE + body("1G"));
      const imp = await w.run("import", "lxc_container.named", "pve1/170");
      expect(imp.code, imp.stderr).toBe(0);
      const noop = await w.run("plan", "--detailed-exitcode");
      expect(noop.stdout, noop.stderr).toContain("No changes.");
      w.write("main.pmx.hcl", SIM_NODE + body("2G"));
      const grow = await w.run("plan");
      expect(grow.stdout).toMatch(/~ mount "data" \{\n\s+~ size\s+= "1G" -> "2G"/);
      expect(grow.stdout).not.toMatch(/mp0|will be deleted|deletes a volume|Plan would delete|\+ mount/);
      expect((await w.run("apply", "--auto-approve")).code).toBe(0);
      expect(conf(w, 170)).toMatch(/^mp0: local-lvm:vm-170-disk-1,mp=\/data,backup=1,size=2G$/m);
      expect(await changed(w)).toEqual([]);
      const state = JSON.parse(readFileSync(w.path("pmxform.state.json"), "utf8")) as { resources: { attributes: Record<string, unknown> }[] };
      expect(state.resources[0]!.attributes["mount_names"]).toEqual({ mp0: "data", mp1: "media" });
    } finally {
      w.remove();
    }
  });
});

/**
 * Arguments written the way users write them; Proxmox stores them normalised (sorted lower-case
 * tags, a description with a trailing newline, sizes in its own unit, netN with type and MAC, ...).
 */
const NATURAL: [string, string][] = [
  ["tags in any case and order, with duplicates", 'tags = ["Prod", "web", "prod", "a.b"]'],
  ["empty tags and description", 'tags = []\ndescription = ""'],
  ["description heredoc with trailing newline, colon, percent, unicode, blank line", "description = <<EOT\nowner: team-a\n100% ünïcode\n\nlast line\nEOT"],
  ["description ending in several newlines", 'description = "note\\n\\n"'],
  ["rootfs size in M", 'rootfs {\n  storage = "local-lvm"\n  size = "4096M"\n}'],
  [
    "fractional and small volume sizes",
    'rootfs {\n  storage = "local-lvm"\n  size = "0.5G"\n}\nmount "small" {\n  storage = "local-lvm"\n  size = "7M"\n  path = "/small"\n}\nmount "odd" {\n  storage = "local-lvm"\n  size = "1536M"\n  path = "/odd"\n}',
  ],
  ["defaults Proxmox writes on create, set explicitly", 'memory = 512\nswap = 512\narch = "amd64"\nostype = "debian"\nunprivileged = true'],
  ["defaults Proxmox leaves out, set explicitly", 'console = true\ntty = 2\ncmode = "tty"\nonboot = false\nprotection = false\ncpulimit = 0\ncpuunits = 100'],
  ["booleans and numbers as strings", 'onboot = "true"\nprotection = "false"\ncores = "2"'],
  [
    "network spelled naturally",
    'network "eth0" {\n  bridge = "vmbr0"\n  ip = "dhcp"\n  ip6 = "auto"\n  hwaddr = "bc:24:11:0a:0b:0c"\n  firewall = true\n  rate = 12.5\n  mtu = 1500\n  tag = 5\n  trunks = "10;20"\n  link_down = false\n}',
  ],
  [
    "two static interfaces",
    'network "eth0" {\n  bridge = "vmbr0"\n  ip = "10.0.0.5/24"\n  gw = "10.0.0.1"\n}\nnetwork "eth1" {\n  bridge = "vmbr0"\n  ip = "manual"\n  ip6 = "fd00::5/64"\n  gw6 = "fd00::1"\n}',
  ],
  ["dns lists in any order", 'nameserver = ["9.9.9.9", "1.1.1.1"]\nsearchdomain = ["lan", "example.org"]'],
  ["features with an unsorted mount list", 'unprivileged = false\nfeatures {\n  nesting = true\n  keyctl = false\n  mount = ["nfs", "cifs"]\n}'],
  ["startup order", "startup {\n  order = 1\n  up = 30\n  down = 60\n}"],
  ["cpu limits (cpuunits clamped to 10000)", "cores = 2\ncpulimit = 1.5\ncpuunits = 20000"],
  ["hostname with capitals", 'hostname = "Web-01.Example.org"'],
  [
    "mount options in any order",
    'rootfs {\n  storage = "local-lvm"\n  size = "2G"\n  mount_options = ["noatime", "discard"]\n  acl = true\n}\nmount "data" {\n  storage = "local-lvm"\n  size = "1G"\n  path = "/data"\n  backup = true\n  mount_options = ["nosuid", "noatime"]\n}\nmount "media" {\n  host_path = "/tank/media"\n  path = "/media"\n  read_only = true\n}',
  ],
  ["a device with mode and ids", 'device "tun" {\n  path = "/dev/net/tun"\n  mode = "0660"\n  gid = 0\n}'],
  ["a gpu", 'gpu {\n  vendor = "intel"\n  gid = 104\n}'],
  ["timezone", 'timezone = "Europe/Berlin"'],
  ["running", "started = true"],
  ["raw lxc lines in both spellings", 'raw_lxc = ["lxc.apparmor.profile: unconfined", "lxc.cap.drop:", "lxc.mount.entry = /dev/net dev/net none bind,create=dir"]'],
];

/** The same kind of settings in YAML: flow and block maps, YAML booleans and numbers. */
const NATURAL_YAML = `resources:
  lxc_container.yaml_block:
    node: pve1
    template: ${TEMPLATE}
    tags: [Web, web, DB]
    onboot: true
    memory: 1024
    description: |
      from yaml
    rootfs:
      storage: local-lvm
      size: 2048M
    network:
      eth0:
        bridge: vmbr0
        ip: dhcp
        firewall: true
  lxc_container.yaml_flow: { node: pve1, template: "${TEMPLATE}", cpulimit: 0.5, features: { nesting: true }, network: { eth0: { bridge: vmbr0, ip: 10.1.0.9/24, gw: 10.1.0.1 } } }
`;

const slug = (s: string) =>
  s
    .replace(/[^a-z0-9]+/gi, "_")
    .replace(/^_|_$/g, "")
    .toLowerCase();
const indent = (body: string) =>
  body
    .split("\n")
    .map((l) => `  ${l}`)
    .join("\n");

describe.skipIf(!BUILT)(`configurations written naturally re-plan as No changes after apply${BUILT ? "" : ` (skipped: ${NOT_BUILT})`}`, () => {
  let w: Workdir;
  let planned: string[] = [];
  let applyOutput = "";
  beforeAll(async () => {
    w = new Workdir("pmx-exact-natural-");
    const resources = NATURAL.map(([what, body]) => `resource "lxc_container" "${slug(what)}" {\n  node     = "pve1"\n  template = "${TEMPLATE}"\n${indent(body)}\n}\n`);
    w.write("main.pmx.hcl", SIM_NODE + resources.join(""));
    w.write("more.pmx.yaml", NATURAL_YAML);
    const apply = await w.run("apply", "--auto-approve");
    applyOutput = apply.stdout + apply.stderr;
    expect(apply.code, applyOutput).toBe(0);
    planned = await changed(w);
  }, 120_000);
  afterAll(() => w.remove());

  it.each([...NATURAL.map(([what]) => [what, `lxc_container.${slug(what)}`]), ["YAML block maps", "lxc_container.yaml_block"], ["YAML flow maps", "lxc_container.yaml_flow"]])(
    "%s",
    (_what, address) => {
      expect(applyOutput).toContain(`${address}: Creation complete`);
      expect(planned).not.toContain(address);
    },
  );
});

describe.skipIf(!BUILT || !HAVE_FIXTURES)(
  `every real-world fixture, imported under a configuration rewritten by hand${!BUILT ? ` (skipped: ${NOT_BUILT})` : !HAVE_FIXTURES ? ` (skipped: ${FIXTURES} not found; set PMXFORM_SHARED)` : ""}`,
  () => {
    /** What a user changes in generated configuration without meaning to change anything. */
    const rewrite = (hclText: string) =>
      hclText
        .replace(/^\s*hwaddr\s*=.*\n/gm, "")
        .replace(/(\bsize\s*=\s*)"(\d+)G"/g, (_m, lhs: string, n: string) => `${lhs}"${Number(n) * 1024}M"`)
        .replace(
          /(\btags\s*=\s*)\[(.*)\]/g,
          (_m, lhs: string, list: string) =>
            `${lhs}[${list
              .split(",")
              .map((t) => t.trim().toUpperCase())
              .reverse()
              .join(", ")}]`,
        )
        .replace(/^(\s*description\s*=\s*".*)"$/gm, '$1\\n"');

    it("import --all -> generated HCL without MACs, sizes in M, tags reordered, descriptions with a newline -> No changes", async () => {
      const w = new Workdir("pmx-exact-fixtures-");
      try {
        const files = readdirSync(FIXTURES)
          .filter((f) => f.endsWith(".conf"))
          .sort();
        initSim(w.path("sim"), { nodes: ["pve1"] });
        files.forEach((f, i) => loadSimContainer(w.path("sim"), "pve1", 200 + i, readFileSync(join(FIXTURES, f), "utf8")));
        w.write("main.pmx.hcl", SIM_NODE);
        const imp = await w.run("import", "--all", "--generate-config-out", "generated.pmx.hcl");
        expect(imp.code, imp.stderr).toBe(0);
        const generated = readFileSync(w.path("generated.pmx.hcl"), "utf8");
        const rewritten = rewrite(generated);
        // The rewrite touched every kind of value it means to.
        expect(generated).toMatch(/hwaddr\s*=/);
        expect(rewritten).not.toMatch(/hwaddr\s*=/);
        expect(rewritten).toMatch(/size\s*=\s*"\d+M"/);
        expect(rewritten).toMatch(/tags\s*=\s*\["[A-Z]/);
        expect(rewritten).toMatch(/description\s*=\s*".*\\n"$/m);
        writeFileSync(w.path("generated.pmx.hcl"), rewritten);
        const plan = await w.run("plan", "--detailed-exitcode");
        expect(plan.stdout, plan.stderr).toContain("No changes.");
        expect(plan.code).toBe(0);
      } finally {
        w.remove();
      }
    }, 120_000);
  },
);
