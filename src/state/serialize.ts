// The state file's text (2-space JSON, fixed top-level key order), built from per-resource texts
// kept between saves: an apply changes one resource per save, so re-stringifying the other
// thousands (most of a save's time) is avoided. Byte-identical to `serializeState`.

import type { StateFile } from "./types.js";

/** The reference serialisation: the documented format, without the trailing newline. */
export function serializeState(state: StateFile, serial: number): string {
  return JSON.stringify(topLevel(state, serial), null, 2);
}

/**
 * A serialisation in pieces of UTF-8: `Buffer.concat(pieces)` is the text `serializeState` gives.
 * Bytes rather than strings: the file is written from the pieces as they are (writev), so a save
 * neither joins nor encodes the megabytes of resources it did not change.
 */
export interface StateText {
  readonly pieces: readonly Buffer[];
  /** Index of the piece that is the serial's digits; -1 when the pieces cannot be compared. */
  readonly serialPiece: number;
}

export const joinPieces = (t: StateText): Buffer => Buffer.concat(t.pieces);

/**
 * Whether two serialisations have equal text but for the serial, judged piece by piece: reused
 * resource texts are the same Buffer, so this is mostly identity checks. Exact because the pieces
 * are a function of the JSON value (one per top-level member, one per element of the resources
 * and deposed arrays, fixed separators). Undefined when either cannot be compared that way.
 */
export function samePiecesExceptSerial(a: StateText, b: StateText): boolean | undefined {
  if (a.serialPiece < 0 || b.serialPiece < 0) return undefined;
  if (a.pieces.length !== b.pieces.length || a.serialPiece !== b.serialPiece) return false;
  for (let i = 0; i < a.pieces.length; i++) {
    if (i !== a.serialPiece && a.pieces[i] !== b.pieces[i] && !a.pieces[i]!.equals(b.pieces[i]!)) return false;
  }
  return true;
}

interface Cached {
  /** The object's JSON at the nesting of an element of a top-level array, as UTF-8. */
  bytes: Buffer;
  /** JSON.parse of that text as tokens: what the object must still deep-equal to reuse `bytes`. */
  copy: Token[];
}

/** Keys whose elements (resources) get cached texts. */
const CACHED_ARRAYS = new Set(["resources", "deposed"]);
const ELEMENT_INDENT = "\n    ";
const FIRST_ELEMENT = Buffer.from(ELEMENT_INDENT);
const NEXT_ELEMENT = Buffer.from(`,${ELEMENT_INDENT}`);
const ARRAY_OPEN = Buffer.from("[");
const ARRAY_CLOSE = Buffer.from("\n  ]");
const EMPTY_ARRAY = Buffer.from("[]");
const ELEMENT_BOUNDARY = Buffer.from(`,${ELEMENT_INDENT}{`);
const BATCH_KEY = "r";
const BATCH_OPEN = `{\n  "${BATCH_KEY}": [${ELEMENT_INDENT}`;
const BATCH_CLOSE = "\n  ]\n}";

/**
 * Serialises states, remembering each resource object's text. The objects are neither frozen nor
 * changed: a cached text is reused only while its object still deep-equals the private copy.
 */
export class StateSerializer {
  private cache = new WeakMap<object, Cached>();
  /**
   * Texts are remembered from the second render on: building the private copies costs about as
   * much as the stringify itself, and most runs (a plan, an import, an apply of one change) save
   * once. A run that saves again pays for them once and then saves only what changed.
   */
  private remember = false;

  render(state: StateFile, serial: number): StateText {
    const remember = this.remember;
    this.remember = true;
    if (!isPlainObject(state)) return { pieces: [Buffer.from(serializeState(state, serial))], serialPiece: -1 };
    const top = topLevel(state, serial) as unknown as Record<string, unknown>;
    const pieces: Buffer[] = [];
    let serialPiece = -1;
    let comparable = true;
    let members = 0;
    for (const key of Object.keys(top)) {
      const value = top[key];
      const lead = `${members === 0 ? "{\n  " : ",\n  "}${JSON.stringify(key)}: `;
      if (key === "serial") {
        pieces.push(Buffer.from(lead));
        serialPiece = pieces.length;
        pieces.push(Buffer.from(JSON.stringify(value)));
      } else if (CACHED_ARRAYS.has(key) && isPlainArray(value)) {
        pieces.push(Buffer.from(lead));
        this.arrayPieces(value, pieces, remember);
      } else {
        // A resources/deposed value that is not a plain array would give differently cut pieces
        // for the same text: compare such a state by its text instead.
        if (CACHED_ARRAYS.has(key) && value !== undefined) comparable = false;
        const text = JSON.stringify(value, null, 2) as string | undefined;
        if (text === undefined) continue; // JSON.stringify leaves such members out
        pieces.push(Buffer.from(lead + text.replaceAll("\n", "\n  ")));
      }
      members++;
    }
    pieces.push(Buffer.from(members === 0 ? "{}" : "\n}"));
    return { pieces, serialPiece: comparable ? serialPiece : -1 };
  }

