// `pmxform import` end to end through the CLI: one container then a no-op plan, the bad inputs
// (state untouched), and import --all with generated configuration that re-plans as no changes
// over every real-world fixture and over a 3-node cluster of 30 mixed containers.
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { initSim, loadSimContainer } from "../../src/sim/index.js";
import { BUILT, NOT_BUILT, ROOT, SIM_NODE, Workdir, container } from "./helpers.js";

const SHARED = process.env["PMXFORM_SHARED"] ?? resolve(ROOT, "../shared");
const FIXTURES = join(SHARED, "fixtures/pve-conf");
const HAVE_FIXTURES = existsSync(FIXTURES);

const nodesBlock = (nodes: string[]) => `proxmox {\n${nodes.map((n) => `  node "${n}" {\n    sim = "sim"\n  }\n`).join("")}}\n`;
const stateText = (w: Workdir) => (existsSync(w.path("pmxform.state.json")) ? readFileSync(w.path("pmxform.state.json"), "utf8") : "<none>");

describe.skipIf(!BUILT)(`pmxform import ADDR ID${BUILT ? "" : ` (skipped: ${NOT_BUILT})`}`, () => {
  let w: Workdir;
  const web = container("web", '  vmid     = 150\n  hostname = "web"\n  memory   = 768\n  tags     = ["prod"]\n  network "eth0" {\n    bridge = "vmbr0"\n    ip     = "dhcp"\n  }\n');
  const indexed =
    'resource "oci_container" "app" {\n  node  = "pve1"\n  image = "local:vztmpl/app.tar"\n}\n' +
    container("many", "  count = local.n\n") +
    container("byname", '  for_each = toset(["a", "b"])\n  hostname = each.key\n') +
    "locals {\n  n = 2\n}\n";
  beforeAll(() => {
    w = new Workdir("pmx-import-");
  });
  afterAll(() => w.remove());

  it("adopts a container pmxform created, and the next plan says No changes", async () => {
    w.write("main.pmx.hcl", SIM_NODE + web);
    expect((await w.run("apply", "--auto-approve")).code).toBe(0);
    expect((await w.run("state", "rm", "lxc_container.web")).code).toBe(0);
    const imp = await w.run("import", "lxc_container.web", "pve1/150");
    expect(imp.stderr).toBe("");
    expect(imp.code).toBe(0);
    expect(imp.stdout).toContain('lxc_container.web: Importing from ID "pve1/150"...');
    expect(imp.stdout).toContain("Import successful!");
    const state = JSON.parse(stateText(w)) as { resources: { address: string; attributes: Record<string, unknown> }[] };
    expect(state.resources.map((r) => r.address)).toEqual(["lxc_container.web"]);
    expect(state.resources[0]!.attributes).toMatchObject({ vmid: 150, hostname: "web", memory: 768, tags: ["prod"] });
    const plan = await w.run("plan", "--detailed-exitcode");
    expect(plan.stdout).toContain("No changes.");
    expect(plan.code).toBe(0);
  });

  it.each([
    ["a vmid that does not exist", ["lxc_container.other", "pve1/999"], /Cannot import non-existent remote object[\s\S]*no container with vmid 999/],
    ["a virtual machine", ["lxc_container.other", "pve1/300"], /300 is a virtual machine/],
    ["a container managed under another address", ["lxc_container.other", "pve1/150"], /already managed as lxc_container\.web/],
    ["an address missing from the configuration", ["lxc_container.nope", "pve1/150"], /lxc_container\.nope is not declared in the configuration/],
    ["an address already in state", ["lxc_container.web", "pve1/150"], /already in the state/],
    ["a malformed id", ["lxc_container.other", "pve1/abc"], /not NODE\/VMID/],
    [
      "a count index that does not exist",
      ["lxc_container.many[2]", "pve1/151"],
      /lxc_container\.many has no instance \[2\] \(count = 2\)\. Import into one of lxc_container\.many\[0\], lxc_container\.many\[1\]/,
    ],
    [
      "a for_each key that does not exist",
      ['lxc_container.byname["c"]', "pve1/151"],
      /has no instance \["c"\] \(for_each\)\. Import into one of lxc_container\.byname\["a"\], lxc_container\.byname\["b"\]/,
    ],
    ["a string key on a count resource", ['lxc_container.many["a"]', "pve1/151"], /uses count, so its keys are numbers/],
    ["no key on a for_each resource", ["lxc_container.byname", "pve1/151"], /uses for_each, so an instance key is needed/],
    ["a key on a single resource", ["lxc_container.other[0]", "pve1/151"], /has neither count nor for_each[\s\S]*Import into lxc_container\.other\./],
    ["a system container as oci_container", ["oci_container.app", "pve1/151"], /container 151 is a system container \(no entrypoint\), not an OCI application container; import it as lxc_container/],
  ])("refuses %s and leaves the state untouched", async (_what, args, message) => {
    w.write("main.pmx.hcl", SIM_NODE + web + container("other", '  hostname = "other"\n') + indexed);
    mkdirSync(w.path("sim/etc/pve/nodes/pve1/qemu-server"), { recursive: true });
    writeFileSync(w.path("sim/etc/pve/nodes/pve1/qemu-server/300.conf"), "memory: 512\nname: vm\n");
    loadSimContainer(w.path("sim"), "pve1", 151, "hostname: spare\nmemory: 256\nrootfs: local-lvm:vm-151-disk-0,size=1G\n");
    const before = stateText(w);
    const r = await w.run("import", ...args);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(message);
    expect(stateText(w)).toBe(before);
  });
  it("imports into an existing for_each key, recording the key", async () => {
    w.write("main.pmx.hcl", SIM_NODE + web + indexed);
    const r = await w.run("import", 'lxc_container.byname["a"]', "151");
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const state = JSON.parse(stateText(w)) as { resources: { address: string; index?: string }[] };
    expect(state.resources.find((x) => x.address === 'lxc_container.byname["a"]')?.index).toBe("a");
  });

  it("imports what is valid from a hand-edited conf with garbage lines and reports the rest", async () => {
    const g = new Workdir("pmx-import-garbage-");
    try {
      initSim(g.path("sim"), { nodes: ["pve1"] });
      const conf =
        "hostname: messy\nmemory: lots\nthis is not a setting\ncores: 2\nswap: -5\nfoo_bar: 1\nnet0: name=eth0,bridge=vmbr0,hwaddr=BC:24:11:00:00:01,ip=dhcp\nrootfs: local-lvm:vm-160-disk-0,size=1G\nlxc.bogus.key: 1\nlxc.cgroup2.devices.allow: c 10:200 rwm\n";
      loadSimContainer(g.path("sim"), "pve1", 160, conf);
      g.write("main.pmx.hcl", SIM_NODE);
      const imp = await roundTrip(g, "generated.pmx.hcl");
      const generated = readFileSync(g.path("generated.pmx.hcl"), "utf8");
      for (const reported of ['memory = "lots"', "swap = -5", 'pct key "foo_bar"', 'line "this is not a setting"', 'line "lxc.bogus.key: 1"'])
        expect(imp.stderr.replace(/\s+/g, " ")).toContain(reported);
      expect(generated).toMatch(/cores\s+= 2/);
      expect(generated).toContain("lxc.cgroup2.devices.allow: c 10:200 rwm");
      expect(generated).not.toMatch(/^\s*(memory|swap)\s*=/m);
      const state = JSON.parse(stateText(g)) as { resources: { attributes: Record<string, unknown> }[] };
      expect(state.resources[0]!.attributes).toMatchObject({ memory: "lots", swap: -5, cores: 2 });
      // The conf is left as it was.
      expect(readFileSync(g.path("sim/etc/pve/nodes/pve1/lxc/160.conf"), "utf8")).toBe(conf);
    } finally {
      g.remove();
    }
  });
});

