// Renders diagnostics for people (snippet + caret line, Terraform-like), for tools (compact
// `file:line:col: error: ...`), and as JSON.
import kleur from "kleur";
import type { Diagnostic, Range } from "./diagnostic.js";

export interface RenderOptions {
  color: boolean;
  /** File contents by path, for snippets. */
  sources?: ReadonlyMap<string, string>;
}

function location(r: Range): string {
  return `${r.file}:${r.start.line}:${r.start.column}`;
}

/** One line per diagnostic: `file:line:col: error: summary: detail`. */
export function renderCompact(diags: readonly Diagnostic[]): string {
  return diags
    .map((d) => {
      const where = d.subject ? `${location(d.subject)}: ` : "";
      const detail = d.detail ? `: ${d.detail.replace(/\s*\n\s*/g, " ")}` : "";
      return `${where}${d.severity}: ${d.summary}${detail}`;
    })
    .join("\n");
}

export function renderJson(diags: readonly Diagnostic[]): object[] {
  return diags.map((d) => ({
    severity: d.severity,
    summary: d.summary,
    detail: d.detail ?? "",
    ...(d.address ? { address: d.address } : {}),
    ...(d.subject
      ? {
          range: {
            filename: d.subject.file,
            start: { line: d.subject.start.line, column: d.subject.start.column, byte: d.subject.start.offset },
            end: { line: d.subject.end.line, column: d.subject.end.column, byte: d.subject.end.offset },
          },
        }
      : {}),
  }));
}

/** Finds the name of the enclosing top-level block for the "in resource ..." part, from the source line. */
function enclosingBlock(lines: string[], lineIndex: number): string | undefined {
  for (let i = lineIndex; i >= 0; i--) {
    const m = /^(resource|variable|output|locals|proxmox|moved|import|data|module|backend|encryption)\b(.*?)\{?\s*$/.exec(lines[i] ?? "");
    if (m) return `${m[1]}${(m[2] ?? "").trimEnd()}`;
  }
  return undefined;
}

function snippet(d: Diagnostic, opts: RenderOptions): string[] {
  const r = d.subject;
  if (!r) return [];
  const src = opts.sources?.get(r.file);
  const out: string[] = [];
  if (src === undefined) {
    out.push(`  on ${r.file} line ${r.start.line}:`);
    return out;
  }
  const lines = src.split(/\r?\n/);
  const idx = r.start.line - 1;
  const text = lines[idx];
  const block = r.file.endsWith(".hcl") ? enclosingBlock(lines, idx) : undefined;
  out.push(`  on ${r.file} line ${r.start.line}${block ? `, in ${block}` : ""}:`);
  if (text === undefined) return out;
  const num = String(r.start.line);
  out.push(`  ${num}: ${text.replace(/\t/g, " ")}`);
  const startCol = Math.max(1, r.start.column);
  const endCol = r.end.line === r.start.line ? Math.max(startCol + 1, r.end.column) : text.length + 1;
  const carets = "^".repeat(Math.max(1, Math.min(endCol, text.length + 1) - startCol));
  out.push(`  ${" ".repeat(num.length)}  ${" ".repeat(startCol - 1)}${opts.color ? kleur.bold(carets) : carets}`);
  return out;
}

/** Terraform-style human rendering. */
export function renderHuman(diags: readonly Diagnostic[], opts: RenderOptions): string {
  const blocks: string[] = [];
  for (const d of diags) {
    const head = d.severity === "error" ? "Error" : "Warning";
    const colored = opts.color ? (d.severity === "error" ? kleur.red().bold(head) : kleur.yellow().bold(head)) : head;
    const lines = [`${colored}: ${opts.color ? kleur.bold(d.summary) : d.summary}`, ""];
    const snip = snippet(d, opts);
    if (snip.length) lines.push(...snip, "");
    if (d.detail) lines.push(...d.detail.split("\n"), "");
    blocks.push(lines.join("\n").trimEnd());
  }
  return blocks.join("\n\n");
}