  private arrayPieces(items: readonly unknown[], pieces: Buffer[], remember: boolean): void {
    if (items.length === 0) {
      pieces.push(EMPTY_ARRAY);
      return;
    }
    const texts: Buffer[] = new Array<Buffer>(items.length);
    const missed: number[] = [];
    for (let i = 0; i < items.length; i++) {
      const item = items[i];
      if (isPlainObject(item)) {
        const hit = this.cache.get(item);
        if (hit && matchesTokens(item, hit.copy)) texts[i] = hit.bytes;
        else missed.push(i);
      } else {
        const raw = JSON.stringify(item, null, 2) as string | undefined;
        texts[i] = Buffer.from(raw === undefined ? "null" : raw.replaceAll("\n", ELEMENT_INDENT));
      }
    }
    if (missed.length)
      this.serializeMissed(
        missed.map((i) => items[i] as object),
        missed,
        texts,
        remember,
      );
    pieces.push(ARRAY_OPEN);
    for (let i = 0; i < items.length; i++) {
      pieces.push(i === 0 ? FIRST_ELEMENT : NEXT_ELEMENT);
      pieces.push(texts[i]!);
    }
    pieces.push(ARRAY_CLOSE);
  }

  /**
   * Stringifies and parses the objects without a reusable text as one array, in one call each
   * (a first save misses them all, and 5,000 calls cost about three times one), nested as in the
   * file so no line needs re-indenting, then cuts the bytes into elements. Each starts a line
   * indented exactly four spaces with `{`: deeper lines are indented further, and JSON strings
   * hold no raw newline.
   */
  private serializeMissed(objects: readonly object[], at: readonly number[], texts: Buffer[], remember: boolean): void {
    const text = JSON.stringify({ [BATCH_KEY]: objects }, null, 2);
    const copies = remember ? (JSON.parse(text) as Record<typeof BATCH_KEY, unknown[]>)[BATCH_KEY] : undefined;
    const all = Buffer.from(text);
    let start = BATCH_OPEN.length;
    for (let k = 0; k < objects.length; k++) {
      const end = k + 1 < objects.length ? all.indexOf(ELEMENT_BOUNDARY, start) : all.length - BATCH_CLOSE.length;
      const bytes = all.subarray(start, end);
      texts[at[k]!] = bytes;
      if (copies) this.cache.set(objects[k]!, { bytes, copy: jsonTokens(copies[k]) });
      start = end + NEXT_ELEMENT.length;
    }
  }
}

/** The members in the file's order: the fixed ones, then any others (intents, deposed, ...). */
function topLevel(state: StateFile, serial: number): StateFile {
  const { version, pmxform_version, lineage, serial: _ignored, resources, outputs, ...rest } = state;
  return { version, pmxform_version, lineage, serial, resources, outputs, ...rest };
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (typeof v !== "object" || v === null) return false;
  const proto = Object.getPrototypeOf(v) as unknown;
  return (proto === Object.prototype || proto === null) && typeof (v as { toJSON?: unknown }).toJSON !== "function";
}

function isPlainArray(v: unknown): v is unknown[] {
  return Array.isArray(v) && Object.getPrototypeOf(v) === Array.prototype && typeof (v as { toJSON?: unknown }).toJSON !== "function";
}

// The private copy is kept as a flat token list of JSON.parse's result, walked in step with the
// live object: one array per resource instead of dozens of objects, and no key lists to allocate.
const OBJECT = Symbol("object");
const ARRAY = Symbol("array");
type Token = string | number | boolean | null | symbol;

/** Preorder tokens of parsed JSON: OBJECT, size, (key, value)...; ARRAY, length, value...; primitives. */
export function jsonTokens(parsed: unknown, out: Token[] = []): Token[] {
  if (typeof parsed !== "object" || parsed === null) {
    out.push(parsed as Token);
  } else if (Array.isArray(parsed)) {
    out.push(ARRAY, parsed.length);
    for (let i = 0; i < parsed.length; i++) jsonTokens(parsed[i], out);
  } else {
    out.push(OBJECT, 0);
    const sizeAt = out.length - 1;
    let size = 0;
    // JSON.parse's objects have no inherited enumerable members: for-in sees exactly their keys.
    for (const key in parsed) {
      out.push(key);
      jsonTokens((parsed as Record<string, unknown>)[key], out);
      size++;
    }
    out[sizeAt] = size;
  }
  return out;
}

// The walk's cursor; module state because the walk is synchronous and never re-entered.
const NO_TOKENS: readonly Token[] = [];
let tokens = NO_TOKENS;
let at = 0;

/**
 * Whether JSON.stringify(live) equals the JSON the tokens were made from: same keys in the same
 * order, same primitives. Members JSON leaves out (undefined) are skipped and undefined array
 * elements count as null, as JSON.stringify does; anything that is not plain JSON data (class
 * instances, functions, NaN, toJSON) is "not equal", so it is stringified anew.
 */
export function matchesTokens(live: unknown, expected: readonly Token[]): boolean {
  tokens = expected;
  at = 0;
  const same = matchValue(live) && at === expected.length;
  tokens = NO_TOKENS;
  return same;
}

function matchValue(v: unknown): boolean {
  if (typeof v !== "object" || v === null) return v === tokens[at++];
  if (Array.isArray(v)) {
    if (tokens[at] !== ARRAY || tokens[at + 1] !== v.length || !isPlainArray(v)) return false;
    at += 2;
    for (let i = 0; i < v.length; i++) {
      const item: unknown = v[i];
      if (!matchValue(item === undefined ? null : item)) return false;
    }
    return true;
  }
  // An own toJSON is a member holding a function, which no token equals.
  const proto = Object.getPrototypeOf(v) as unknown;
  if (tokens[at] !== OBJECT || (proto !== Object.prototype && proto !== null)) return false;
  const size = tokens[at + 1] as number;
  at += 2;
  let seen = 0;
  for (const key in v) {
    const member = (v as Record<string, unknown>)[key];
    if (member === undefined) continue;
    if (seen++ === size || tokens[at++] !== key || !matchValue(member)) return false;
  }
  return seen === size;
}
