// The argument tables of docs/provider-lxc.md and docs/mounts-and-devices.md, rendered from the
// field tables into marked sections (scripts/gen-field-docs.ts writes them; a test fails when stale).
import type { Block, Change, Field } from "./types.js";
import { TOP, type TopField } from "./top.js";

const CHANGE: Record<Change, string> = {
  live: "in place",
  pending: "in place, **requires restart**",
  "add-live": "new: live; change or removal: restart",
  resize: "grow: `pct resize`",
  move: "`pct move-volume`",
  replace: "**replace**",
  migrate: "**migrate**",
  apply: "apply",
  computed: "computed",
};

const TYPE = (f: Field) => (f.type === "block" ? "block" : f.type === "size" ? "string (size)" : f.type);
const cell = (s: string) => s.replace(/\|/g, "\\|").replace(/\n/g, " ");
const pveOf = (f: Field, b?: Block) => (f.pve ? `\`${f.pve}\`` : b?.pve && f.attr === "storage" ? "(volume)" : "—");

function fieldTable(fields: readonly Field[], b?: Block): string[] {
  const rows = ["| Argument | Type | pct | Change | Notes |", "|---|---|---|---|---|"];
  for (const f of fields) {
    const block = (f as TopField).block;
    if (block) {
      const pct = block.pve ? (block.maxIndex !== undefined ? `\`${block.pve}N\`` : `\`${block.pve}\``) : "—";
      const where = LXC_DOC_BLOCKS.includes(block.name) ? "table below" : "[mounts-and-devices.md](mounts-and-devices.md)";
      rows.push(`| ${blockName(block)} | block | ${pct} | ${CHANGE[f.change]} | ${where}${f.noReset ? " (never reset)" : ""} |`);
      continue;
    }
    if (!f.schema && f.change !== "computed") continue;
    const name = f.schema ? `\`${f.attr}\`${f.required ? " (required)" : ""}` : `\`${f.attr}\` (computed)`;
    const flags = [f.sensitive ? "sensitive" : "", f.noReset && !b ? "never reset" : ""].filter(Boolean).join(", ");
    rows.push(`| ${name} | ${TYPE(f)} | ${pveOf(f, b)} | ${CHANGE[f.change]} | ${cell(f.doc)}${flags ? ` (${flags})` : ""} |`);
  }
  return rows;
}

/** Blocks documented in provider-lxc.md; mount, device and gpu are in mounts-and-devices.md. */
const LXC_DOC_BLOCKS = ["rootfs", "network", "features", "startup"];

const blockName = (b: Block) => (b.labelled ? `\`${b.name} "NAME" { ... }\`` : `\`${b.name} { ... }\``);

function blockSection(b: Block): string[] {
  const head = blockName(b);
  const key = b.pve ? (b.maxIndex !== undefined ? ` (pct keys \`${b.pve}0\`..\`${b.pve}${b.maxIndex}\`)` : ` (pct key \`${b.pve}\`)`) : "";
  return [`### ${head}${key}`, "", cell(b.doc), "", ...fieldTable(b.fields, b), ""];
}

/** The lxc_container section: top-level arguments, then the rootfs, network, features and startup blocks. */
export function lxcArgumentsDoc(): string {
  const out = fieldTable(TOP);
  out.push("");
  for (const name of LXC_DOC_BLOCKS) out.push(...blockSection(TOP.find((f) => f.attr === name)!.block!));
  return out.join("\n").trimEnd();
}

/** The mount, device and gpu blocks (docs/mounts-and-devices.md). */
export function mountArgumentsDoc(): string {
  const out: string[] = [];
  for (const name of ["mount", "device", "gpu"]) out.push(...blockSection(TOP.find((f) => f.attr === name)!.block!));
  return out.join("\n").trimEnd();
}

export const DOC_SECTIONS: { file: string; marker: string; render: () => string }[] = [
  { file: "docs/provider-lxc.md", marker: "lxc-arguments", render: lxcArgumentsDoc },
  { file: "docs/mounts-and-devices.md", marker: "mount-arguments", render: mountArgumentsDoc },
];

const begin = (m: string) => `<!-- generated:${m} (from providers/lxc/fields; npm run docs:fields) -->`;
const end = (m: string) => `<!-- end generated:${m} -->`;

/** `doc` with the marked section replaced by `body`; undefined when the markers are missing. */
export function withSection(doc: string, marker: string, body: string): string | undefined {
  const a = doc.indexOf(begin(marker));
  const z = doc.indexOf(end(marker));
  if (a < 0 || z < a) return undefined;
  return `${doc.slice(0, a)}${begin(marker)}\n${body}\n${doc.slice(z)}`;
}
