// Writes generated resource blocks as HCL that pmxform's own parser reads back to the same values
// (strings escaped, `${`/`%{` doubled so text is never read as a template).
import type { BlockSpec } from "../../provider/types.js";
import { splitBody, type GeneratedResource } from "./model.js";

const IDENT = /^[A-Za-z_][A-Za-z0-9_-]*$/;

export function hclString(s: string): string {
  const escaped = s
    .replace(/\\/g, "\\\\")
    .replace(/"/g, '\\"')
    .replace(/\n/g, "\\n")
    .replace(/\r/g, "\\r")
    .replace(/\t/g, "\\t")
    .replace(/\$\{/g, () => "$${")
    .replace(/%\{/g, () => "%%{")
    .replace(/[\u0000-\u001f\u007f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
  return `"${escaped}"`;
}

function value(v: unknown, indent: string): string {
  if (typeof v === "string") return hclString(v);
  if (typeof v === "number" || typeof v === "boolean") return String(v);
  if (v === null || v === undefined) return "null";
  if (Array.isArray(v)) {
    const items = v.map((x) => value(x, indent + "  "));
    const oneLine = `[${items.join(", ")}]`;
    if (oneLine.length <= 80 && !oneLine.includes("\n")) return oneLine;
    return `[\n${items.map((x) => `${indent}  ${x},`).join("\n")}\n${indent}]`;
  }
  const entries = Object.entries(v as Record<string, unknown>);
  if (!entries.length) return "{}";
  return `{\n${entries.map(([k, x]) => `${indent}  ${IDENT.test(k) ? k : hclString(k)} = ${value(x, indent + "  ")}`).join("\n")}\n${indent}}`;
}

function body(out: string[], b: Record<string, unknown>, blocks: Record<string, BlockSpec>, indent: string): void {
  const { attrs, nested } = splitBody(b, blocks);
  const width = Math.max(0, ...attrs.map(([k]) => k.length));
  for (const [k, v] of attrs) out.push(`${indent}${k.padEnd(width)} = ${value(v, indent)}`);
  for (const [k, spec, v] of nested) {
    const inner = spec.blocks ?? {};
    if (spec.labelled) {
      for (const [label, bodyValue] of Object.entries(v as Record<string, unknown>)) {
        out.push(`${indent}${k} ${hclString(label)} {`);
        body(out, bodyValue as Record<string, unknown>, inner, indent + "  ");
        out.push(`${indent}}`);
      }
    } else {
      out.push(`${indent}${k} {`);
      body(out, v as Record<string, unknown>, inner, indent + "  ");
      out.push(`${indent}}`);
    }
  }
}

export function writeHcl(resources: readonly GeneratedResource[], header: string[] = []): string {
  const out: string[] = header.map((l) => `# ${l}`.trimEnd());
  for (const r of resources) {
    if (out.length) out.push("");
    for (const c of r.comments ?? []) out.push(`# ${c}`.trimEnd());
    out.push(`resource ${hclString(r.type)} ${hclString(r.name)} {`);
    body(out, r.body, r.blocks, "  ");
    out.push("}");
  }
  return out.join("\n") + "\n";
}
