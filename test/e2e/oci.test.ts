// OCI end to end through the CLI against the simulator and a real local registry: pull + create,
// no-op re-plan, a moved tag planned as a replace that keeps data volumes, pinned digests, and an
// htpasswd-protected registry with and without credentials (never leaking the password).
import { execFileSync } from "node:child_process";
import { readFileSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BUILT, NOT_BUILT, SIM_NODE, Workdir } from "./helpers.js";
import { HAVE_REGISTRY_TOOLS, NO_REGISTRY_TOOLS, TEST_PASSWORD, TEST_USER, pushImage, startRegistry, type Registry } from "../helpers/registry.js";

const DATA_MARK = "pmxform-data-survives";
const SKIP = !BUILT ? NOT_BUILT : !HAVE_REGISTRY_TOOLS ? NO_REGISTRY_TOOLS : "";

const app = (host: string, ref: string) => `${SIM_NODE}
resource "oci_image" "app" {
  node       = "pve1"
  storage    = "local"
  reference  = "${host}/${ref}"
  tls_verify = false
}

resource "oci_container" "app" {
  node     = "pve1"
  image    = oci_image.app.volid
  hostname = "app"
  rootfs {
    storage = "local-lvm"
    size    = "2G"
  }
  network "eth0" {
    bridge = "vmbr0"
    ip     = "dhcp"
  }
  env = {
    APP_MODE = "prod"
    APP_PORT = "8080"
  }
  mount "data" {
    storage = "local-lvm"
    size    = "1G"
    path    = "/data"
  }
  started = true
}
`;

