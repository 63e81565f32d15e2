// The catalog as a user meets it, through the CLI on the simulator: `init --app jellyfin` writes a
// module block (source = "catalog/jellyfin", version from app.json) that plans and applies from a
// local registry stand-in image; then the catalog publishes a new version (a fixture copy under
// PMXFORM_CATALOG_DIR: app.json version and image digest bumped). The old version constraint is
// refused at the module block until the user moves it; then plan shows the image change with the
// data volumes kept, and apply keeps the data.
import { cpSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BUILT, NOT_BUILT, SIM_NODE, Workdir, cli } from "../e2e/helpers.js";
import { HAVE_REGISTRY_TOOLS, NO_REGISTRY_TOOLS, pushImage, startRegistry, type ImageSpec, type Registry } from "../helpers/registry.js";
import { CATALOG } from "./helpers.js";

const skip = !BUILT || !HAVE_REGISTRY_TOOLS;
const DATA_MARK = "module-upgrade-keeps-this";
const STAND_IN: ImageSpec = { env: ["PATH=/usr/bin:/bin"], entrypoint: ["/jellyfin/jellyfin"], volumes: ["/config", "/cache"] };

describe.skipIf(skip)(`a catalog app through its module block, installed and upgraded${skip ? ` (skipped: ${!BUILT ? NOT_BUILT : NO_REGISTRY_TOOLS})` : ""}`, () => {
  let reg: Registry;
  const w = new Workdir("pmx-catalog-modup-");
  const catalogDir = w.path("catalog");
  const appDir = join(catalogDir, "jellyfin");
  const project = w.path("proj");
  const env = { PMXFORM_CATALOG_DIR: catalogDir };
  const run = (...args: string[]) => cli(project, args, env);
  const vars = ["-var", "media_path=/tank/media"];

  /** Publishes `version` of the fixture entry with `ref` as its image (what the catalog's updater does). */
  const publish = (version: string, tag: string, digest: string): void => {
    const ref = `${reg.host}/jellyfin/jellyfin:${tag}@${digest}`;
    const variables = join(appDir, "variables.pmx.hcl");
    writeFileSync(
      variables,
      readFileSync(variables, "utf8")
        .replace(/(variable "image" \{[^}]*?default\s*=\s*)"[^"]+"/, `$1${JSON.stringify(ref)}`)
        // The stand-in registry speaks plain HTTP.
        .replace(/(variable "image_tls_verify" \{[^}]*?default\s*=\s*)true/, "$1false"),
    );
    const manifest = join(appDir, "app.json");
    const app = JSON.parse(readFileSync(manifest, "utf8")) as Record<string, unknown>;
    writeFileSync(manifest, JSON.stringify({ ...app, version, upstream_version: tag, image: `${reg.host}/jellyfin/jellyfin:${tag}`, digest }, null, 2) + "\n");
  };
  const confs = () => {
    const dir = join(project, "sim/etc/pve/nodes/pve1/lxc");
    return readdirSync(dir).map((f) => ({ file: f, text: readFileSync(join(dir, f), "utf8") }));
  };
  const pvesm = (volid: string) => execFileSync(join(project, "sim/bin/pvesm"), ["path", volid], { encoding: "utf8" }).trim();

  beforeAll(async () => {
    reg = await startRegistry();
    cpSync(join(CATALOG, "jellyfin"), appDir, { recursive: true });
    publish("1.0.0", "10.11.2", await pushImage(reg, "jellyfin/jellyfin", "10.11.2", STAND_IN));
  }, 120_000);
  afterAll(async () => {
    w.remove();
    await reg?.stop();
  });

  it("init --app jellyfin writes the module block, which plans and applies on the simulator", async () => {
    const init = await cli(w.dir, ["init", "--app", "jellyfin", "--dir", "proj"], env);
    expect(init.stderr).toBe("");
    expect(init.code).toBe(0);
    const main = readFileSync(join(project, "main.pmx.hcl"), "utf8");
    expect(main).toMatch(/^module "jellyfin" \{$/m);
    expect(main).toMatch(/^\s+source\s+= "catalog\/jellyfin"$/m);
    expect(main).toMatch(/^\s+version\s+= "1\.0\.0"$/m);
    // The starter reaches the node over SSH; this test points it at the simulator instead.
    writeFileSync(join(project, "proxmox.pmx.hcl"), SIM_NODE);
    const plan = await run("plan", "-detailed-exitcode", ...vars);
    expect(plan.code, plan.stdout + plan.stderr).toBe(2);
    expect(plan.stdout).toContain("module.jellyfin.oci_container.app will be created");
    const apply = await run("apply", "-auto-approve", ...vars);
    expect(apply.code, apply.stdout + apply.stderr).toBe(0);
    const again = await run("plan", "-detailed-exitcode", ...vars);
    expect(again.code, again.stdout + again.stderr).toBe(0);
    expect(again.stdout).toContain("No changes.");
    const out = await run("output", "-json");
    expect(JSON.parse(out.stdout)).toMatchObject({ url: { value: "http://jellyfin:8096" } });
  }, 240_000);

  it("a new catalog version is refused until the module's version moves, then replaces the container and keeps its data", async () => {
    const [before] = confs();
    const volume = /^mp0: ([^,]+),mp=\/config/m.exec(before!.text)![1]!;
    writeFileSync(pvesm(volume), DATA_MARK);

    publish("1.1.0", "10.11.3", await pushImage(reg, "jellyfin/jellyfin", "10.11.3", { ...STAND_IN, entrypoint: ["/jellyfin/jellyfin", "--v10.11.3"] }));
    // The configuration still pins 1.0.0: nothing changes behind the user's back.
    const pinned = await run("plan", ...vars);
    expect(pinned.code).toBe(1);
    expect(pinned.stderr).toContain("No matching catalog version");
    expect(pinned.stderr).toContain("main.pmx.hcl");
    expect(pinned.stderr).toContain("1.1.0");
    expect(pinned.stderr).not.toMatch(/\n\s+at /);

    const main = join(project, "main.pmx.hcl");
    writeFileSync(main, readFileSync(main, "utf8").replace(/(version\s+= )"1\.0\.0"/, '$1"~> 1.1"'));
    const plan = await run("plan", ...vars);
    expect(plan.code, plan.stderr).toBe(0);
    expect(plan.stdout).toContain("module.jellyfin.oci_image.app");
    expect(plan.stdout).toContain("replace (image digest changed; data volumes are kept)");
    expect(plan.stdout).not.toMatch(/applying this plan deletes a volume/);

    const apply = await run("apply", "-auto-approve", ...vars);
    expect(apply.code, apply.stdout + apply.stderr).toBe(0);
    const after = confs();
    expect(after).toHaveLength(1);
    expect(after[0]!.file).not.toBe(before!.file);
    expect(after[0]!.text).toMatch(/^entrypoint: \/jellyfin\/jellyfin --v10\.11\.3$/m);
    const moved = /^mp0: ([^,]+),mp=\/config/m.exec(after[0]!.text)![1]!;
    expect(readFileSync(pvesm(moved), "utf8")).toBe(DATA_MARK);
    const again = await run("plan", "-detailed-exitcode", ...vars);
    expect(again.code, again.stdout + again.stderr).toBe(0);
  }, 240_000);
});
