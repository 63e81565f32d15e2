// Writes generated resource blocks as a pmxform YAML file (`resources: { type.name: {...} }`):
// labelled blocks are maps label -> body, as the YAML front end reads them.
import { yaml } from "../yaml/lib.js";
import type { GeneratedResource } from "./model.js";

/** Strings containing `${` or `%{` would be read as templates: double the sigil as HCL does. */
function escapeTemplates(v: unknown): unknown {
  if (typeof v === "string") return v.replace(/\$\{/g, () => "$${").replace(/%\{/g, () => "%%{");
  if (Array.isArray(v)) return v.map(escapeTemplates);
  if (v && typeof v === "object") return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, escapeTemplates(x)]));
  return v;
}

export function writeYaml(resources: readonly GeneratedResource[], header: string[] = []): string {
  const doc: Record<string, unknown> = {};
  const notes: string[] = [...header];
  for (const r of resources) {
    doc[`${r.type}.${r.name}`] = escapeTemplates(r.body);
    for (const c of r.comments ?? []) notes.push(`${r.type}.${r.name}: ${c}`);
  }
  const head = notes.map((l) => `# ${l}`.trimEnd()).join("\n");
  return (head ? head + "\n" : "") + yaml().stringify({ resources: doc }, { lineWidth: 0 });
}
