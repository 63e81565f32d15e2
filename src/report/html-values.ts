// One change's attributes as table rows: before and after per leaf path, "(sensitive value)"
// where a sensitive mirror marks the path, "(known after apply)" where after_unknown does, and
// the reasons (forces replacement, requires restart) beside the attribute they are about.
import { esc } from "./html-escape.js";
import { actionKind, type Mirror, type ResourceChangeDoc } from "./plan-doc.js";

type Path = (string | number)[];

interface Leaf {
  path: Path;
  before: unknown;
  after: unknown;
  beforeSensitive: boolean;
  afterSensitive: boolean;
  afterUnknown: boolean;
}

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === "object" && !Array.isArray(v);

/** Whether the mirror is true at the path or at a prefix of it (a sensitive block hides all it holds). */
function marked(m: Mirror | undefined, path: Path): boolean {
  let cur: Mirror | undefined = m;
  for (const k of path) {
    if (cur === true) return true;
    if (Array.isArray(cur) && typeof k === "number") cur = cur[k];
    else if (cur && typeof cur === "object" && !Array.isArray(cur)) cur = Object.hasOwn(cur, k) ? cur[String(k)] : undefined;
    else return false;
  }
  return cur === true || (cur !== undefined && cur !== false && typeof cur === "object" && containsTrue(cur));
}

function containsTrue(m: Mirror): boolean {
  if (m === true) return true;
  if (Array.isArray(m)) return m.some(containsTrue);
  if (m && typeof m === "object") return Object.values(m).some(containsTrue);
  return false;
}

function at(value: unknown, path: Path): unknown {
  let cur = value;
  for (const k of path) {
    if (Array.isArray(cur) && typeof k === "number") cur = cur[k];
    else if (isObject(cur) && Object.hasOwn(cur, k)) cur = cur[String(k)];
    else return undefined;
  }
  return cur;
}

/** Leaf paths of both sides: objects are walked, lists of objects (blocks) too; other lists are one value. */
function leafPaths(a: unknown, b: unknown, prefix: Path, out: Path[]): void {
  if (isObject(a) || isObject(b)) {
    const keys = new Set([...Object.keys(isObject(a) ? a : {}), ...Object.keys(isObject(b) ? b : {})]);
    for (const k of [...keys].sort()) leafPaths(isObject(a) ? a[k] : undefined, isObject(b) ? b[k] : undefined, [...prefix, k], out);
    return;
  }
  const blocks = (v: unknown) => Array.isArray(v) && v.length > 0 && v.every(isObject);
  if (blocks(a) || blocks(b)) {
    const n = Math.max(Array.isArray(a) ? a.length : 0, Array.isArray(b) ? b.length : 0);
    for (let i = 0; i < n; i++) leafPaths(Array.isArray(a) ? a[i] : undefined, Array.isArray(b) ? b[i] : undefined, [...prefix, i], out);
    return;
  }
  out.push(prefix);
}

function leaves(c: ResourceChangeDoc): Leaf[] {
  const { before, after, after_unknown, before_sensitive, after_sensitive } = c.change;
  const paths: Path[] = [];
  leafPaths(before, after, [], paths);
  // An unknown value is left out of `after`; its path is only in the mirror.
  const unknownPaths: Path[] = [];
  leafPaths(after_unknown === false ? undefined : after_unknown, undefined, [], unknownPaths);
  for (const p of unknownPaths) if (p.length && !paths.some((q) => JSON.stringify(q) === JSON.stringify(p))) paths.push(p);
  return paths
    .filter((p) => p.length > 0)
    .map((path) => ({
      path,
      before: before === null ? undefined : at(before, path),
      after: after === null ? undefined : at(after, path),
      beforeSensitive: marked(before_sensitive, path),
      afterSensitive: marked(after_sensitive, path),
      afterUnknown: marked(after_unknown, path),
    }));
}

function show(value: unknown, sensitive: boolean, unknown = false): string {
  if (sensitive) return '<span class="sensitive">(sensitive value)</span>';
  if (unknown) return '<span class="unknown">(known after apply)</span>';
  if (value === undefined || value === null) return '<span class="null">null</span>';
  return `<code>${esc(JSON.stringify(value))}</code>`;
}

const pathText = (p: Path) =>
  p
    .map((k) => (typeof k === "number" ? `[${k}]` : k))
    .join(".")
    .replace(/\.\[/g, "[");

/** Rows for the attributes that change (every attribute for a create or a destroy). */
export function attributeRows(c: ResourceChangeDoc): string {
  const kind = actionKind(c.change.actions);
  const reasons = new Map<string, string[]>();
  for (const r of c.reasons ?? []) {
    const key = r.path.join(".");
    reasons.set(key, [...(reasons.get(key) ?? []), r.reason]);
  }
  const rows: string[] = [];
  let unchanged = 0;
  const all = leaves(c);
  for (const l of all) {
    const key = l.path.join(".");
    const same = !l.afterUnknown && l.beforeSensitive === l.afterSensitive && JSON.stringify(l.before) === JSON.stringify(l.after);
    const why = reasons.get(key) ?? [];
    if (same && (kind === "update" || kind === "replace" || kind === "no-op") && !why.length) {
      unchanged++;
      continue;
    }
    const badges = why.map((w) => `<span class="badge reason">${esc(w)}</span>`).join(" ");
    rows.push(
      `<tr><th scope="row">${esc(pathText(l.path))}</th>` +
        `<td>${kind === "create" ? "" : show(l.before, l.beforeSensitive)}</td>` +
        `<td>${kind === "delete" ? "" : show(l.after, l.afterSensitive, l.afterUnknown)}</td><td>${badges}</td></tr>`,
    );
  }
  // Reasons about a whole block or the whole resource have no leaf row of their own.
  for (const [key, why] of reasons) {
    if (all.some((l) => l.path.join(".") === key)) continue;
    rows.push(`<tr><th scope="row">${esc(key || "(resource)")}</th><td></td><td></td><td>${why.map((w) => `<span class="badge reason">${esc(w)}</span>`).join(" ")}</td></tr>`);
  }
  if (unchanged) rows.push(`<tr class="muted"><td colspan="4">${unchanged} unchanged attribute${unchanged === 1 ? "" : "s"} hidden</td></tr>`);
  return rows.join("");
}

/** An output's value, hidden when sensitive. */
export function outputValue(value: unknown, sensitive: boolean, unknown: boolean): string {
  return show(value, sensitive, unknown);
}
