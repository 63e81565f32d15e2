// Mount, device, GPU and raw lxc scenarios through the CLI against the simulator (issue 6): each
// step changes a running container in place (never a replace) and the next plan is "No changes".
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BUILT, NOT_BUILT, SIM_NODE, Workdir, container } from "./helpers.js";

const ct = (extra: string) =>
  SIM_NODE +
  container(
    "media",
    `  vmid     = 160
  hostname = "media"
  started  = true
${extra}`,
  );

interface Call {
  argv: string[];
}

describe.skipIf(!BUILT)(`mounts, devices, GPUs and raw lxc lines through the CLI${BUILT ? "" : ` (skipped: ${NOT_BUILT})`}`, () => {
  let w: Workdir;
  const conf = () => readFileSync(w.path("sim/etc/pve/nodes/pve1/lxc/160.conf"), "utf8");
  const calls = (): Call[] =>
    readFileSync(w.path("sim/log/calls.jsonl"), "utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as Call);
  const noChanges = async () => {
    const p = await w.run("plan", "--detailed-exitcode");
    if (p.code !== 0) console.error(p.stdout, p.stderr);
    expect(p.stdout).toContain("No changes.");
    expect(p.code).toBe(0);
  };
  const applyOk = async () => {
    const a = await w.run("apply", "--auto-approve");
    if (a.code !== 0) console.error(a.stdout, a.stderr);
    expect(a.code).toBe(0);
    expect(a.stdout).toContain("0 added, 1 changed, 0 destroyed");
    return a;
  };
  /** The plan of `hcl`, which must be an in-place update. */
  const planUpdate = async (hcl: string) => {
    w.write("main.pmx.hcl", ct(hcl));
    const p = await w.run("plan");
    expect(p.code).toBe(0);
    expect(p.stdout).toContain("# lxc_container.media will be updated in-place");
    expect(p.stdout).not.toContain("must be replaced");
    return p.stdout;
  };

  beforeAll(() => {
    w = new Workdir("pmx-e2e-mounts-");
  });
  afterAll(() => w.remove());

  it("creates a running container", async () => {
    w.write("main.pmx.hcl", ct(""));
    const a = await w.run("apply", "--auto-approve");
    expect(a.stderr).toBe("");
    expect(a.code).toBe(0);
    await noChanges();
  });

  const bind = (path = "/srv/media") => `  mount "media" {
    host_path = "/tank/media"
    path      = "${path}"
    read_only = true
  }
`;
  const volume = (size: string) => `  mount "data" {
    storage = "local-lvm"
    size    = "${size}"
    path    = "/data"
  }
`;

  it("hot-plugs a bind mount into the running container (no restart, no replace)", async () => {
    w.write("main.pmx.hcl", ct(bind()));
    const p = await w.run("plan");
    expect(p.stdout + p.stderr).toContain("Files of a bind mount appear as nobody/nogroup");
    const plan = p.stdout;
    expect(plan).toContain("# lxc_container.media will be updated in-place");
    expect(plan).not.toContain("requires restart");
    await applyOk();
    expect(conf()).toMatch(/^mp0: \/tank\/media,mp=\/srv\/media,ro=1$/m);
    expect(conf()).not.toContain("[pve:pending]");
    await noChanges();
  });

  it("refuses a relative or unnormalised host path at plan time, with the config line", async () => {
    w.write("main.pmx.hcl", ct(bind().replace('"/tank/media"', '"/tank/../media"')));
    const p = await w.run("plan");
    expect(p.code).toBe(1);
    expect(p.stderr).toContain("Invalid host path");
    expect(p.stderr).toContain('host_path = "/tank/../media"');
    expect(p.stderr).toContain('write "/media"');
  });

  it("adds a volume, then grows it with pct resize", async () => {
    await planUpdate(bind() + volume("1G"));
    await applyOk();
    expect(conf()).toMatch(/^mp1: local-lvm:vm-160-disk-1,mp=\/data,size=1G$/m);
    await noChanges();
    const plan = await planUpdate(bind() + volume("2048M"));
    expect(plan).toMatch(/~ size\s+= "1G" -> "2G"/);
    await applyOk();
    // The resize is the update's first write: it checks the digest the plan was made from.
    expect(
      calls()
        .filter((c) => c.argv[0] === "resize")
        .at(-1)?.argv,
    ).toEqual(["resize", "160", "mp1", "2G", "--digest", expect.stringMatching(/^[0-9a-f]{40}$/)]);
    expect(conf()).toMatch(/^mp1: local-lvm:vm-160-disk-1,mp=\/data,size=2G$/m);
    await noChanges();
  });

  it("refuses to shrink a volume at plan time, pointing at the config line", async () => {
    w.write("main.pmx.hcl", ct(bind() + volume("1G")));
    const p = await w.run("plan");
    expect(p.code).toBe(1);
    expect(p.stderr).toContain("Cannot shrink a mount volume");
    expect(p.stderr).toMatch(/on main\.pmx\.hcl line \d+/);
    expect(p.stderr).toContain('size    = "1G"');
    w.write("main.pmx.hcl", ct(bind() + volume("2G")));
    await noChanges();
  });

  it("changes a mount's path as a change that waits for a restart", async () => {
    const plan = await planUpdate(bind("/mnt/media") + volume("2G"));
    expect(plan).toContain("# requires restart");
    await applyOk();
    expect(conf()).toMatch(/\[pve:pending\][^]*^mp0: \/tank\/media,mp=\/mnt\/media,ro=1$/m);
    await noChanges();
  });

  it("removes a volume only with allow_volume_removal; the plan lists its data, which goes once Proxmox detached it at the restart", async () => {
    w.write("main.pmx.hcl", ct(bind("/mnt/media")));
    const refused = await w.run("plan");
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain("Error: Plan would delete data volumes");
    expect(refused.stderr).toContain('local-lvm:vm-160-disk-1 (2G): mount "data" (mp1) is no longer in the configuration');
    const plan = await planUpdate(bind("/mnt/media") + "  allow_volume_removal = true\n");
    expect(plan).toMatch(
      /Warning: applying this plan deletes a volume and all data on it:\n\n {2}- local-lvm:vm-160-disk-1 \(2G\) of lxc_container\.media: mount "data" \(mp1\) is no longer in the configuration\n {6}deleted by the first apply after the container restarts \(Proxmox detaches a running container's mount only then\)\n\nThis cannot be undone\.\n$/,
    );
    await applyOk();
    await noChanges();
    // A running CT keeps the mount until it restarts; then Proxmox leaves the volume as unusedN.
    const reboot = spawnSync(w.path("sim/bin/pct"), ["reboot", "160"], { env: { ...process.env, PMXSIM_NODE: "pve1" } });
    expect(reboot.status).toBe(0);
    expect(conf()).toMatch(/^unused0: local-lvm:vm-160-disk-1$/m);
    const after = await w.run("plan");
    expect(after.stdout).toContain("  - local-lvm:vm-160-disk-1 of lxc_container.media: unused0, detached from a mount removed earlier\n");
    await applyOk();
    expect(conf()).not.toContain("unused0");
    expect(existsSync(w.path("sim/nodes/pve1/lvm/vm-160-disk-1"))).toBe(false);
    await noChanges();
  });

  const gpu = (vendor: string) => `  gpu {
    vendor = "${vendor}"
  }
`;

  it("adds an Intel GPU as devN entries, then switches vendor to AMD and NVIDIA", async () => {
    const base = bind("/mnt/media");
    const plan = await planUpdate(base + gpu("intel"));
    expect(plan).toContain("/dev/dri/renderD128");
    expect(plan).toContain("/dev/dri/card0");
    await applyOk();
    expect(conf()).toMatch(/^dev0: \/dev\/dri\/card0,mode=0666$/m);
    expect(conf()).toMatch(/^dev1: \/dev\/dri\/renderD128,mode=0666$/m);
    await noChanges();
    // AMD uses the same DRI nodes: nothing to do.
    w.write("main.pmx.hcl", ct(base + gpu("amd")));
    await noChanges();
    const nv = await planUpdate(base + gpu("nvidia"));
    expect(nv).toContain("/dev/nvidia-uvm-tools");
    await applyOk();
    for (const d of ["nvidia0", "nvidiactl", "nvidia-uvm", "nvidia-uvm-tools", "nvidia-caps/nvidia-cap1"]) expect(conf()).toContain(`/dev/${d},mode=0666`);
    // Removing a device from a running CT waits for the restart, as in Proxmox.
    expect(conf()).toMatch(/\[pve:pending\][^]*^delete: .*dev0,dev1/m);
    await noChanges();
  });

  it("legacy = true writes the cgroup2 allow and mount entry lines instead of devN entries", async () => {
    const plan = await planUpdate(
      bind("/mnt/media") +
        `  gpu {
    vendor = "intel"
    legacy = true
  }
`,
    );
    expect(plan).toContain('"lxc.cgroup2.devices.allow: c 226:128 rwm"');
    expect(plan).toContain("# requires restart");
    await applyOk();
    const main = conf().split("[pve:pending]")[0]!;
    expect(main).toMatch(
      /^lxc\.cgroup2\.devices\.allow: c 226:0 rwm\nlxc\.cgroup2\.devices\.allow: c 226:128 rwm\nlxc\.mount\.entry: \/dev\/dri\/card0 dev\/dri\/card0 none bind,optional,create=file\n/m,
    );
    await noChanges();
  });

  it("refuses a GPU whose device nodes the node lacks, naming node and device", async () => {
    const table = w.path("sim/nodes/pve1/devices.json");
    const saved = readFileSync(table, "utf8");
    const devices = JSON.parse(saved) as Record<string, unknown>;
    delete devices["dri/renderD128"];
    writeFileSync(table, JSON.stringify(devices));
    try {
      w.write("main.pmx.hcl", ct(bind("/mnt/media") + gpu("amd")));
      const p = await w.run("plan");
      expect(p.code).toBe(1);
      expect(p.stderr).toContain("GPU device not found on the node");
      expect(p.stderr).toContain('Node pve1 has no /dev/dri/renderD128 (gpu vendor "amd", index 0)');
      expect(p.stderr).toContain('vendor = "amd"');
    } finally {
      writeFileSync(table, saved);
    }
  });

  it("passes an NVIDIA GPU on a node without /dev/nvidia-caps, and adds the caps once they appear", async () => {
    const table = w.path("sim/nodes/pve1/devices.json");
    const saved = readFileSync(table, "utf8");
    const devices = JSON.parse(saved) as Record<string, unknown>;
    for (const k of Object.keys(devices)) if (k.startsWith("nvidia-caps/")) delete devices[k];
    writeFileSync(table, JSON.stringify(devices));
    const base = bind("/mnt/media");
    try {
      const plan = await planUpdate(base + gpu("nvidia"));
      expect(plan).toContain("/dev/nvidia-uvm-tools");
      expect(plan).not.toContain("nvidia-caps");
      await applyOk();
      for (const d of ["nvidia0", "nvidiactl", "nvidia-uvm", "nvidia-uvm-tools"]) expect(conf()).toContain(`/dev/${d},mode=0666`);
      // Earlier steps' devices may still wait in the conf for the restart: the state says what is passed.
      const state = JSON.parse(readFileSync(w.path("pmxform.state.json"), "utf8")) as { resources: { attributes: { device: Record<string, { path: string }> } }[] };
      expect(
        Object.values(state.resources[0]!.attributes.device)
          .map((d) => d.path)
          .sort(),
      ).toEqual(["/dev/nvidia-uvm", "/dev/nvidia-uvm-tools", "/dev/nvidia0", "/dev/nvidiactl"]);
      await noChanges();
    } finally {
      writeFileSync(table, saved);
    }
    // `nvidia-modprobe -c1` ran on the node: the caps nodes are added in place.
    const plan = await planUpdate(base + gpu("nvidia"));
    expect(plan).toContain("/dev/nvidia-caps/nvidia-cap1");
    expect(plan).toContain("/dev/nvidia-caps/nvidia-cap2");
    await applyOk();
    expect(conf()).toContain("/dev/nvidia-caps/nvidia-cap2,mode=0666");
    await noChanges();
  });

  it("writes raw lxc lines into the conf under the CT lock, then removes them", async () => {
    const base = bind("/mnt/media");
    const raw = `  raw_lxc = ["lxc.apparmor.profile = unconfined", "lxc.cap.drop:"]
`;
    const plan = await planUpdate(base + raw);
    expect(plan).toContain("lxc.apparmor.profile: unconfined");
    expect(plan).toContain("# requires restart");
    await applyOk();
    const text = conf();
    const main = text.split("[pve:pending]")[0]!;
    expect(main).toMatch(/^lxc\.apparmor\.profile: unconfined\nlxc\.cap\.drop: $/m);
    // The write went through the simulator's flock, which takes pct's own lock file.
    const flock = calls().filter((c) => (c as Call & { tool?: string }).tool === "flock");
    expect(flock.at(-1)?.argv.slice(0, 3)).toEqual(["-w", "30", "/run/lock/lxc/pve-config-160.lock"]);
    await noChanges();
    await planUpdate(base);
    await applyOk();
    expect(conf()).not.toContain("lxc.apparmor.profile");
    await noChanges();
  });
});
