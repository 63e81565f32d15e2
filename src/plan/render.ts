// Human rendering of plans in Terraform's vocabulary: symbols, "# ... will be created",
// attribute lines with "->", "(known after apply)", "(sensitive value)", reasons such as
// "# forces replacement", and the closing "Plan: N to add, N to change, N to destroy." line.
import kleur from "kleur";
import { isUnknown } from "../config/value.js";
import type { Change, DriftEntry, OutputChange } from "./change.js";
import { deepEqual } from "./attr-diff.js";
import type { Attrs, AttrPath, BlockSpec } from "../provider/types.js";

export interface RenderContext {
  color: boolean;
  /** Nested block structure per resource type, so blocks render as blocks. */
  blocksOf(type: string): Record<string, BlockSpec>;
  /** Top-level bookkeeping attributes of a type that are never shown. */
  hiddenOf?(type: string): readonly string[];
  /** How the plan names an object ("vmid 105 on pve1"), from its type's identity hooks. */
  describeObject?(type: string, attrs: Attrs): string;
}

type Sym = "+" | "-" | "~" | " " | "-/+" | "+/-";

const SENSITIVE = "(sensitive value)";
const KNOWN_AFTER = "(known after apply)";
const HIDDEN_KEYS: ReadonlySet<string> = new Set(["digest"]);

function paint(ctx: RenderContext, sym: Sym, text: string): string {
  if (!ctx.color) return text;
  if (sym === "+") return kleur.green(text);
  if (sym === "-") return kleur.red(text);
  if (sym === "~") return kleur.yellow(text);
  if (sym === "-/+" || sym === "+/-") return kleur.magenta(text);
  return text;
}

function isPlainObject(v: unknown): v is Attrs {
  return !!v && typeof v === "object" && !Array.isArray(v) && !isUnknown(v);
}

function pathKey(p: AttrPath): string {
  return JSON.stringify(p);
}

/** Whether p or a part of it is sensitive: a list or map holding one sensitive element is shown whole as sensitive. */
function inPaths(paths: Set<string>, p: AttrPath): boolean {
  for (let n = p.length; n > 0; n--) if (paths.has(pathKey(p.slice(0, n)))) return true;
  const inside = pathKey(p).slice(0, -1) + ",";
  for (const k of paths) if (k.startsWith(inside)) return true;
  return false;
}

export function formatValue(v: unknown, indent: string): string {
  if (isUnknown(v)) return KNOWN_AFTER;
  if (v === null || v === undefined) return "null";
  if (typeof v === "string") {
    if (v.includes("\n")) {
      const body = v
        .replace(/\n$/, "")
        .split("\n")
        .map((l) => `${indent}    ${l}`)
        .join("\n");
      return `<<-EOT\n${body}\n${indent}EOT`;
    }
    return JSON.stringify(v);
  }
  if (typeof v === "number" || typeof v === "boolean") return String(v);
  if (Array.isArray(v)) {
    if (v.length === 0) return "[]";
    const inner = v.map((x) => formatValue(x, indent + "    "));
    if (inner.join(", ").length < 60 && !inner.some((s) => s.includes("\n"))) return `[${inner.join(", ")}]`;
    return `[\n${inner.map((s) => `${indent}    ${s},`).join("\n")}\n${indent}]`;
  }
  if (isPlainObject(v)) {
    const keys = Object.keys(v)
      .filter((k) => v[k] !== undefined)
      .sort();
    if (!keys.length) return "{}";
    const w = Math.max(...keys.map((k) => quoteKey(k).length));
    return `{\n${keys.map((k) => `${indent}    ${quoteKey(k).padEnd(w)} = ${formatValue(v[k], indent + "    ")}`).join("\n")}\n${indent}}`;
  }
  return String(v);
}

function quoteKey(k: string): string {
  return /^[A-Za-z_][A-Za-z0-9_-]*$/.test(k) ? k : JSON.stringify(k);
}

interface Ann {
  sensitive: Set<string>;
  unknown: Set<string>;
  reasons: Map<string, string>;
}