/** Imports everything into a fresh directory and checks validate + a no-op plan. */
async function roundTrip(w: Workdir, file: string, extra: string[] = []) {
  const imp = await w.run("import", "--all", "--generate-config-out", file, ...extra);
  expect(imp.code, imp.stderr).toBe(0);
  const validate = await w.run("validate");
  expect(validate.code, validate.stderr + readFileSync(w.path(file), "utf8")).toBe(0);
  const plan = await w.run("plan", "--detailed-exitcode");
  expect(plan.stdout + plan.stderr, readFileSync(w.path(file), "utf8")).toContain("No changes.");
  expect(plan.code).toBe(0);
  return imp;
}

describe.skipIf(!BUILT || !HAVE_FIXTURES)(
  `import --all round-trips every real-world fixture${!BUILT ? ` (skipped: ${NOT_BUILT})` : !HAVE_FIXTURES ? ` (skipped: ${FIXTURES} not found; set PMXFORM_SHARED)` : ""}`,
  () => {
    const files = HAVE_FIXTURES
      ? readdirSync(FIXTURES)
          .filter((f) => f.endsWith(".conf"))
          .sort()
      : [];
    const text = (f: string) => readFileSync(join(FIXTURES, f), "utf8");
    const load = (w: Workdir, files: string[]) => {
      initSim(w.path("sim"), { nodes: ["pve1", "pve2"] });
      files.forEach((f, i) => loadSimContainer(w.path("sim"), i % 2 ? "pve2" : "pve1", 200 + i, text(f)));
      w.write("main.pmx.hcl", nodesBlock(["pve1", "pve2"]));
    };
    it.each([
      ["hcl", "generated.pmx.hcl", files],
      ["yaml", "generated.pmx.yaml", files],
    ])("%s: import -> generate -> validate -> plan = No changes", async (_fmt, file, files) => {
      const oci = files.filter((f) => /^entrypoint:/m.test(text(f)));
      const w = new Workdir("pmx-import-fixtures-");
      try {
        load(w, files);
        const imp = await roundTrip(w, file);
        const state = JSON.parse(stateText(w)) as { resources: { type: string }[] };
        // Application containers (an entrypoint) are adopted as oci_container, the rest as lxc_container.
        expect(state.resources.length).toBe(files.length);
        expect(state.resources.filter((r) => r.type === "oci_container").length).toBe(oci.length);
        expect(oci.length).toBeGreaterThan(0);
        expect(imp.stderr).not.toContain("Container not imported");
        expect(imp.stderr).toMatch(/not managed|kept in state/);
      } finally {
        w.remove();
      }
    });
  },
);

