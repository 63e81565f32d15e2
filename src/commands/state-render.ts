// Renders one state resource as HCL-like text (for `show` and `state show`), secrets hidden.
import kleur from "kleur";
import { redactPaths } from "../plan/attr-diff.js";
import type { ProviderRegistry } from "../provider/registry.js";
import type { BlockSpec } from "../provider/types.js";
import { formatValue } from "../plan/render.js";
import type { StateResource } from "../state/types.js";

const HIDDEN = new Set(["managed_keys", "digest"]);

function body(attrs: Record<string, unknown>, blocks: Record<string, BlockSpec>, indent: string, hidden: ReadonlySet<string> = HIDDEN): string[] {
  const lines: string[] = [];
  const keys = Object.keys(attrs)
    .filter((k) => attrs[k] !== undefined && attrs[k] !== null && !hidden.has(k))
    .sort();
  const plain = keys.filter((k) => !blocks[k]);
  const w = Math.max(0, ...plain.map((k) => k.length));
  for (const k of plain) lines.push(`${indent}${k.padEnd(w)} = ${formatValue(attrs[k], indent)}`);
  for (const k of keys.filter((x) => blocks[x])) {
    const spec = blocks[k]!;
    const v = attrs[k] as Record<string, unknown>;
    const entries = spec.labelled ? Object.entries(v) : [[undefined, v] as const];
    for (const [label, inner] of entries) {
      lines.push(`${indent}${k}${label !== undefined ? ` ${JSON.stringify(label)}` : ""} {`);
      lines.push(...body((inner ?? {}) as Record<string, unknown>, spec.blocks ?? {}, indent + "    "));
      lines.push(`${indent}}`);
    }
  }
  return lines;
}

export function renderStateResource(r: StateResource, registry: ProviderRegistry, color: boolean): string {
  const attrs = redactPaths(r.attributes, r.sensitive_attributes);
  for (const p of r.sensitive_attributes) if (p.length === 1 && attrs[String(p[0])] === null && p[0] !== undefined) attrs[String(p[0])] = "(sensitive value)";
  const head = `# ${r.address}:`;
  return [
    color ? kleur.bold(head) : head,
    `resource ${JSON.stringify(r.type)} ${JSON.stringify(r.name)} {`,
    ...body(attrs, registry.resourceType(r.type)?.blocks ?? {}, "    ", new Set([...HIDDEN, ...(registry.resourceType(r.type)?.hiddenAttributes ?? [])])),
    "}",
  ].join("\n");
}