/** Renders the body of a resource: attribute lines, then nested blocks, comparing before/after. */
function renderBody(
  ctx: RenderContext,
  before: Attrs | null,
  after: Attrs | null,
  blocks: Record<string, BlockSpec>,
  ann: Ann,
  path: AttrPath,
  indent: string,
  mode: "create" | "delete" | "update",
  hidden: ReadonlySet<string> = HIDDEN_KEYS,
): string[] {
  const lines: string[] = [];
  const keys = [...new Set([...Object.keys(before ?? {}), ...Object.keys(after ?? {})])].filter((k) => !hidden.has(k)).sort();
  const attrKeys = keys.filter((k) => !blocks[k]);
  const blockKeys = keys.filter((k) => blocks[k]);
  let unchanged = 0;
  let unchangedBlocks = 0;
  const rows: { sym: Sym; key: string; text: string }[] = [];
  for (const k of attrKeys) {
    const p = [...path, k];
    const a = before?.[k];
    const b = after?.[k];
    const sens = inPaths(ann.sensitive, p);
    const show = (v: unknown): string => (sens && v !== undefined && v !== null ? SENSITIVE : formatValue(v, indent + "    "));
    const reason = ann.reasons.get(pathKey(p));
    const suffix = reason ? paint(ctx, reason === "forces replacement" ? "-" : "~", ` # ${reason}`) : "";
    if (mode === "create") {
      if (b === undefined || b === null) continue;
      rows.push({ sym: "+", key: k, text: show(b) + suffix });
    } else if (mode === "delete") {
      if (a === undefined || a === null) continue;
      rows.push({ sym: "-", key: k, text: show(a) + " -> null" });
    } else if (deepEqual(a, b) && !reason) {
      unchanged++;
    } else if (a === undefined || a === null) {
      if (b === undefined || b === null) continue;
      rows.push({ sym: "+", key: k, text: show(b) + suffix });
    } else if (b === undefined || b === null) {
      rows.push({ sym: "-", key: k, text: show(a) + " -> null" + suffix });
    } else {
      rows.push({ sym: "~", key: k, text: `${show(a)} -> ${show(b)}${suffix}` });
    }
  }
  const width = Math.max(0, ...rows.map((r) => quoteKey(r.key).length));
  for (const r of rows) lines.push(`${indent}${paint(ctx, r.sym, r.sym)} ${quoteKey(r.key).padEnd(width)} = ${r.text}`);
  if (unchanged && mode === "update") lines.push(hiddenCount(ctx, indent, unchanged, "attribute"));
  for (const k of blockKeys) {
    const spec = blocks[k]!;
    const a = before?.[k];
    const b = after?.[k];
    const entries: [string | undefined, unknown, unknown][] = [];
    if (spec.labelled) {
      const labels = [...new Set([...Object.keys(isPlainObject(a) ? a : {}), ...Object.keys(isPlainObject(b) ? b : {})])].sort();
      for (const l of labels) entries.push([l, isPlainObject(a) ? a[l] : undefined, isPlainObject(b) ? b[l] : undefined]);
    } else entries.push([undefined, a, b]);
    for (const [label, ba, bb] of entries) {
      const p = label === undefined ? [...path, k] : [...path, k, label];
      const hasA = isPlainObject(ba);
      const hasB = isPlainObject(bb);
      if (!hasA && !hasB) continue;
      let sym: Sym;
      let sub: "create" | "delete" | "update";
      if (mode !== "update") {
        sym = mode === "create" ? "+" : "-";
        sub = mode;
      } else if (!hasA) {
        sym = "+";
        sub = "create";
      } else if (!hasB) {
        sym = "-";
        sub = "delete";
      } else if (deepEqual(ba, bb) && ![...ann.reasons.keys()].some((r) => r.startsWith(pathKey(p).slice(0, -1)))) {
        unchangedBlocks++;
        continue;
      } else {
        sym = "~";
        sub = "update";
      }
      const inner = renderBody(ctx, hasA ? ba : null, hasB ? bb : null, spec.blocks ?? {}, ann, p, indent + "    ", sub);
      const reason = ann.reasons.get(pathKey(p)) ?? (label !== undefined ? undefined : undefined);
      const suffix = reason ? paint(ctx, reason === "forces replacement" ? "-" : "~", ` # ${reason}`) : "";
      lines.push(`${indent}${paint(ctx, sym, sym)} ${k}${label !== undefined ? ` ${JSON.stringify(label)}` : ""} {${suffix}`);
      lines.push(...inner);
      lines.push(`${indent}  }`);
    }
  }
  if (unchangedBlocks && mode === "update") {
    if (lines.length) lines.push("");
    lines.push(hiddenCount(ctx, indent, unchangedBlocks, "block"));
  }
  return lines;
}