describe.skipIf(!BUILT)(`import --all over containers pmxform created${BUILT ? "" : ` (skipped: ${NOT_BUILT})`}`, () => {
  it("apply -> state rm everything -> import --all -> validate -> plan = No changes", async () => {
    const w = new Workdir("pmx-import-own-");
    try {
      const own =
        container(
          "files",
          '  hostname    = "files"\n  description = "shares\\nand more"\n  tags        = ["nas", "prod"]\n  onboot      = true\n  started     = true\n  features {\n    nesting = true\n  }\n  startup {\n    order = 3\n    up    = 20\n  }\n  mount "data" {\n    storage = "local-lvm"\n    size    = "2G"\n    path    = "/data"\n    backup  = true\n  }\n  mount "media" {\n    host_path = "/tank/media"\n    path      = "/media"\n    read_only = true\n  }\n',
        ) +
        container(
          "gpu",
          '  hostname = "render"\n  cores    = 2\n  memory   = 1024\n  nameserver = ["1.1.1.1", "9.9.9.9"]\n  gpu {\n    vendor = "intel"\n    gid    = 104\n  }\n  device "tun" {\n    path = "/dev/net/tun"\n  }\n  raw_lxc = ["lxc.apparmor.profile: unconfined", "lxc.cap.drop:"]\n  network "eth0" {\n    bridge = "vmbr0"\n    ip     = "10.1.0.5/24"\n    gw     = "10.1.0.1"\n    tag    = 20\n  }\n',
        ) +
        container("pool", '  count    = 2\n  hostname = "pool"\n');
      w.write("main.pmx.hcl", SIM_NODE + own);
      const apply = await w.run("apply", "--auto-approve");
      expect(apply.stderr).not.toMatch(/Error/);
      expect(apply.code).toBe(0);
      const addresses = (JSON.parse(stateText(w)) as { resources: { address: string }[] }).resources.map((r) => r.address);
      expect(addresses).toHaveLength(4);
      expect((await w.run("state", "rm", ...addresses)).code).toBe(0);
      w.write("main.pmx.hcl", SIM_NODE);
      await roundTrip(w, "adopted.pmx.hcl");
      const adopted = (JSON.parse(stateText(w)) as { resources: { address: string }[] }).resources.map((r) => r.address).sort();
      // The two count instances share a hostname: the second gets its vmid appended.
      expect(adopted).toEqual(expect.arrayContaining(["lxc_container.files", "lxc_container.render", "lxc_container.pool"]));
      expect(adopted.filter((a) => /^lxc_container\.pool_\d+$/.test(a))).toHaveLength(1);
    } finally {
      w.remove();
    }
  }, 120_000);
});