describe.skipIf(SKIP !== "")(`OCI through the CLI${SKIP ? ` (skipped: ${SKIP})` : ""}`, () => {
  let reg: Registry;
  let authReg: Registry;
  let w: Workdir;
  const tpl = () => join(w.dir, "sim/nodes/pve1/var/lib/vz/template/cache");
  const lxcDir = () => join(w.dir, "sim/etc/pve/nodes/pve1/lxc");
  beforeAll(async () => {
    [reg, authReg] = await Promise.all([startRegistry(), startRegistry({ auth: true })]);
    w = new Workdir("pmx-e2e-oci-");
  });
  afterAll(async () => {
    await Promise.all([reg?.stop(), authReg?.stop()]);
    w?.remove();
  });

  it("pulls, creates the app container from the archive, and re-plans as no changes", async () => {
    await pushImage(reg, "pmx/app", "1", { entrypoint: ["/bin/app"], env: ["PATH=/bin"], volumes: ["/data"] });
    w.write("main.pmx.hcl", app(reg.host, "pmx/app:1"));
    const apply = await w.run("apply", "--auto-approve");
    expect(apply.stderr).toBe("");
    expect(apply.code).toBe(0);
    expect(apply.stdout).toContain("Apply complete! Resources: 2 added, 0 changed, 0 destroyed.");
    const confs = readdirSync(lxcDir());
    expect(confs).toHaveLength(1);
    const conf = readFileSync(join(lxcDir(), confs[0]!), "utf8");
    expect(conf).toMatch(/^entrypoint: \/bin\/app$/m);
    expect(conf).toMatch(/^cmode: console$/m);
    expect(conf).toMatch(/host-managed=1/);
    expect(conf).toMatch(/^lxc\.environment\.runtime: APP_MODE=prod$/m);
    expect(conf).toMatch(/^lxc\.environment\.runtime: APP_PORT=8080$/m);
    expect(readdirSync(tpl()).filter((f) => f.includes("pmx_app_1"))).toHaveLength(1);
    // Data written into the volume must survive every replacement.
    const vol = /^mp0: ([^,]+),/m.exec(conf)![1]!;
    const volPath = execFileSync(join(w.dir, "sim/bin/pvesm"), ["path", vol], { encoding: "utf8" }).trim();
    writeFileSync(volPath, readFileSync(volPath, "utf8") + DATA_MARK);
    const again = await w.run("plan", "--detailed-exitcode");
    expect(again.stderr).toBe("");
    expect(again.stdout).toContain("No changes.");
    expect(again.code).toBe(0);
  });

  it("a moved tag plans a replace keeping data volumes, and apply moves them", async () => {
    const before = readdirSync(lxcDir());
    const oldConf = readFileSync(join(lxcDir(), before[0]!), "utf8");
    const volume = /^mp0: ([^,]+),/m.exec(oldConf)![1]!;
    await pushImage(reg, "pmx/app", "1", { entrypoint: ["/bin/app", "--v2"], env: ["PATH=/bin"], volumes: ["/data"] });
    const plan = await w.run("plan");
    expect(plan.stdout).toContain("-/+");
    expect(plan.stdout).toContain("replace (image digest changed; data volumes are kept)");
    const apply = await w.run("apply", "--auto-approve");
    expect(apply.stderr).toBe("");
    expect(apply.code).toBe(0);
    const after = readdirSync(lxcDir());
    expect(after).toHaveLength(1);
    expect(after[0]).not.toBe(before[0]);
    const conf = readFileSync(join(lxcDir(), after[0]!), "utf8");
    expect(conf).toMatch(/^entrypoint: \/bin\/app --v2$/m);
    expect(conf).toMatch(/^mp0: [^,]+,mp=\/data/m);
    // The very volume moved over (renamed for the new vmid), with its data.
    const newVolume = /^mp0: ([^,]+),/m.exec(conf)![1]!;
    expect(newVolume).not.toBe(volume);
    const pvesm = (volid: string) => execFileSync(join(w.dir, "sim/bin/pvesm"), ["path", volid], { encoding: "utf8" }).trim();
    expect(readFileSync(pvesm(newVolume), "utf8")).toContain(DATA_MARK);
  });

  it("a replace that fails half-way keeps both containers and the data, and says where it stopped", async () => {
    const [conf0] = readdirSync(lxcDir());
    const oldConf = readFileSync(join(lxcDir(), conf0!), "utf8");
    const volume = /^mp0: ([^,]+),/m.exec(oldConf)![1]!;
    await pushImage(reg, "pmx/app", "1", { entrypoint: ["/bin/app", "--v3"], env: ["PATH=/bin"], volumes: ["/data"] });
    writeFileSync(join(w.dir, "sim/faults.json"), JSON.stringify([{ tool: "pct", args: ["move-volume"], stderr: "storage migration failed: I/O error", exit: 255 }]));
    const apply = await w.run("apply", "--auto-approve");
    expect(apply.code).toBe(1);
    expect(apply.stderr).toMatch(/stopped at "move mp0/);
    expect(apply.stderr).toContain("no volume was deleted");
    const confs = readdirSync(lxcDir());
    expect(confs).toHaveLength(2);
    expect(readFileSync(join(lxcDir(), conf0!), "utf8")).toContain(`mp0: ${volume},`);
    const pvesm = (volid: string) => execFileSync(join(w.dir, "sim/bin/pvesm"), ["path", volid], { encoding: "utf8" }).trim();
    expect(readFileSync(pvesm(volume), "utf8")).toContain(DATA_MARK);
    const state = JSON.parse(readFileSync(w.path("pmxform.state.json"), "utf8")) as { intents?: { operation: string }[] };
    expect(state.intents?.map((i) => i.operation).join("\n")).toMatch(/move mp0/);
    writeFileSync(join(w.dir, "sim/faults.json"), "[]");
  });

  it("a digest-pinned image is never pulled again", async () => {
    const w2 = new Workdir("pmx-e2e-oci-pin-");
    try {
      const d = await pushImage(reg, "pmx/pinned", "1", { entrypoint: ["/p"] });
      w2.write("main.pmx.hcl", `${SIM_NODE}\nresource "oci_image" "p" {\n  node = "pve1"\n  storage = "local"\n  reference = "${reg.host}/pmx/pinned@${d}"\n  tls_verify = false\n}\n`);
      expect((await w2.run("apply", "--auto-approve")).code).toBe(0);
      const dir = join(w2.dir, "sim/nodes/pve1/var/lib/vz/template/cache");
      const file = readdirSync(dir).find((f) => f.includes("pmx_pinned"))!;
      const st = statSync(join(dir, file));
      await pushImage(reg, "pmx/pinned", "1", { entrypoint: ["/p", "moved"] });
      const again = await w2.run("apply", "--auto-approve");
      expect(again.stderr + again.stdout).not.toMatch(/Error/);
      expect(again.code).toBe(0);
      expect(again.stdout).toMatch(/No changes\.|0 added, 0 changed, 0 destroyed/);
      const st2 = statSync(join(dir, file));
      expect([st2.ino, st2.mtimeMs]).toEqual([st.ino, st.mtimeMs]);
    } finally {
      w2.remove();
    }
  });

  it("an htpasswd registry: fails clearly without credentials, pulls with them, and the password is nowhere", async () => {
    const w3 = new Workdir("pmx-e2e-oci-auth-");
    try {
      await pushImage(authReg, "pmx/secret", "1", { entrypoint: ["/s"] }, { auth: true });
      const img = (auth: string) =>
        `${SIM_NODE}\nvariable "pw" {\n  sensitive = true\n  default = "${TEST_PASSWORD}"\n}\nresource "oci_image" "s" {\n  node = "pve1"\n  storage = "local"\n  reference = "${authReg.host}/pmx/secret:1"\n  tls_verify = false\n${auth}}\n`;
      w3.write("main.pmx.hcl", img(""));
      const denied = await w3.run("apply", "--auto-approve");
      expect(denied.code).toBe(1);
      expect(denied.stdout + denied.stderr).toContain(`oci_image.s: ${authReg.host}/pmx/secret:1: the registry refused the credentials`);
      w3.write("main.pmx.hcl", img(`  auth {\n    username = "${TEST_USER}"\n    password = var.pw\n  }\n`));
      const plan = await w3.run("plan", "--out", "plan.out");
      expect(plan.code).toBe(0);
      const ok = await w3.run("apply", "plan.out");
      expect(ok.stderr).toBe("");
      expect(ok.code).toBe(0);
      for (const f of ["plan.out", "pmxform.state.json"]) expect(readFileSync(w3.path(f), "utf8")).not.toContain(TEST_PASSWORD);
      expect(plan.stdout + ok.stdout).not.toContain(TEST_PASSWORD);
      const calls = readdirSync(join(w3.dir, "sim"), { recursive: true, encoding: "utf8" }).filter((f) => /log/.test(f) && statSync(join(w3.dir, "sim", f)).isFile());
      expect(calls.length).toBeGreaterThan(0);
      for (const c of calls) expect(readFileSync(join(w3.dir, "sim", c), "utf8")).not.toContain(TEST_PASSWORD);
    } finally {
      w3.remove();
    }
  });
});
