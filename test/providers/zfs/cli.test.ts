// zfs_dataset through the CLI on the simulator (issue 18): create with a profile, in-place change
// by zfs set and zfs inherit, a create-only property forcing replacement, the guarded destroy
// (data, snapshots, data appearing between plan and apply), drift, import and import --all, and a
// no-op re-plan after each. Each step asserts what the simulated node now holds.
import { appendFileSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { execFileSync } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { initSim } from "../../../src/sim/index.js";
import { BUILT, NOT_BUILT, SIM_NODE, Workdir, simCalls } from "../../e2e/helpers.js";

const ds = (name: string, body: string) => `resource "zfs_dataset" "${name}" {
  node = "pve1"
${body}
}
`;

describe.skipIf(!BUILT)(`zfs_dataset${BUILT ? "" : ` (skipped: ${NOT_BUILT})`}`, () => {
  let w: Workdir;
  const zfs = (...args: string[]) => execFileSync(w.path("sim/bin/zfs"), args, { encoding: "utf8" });
  const prop = (name: string, p: string) => zfs("get", "-Hp", "-o", "value,source", p, name).trim().split("\t");
  const zfsCalls = () => simCalls(w).filter((c) => c.tool === "zfs" && !["get", "list"].includes(c.argv[0]!));
  const noChanges = async () => {
    const r = await w.run("plan", "-detailed-exitcode");
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
  };
  beforeAll(() => {
    w = new Workdir();
    initSim(w.path("sim"), { zfsPools: ["tank"] });
  });
  afterAll(() => w.remove());

  it("creates a dataset from a profile with the user's properties winning, owned as an unprivileged CT sees it", async () => {
    w.write(
      "main.pmx.hcl",
      SIM_NODE +
        ds("media", `  name = "tank/media"\n  profile = "media"\n  properties = { compression = "zstd" }\n  quota = "1T"\n  owner {\n    uid = 1000\n    gid = 1000\n    unprivileged = true\n  }`) +
        `output "mp" { value = zfs_dataset.media.mountpoint }\n`,
    );
    const plan = await w.run("plan");
    expect(plan.stderr).toBe("");
    expect(plan.stdout).toContain('+ mountpoint     = "/tank/media"');
    expect(plan.stdout).toContain("+ host_uid     = 101000");
    const apply = await w.run("apply", "-auto-approve");
    expect(apply.stderr).toBe("");
    expect(apply.code).toBe(0);
    expect(prop("tank/media", "recordsize")).toEqual(["1048576", "local"]);
    expect(prop("tank/media", "compression")).toEqual(["zstd", "local"]);
    expect(prop("tank/media", "quota")).toEqual([String(1024 ** 4), "local"]);
    expect(JSON.parse(readFileSync(w.path("sim/nodes/pve1/owners.json"), "utf8"))).toEqual({ "/tank/media": "101000:101000" });
    const create = zfsCalls().find((c) => c.argv[0] === "create")!;
    expect(create.argv).not.toContain("-p");
    expect(create.argv).toContain("recordsize=1048576");
    expect(apply.stdout).toContain('mp = "/tank/media"');
    await noChanges();
  });

  it("changes in place with zfs set and zfs inherit; an equal value in another spelling is no change", async () => {
    w.write(
      "main.pmx.hcl",
      SIM_NODE +
        ds(
          "media",
          `  name = "tank/media"\n  profile = "media"\n  properties = { compression = "zstd-3", sync = "disabled" }\n  quota = "1024G"\n  owner {\n    uid = 1000\n    gid = 1000\n    unprivileged = true\n  }`,
        ),
    );
    const before = zfsCalls().length;
    // A property set by hand that the configuration does not hold is drift, undone by inherit.
    zfs("set", "snapdir=visible", "tank/media");
    const plan = await w.run("plan");
    expect(plan.stdout).toContain("has changed");
    expect(plan.stdout).not.toContain("quota");
    const apply = await w.run("apply", "-auto-approve");
    expect(apply.stderr).toBe("");
    const calls = zfsCalls()
      .slice(before)
      .map((c) => c.argv.join(" "));
    expect(calls).toContain("set sync=disabled tank/media");
    expect(calls).toContain("inherit snapdir tank/media");
    expect(prop("tank/media", "snapdir")).toEqual(["hidden", "default"]);
    await noChanges();
    // A quota removed from the configuration is cleared with quota=none (ZFS cannot inherit it).
    w.write(
      "main.pmx.hcl",
      SIM_NODE +
        ds(
          "media",
          `  name = "tank/media"\n  profile = "media"\n  properties = { compression = "zstd-3", sync = "disabled" }\n  owner {\n    uid = 1000\n    gid = 1000\n    unprivileged = true\n  }`,
        ),
    );
    expect((await w.run("apply", "-auto-approve")).stderr).toBe("");
    expect(zfsCalls().pop()!.argv.join(" ")).toBe("set quota=none tank/media");
    await noChanges();
  });

  it("replaces for a create-only property, and refuses while the dataset holds data without the recorded opt-in", async () => {
    const body = (extra: string) => `  name = "tank/docs"\n  properties = { atime = "off"${extra} }`;
    w.write("main.pmx.hcl", SIM_NODE + ds("docs", body("")));
    expect((await w.run("apply", "-auto-approve")).code).toBe(0);
    writeFileSync(w.path("sim/nodes/pve1/fs/tank/docs/report.bin"), Buffer.alloc(2 * 1024 * 1024, 1));
    w.write("main.pmx.hcl", SIM_NODE + ds("docs", body(`, casesensitivity = "insensitive"`)));
    const refused = await w.run("plan");
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain("Error: Dataset holds data");
    expect(refused.stderr).toContain("set destroy_with_data = true");
    expect(refused.stderr).toMatch(/main\.pmx\.hcl line \d+/);
    // The opt-in is recorded first (a state-only update), then the replacement goes through.
    w.write("main.pmx.hcl", SIM_NODE + ds("docs", body("") + "\n  destroy_with_data = true"));
    const optIn = await w.run("apply", "-auto-approve");
    expect(optIn.stdout).toContain("1 changed");
    w.write("main.pmx.hcl", SIM_NODE + ds("docs", body(`, casesensitivity = "insensitive"`) + "\n  destroy_with_data = true"));
    const plan = await w.run("plan");
    expect(plan.stdout).toContain("must be replaced");
    expect(plan.stdout).toContain("# forces replacement");
    expect((await w.run("apply", "-auto-approve")).code).toBe(0);
    expect(prop("tank/docs", "casesensitivity")).toEqual(["insensitive", "-"]);
    await noChanges();
  });

  it("guards destroy: snapshots refuse the plan; data that appears after the plan fails the apply", async () => {
    w.write("main.pmx.hcl", SIM_NODE + ds("media", `  name = "tank/media"\n  profile = "media"`) + ds("tmp", `  name = "tank/tmp"`));
    expect((await w.run("apply", "-auto-approve")).code).toBe(0);
    zfs("snapshot", "tank/media@keep");
    w.write("main.pmx.hcl", SIM_NODE);
    const refused = await w.run("plan");
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain("zfs_dataset.media would destroy pve1/tank/media, but it has 1 snapshot");
    expect(refused.stderr).not.toContain("zfs_dataset.tmp");
    // Plan the removal of the empty one, then put data in it before apply.
    w.write("main.pmx.hcl", SIM_NODE + ds("media", `  name = "tank/media"\n  profile = "media"`));
    expect((await w.run("plan", "-out=tmp.plan")).code).toBe(0);
    writeFileSync(w.path("sim/nodes/pve1/fs/tank/tmp/late.bin"), Buffer.alloc(3 * 1024 * 1024, 2));
    const apply = await w.run("apply", "tmp.plan");
    expect(apply.code).toBe(1);
    expect(apply.stderr).toContain("now holds data");
    expect(zfs("list", "-H", "-o", "name", "tank/tmp").trim()).toBe("tank/tmp");
    // Opted in, the snapshot goes first, then the dataset; never -r.
    w.write("main.pmx.hcl", SIM_NODE + ds("media", `  name = "tank/media"\n  profile = "media"\n  destroy_with_data = true`) + ds("tmp", `  name = "tank/tmp"\n  destroy_with_data = true`));
    expect((await w.run("apply", "-auto-approve")).code).toBe(0);
    w.write("main.pmx.hcl", SIM_NODE);
    const before = zfsCalls().length;
    const gone = await w.run("apply", "-auto-approve");
    expect(gone.stderr).toBe("");
    const calls = zfsCalls()
      .slice(before)
      .map((c) => c.argv.join(" "));
    expect(calls).toContain("destroy tank/media@keep");
    expect(calls).toContain("destroy tank/media");
    expect(calls.some((c) => c.includes("-r"))).toBe(false);
    expect(zfs("list", "-H", "-o", "name", "-r", "tank").trim().split("\n")).not.toContain("tank/media");
  });

  it("sees a dataset destroyed outside pmxform as gone and plans it again; refuses to create over an unmanaged one", async () => {
    w.write("main.pmx.hcl", SIM_NODE + ds("a", `  name = "tank/a"`));
    expect((await w.run("apply", "-auto-approve")).code).toBe(0);
    zfs("destroy", "tank/a");
    const plan = await w.run("plan");
    expect(plan.stdout).toContain("zfs_dataset.a will be created");
    zfs("create", "tank/b");
    w.write("main.pmx.hcl", SIM_NODE + ds("a", `  name = "tank/a"`) + ds("b", `  name = "tank/b"`));
    const refused = await w.run("plan");
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain("pmxform import zfs_dataset.b pve1/tank/b");
  });

  it("imports one dataset and adopts the rest with import --all, skipping another state's; both re-plan with no changes", async () => {
    w.write("main.pmx.hcl", SIM_NODE + ds("a", `  name = "tank/a"`));
    expect((await w.run("apply", "-auto-approve")).code).toBe(0);
    zfs("set", "recordsize=16K", "atime=off", "tank/b");
    zfs("create", "-o", "mountpoint=/srv/photos", "-o", "com.example:tier=gold", "tank/photos");
    mkdirSync(w.path("sim/nodes/pve1/fs/srv/photos/x"), { recursive: true });
    execFileSync(w.path("sim/bin/chown"), ["100033:100033", "/srv/photos"]);
    zfs("create", "-o", "pmxform:owner=someone-else", "tank/theirs");
    appendFileSync(w.path("main.pmx.hcl"), ds("b", `  name = "tank/b"\n  properties = { recordsize = "16K", atime = "off" }`));
    const one = await w.run("import", "zfs_dataset.b", "pve1/tank/b");
    expect(one.code).toBe(0);
    await noChanges();
    const all = await w.run("import", "--all", "-generate-config-out=gen.pmx.hcl");
    expect(all.code).toBe(0);
    expect(all.stdout).toContain('Importing from ID "pve1/tank/photos"...');
    expect(all.stderr).toContain("pve1/tank/theirs (tank/theirs) was left out: it was created by a pmxform state (lineage someone-else)");
    const gen = readFileSync(w.path("gen.pmx.hcl"), "utf8");
    expect(gen).toContain('name       = "tank/photos"');
    expect(gen).toContain('mountpoint = "/srv/photos"');
    expect(gen).toContain('"com.example:tier" = "gold"');
    expect(gen).toMatch(/uid\s+= 33/);
    expect(gen).not.toContain("tank/theirs");
    expect(gen).not.toContain("rpool");
    await noChanges();
  });
});

describe.skipIf(!BUILT)(`containers mount datasets by reference${BUILT ? "" : ` (skipped: ${NOT_BUILT})`}`, () => {
  let w: Workdir;
  beforeAll(() => {
    w = new Workdir();
    initSim(w.path("sim"), { zfsPools: ["tank"] });
  });
  afterAll(() => w.remove());
  const config = (owner: string, ro = false) =>
    SIM_NODE +
    ds("films", `  name = "tank/films"\n${owner}`) +
    `resource "lxc_container" "app" {
  node     = "pve1"
  template = "local:vztmpl/debian-12-standard_12.7-1_amd64.tar.zst"
  rootfs {
    storage = "local-lvm"
    size    = "4G"
  }
  mount "films" {
    host_path = zfs_dataset.films.mountpoint
    path      = "/films"${ro ? "\n    read_only = true" : ""}
  }
}
`;

  it("warns when an unprivileged container's mapped ids cannot write the dataset, not when the owner is mapped or the mount read-only", async () => {
    w.write("main.pmx.hcl", config(""));
    const root = await w.run("plan");
    expect(root.code).toBe(0);
    expect(root.stderr).toContain("Warning: Container cannot write the dataset");
    expect(root.stderr).toContain("tank/films (/tank/films) belongs to host uid 0, gid 0");
    w.write("main.pmx.hcl", config("", true));
    expect((await w.run("plan")).stderr).not.toContain("cannot write the dataset");
    w.write("main.pmx.hcl", config("  owner {\n    uid = 0\n    gid = 0\n    unprivileged = true\n  }"));
    const mapped = await w.run("plan");
    expect(mapped.stderr).not.toContain("cannot write the dataset");
    expect(mapped.stdout).toContain('+ mountpoint     = "/tank/films"');
  });

  it("creates and chowns the dataset before the container that mounts it (the reference orders them)", async () => {
    const apply = await w.run("apply", "-auto-approve");
    expect(apply.code).toBe(0);
    const calls = simCalls(w).map((c) => [c.tool, ...c.argv].join(" "));
    const create = calls.findIndex((c) => c.startsWith("zfs create") && c.endsWith("tank/films"));
    const chown = calls.indexOf("chown 100000:100000 /tank/films");
    const pct = calls.findIndex((c) => c.startsWith("pct create"));
    expect(create).toBeGreaterThanOrEqual(0);
    expect(chown).toBeGreaterThan(create);
    expect(pct).toBeGreaterThan(chown);
    expect(calls[pct]).toContain("/tank/films,mp=/films");
    const again = await w.run("plan", "-detailed-exitcode");
    expect(again.code).toBe(0);
    expect(again.stderr).not.toContain("cannot write the dataset");
  });
});

describe.skipIf(!BUILT)(`zfs_dataset refresh cost${BUILT ? "" : ` (skipped: ${NOT_BUILT})`}`, () => {
  let w: Workdir;
  beforeAll(() => {
    w = new Workdir();
    initSim(w.path("sim"), { zfsPools: ["tank"] });
  });
  afterAll(() => w.remove());
  const readsDuringPlan = async () => {
    const before = simCalls(w).length;
    expect((await w.run("plan", "-detailed-exitcode")).code).toBe(0);
    return (
      simCalls(w)
        .slice(before)
        // (the lxc snapshot's own stat of /dev for GPUs is not the datasets')
        .filter((c) => c.tool === "zfs" || (c.tool === "stat" && !c.argv.some((a) => a.startsWith("/dev/"))))
        .map((c) => [c.tool, c.argv[0]].join(" "))
        .sort()
    );
  };

  it("reads all datasets of a node in the same processes however many there are", async () => {
    const cfg = (n: number) => SIM_NODE + Array.from({ length: n }, (_, i) => ds(`d${i}`, `  name = "tank/d${i}"\n  owner {\n    uid = ${i}\n    gid = ${i}\n  }`)).join("");
    w.write("main.pmx.hcl", cfg(1));
    expect((await w.run("apply", "-auto-approve")).code).toBe(0);
    const one = await readsDuringPlan();
    w.write("main.pmx.hcl", cfg(6));
    expect((await w.run("apply", "-auto-approve")).code).toBe(0);
    const six = await readsDuringPlan();
    expect(six).toEqual(one);
    expect(one).toEqual(["stat -c", "zfs get", "zfs list"]);
  });
});

describe.skipIf(!BUILT)(`two projects on one node${BUILT ? "" : ` (skipped: ${NOT_BUILT})`}`, () => {
  let a: Workdir;
  let b: Workdir;
  beforeAll(() => {
    a = new Workdir();
    b = new Workdir();
    initSim(a.path("sim"), { zfsPools: ["tank"] });
  });
  afterAll(() => {
    a.remove();
    b.remove();
  });
  const sharedSim = () => `proxmox {\n  node "pve1" {\n    sim = "${a.path("sim")}"\n  }\n}\n`;

  it("B cannot create A's dataset, import --all leaves it out, and importing it by address warns", async () => {
    a.write("main.pmx.hcl", sharedSim() + ds("media", `  name = "tank/media"`));
    expect((await a.run("apply", "-auto-approve")).code).toBe(0);
    b.write("main.pmx.hcl", sharedSim() + ds("media", `  name = "tank/media"`));
    const plan = await b.run("plan");
    expect(plan.code).toBe(1);
    expect(plan.stderr).toContain("Dataset already exists");
    b.write("main.pmx.hcl", sharedSim());
    const all = await b.run("import", "--all", "-generate-config-out=gen.pmx.hcl");
    expect(all.stderr).toContain("pve1/tank/media (tank/media) was left out: it was created by a pmxform state");
    b.write("main.pmx.hcl", sharedSim() + ds("media", `  name = "tank/media"`));
    const one = await b.run("import", "zfs_dataset.media", "pve1/tank/media");
    expect(one.code).toBe(0);
    expect(one.stderr).toContain("was created by another pmxform state");
  });
});
