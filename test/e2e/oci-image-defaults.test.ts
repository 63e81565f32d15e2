// What Proxmox derives from the OCI image at create (lxc.init.cwd from WorkingDir,
// lxc.init.uid/gid/groups from User, the image's Env) survives every oci_container write that
// does not set it, through the CLI against the simulator and a real local registry.
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseConf } from "../../src/pve/conf.js";
import { BUILT, NOT_BUILT, SIM_NODE, Workdir } from "./helpers.js";
import { HAVE_REGISTRY_TOOLS, NO_REGISTRY_TOOLS, pushImage, startRegistry, type Registry } from "../helpers/registry.js";
import { prng } from "../helpers/prng.js";

const SKIP = !BUILT ? NOT_BUILT : !HAVE_REGISTRY_TOOLS ? NO_REGISTRY_TOOLS : "";

const PASSWD = "root:x:0:0:root:/root:/bin/sh\napp:x:1000:1001::/home/app:/bin/sh\n";
const GROUP = "root:x:0:\napp:x:1001:\nwheel:x:10:app\n";
const IMAGE = { entrypoint: ["/bin/app"], env: ["PATH=/bin", "IMG_KEY=from-image"], workingDir: "/srv", user: "app", files: { "etc/passwd": PASSWD, "etc/group": GROUP } };
const IMAGE_LXC = [
  ["lxc.init.uid", "1000"],
  ["lxc.init.gid", "1001"],
  ["lxc.init.groups", "10"],
  ["lxc.init.cwd", "/srv"],
];

const image = (host: string) => `resource "oci_image" "app" {
  node       = "pve1"
  storage    = "local"
  reference  = "${host}/pmx/defaults:1"
  tls_verify = false
}
`;
const container = (name: string, extra: string) => `resource "oci_container" "${name}" {
  node     = "pve1"
  image    = oci_image.app.volid
  hostname = "${name}"
  rootfs {
    storage = "local-lvm"
    size    = "1G"
  }
${extra}}
`;

