// The generated part of docs/catalog.md: the app list and each app's inputs, outputs and
// resources, rendered from the catalog itself (app.json + the module loaded by the real loader).
// scripts/gen-catalog-docs.mjs writes it; test/catalog/catalog-docs.test.ts fails when it is stale.
import { describeModule } from "./describe.js";
import type { CatalogEntry } from "./entries.js";

const BEGIN = "<!-- generated:catalog (from catalog/*; npm run docs:catalog) -->";
const END = "<!-- end generated:catalog -->";

const cell = (s: string) => s.replace(/\|/g, "\\|").replace(/\n/g, " ");
const code = (v: unknown) => `\`${v === null ? "null" : typeof v === "string" ? JSON.stringify(v) : JSON.stringify(v)}\``;

export async function renderCatalog(entries: readonly CatalogEntry[]): Promise<string> {
  const out: string[] = [];
  out.push(`${entries.length} apps.`, "", "| app | version | category | image (upstream version) | digest | GPU | description |", "|---|---|---|---|---|---|---|");
  for (const e of entries)
    out.push(
      `| [${e.name}](#${e.name}) | ${e.version} | ${e.category} | \`${e.image}\` (${cell(e.upstream_version)}) | ${e.digest ? "pinned" : "tag only"} | ${e.gpu.join(", ") || "–"} | ${cell(e.description)} |`,
    );
  for (const e of entries) {
    const d = (await describeModule(e.dir)).description;
    out.push("", `### ${e.name}`, "", `${e.description} ${e.homepage} — [README](../catalog/${e.name}/README.md)`, "");
    out.push(`Ports: ${e.ports.map((p) => `${p.port}/${p.protocol} (${p.name})`).join(", ")}. Image source: ${cell(e.image_source)}.`, "");
    if (!d) {
      out.push("(the module does not load)");
      continue;
    }
    const required = d.inputs.filter((i) => i.required);
    out.push(`Required inputs: ${required.map((i) => `\`${i.name}\`${i.sensitive ? " (sensitive)" : ""}`).join(", ")}.`, "");
    out.push(
      `Optional inputs: ${d.inputs
        .filter((i) => !i.required)
        .map((i) => `\`${i.name}\` = ${i.sensitive ? "(sensitive)" : code(i.default)}`)
        .join(", ")}.`,
      "",
    );
    out.push(`Outputs: ${d.outputs.map((o) => `\`${o.name}\``).join(", ")}. Creates: ${d.resources.map((r) => `\`${r.address}\`${r.repeat ? ` (${r.repeat})` : ""}`).join(", ")}.`);
  }
  return out.join("\n");
}

/** `doc` with the generated section replaced; undefined when the markers are missing. */
export function withCatalogSection(doc: string, body: string): string | undefined {
  const a = doc.indexOf(BEGIN);
  const z = doc.indexOf(END);
  if (a < 0 || z < a) return undefined;
  return `${doc.slice(0, a)}${BEGIN}\n${body}\n${doc.slice(z)}`;
}
