// `pmxform catalog list/show` and `pmxform init --app` through the real CLI: the --json shapes,
// filters and errors a script relies on, show's inputs/outputs/resources coming from the loader,
// and init --app writing a starter configuration once and never over existing files.
import { cpSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { BUILT, NOT_BUILT, ROOT, Workdir, cli } from "../e2e/helpers.js";
import { catalogEntries } from "./helpers.js";

const dirs: Workdir[] = [];
afterAll(() => dirs.forEach((d) => d.remove()));
const wd = () => {
  const w = new Workdir("pmx-catalog-cmd-");
  dirs.push(w);
  return w;
};

interface ListJson {
  format_version: string;
  categories: string[];
  apps: { name: string; version: string; category: string; description: string; image: string; digest: string | null; ports: { name: string; port: number; protocol: string }[]; gpu: string[] }[];
}

describe.skipIf(!BUILT)(`catalog commands${BUILT ? "" : ` (skipped: ${NOT_BUILT})`}`, () => {
  it("catalog list --json lists every entry with its app.json fields, sorted, and the categories", async () => {
    const r = await wd().run("catalog", "list", "--json");
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout) as ListJson;
    expect(j.format_version).toBe("1.0");
    expect(j.apps.map((a) => a.name)).toEqual(catalogEntries().map((e) => e.name));
    expect(j.apps.length).toBeGreaterThanOrEqual(25);
    expect(j.categories).toEqual([...new Set(j.apps.map((a) => a.category))].sort());
    for (const a of j.apps) {
      expect(a).toMatchObject({ version: expect.stringMatching(/^\d+\.\d+\.\d+$/), description: expect.any(String), image: expect.any(String) });
      expect(a.digest === null || /^sha256:[0-9a-f]{64}$/.test(a.digest)).toBe(true);
      expect(a.ports.length).toBeGreaterThan(0);
      expect(a).not.toHaveProperty("dir");
    }
  });

  it("catalog list --category filters, and an unknown category names the real ones", async () => {
    const r = await wd().run("catalog", "list", "--category", "media", "--json");
    const j = JSON.parse(r.stdout) as ListJson;
    expect(j.apps.map((a) => a.name)).toEqual(expect.arrayContaining(["jellyfin", "plex", "navidrome"]));
    expect(j.apps.every((a) => a.category === "media")).toBe(true);
    const text = await wd().run("catalog", "list", "--category", "media");
    expect(text.stdout).toMatch(/^NAME\s+VERSION\s+CATEGORY\s+DESCRIPTION$/m);
    expect(text.stdout).toMatch(/^jellyfin\s+1\.0\.0\s+media\s+/m);
    expect(text.stdout).not.toMatch(/^vaultwarden/m);
    const bad = await wd().run("catalog", "list", "--category", "medias");
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('no category "medias"');
    expect(bad.stderr).toContain("media");
  });

  it("catalog show --json: inputs with types, defaults and sensitivity; outputs; resources from the loader", async () => {
    const r = await wd().run("catalog", "show", "immich", "--json");
    expect(r.code, r.stderr).toBe(0);
    const j = JSON.parse(r.stdout) as {
      app: { name: string; images: Record<string, string> };
      inputs: { name: string; type: string; required: boolean; sensitive: boolean; default?: unknown }[];
      outputs: { name: string }[];
      resources: { address: string; type: string; repeat?: string }[];
    };
    expect(j.app.name).toBe("immich");
    const input = (n: string) => j.inputs.find((i) => i.name === n);
    expect(input("node")).toMatchObject({ type: "string", required: true, sensitive: false });
    expect(input("db_password")).toEqual(expect.objectContaining({ required: true, sensitive: true }));
    expect(input("db_password")).not.toHaveProperty("default");
    expect(input("machine_learning")).toMatchObject({ type: "bool", required: false, default: true });
    expect(input("cores")).toMatchObject({ type: "number", default: 4 });
    expect(input("gateway")).toMatchObject({ default: null });
    expect(input("server_image")!.default).toBe(j.app.images["server"]);
    expect(j.outputs.map((o) => o.name)).toEqual(["url", "ports", "vmid"]);
    expect(j.resources.map((x) => x.address).sort()).toEqual(
      ["oci_container.ml", "oci_container.postgres", "oci_container.redis", "oci_container.server", "oci_image.ml", "oci_image.postgres", "oci_image.redis", "oci_image.server"].sort(),
    );
    expect(j.resources.find((x) => x.address === "oci_container.ml")!.repeat).toBe("count = var.machine_learning ? 1 : 0");
  });

  it("catalog show reflects the module as it is on disk, not a list kept elsewhere", async () => {
    // The text form lists each input once, with its default, and the resources.
    const r = await wd().run("catalog", "show", "vaultwarden");
    expect(r.code).toBe(0);
    const vars = [...readFileSync(join(ROOT, "catalog/vaultwarden/variables.pmx.hcl"), "utf8").matchAll(/^variable "([^"]+)"/gm)].map((m) => m[1]!);
    for (const v of vars) expect(r.stdout).toMatch(new RegExp(`^  ${v}\\s`, "m"));
    expect(r.stdout).toMatch(/^ {2}admin_token\s+string\s+default \(sensitive\), sensitive$/m);
    expect(r.stdout).toMatch(/^ {2}signups_allowed\s+bool\s+default false$/m);
    expect(r.stdout).toContain("Resources it creates:\n  oci_image.app\n  oci_container.app\n");
  });

  it("every catalog file is in pmxform fmt's canonical layout", async () => {
    const r = await wd().run("fmt", "--check", "--recursive", join(ROOT, "catalog"));
    expect(r.stdout + r.stderr).toBe("");
    expect(r.code).toBe(0);
  });

  it("PMXFORM_CATALOG_DIR points every catalog command at another catalog (as it does module sources)", async () => {
    const w = wd();
    mkdirSync(w.path("mine"));
    cpSync(join(ROOT, "catalog/vaultwarden"), w.path("mine/vaultwarden"), { recursive: true });
    const env = { PMXFORM_CATALOG_DIR: w.path("mine") };
    const r = await cli(w.dir, ["catalog", "list", "--json"], env);
    expect((JSON.parse(r.stdout) as ListJson).apps.map((a) => a.name)).toEqual(["vaultwarden"]);
    const gone = await cli(w.dir, ["catalog", "show", "jellyfin"], env);
    expect(gone.code).toBe(1);
    expect(gone.stderr).toContain('no app named "jellyfin"');
    // A broken entry is a diagnostic naming the file, not a crash.
    writeFileSync(w.path("mine/vaultwarden/app.json"), '{"name": "vaultwarden"}');
    const broken = await cli(w.dir, ["catalog", "list"], env);
    expect(broken.code).toBe(1);
    expect(broken.stderr).toContain("Invalid app.json");
    expect(broken.stderr).toContain("app.json");
    expect(broken.stderr).not.toMatch(/\n\s+at /);
  });

  it("catalog show of an unknown app suggests the right name", async () => {
    const r = await wd().run("catalog", "show", "jelyfin");
    expect(r.code).toBe(1);
    expect(r.stdout).toBe("");
    expect(r.stderr).toContain('no app named "jelyfin". Did you mean "jellyfin"?');
  });

  it("init --app writes a starter configuration with the module block, and never overwrites", async () => {
    const w = wd();
    const r = await w.run("init", "--app", "paperless-ngx", "--dir", "paper", "--node", "pve2");
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const main = readFileSync(w.path("paper/main.pmx.hcl"), "utf8");
    expect(main).toContain('module "paperless-ngx" {');
    expect(main).toMatch(/source\s+= "catalog\/paperless-ngx"/);
    expect(main).toMatch(/version\s+= "1\.0\.0"/);
    expect(main).toMatch(/node\s+= "pve2"/);
    expect(main).toMatch(/secret_key\s+= var\.secret_key/);
    expect(main).toMatch(/admin_password\s+= var\.admin_password/);
    expect(main).toContain("module.paperless-ngx.url");
    const vars = readFileSync(w.path("paper/variables.pmx.hcl"), "utf8");
    expect(vars).toMatch(/variable "secret_key" \{[^}]*sensitive\s+= true/);
    expect(vars).not.toMatch(/^\s*default\s*=/m);
    expect(readFileSync(w.path("paper/proxmox.pmx.hcl"), "utf8")).toContain('node "pve2"');
    // A second run changes nothing and says why.
    writeFileSync(w.path("paper/main.pmx.hcl"), "# mine\n");
    const again = await w.run("init", "--app", "paperless-ngx", "--dir", "paper");
    expect(again.code).toBe(1);
    expect(again.stderr).toContain("Refusing to overwrite files");
    expect(again.stderr).toContain("main.pmx.hcl");
    expect(readFileSync(w.path("paper/main.pmx.hcl"), "utf8")).toBe("# mine\n");
    const unknown = await w.run("init", "--app", "nope", "--dir", "other");
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain("Unknown catalog app");
  });

  it("init --app then validate", async () => {
    const w = wd();
    for (const app of ["jellyfin", "immich"]) {
      expect((await w.run("init", "--app", app, "--dir", app)).code).toBe(0);
      const v = await w.run("--chdir", app, "validate");
      expect(v.stderr).toBe("");
      expect(v.code).toBe(0);
    }
  });
});
