// Shared by the catalog tests: the catalog's entries, a working directory holding one app as a
// root configuration (its *.pmx.hcl plus a proxmox block pointing node pve1 at a simulator), the
// -var arguments that fill an app's required inputs.
import { copyFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { describeModule, type ModuleInput } from "../../src/catalog/describe.js";
import { readCatalog, type CatalogEntry } from "../../src/catalog/entries.js";
import { ROOT, SIM_NODE, Workdir } from "../e2e/helpers.js";

export const CATALOG = join(ROOT, "catalog");

export function catalogEntries(): CatalogEntry[] {
  return readCatalog(CATALOG).entries;
}

/** A value for a required input that the app's validations accept (no real secret: tests only). */
export function sampleValue(input: ModuleInput): string {
  if (input.name === "node") return "pve1";
  if (input.name.endsWith("_path")) return `/tank/${input.name.slice(0, -"_path".length)}`;
  if (input.sensitive) return "Sample0Secret0Value";
  const known: Record<string, string> = {
    mqtt_server: "mqtt://192.0.2.20:1883",
    serial_port: "tcp://192.0.2.30:6638",
    allowed_hosts: "homepage.lan:3000",
  };
  return known[input.name] ?? "sample";
}

/** `-var name=value` for every required input of the app in `dir`, plus `extra`. */
export async function requiredVars(dir: string, extra: Record<string, string> = {}): Promise<string[]> {
  const d = await describeModule(dir);
  if (!d.description) throw new Error(`${dir} does not load: ${d.diagnostics.map((x) => x.summary).join("; ")}`);
  const args: string[] = [];
  for (const i of d.description.inputs) if (i.required && !(i.name in extra)) args.push("-var", `${i.name}=${sampleValue(i)}`);
  for (const [k, v] of Object.entries(extra)) args.push("-var", `${k}=${v}`);
  return args;
}

/** A working directory holding the app's module files as a root configuration against a fresh simulator. */
export function appAsRoot(app: string): Workdir {
  const w = new Workdir(`pmx-catalog-${app}-`);
  for (const f of readdirSync(join(CATALOG, app)).filter((n) => n.endsWith(".pmx.hcl"))) copyFileSync(join(CATALOG, app, f), w.path(f));
  w.write("zz-proxmox.pmx.hcl", SIM_NODE);
  return w;
}