describe.skipIf(SKIP !== "")(`oci_container keeps what the image defines${SKIP ? ` (skipped: ${SKIP})` : ""}`, () => {
  let reg: Registry;
  const confOf = (w: Workdir, hostname: string) => {
    const dir = join(w.dir, "sim/etc/pve/nodes/pve1/lxc");
    for (const f of readdirSync(dir)) {
      const c = parseConf(readFileSync(join(dir, f), "utf8")).main;
      if (c.keys.get("hostname") === hostname) return c;
    }
    throw new Error(`no container ${hostname}`);
  };
  const initLines = (w: Workdir, hostname: string) => confOf(w, hostname).lxc.filter(([k]) => k.startsWith("lxc.init."));
  const setCfg = (w: Workdir, extra: string) => w.write("main.pmx.hcl", SIM_NODE + image(reg.host) + container("app", extra));
  const applyClean = async (w: Workdir) => {
    const r = await w.run("apply", "--auto-approve");
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const again = await w.run("plan", "--detailed-exitcode");
    expect(again.stderr).toBe("");
    expect(again.stdout).toContain("No changes.");
    expect(again.code).toBe(0);
  };
  beforeAll(async () => {
    reg = await startRegistry();
    await pushImage(reg, "pmx/defaults", "1", IMAGE);
  });
  afterAll(async () => {
    await reg?.stop();
  });

  it("env writes keep the image's cwd, user mapping and variables; env = {} settles", async () => {
    const w = new Workdir("pmx-e2e-oci-defaults-");
    try {
      setCfg(w, `  env = { APP = "1" }\n`);
      await applyClean(w);
      expect(initLines(w, "app")).toEqual(IMAGE_LXC);
      expect(confOf(w, "app").env).toEqual(["PATH=/bin", "IMG_KEY=from-image", "APP=1"]);

      setCfg(w, `  env = { APP = "2", NEW = "x" }\n`);
      await applyClean(w);
      expect(initLines(w, "app")).toEqual(IMAGE_LXC);
      expect(confOf(w, "app").env).toEqual(["PATH=/bin", "IMG_KEY=from-image", "APP=2", "NEW=x"]);

      // The managed variables go; the image's stay; and the empty map is not planned again.
      setCfg(w, `  env = {}\n`);
      await applyClean(w);
      expect(initLines(w, "app")).toEqual(IMAGE_LXC);
      expect(confOf(w, "app").env).toEqual(["PATH=/bin", "IMG_KEY=from-image"]);

      // Set arguments replace the image's lines (the image user's groups go with it) ...
      setCfg(w, `  env = {}\n  working_dir = "/work"\n  user = "2000:2000"\n`);
      await applyClean(w);
      expect(initLines(w, "app").sort()).toEqual([
        ["lxc.init.cwd", "/work"],
        ["lxc.init.gid", "2000"],
        ["lxc.init.uid", "2000"],
      ]);

      // ... and unset again they keep what the container has.
      setCfg(w, `  env = { APP = "3" }\n`);
      await applyClean(w);
      expect(initLines(w, "app").sort()).toEqual([
        ["lxc.init.cwd", "/work"],
        ["lxc.init.gid", "2000"],
        ["lxc.init.uid", "2000"],
      ]);
    } finally {
      w.remove();
    }
  }, 300_000);

  it("random combinations of env / working_dir / user at create: only what is set replaces the image's", async () => {
    const seed = Number(process.env["PMX_SEED"] ?? Date.now() % 100000);
    const rnd = prng(seed);
    const pick = <T>(xs: T[]): T => xs[Math.floor(rnd() * xs.length)]!;
    const w = new Workdir("pmx-e2e-oci-defaults-rand-");
    try {
      const cases = Array.from({ length: 6 }, (_, i) => ({
        name: `c${i}`,
        env: pick([undefined, {}, { IMG_KEY: "override" }, { A: "1", B: "2" }]),
        cwd: pick([undefined, "/opt/x"]),
        user: pick([undefined, "3000", "3000:3001"]),
      }));
      const body = cases
        .map((c) => {
          let extra = "";
          if (c.env)
            extra += `  env = { ${Object.entries(c.env)
              .map(([k, v]) => `${k} = "${v}"`)
              .join(", ")} }\n`;
          if (c.cwd) extra += `  working_dir = "${c.cwd}"\n`;
          if (c.user) extra += `  user = "${c.user}"\n`;
          return container(c.name, extra);
        })
        .join("");
      w.write("main.pmx.hcl", SIM_NODE + image(reg.host) + body);
      const r = await w.run("apply", "--auto-approve");
      expect(r.stderr, `seed ${seed}`).toBe("");
      for (const c of cases) {
        const [uid, gid] = c.user ? c.user.split(":") : [];
        const userLines = c.user ? [["lxc.init.uid", uid!], ...(gid ? [["lxc.init.gid", gid]] : [])] : IMAGE_LXC.slice(0, 3);
        const lines = initLines(w, c.name);
        expect(
          lines.filter(([k]) => k !== "lxc.init.cwd"),
          `seed ${seed} ${JSON.stringify(c)}`,
        ).toEqual(userLines);
        expect(lines.find(([k]) => k === "lxc.init.cwd")?.[1], `seed ${seed} ${JSON.stringify(c)}`).toBe(c.cwd ?? "/srv");
        const env = { PATH: "/bin", IMG_KEY: "from-image", ...(c.env ?? {}) };
        expect(confOf(w, c.name).env, `seed ${seed} ${JSON.stringify(c)}`).toEqual(Object.entries(env).map(([k, v]) => `${k}=${v}`));
      }
      const again = await w.run("plan", "--detailed-exitcode");
      expect(again.stdout, `seed ${seed}`).toContain("No changes.");
    } finally {
      w.remove();
    }
  }, 300_000);
});
