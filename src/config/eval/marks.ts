// Helpers for the two value marks (Unknown, Sensitive) and for building objects safely:
// peeling marks off operands, re-applying them to results, and deep equality.
import { Sensitive, Unknown, containsSensitive, containsUnknown, isObjectValue, putKey, unmark } from "../value.js";
import type { Value } from "../value.js";

/** Removes a top-level Sensitive mark, reporting whether there was one. */
export function peel(v: Value): { value: Value; sensitive: boolean } {
  let sensitive = false;
  while (v instanceof Sensitive) {
    sensitive = true;
    v = v.value;
  }
  return { value: v, sensitive };
}

/** Wraps in Sensitive when asked, without double-wrapping. */
export function markIf(v: Value, sensitive: boolean): Value {
  if (!sensitive || v instanceof Sensitive) return v;
  return new Sensitive(v);
}

/** Strips every mark deeply and tells whether any part was sensitive / unknown. */
export function flatten(v: Value): { value: Value; sensitive: boolean; unknown: boolean } {
  return { value: unmark(v), sensitive: containsSensitive(v), unknown: containsUnknown(v) };
}

/** An object with no prototype surprises: keys like `__proto__` become ordinary entries. */
export function setKey(obj: { [key: string]: Value }, key: string, value: Value): void {
  putKey(obj, key, value);
}

export function objectFrom(entries: Iterable<[string, Value]>): { [key: string]: Value } {
  const out: { [key: string]: Value } = {};
  for (const [k, v] of entries) setKey(out, k, v);
  return out;
}

/** Keys in Terraform's iteration order for maps and objects: lexical by code unit. */
export function sortedKeys(obj: { [key: string]: Value }): string[] {
  return Object.keys(obj).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

/**
 * Deep equality on unmarked, fully known values. Numbers compare by value, lists by element,
 * objects by key set and values.
 */
export function deepEqual(a: Value, b: Value): boolean {
  if (a === b) return true;
  if (a instanceof Sensitive) return deepEqual(a.value, b);
  if (b instanceof Sensitive) return deepEqual(a, b.value);
  if (a instanceof Unknown || b instanceof Unknown) return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    return a.every((x, i) => deepEqual(x, b[i] as Value));
  }
  if (isObjectValue(a)) {
    if (!isObjectValue(b)) return false;
    const ka = Object.keys(a);
    if (ka.length !== Object.keys(b).length) return false;
    return ka.every((k) => Object.prototype.hasOwnProperty.call(b, k) && deepEqual(a[k] as Value, b[k] as Value));
  }
  return false;
}

/** The Unknown type hint that best describes a value's shape ("list" for tuples, "map" for objects). */
export function unknownHint(v: Value): string {
  if (v instanceof Unknown) return v.type;
  if (v instanceof Sensitive) return unknownHint(v.value);
  if (v === null) return "any";
  if (Array.isArray(v)) return "list";
  if (typeof v === "object") return "map";
  if (typeof v === "boolean") return "bool";
  return typeof v;
}

/** Number → string the way HCL prints numbers: integers without exponent, no trailing zeros. */
export function numberToString(n: number): string {
  if (Number.isInteger(n) && Math.abs(n) < 1e21) return n.toFixed(0).replace(/^-0$/, "0");
  if (!Number.isFinite(n)) return n > 0 ? "+Inf" : n < 0 ? "-Inf" : "NaN";
  const s = String(tidyNumber(n));
  if (!/e/i.test(s)) return s;
  // Expand exponents so that string round trips look like Terraform's (no "1e-7").
  const exp = Number(s.split(/e/i)[1]);
  return exp < 0
    ? n
        .toFixed(Math.min(100, -exp + 16))
        .replace(/0+$/, "")
        .replace(/\.$/, "")
    : s;
}

/**
 * Rounds a fractional result to 15 significant digits, so that decimal arithmetic looks like
 * Terraform's arbitrary-precision numbers (0.1 + 0.2 is 0.3, not 0.30000000000000004).
 */
export function tidyNumber(n: number): number {
  if (Number.isInteger(n) || !Number.isFinite(n)) return n;
  return Number(n.toPrecision(15));
}

/** Splits a string into user-perceived characters (grapheme clusters), as Terraform counts them. */
let segmenter: Intl.Segmenter | undefined;
export function graphemes(s: string): string[] {
  // Created on first use: building it loads ICU's break data (~20 ms of every command's start-up).
  segmenter ??= new Intl.Segmenter(undefined, { granularity: "grapheme" });
  // V8's segment iterator is quadratic in the string's length (100,000 characters: 8 s; a 1 MB
  // string: minutes), so long strings are cut into pieces at places that are always a grapheme
  // boundary — between two ASCII characters other than CR LF (UAX #29: GB3, GB999) — and each
  // piece is segmented on its own.
  if (s.length <= GRAPHEME_PIECE) return Array.from(segmenter.segment(s), (x) => x.segment);
  const out: string[] = [];
  let from = 0;
  while (from < s.length) {
    let cut = Math.min(s.length, from + GRAPHEME_PIECE);
    while (cut < s.length && !(s.charCodeAt(cut - 1) < 128 && s.charCodeAt(cut) < 128 && !(s.charCodeAt(cut - 1) === 13 && s.charCodeAt(cut) === 10))) cut++;
    const piece = s.slice(from, cut);
    // ASCII without CR: one grapheme per character, no segmenter needed.
    if (ASCII_NO_CR.test(piece)) for (let i = 0; i < piece.length; i++) out.push(piece[i]!);
    else for (const x of segmenter.segment(piece)) out.push(x.segment);
    from = cut;
  }
  return out;
}
const GRAPHEME_PIECE = 256;
const ASCII_NO_CR = /^[\0-\x0c\x0e-\x7f]*$/;

/** Parses a string as a number the way HCL converts strings (decimal, optional sign and exponent). */
export function parseNumber(s: string): number | undefined {
  if (!/^[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?$/.test(s)) return undefined;
  const n = Number(s);
  return Number.isFinite(n) ? n : undefined;
}
