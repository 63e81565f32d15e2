// Structural comparison of attribute objects: which paths differ, and deep equality that treats
// Unknown as "different from everything known".
import { isUnknown, putKey } from "../config/value.js";
import type { Attrs, AttrPath } from "../provider/types.js";

/** Attributes that change on every write and mean nothing to the user. */
export const NOISE_KEYS = new Set(["digest"]);

export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (isUnknown(a) || isUnknown(b)) return false;
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    return a.every((x, i) => deepEqual(x, b[i]));
  }
  if (a && b && typeof a === "object" && typeof b === "object") {
    const ka = Object.keys(a).filter((k) => (a as Attrs)[k] !== undefined);
    const kb = Object.keys(b).filter((k) => (b as Attrs)[k] !== undefined);
    if (ka.length !== kb.length) return false;
    return ka.every((k) => deepEqual((a as Attrs)[k], (b as Attrs)[k]));
  }
  return false;
}

const isPlainObject = (v: unknown): v is Attrs => !!v && typeof v === "object" && !Array.isArray(v) && !isUnknown(v);

/** Paths (down to `depth` levels) whose values differ between two attribute objects. */
export function changedPaths(before: Attrs | null, after: Attrs | null, depth = 3, prefix: AttrPath = []): AttrPath[] {
  const out: AttrPath[] = [];
  const keys = new Set([...Object.keys(before ?? {}), ...Object.keys(after ?? {})]);
  for (const k of [...keys].sort()) {
    if (prefix.length === 0 && NOISE_KEYS.has(k)) continue;
    const a = before?.[k];
    const b = after?.[k];
    if (deepEqual(a, b)) continue;
    if (depth > 1 && isPlainObject(a) && isPlainObject(b)) out.push(...changedPaths(a, b, depth - 1, [...prefix, k]));
    else out.push([...prefix, k]);
  }
  return out;
}

/** Replaces every Unknown by null and returns the paths where they were. */
export function splitUnknown(v: unknown, prefix: AttrPath = []): { value: unknown; unknown: AttrPath[] } {
  if (isUnknown(v)) return { value: null, unknown: [prefix] };
  if (Array.isArray(v)) {
    const unknown: AttrPath[] = [];
    const value = v.map((x, i) => {
      const r = splitUnknown(x, [...prefix, i]);
      unknown.push(...r.unknown);
      return r.value;
    });
    return { value, unknown };
  }
  if (isPlainObject(v)) {
    const unknown: AttrPath[] = [];
    const value: Attrs = {};
    for (const [k, x] of Object.entries(v)) {
      const r = splitUnknown(x, [...prefix, k]);
      unknown.push(...r.unknown);
      putKey(value, k, r.value);
    }
    return { value, unknown };
  }
  return { value: v, unknown: [] };
}

/** A copy of `attrs` with the values at `paths` replaced by null (for secrets in files and output). */
export function redactPaths(attrs: Attrs, paths: readonly AttrPath[]): Attrs {
  if (!paths.length) return attrs;
  const copy = JSON.parse(JSON.stringify(attrs)) as Attrs;
  for (const p of paths) {
    let cur: unknown = copy;
    for (let i = 0; i < p.length - 1; i++) cur = cur && typeof cur === "object" ? (cur as Record<string | number, unknown>)[p[i]!] : undefined;
    const last = p[p.length - 1];
    if (cur && typeof cur === "object" && last !== undefined && last in cur) (cur as Record<string | number, unknown>)[last] = null;
  }
  return copy;
}

export function getPath(attrs: unknown, path: AttrPath): unknown {
  let cur = attrs;
  for (const seg of path) cur = cur && typeof cur === "object" ? (cur as Record<string | number, unknown>)[seg] : undefined;
  return cur;
}
