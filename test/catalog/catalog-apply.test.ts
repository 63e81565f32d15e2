// A representative set of catalog apps applied to the simulator from a local registry holding
// small stand-in images (named and shaped like the real ones: same VOLUMEs), then re-planned as
// No changes (issue 19 item 2): jellyfin with a GPU, immich (four containers wired by
// references), vaultwarden and mosquitto. Then an upgrade: a new digest for jellyfin plans the
// image change with its data volumes kept, and apply moves the very volumes (data included).
import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BUILT, NOT_BUILT, type Workdir } from "../e2e/helpers.js";
import { HAVE_REGISTRY_TOOLS, NO_REGISTRY_TOOLS, pushImage, startRegistry, type ImageSpec, type Registry } from "../helpers/registry.js";
import { appAsRoot, requiredVars, CATALOG } from "./helpers.js";

const DATA_MARK = "catalog-data-survives-the-upgrade";
const skip = !BUILT || !HAVE_REGISTRY_TOOLS;

/** Stand-ins for the real images: the entrypoint and VOLUMEs the real ones declare. */
const STAND_INS: Record<string, ImageSpec> = {
  "jellyfin/jellyfin": { entrypoint: ["/jellyfin/jellyfin"], volumes: ["/config", "/cache"] },
  "immich-app/immich-server": { entrypoint: ["tini", "--", "/bin/bash", "-c", "start.sh"] },
  "immich-app/immich-machine-learning": { entrypoint: ["tini", "--", "python", "-m", "immich_ml"] },
  "immich-app/postgres": { entrypoint: ["docker-entrypoint.sh", "postgres"], volumes: ["/var/lib/postgresql/data"] },
  "valkey/valkey": { entrypoint: ["docker-entrypoint.sh", "valkey-server"], volumes: ["/data"] },
  "vaultwarden/server": { entrypoint: ["/start.sh"], volumes: ["/data"] },
  "library/eclipse-mosquitto": { entrypoint: ["/docker-entrypoint.sh", "/usr/sbin/mosquitto", "-c", "/mosquitto/config/mosquitto.conf"], volumes: ["/mosquitto/data", "/mosquitto/log"] },
};

