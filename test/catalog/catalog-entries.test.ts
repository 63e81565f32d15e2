// Every catalog entry is complete and honest (issue 19 item 2): app.json has the promised shape,
// the module loads with the real loader and declares url/ports outputs, secrets are sensitive
// inputs without a default, the image input defaults to the pinned reference app.json records,
// and every environment key the module writes is documented in its README.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { describeModule } from "../../src/catalog/describe.js";
import { readCatalog } from "../../src/catalog/entries.js";
import { CATALOG, catalogEntries } from "./helpers.js";

const entries = catalogEntries();

/** The keys of every `env = ...` map in the module's main file (keys are written NAME = value). */
function envKeys(main: string): string[] {
  const keys: string[] = [];
  const re = /env\s*=[^\n]*\n([\s\S]*?)\n\s{2}\}[^\n]*\n/g;
  for (const m of main.matchAll(re)) for (const k of m[1]!.matchAll(/(?:^\s+|\{\s*)([A-Z][A-Za-z0-9_]*)\s+=/gm)) keys.push(k[1]!);
  return keys;
}

describe("the app catalog", () => {
  it("holds at least 25 apps, every directory with a valid app.json named after it", () => {
    const r = readCatalog(CATALOG);
    expect(r.diagnostics).toEqual([]);
    expect(r.entries.length).toBeGreaterThanOrEqual(25);
    const dirs = readdirSync(CATALOG, { withFileTypes: true }).filter((d) => d.isDirectory());
    expect(r.entries.map((e) => e.name)).toEqual(dirs.map((d) => d.name).sort());
    for (const must of [
      "jellyfin",
      "plex",
      "immich",
      "nextcloud",
      "home-assistant",
      "paperless-ngx",
      "vaultwarden",
      "pihole",
      "adguardhome",
      "uptime-kuma",
      "grafana",
      "prometheus",
      "mosquitto",
      "zigbee2mqtt",
      "navidrome",
      "audiobookshelf",
      "freshrss",
      "mealie",
    ])
      expect(r.entries.map((e) => e.name)).toContain(must);
  });

  for (const app of entries) {
    describe(app.name, () => {
      it("has its module files and a README", () => {
        for (const f of ["variables.pmx.hcl", "main.pmx.hcl", "outputs.pmx.hcl", "README.md"]) expect(existsSync(join(app.dir, f)), f).toBe(true);
        expect(readdirSync(app.dir).filter((f) => f.endsWith(".pmx.hcl") && !["variables.pmx.hcl", "main.pmx.hcl", "outputs.pmx.hcl"].includes(f))).toEqual([]);
      });

      it("loads with the real loader: node required, url and ports outputs, OCI resources", async () => {
        const d = await describeModule(app.dir);
        expect(d.diagnostics.filter((x) => x.severity === "error")).toEqual([]);
        const m = d.description!;
        const node = m.inputs.find((i) => i.name === "node");
        expect(node).toMatchObject({ required: true, type: "string" });
        expect(m.outputs.map((o) => o.name)).toEqual(expect.arrayContaining(["url", "ports"]));
        expect(m.resources.some((r) => r.type === "oci_image")).toBe(true);
        expect(m.resources.some((r) => r.type === "oci_container")).toBe(true);
        // A module without a proxmox block: nodes belong to the calling configuration.
        expect(readFileSync(join(app.dir, "main.pmx.hcl"), "utf8")).not.toMatch(/^proxmox\s*\{/m);
      });

      it("has no default passwords: secret-like inputs are sensitive and never defaulted to a value", async () => {
        const m = (await describeModule(app.dir)).description!;
        for (const i of m.inputs) {
          if (/password|secret|token|claim/.test(i.name)) expect(i.sensitive, `${i.name} must be sensitive`).toBe(true);
          if (i.sensitive && !i.required) expect(i.default, `${i.name}`).toBeUndefined();
        }
        const text = readFileSync(join(app.dir, "variables.pmx.hcl"), "utf8");
        for (const block of text.split(/\n(?=variable )/)) if (/sensitive\s*=\s*true/.test(block)) expect(block).not.toMatch(/default\s*=\s*"[^"]/);
      });

      it("pins the image app.json records as the image input's default", async () => {
        const m = (await describeModule(app.dir)).description!;
        const defaults = m.inputs.filter((i) => /(^|_)image$/.test(i.name)).map((i) => String(i.default));
        expect(defaults.length).toBeGreaterThan(0);
        const main = app.digest ? `${app.image}@${app.digest}` : app.image;
        expect(defaults).toContain(main);
        if (app.images) for (const ref of Object.values(app.images)) expect(defaults).toContain(ref);
        for (const ref of defaults) if (app.digest !== null) expect(ref).toMatch(/@sha256:[0-9a-f]{64}$/);
        if (app.digest === null) expect(readFileSync(join(app.dir, "README.md"), "utf8")).toMatch(/No published digest/);
      });

      it("documents every environment key it writes, and how to update", () => {
        const main = readFileSync(join(app.dir, "main.pmx.hcl"), "utf8");
        const readme = readFileSync(join(app.dir, "README.md"), "utf8");
        const keys = envKeys(main);
        if (/\benv\s*=/.test(main)) expect(keys.length).toBeGreaterThan(0);
        for (const key of keys) expect(readme, `${key} in README.md`).toContain(`\`${key}\``);
        expect(readme).toMatch(/## Updating/);
        for (const p of app.ports) expect(readFileSync(join(app.dir, "outputs.pmx.hcl"), "utf8")).toContain(String(p.port));
      });
    });
  }
});