/** The conf of cluster container i: a real-world fixture every third one when present, else synthetic (system or OCI). */
function clusterConf(i: number, vmid: number, fixtureTexts: string[]): string {
  if (fixtureTexts.length && i % 3 === 0) return fixtureTexts[(i / 3) % fixtureTexts.length]!;
  const mac = `BC:24:11:00:${(i >> 8).toString(16).padStart(2, "0").toUpperCase()}:${(i & 255).toString(16).padStart(2, "0").toUpperCase()}`;
  if (i % 8 === 1) {
    // An OCI application container as pct create writes it.
    return [
      `arch: amd64`,
      "cmode: console",
      `entrypoint: /usr/bin/app --port ${8000 + i} 'two words'`,
      `hostname: app`,
      "memory: 256",
      `net0: name=eth0,bridge=vmbr0,host-managed=1,hwaddr=${mac},ip=dhcp,type=veth`,
      "ostype: alpine",
      `rootfs: local-lvm:vm-${vmid}-disk-0,size=1G`,
      "swap: 512",
      "unprivileged: 1",
      "lxc.environment.runtime: PATH=/usr/bin:/bin",
      `lxc.environment.runtime: APP_ID=${i}`,
      "lxc.init.cwd: /srv",
      "lxc.signal.halt: SIGTERM",
      "",
    ].join("\n");
  }
  const lines = [
    `arch: amd64`,
    `hostname: ${i % 10 === 0 ? "app" : i % 7 === 0 ? `9svc-${i}` : `ct-${i}`}`,
    `memory: ${256 * (1 + (i % 4))}`,
    `rootfs: local-lvm:vm-${vmid}-disk-0,size=${1 + (i % 3)}G`,
  ];
  if (i % 2) lines.push(`net0: name=eth0,bridge=vmbr0,hwaddr=${mac},ip=10.0.0.${i + 2}/24,gw=10.0.0.1,type=veth`);
  if (i % 3 === 0) lines.push("features: nesting=1,keyctl=1", "unprivileged: 1");
  if (i % 5 === 0) lines.push(`mp0: local-lvm:vm-${vmid}-disk-1,mp=/data,size=2G,backup=1`, "mp1: /tank/media,mp=/media,ro=1", "tags: db;prod");
  if (i % 6 === 2) lines.push("dev0: /dev/dri/renderD128,gid=104,mode=0660", "dev1: /dev/net/tun");
  if (i % 4 === 0) lines.push("onboot: 1", "startup: order=2,up=30", "#multi-line%0Adescription ${x}");
  if (i % 9 === 0) lines.push("lxc.cgroup2.devices.allow: c 10:200 rwm", "lxc.mount.entry: /dev/net dev/net none bind,create=dir");
  return lines.join("\n") + "\n";
}

describe.skipIf(!BUILT)(`import --all on 3 nodes x 30 containers${BUILT ? "" : ` (skipped: ${NOT_BUILT})`}`, () => {
  it("adopts one node (HCL), then the rest (YAML): lxc and OCI, fixtures, running and stopped, unique valid names; plan says No changes", async () => {
    const w = new Workdir("pmx-import-cluster-");
    try {
      const nodes = ["pve1", "pve2", "pve3"];
      const fixtureTexts = HAVE_FIXTURES
        ? readdirSync(FIXTURES)
            .filter((f) => f.endsWith(".conf"))
            .sort()
            .map((f) => readFileSync(join(FIXTURES, f), "utf8"))
        : [];
      initSim(w.path("sim"), { nodes });
      const confs: string[] = [];
      for (let i = 0; i < 90; i++) {
        const vmid = 300 + i;
        const node = nodes[i % 3]!;
        confs.push(clusterConf(i, vmid, fixtureTexts));
        loadSimContainer(w.path("sim"), node, vmid, confs[i]!);
        // Every fourth runs (the simulator's run marker, as pct start leaves it).
        if (i % 4 === 1) {
          mkdirSync(w.path(`sim/run/${node}`), { recursive: true });
          writeFileSync(w.path(`sim/run/${node}/${vmid}.running`), String(100000 + vmid));
        }
      }
      const oci = confs.filter((c) => /^entrypoint: (?!\/sbin\/init)/m.test(c)).length;
      w.write("main.pmx.hcl", nodesBlock(nodes));
      await roundTrip(w, "pve2.pmx.hcl", ["--node", "pve2"]);
      const after1 = JSON.parse(stateText(w)) as { resources: { address: string; attributes: { node: string } }[] };
      expect(after1.resources.length).toBe(30);
      expect(after1.resources.every((r) => r.attributes.node === "pve2")).toBe(true);
      await roundTrip(w, "rest.pmx.yaml");
      const all = JSON.parse(stateText(w)) as { resources: { address: string; type: string; attributes: { started: boolean } }[] };
      expect(all.resources.length).toBe(90);
      const names = all.resources.map((r) => r.address);
      expect(new Set(names).size).toBe(90);
      expect(all.resources.filter((r) => r.type === "oci_container").length).toBe(oci);
      expect(oci).toBeGreaterThanOrEqual(8);
      expect(all.resources.filter((r) => r.attributes.started).length).toBe(23);
      expect(names).toContain("lxc_container.app");
      expect(names).toContain("oci_container.app");
      expect(names.filter((n) => /^oci_container\.app_\d+$/.test(n)).length).toBeGreaterThan(0); // duplicate hostnames made unique
      expect(names).toContain("lxc_container.ct_9svc-7");
      expect(readFileSync(w.path("rest.pmx.yaml"), "utf8")).toMatch(/^resources:$/m);
      const again = await w.run("import", "--all", "--generate-config-out", "none.pmx.hcl");
      expect(again.stdout).toContain("Nothing to import");
    } finally {
      w.remove();
    }
  }, 180_000);
});