describe.skipIf(skip)(`catalog apps applied to the simulator${skip ? ` (skipped: ${!BUILT ? NOT_BUILT : NO_REGISTRY_TOOLS})` : ""}`, () => {
  let reg: Registry;
  const dirs: Workdir[] = [];
  /** repository -> digest of the stand-in pushed under the real tag. */
  const digests = new Map<string, string>();

  /** The stand-in reference for a catalog default such as "docker.io/jellyfin/jellyfin:10.11.2@sha256:...". */
  const local = (catalogRef: string): string => {
    const [name, tag] = catalogRef
      .split("@")[0]!
      .replace(/^(docker\.io|ghcr\.io|lscr\.io)\//, "")
      .split(":") as [string, string];
    return `${reg.host}/${name}:${tag}@${digests.get(`${name}:${tag}`)}`;
  };
  const imageVar = (app: string, varName = "image"): string => {
    const text = readFileSync(join(CATALOG, app, "variables.pmx.hcl"), "utf8");
    const m = new RegExp(`variable "${varName}" \\{[^}]*?default\\s*=\\s*"([^"]+)"`).exec(text);
    return `${varName}=${local(m![1]!)}`;
  };

  beforeAll(async () => {
    reg = await startRegistry();
    const refs = [
      "jellyfin/jellyfin:10.11.2",
      "immich-app/immich-server:v1.137.3",
      "immich-app/immich-machine-learning:v1.137.3",
      "immich-app/postgres:14-vectorchord0.3.0-pgvectors0.2.0",
      "valkey/valkey:8-alpine",
      "vaultwarden/server:1.34.3",
      "library/eclipse-mosquitto:2.0.22",
    ];
    for (const ref of refs) {
      const [name, tag] = ref.split(":") as [string, string];
      digests.set(ref, await pushImage(reg, name, tag, { env: ["PATH=/usr/bin:/bin"], ...STAND_INS[name] }));
    }
  }, 120_000);
  afterAll(async () => {
    dirs.forEach((d) => d.remove());
    await reg?.stop();
  });

  async function applyAndReplan(app: string, vars: string[]): Promise<Workdir> {
    const w = appAsRoot(app);
    dirs.push(w);
    const all = [...(await requiredVars(join(CATALOG, app), Object.fromEntries(vars.map((v) => v.split(/=(.*)/s).slice(0, 2) as [string, string])))), "-var", "image_tls_verify=false"];
    const apply = await w.run("apply", "-auto-approve", ...all);
    expect(apply.code, apply.stdout + apply.stderr).toBe(0);
    expect(apply.stderr).toBe("");
    expect(apply.stdout).not.toContain("Sample0Secret0Value");
    const again = await w.run("plan", "-detailed-exitcode", ...all);
    expect(again.code, again.stdout + again.stderr).toBe(0);
    expect(again.stdout).toContain("No changes.");
    (w as Workdir & { vars?: string[] }).vars = all;
    return w;
  }

  const confs = (w: Workdir) => {
    const dir = join(w.dir, "sim/etc/pve/nodes/pve1/lxc");
    return readdirSync(dir).map((f) => ({ file: f, text: readFileSync(join(dir, f), "utf8") }));
  };

  let jellyfin: Workdir & { vars?: string[] };

  it("jellyfin with an Intel GPU and a read-only media share", async () => {
    jellyfin = await applyAndReplan("jellyfin", [imageVar("jellyfin"), "gpu=intel", "media_path=/tank/media"]);
    const [conf] = confs(jellyfin);
    expect(conf!.text).toMatch(/^lxc\.cgroup2\.devices\.allow: c 226:128 rwm$/m);
    expect(conf!.text).toMatch(/^lxc\.mount\.entry: \/dev\/dri\/renderD128 dev\/dri\/renderD128 none bind,optional,create=file$/m);
    expect(conf!.text).toMatch(/^mp\d: \/tank\/media,mp=\/media,.*ro=1/m);
    const out = await jellyfin.run("output", "-json");
    expect(JSON.parse(out.stdout)).toMatchObject({ url: { value: "http://jellyfin:8096" }, ports: { value: { http: { port: 8096, protocol: "tcp" } } } });
  }, 180_000);

  it("immich: four containers, the server's env wired to its peers' addresses", async () => {
    const w = await applyAndReplan("immich", [
      imageVar("immich", "server_image"),
      imageVar("immich", "ml_image"),
      imageVar("immich", "postgres_image"),
      imageVar("immich", "redis_image"),
      "postgres_ip=192.0.2.15/24",
      "gateway=192.0.2.1",
    ]);
    const all = confs(w);
    expect(all).toHaveLength(4);
    const server = all.find((c) => /^hostname: immich-server$/m.test(c.text))!.text;
    expect(server).toMatch(/^lxc\.environment\.runtime: DB_HOSTNAME=192\.0\.2\.15$/m);
    expect(server).toMatch(/^lxc\.environment\.runtime: REDIS_HOSTNAME=immich-redis$/m);
    expect(server).toMatch(/^lxc\.environment\.runtime: IMMICH_MACHINE_LEARNING_URL=http:\/\/immich-ml:3003$/m);
    expect(server).toMatch(/^lxc\.environment\.runtime: DB_PASSWORD=Sample0Secret0Value$/m);
    const pg = all.find((c) => /^hostname: immich-postgres$/m.test(c.text))!.text;
    expect(pg).toMatch(/^lxc\.environment\.runtime: POSTGRES_PASSWORD=Sample0Secret0Value$/m);
    // As documented (docs/state-and-plan-files.md, "Secrets in state"): the state marks the env
    // entries computed from the secret as sensitive, and no display shows them.
    const state = JSON.parse(readFileSync(w.path("pmxform.state.json"), "utf8")) as { resources: { address: string; sensitive_attributes: string[][] }[] };
    const marked = state.resources.find((r) => r.address === "oci_container.server")!.sensitive_attributes;
    expect(marked.some((p) => p[0] === "env")).toBe(true);
    const shown = await w.run("state", "show", "oci_container.server");
    expect(shown.code, shown.stderr).toBe(0);
    expect(shown.stdout).not.toContain("Sample0Secret0Value");
  }, 240_000);

  it("vaultwarden with signups off and no admin token", async () => {
    const w = await applyAndReplan("vaultwarden", [imageVar("vaultwarden"), "domain=https://vault.example.com"]);
    const [conf] = confs(w);
    expect(conf!.text).toMatch(/^lxc\.environment\.runtime: SIGNUPS_ALLOWED=false$/m);
    expect(conf!.text).toMatch(/^lxc\.environment\.runtime: DOMAIN=https:\/\/vault\.example\.com$/m);
    expect(conf!.text).not.toContain("ADMIN_TOKEN");
  }, 180_000);

  it("mosquitto starts with the no-auth configuration the image ships", async () => {
    const w = await applyAndReplan("mosquitto", [imageVar("mosquitto")]);
    const [conf] = confs(w);
    expect(conf!.text).toMatch(/^entrypoint: \/usr\/sbin\/mosquitto -c \/mosquitto-no-auth\.conf$/m);
    expect(conf!.text.match(/^mp\d: /gm)).toHaveLength(3);
  }, 180_000);

  it("two projects on one cluster install the same app: destroying one leaves the other's container and data", async () => {
    const shared = appAsRoot("vaultwarden");
    dirs.push(shared);
    const simDir = shared.path("cluster");
    const node = `proxmox {\n  node "pve1" {\n    sim = ${JSON.stringify(simDir)}\n  }\n}\n`;
    const a = appAsRoot("vaultwarden");
    const b = appAsRoot("vaultwarden");
    dirs.push(a, b);
    a.write("zz-proxmox.pmx.hcl", node);
    b.write("zz-proxmox.pmx.hcl", node);
    const vars = (host: string) => ["-var", "node=pve1", "-var", imageVar("vaultwarden"), "-var", "image_tls_verify=false", "-var", `hostname=${host}`];
    expect((await a.run("apply", "-auto-approve", ...vars("vault-a"))).code).toBe(0);
    const ab = await b.run("apply", "-auto-approve", ...vars("vault-b"));
    expect(ab.code, ab.stderr).toBe(0);
    const lxc = join(simDir, "etc/pve/nodes/pve1/lxc");
    const aConf = readdirSync(lxc)
      .map((f) => readFileSync(join(lxc, f), "utf8"))
      .find((t) => /^hostname: vault-a$/m.test(t))!;
    const aVolume = /^mp0: ([^,]+),/m.exec(aConf)![1]!;
    const pvesm = (volid: string) => execFileSync(join(simDir, "bin/pvesm"), ["path", volid], { encoding: "utf8" }).trim();
    writeFileSync(pvesm(aVolume), DATA_MARK);
    // Both projects manage the one archive file of that image; B's destroy removes it with B's container.
    const destroyed = await b.run("destroy", "-auto-approve", ...vars("vault-b"));
    expect(destroyed.code, destroyed.stderr).toBe(0);
    expect(readdirSync(lxc)).toHaveLength(1);
    expect(readFileSync(pvesm(aVolume), "utf8")).toBe(DATA_MARK);
    // A notices only the missing archive: it pulls it again and leaves its container alone.
    const plan = await a.run("plan", ...vars("vault-a"));
    expect(plan.code, plan.stderr).toBe(0);
    expect(plan.stdout).toContain("Plan: 1 to add, 0 to change, 0 to destroy.");
    expect(plan.stdout).toContain("# oci_image.app will be created");
    expect((await a.run("apply", "-auto-approve", ...vars("vault-a"))).code).toBe(0);
    const again = await a.run("plan", "-detailed-exitcode", ...vars("vault-a"));
    expect(again.code, again.stdout + again.stderr).toBe(0);
  }, 240_000);

  it("an upgrade (new digest) plans the image change with the volumes kept, and apply moves them with their data", async () => {
    const before = confs(jellyfin);
    expect(before).toHaveLength(1);
    const volume = /^mp0: ([^,]+),/m.exec(before[0]!.text)![1]!;
    const pvesm = (volid: string) => execFileSync(join(jellyfin.dir, "sim/bin/pvesm"), ["path", volid], { encoding: "utf8" }).trim();
    writeFileSync(pvesm(volume), readFileSync(pvesm(volume), "utf8") + DATA_MARK);
    // "The next catalog version": the same tag rebuilt, so a new digest.
    const next = await pushImage(reg, "jellyfin/jellyfin", "10.11.3", { env: ["PATH=/usr/bin:/bin"], ...STAND_INS["jellyfin/jellyfin"], entrypoint: ["/jellyfin/jellyfin", "--v10.11.3"] });
    const vars = jellyfin.vars!.map((v) => (v.startsWith("image=") ? `image=${reg.host}/jellyfin/jellyfin:10.11.3@${next}` : v));
    const plan = await jellyfin.run("plan", ...vars);
    expect(plan.code, plan.stderr).toBe(0);
    expect(plan.stdout).toContain("replace (image digest changed; data volumes are kept)");
    expect(plan.stdout).not.toMatch(/applying this plan deletes a volume/);
    const apply = await jellyfin.run("apply", "-auto-approve", ...vars);
    expect(apply.code, apply.stderr).toBe(0);
    const after = confs(jellyfin);
    expect(after).toHaveLength(1);
    expect(after[0]!.file).not.toBe(before[0]!.file);
    expect(after[0]!.text).toMatch(/^entrypoint: \/jellyfin\/jellyfin --v10\.11\.3$/m);
    const moved = /^mp0: ([^,]+),mp=\/config/m.exec(after[0]!.text)![1]!;
    expect(readFileSync(pvesm(moved), "utf8")).toContain(DATA_MARK);
    const again = await jellyfin.run("plan", "-detailed-exitcode", ...vars);
    expect(again.code, again.stdout + again.stderr).toBe(0);
  }, 240_000);
});
