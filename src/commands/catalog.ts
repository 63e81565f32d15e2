// `pmxform catalog list [--category C] [--json]` and `pmxform catalog show APP [--json]`: the app
// catalog shipped with pmxform (catalog/<app>/). `show` derives inputs, outputs and resources by
// loading the app's module with the real loader (src/catalog/describe.ts).
import { error, hasErrors } from "../diag/diagnostic.js";
import { describeModule } from "../catalog/describe.js";
import type { CatalogEntry } from "../catalog/entries.js";
import { findApp, loadCatalog } from "../catalog/lookup.js";
import { printDiagnostics } from "./output-format.js";

type Opts = { json?: boolean; category?: string; color?: boolean };

/** app.json without the local directory: what --json shows of an entry. */
function publicEntry(e: CatalogEntry): Omit<CatalogEntry, "dir"> {
  const { dir: _dir, ...rest } = e;
  return rest;
}

const pad = (s: string, n: number) => s.padEnd(n);

async function list(opts: Opts): Promise<number> {
  const { entries, diagnostics } = loadCatalog();
  if (hasErrors(diagnostics)) return (printDiagnostics(diagnostics, opts), 1);
  const categories = [...new Set(entries.map((e) => e.category))].sort();
  if (opts.category !== undefined && !categories.includes(opts.category)) {
    printDiagnostics([error("Unknown category", `The catalog has no category "${opts.category}". Categories: ${categories.join(", ")}.`)], opts);
    return 1;
  }
  const shown = entries.filter((e) => opts.category === undefined || e.category === opts.category);
  if (opts.json) {
    process.stdout.write(JSON.stringify({ format_version: "1.0", categories, apps: shown.map(publicEntry) }, null, 2) + "\n");
    return 0;
  }
  const w = Math.max(4, ...shown.map((e) => e.name.length)) + 2;
  const c = Math.max(8, ...shown.map((e) => e.category.length)) + 2;
  process.stdout.write(`${pad("NAME", w)}${pad("VERSION", 9)}${pad("CATEGORY", c)}DESCRIPTION\n`);
  for (const e of shown) process.stdout.write(`${pad(e.name, w)}${pad(e.version, 9)}${pad(e.category, c)}${e.description}\n`);
  process.stdout.write(`\n${shown.length} apps. Details: pmxform catalog show APP. Start one: pmxform init --app APP --node NODE\n`);
  return 0;
}

function showValue(v: unknown): string {
  return v === null ? "null" : JSON.stringify(v);
}

async function show(opts: Opts, name: string): Promise<number> {
  const found = findApp(name);
  if (!found.entry) return (printDiagnostics(found.diagnostics, opts), 1);
  const entry = found.entry;
  const described = await describeModule(entry.dir);
  if (!described.description) {
    printDiagnostics([error("Catalog app does not load", `The module of ${entry.name} (${entry.dir}) has errors; this is a bug in the catalog. The loader said:`), ...described.diagnostics], opts);
    return 1;
  }
  const d = described.description;
  if (opts.json) {
    process.stdout.write(JSON.stringify({ format_version: "1.0", app: publicEntry(entry), inputs: d.inputs, outputs: d.outputs, resources: d.resources }, null, 2) + "\n");
    return 0;
  }
  const out: string[] = [];
  out.push(`${entry.name} ${entry.version} (${entry.category})`, entry.description, `Homepage: ${entry.homepage}`);
  out.push(`Image:    ${entry.image}${entry.digest ? `@${entry.digest}` : " (tag only: no verified digest)"}  [${entry.upstream_version}]`);
  if (entry.gpu.length) out.push(`GPU:      ${entry.gpu.join(", ")} (input gpu)`);
  out.push("", "Inputs:");
  const w = Math.max(...d.inputs.map((i) => i.name.length)) + 2;
  const t = Math.max(...d.inputs.map((i) => i.type.length)) + 2;
  for (const i of d.inputs) {
    const how = i.required ? "required" : i.sensitive ? "default (sensitive)" : `default ${showValue(i.default)}`;
    out.push(`  ${pad(i.name, w)}${pad(i.type, t)}${how}${i.sensitive ? ", sensitive" : ""}`);
    if (i.description) out.push(`  ${" ".repeat(w + t)}${i.description}`);
  }
  out.push("", "Outputs:");
  for (const o of d.outputs) out.push(`  ${pad(o.name, 8)}${o.description ?? ""}${o.sensitive ? " (sensitive)" : ""}`);
  out.push("", "Resources it creates:");
  for (const r of d.resources) out.push(`  ${r.address}${r.repeat ? `  (${r.repeat})` : ""}`);
  out.push("", `Use it: pmxform init --app ${entry.name} --node NODE (writes a module block with source = "catalog/${entry.name}").`);
  process.stdout.write(out.join("\n") + "\n");
  return 0;
}

export const commands: Record<"list" | "show", (opts: Record<string, unknown>, args: string[]) => Promise<number>> = {
  list: (opts) => list(opts),
  show: (opts, args) => show(opts, args[0] ?? ""),
};