/** Terraform's "# (3 unchanged attributes hidden)" / "# (1 unchanged block hidden)" line. */
function hiddenCount(ctx: RenderContext, indent: string, n: number, what: "attribute" | "block"): string {
  const text = `# (${n} unchanged ${what}${n === 1 ? "" : "s"} hidden)`;
  return `${indent}  ${ctx.color ? kleur.gray(text) : text}`;
}

function annotations(c: Change): Ann {
  const ann: Ann = { sensitive: new Set(c.sensitivePaths.map(pathKey)), unknown: new Set(c.afterUnknown.map(pathKey)), reasons: new Map() };
  for (const r of c.reasons) ann.reasons.set(pathKey(r.path), r.reason);
  return ann;
}

function header(c: Change, ctx: RenderContext): { sym: Sym; text: string } {
  switch (c.action) {
    case "create":
      return { sym: "+", text: `# ${c.address} will be created` };
    case "delete":
      if (c.deposedKey)
        return {
          sym: "-",
          text: `# ${c.address} (deposed object ${c.deposedKey}) will be destroyed\n  # (left by an interrupted create_before_destroy replacement: ${ctx.describeObject?.(c.type, c.before ?? {}) ?? "no id recorded"})`,
        };
      return { sym: "-", text: `# ${c.address} will be destroyed${c.deleteReason && c.deleteReason !== "destroy" ? `\n  # (because ${c.address} is ${c.deleteReason})` : ""}` };
    case "replace": {
      // Terraform's wording: asked for (-replace), triggered, or forced by the change itself.
      const how =
        c.replaceCause === "requested" ? "will be replaced, as requested" : c.replaceCause === "replace_triggered_by" ? "will be replaced due to changes in replace_triggered_by" : "must be replaced";
      return { sym: c.createBeforeDestroy ? "+/-" : "-/+", text: `# ${c.address} ${how}` };
    }
    case "update":
      return { sym: "~", text: `# ${c.address} will be updated in-place` };
    default:
      return { sym: " ", text: `# ${c.address}` };
  }
}

/** The NAME of `resource "TYPE" "NAME"`: the last step of the declaration address (after any module path). */
function resourceName(c: Change): string {
  return c.decl.slice(c.decl.lastIndexOf(".") + 1).replace(/\[.*$/, "");
}

export function renderChange(c: Change, ctx: RenderContext): string {
  const h = header(c, ctx);
  const lines: string[] = [];
  if (c.movedFrom) lines.push(`  # ${c.movedFrom} has moved to ${c.address}`);
  if (c.importId !== undefined && c.action === "no-op") {
    lines.push(`  ${ctx.color ? kleur.bold(`# ${c.address} will be imported`) : `# ${c.address} will be imported`}`);
    lines.push(`    resource ${JSON.stringify(c.type)} ${JSON.stringify(resourceName(c))} {`);
    const hidden = new Set([...HIDDEN_KEYS, ...(ctx.hiddenOf?.(c.type) ?? [])]);
    lines.push(...renderBody(ctx, c.before, c.after, ctx.blocksOf(c.type), annotations(c), [], "      ", "create", hidden).map((l) => l.replace(/^(\s*)\+ /, "$1  ")));
    lines.push("    }");
    return lines.join("\n");
  }
  if (c.importId !== undefined) lines.push(`  # (imported from ${JSON.stringify(c.importId)})`);
  if (c.action === "no-op") {
    if (!c.movedFrom) return "";
    lines.push(
      `    resource ${JSON.stringify(c.type)} ${JSON.stringify(resourceName(c) + (c.address.startsWith(c.decl) ? c.address.slice(c.decl.length) : ""))} {`,
      "        # (no attribute changes)",
      "    }",
    );
    return lines.join("\n");
  }
  lines.push(`  ${ctx.color ? kleur.bold(h.text) : h.text}`);
  const name = resourceName(c);
  const symText = h.sym.length === 1 ? `  ${h.sym}` : h.sym;
  lines.push(`${paint(ctx, h.sym, symText)} resource ${JSON.stringify(c.type)} ${JSON.stringify(name)} {`);
  const mode = c.action === "create" ? "create" : c.action === "delete" ? "delete" : "update";
  const hidden = new Set([...HIDDEN_KEYS, ...(ctx.hiddenOf?.(c.type) ?? [])]);
  lines.push(...renderBody(ctx, mode === "create" ? null : c.before, mode === "delete" ? null : c.after, ctx.blocksOf(c.type), annotations(c), [], "      ", mode, hidden));
  lines.push("    }");
  for (const n of c.notes) lines.push(`    ${paint(ctx, "~", `# ${n}`)}`);
  return lines.join("\n");
}

export function summaryCounts(changes: readonly Change[]): { import: number; add: number; change: number; destroy: number } {
  let imported = 0,
    add = 0,
    change = 0,
    destroy = 0;
  for (const c of changes) {
    if (c.importId !== undefined) imported++;
    if (c.action === "create") add++;
    else if (c.action === "update") change++;
    else if (c.action === "delete") destroy++;
    else if (c.action === "replace") {
      add++;
      destroy++;
    }
  }
  return { import: imported, add, change, destroy };
}

export function renderDrift(drift: readonly DriftEntry[], ctx: RenderContext): string {
  if (!drift.length) return "";
  const out = [
    ctx.color ? kleur.bold("Note: Objects have changed outside pmxform") : "Note: Objects have changed outside pmxform",
    "",
    'pmxform detected the following changes made outside of pmxform since the last "pmxform apply":',
    "",
  ];
  for (const d of drift) {
    if (d.kind === "deleted") {
      out.push(`  # ${d.address} has been deleted`, `  - resource (was vmid ${String(d.before["vmid"] ?? "?")} on ${String(d.before["node"] ?? "?")})`, "");
      continue;
    }
    out.push(`  # ${d.address} has changed`);
    for (const p of d.paths) {
      const a = p.reduce<unknown>((o, k) => (o && typeof o === "object" ? (o as Record<string | number, unknown>)[k] : undefined), d.before);
      const b = p.reduce<unknown>((o, k) => (o && typeof o === "object" ? (o as Record<string | number, unknown>)[k] : undefined), d.after);
      out.push(`  ${paint(ctx, "~", "~")} ${p.join(".")}: ${formatValue(a ?? null, "    ")} -> ${formatValue(b ?? null, "    ")}`);
    }
    out.push("");
  }
  out.push(
    "Unless you have made equivalent changes to your configuration, or ignored the relevant attributes using ignore_changes, the following plan may include actions to undo or respond to these changes.",
    "",
  );
  return out.join("\n");
}

/** The "Changes to Outputs:" lines, one per output, Terraform's way. */
function renderOutputChanges(outputs: readonly OutputChange[], ctx: RenderContext): string[] {
  const sym: Record<OutputChange["action"], Sym> = { create: "+", update: "~", delete: "-" };
  const w = Math.max(...outputs.map((o) => o.name.length));
  const show = (v: unknown, o: OutputChange): string => (o.sensitive ? SENSITIVE : formatValue(v, "  "));
  return outputs.map((o) => {
    const value = o.action === "create" ? show(o.after, o) : o.action === "delete" ? `${show(o.before, o)} -> null` : o.sensitive ? SENSITIVE : `${show(o.before, o)} -> ${show(o.after, o)}`;
    return `  ${paint(ctx, sym[o.action], sym[o.action])} ${o.name.padEnd(w)} = ${value}`;
  });
}

export function renderPlan(changes: readonly Change[], drift: readonly DriftEntry[], ctx: RenderContext, opts: { refreshOnly?: boolean; outputs?: readonly OutputChange[] } = {}): string {
  const out: string[] = [];
  const driftText = renderDrift(drift, ctx);
  if (driftText) out.push(driftText);
  const actionable = changes.filter((c) => c.action !== "no-op" || c.movedFrom || c.importId !== undefined).sort((a, b) => (a.address < b.address ? -1 : a.address > b.address ? 1 : 0));
  if (opts.refreshOnly) {
    out.push(
      drift.length
        ? "This is a refresh-only plan, so pmxform will not take any actions to undo these. If you were expecting these changes then you can apply this plan to record the updated values in the pmxform state without changing any remote objects."
        : "No changes. Your infrastructure still matches the configuration.",
    );
    return out.join("\n") + "\n";
  }
  const outputs = opts.outputs ?? [];
  const outputLines = outputs.length ? ["Changes to Outputs:", ...renderOutputChanges(outputs, ctx)] : [];
  if (!changes.some((c) => c.action !== "no-op" || c.movedFrom || c.importId !== undefined)) {
    if (outputLines.length) {
      out.push(...outputLines, "", "You can apply this plan to save these new output values to the pmxform state, without changing any real infrastructure.");
      return out.join("\n") + "\n";
    }
    out.push(ctx.color ? kleur.green().bold("No changes.") + kleur.bold(" Your infrastructure matches the configuration.") : "No changes. Your infrastructure matches the configuration.");
    out.push("", "pmxform has compared your real infrastructure against your configuration and found no differences, so no changes are needed.");
    return out.join("\n") + "\n";
  }
  const used = new Set(actionable.map((c) => c.action));
  out.push("pmxform used the selected nodes to generate the following execution plan. Resource actions are indicated with the following symbols:");
  if (used.has("create")) out.push(`  ${paint(ctx, "+", "+")} create`);
  if (used.has("update")) out.push(`  ${paint(ctx, "~", "~")} update in-place`);
  if (used.has("delete")) out.push(`  ${paint(ctx, "-", "-")} destroy`);
  const replaces = actionable.filter((c) => c.action === "replace");
  if (replaces.some((c) => !c.createBeforeDestroy)) out.push(`${paint(ctx, "-/+", "-/+")} destroy and then create replacement`);
  if (replaces.some((c) => c.createBeforeDestroy)) out.push(`${paint(ctx, "+/-", "+/-")} create replacement and then destroy`);
  out.push("", "pmxform will perform the following actions:", "");
  const deletedOutside = new Set(drift.filter((d) => d.kind === "deleted").map((d) => d.address));
  for (const c of actionable) {
    let r = renderChange(c, ctx);
    // Say why something that existed is created again.
    if (r && c.action === "create" && deletedOutside.has(c.address)) r = r.replace(/\n/, `\n  # (it was deleted outside pmxform)\n`);
    if (r) out.push(r, "");
  }
  const n = summaryCounts(changes);
  const line = `Plan: ${n.import ? `${n.import} to import, ` : ""}${n.add} to add, ${n.change} to change, ${n.destroy} to destroy.`;
  out.push(ctx.color ? kleur.bold(line) : line);
  if (outputLines.length) out.push("", ...outputLines);
  const deletions = renderVolumeDeletions(actionable, ctx);
  if (deletions.length) out.push("", ...deletions);
  return out.join("\n") + "\n";
}

/**
 * The plan's last section: every volume with data that applying it deletes, whatever the change
 * (a removed mount, a replacement, a destroy), so deleting data is never a line lost in a diff.
 */
export function renderVolumeDeletions(changes: readonly Change[], ctx: RenderContext): string[] {
  const rows = changes.flatMap((c) => (c.volumeDeletions ?? []).map((d) => ({ address: c.address, ...d })));
  if (!rows.length) return [];
  const loud = (t: string) => (ctx.color ? kleur.red().bold(t) : t);
  const out = [loud(`Warning: applying this plan deletes ${rows.length === 1 ? "a volume" : `${rows.length} volumes`} and all data on ${rows.length === 1 ? "it" : "them"}:`), ""];
  for (const r of rows) {
    out.push(`  ${paint(ctx, "-", "-")} ${r.volume}${r.size ? ` (${r.size})` : ""} of ${r.address}: ${r.reason}`);
    if (r.when) out.push(`      deleted ${r.when}`);
  }
  out.push("", loud("This cannot be undone."));
  return out;
}
