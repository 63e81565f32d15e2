// A hand-written reader for the plain YAML most configs are written in (block maps and lists,
// one-line flow collections and scalars, `|` block text), building the same yaml-package nodes
// with the same ranges, ~5x faster. Anything else (comments inside collections, anchors, tags,
// folded or multi-line scalars, duplicates, ...) gives up, and the yaml package reads the file.
import type { Document, Scalar, YAMLMap, YAMLSeq, Node as YamlNode } from "yaml";
import { yaml } from "./lib.js";

class GiveUp extends Error {}

const giveUp = (): never => {
  throw new GiveUp();
};

type Range3 = [number, number, number];

const INT = /^(0|-?[1-9][0-9]{0,14})$/;
const DECIMAL = /^-?(0|[1-9][0-9]{0,14})\.[0-9]{1,15}$/;
/** What the YAML 1.2 core schema would read as a number (or .inf/.nan) — beyond INT/DECIMAL, not ours. */
const NUMBERISH = /^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$|^0o[0-7]+$|^0x[0-9a-fA-F]+$|^[-+]?\.(inf|Inf|INF)$|^\.(nan|NaN|NAN)$/;
const NULLS = new Set(["null", "Null", "NULL", "~"]);
// A Map, not an object literal: `BOOLS["toString"]` would find Object.prototype's function.
const BOOLS = new Map<string, boolean>([
  ["true", true],
  ["True", true],
  ["TRUE", true],
  ["false", false],
  ["False", false],
  ["FALSE", false],
]);

/** A plain scalar's value under the core schema, as the yaml package resolves it. */
function resolvePlain(text: string): null | boolean | number | string {
  if (NULLS.has(text)) return null;
  const bool = BOOLS.get(text);
  if (bool !== undefined) return bool;
  if (INT.test(text) || DECIMAL.test(text)) return Number(text);
  if (NUMBERISH.test(text)) return giveUp();
  return text;
}

function scalar(value: unknown, range: Range3): Scalar {
  const s = new (yaml().Scalar)(value);
  s.range = range;
  return s;
}

class FastYaml {
  private pos = 0;
  /** Values ending in a line comment: their newline belongs to them only when they end a collection. */
  private readonly commented = new Set<YamlNode>();

  constructor(private readonly src: string) {}

  private code(at: number): number {
    return this.src.charCodeAt(at);
  }

  private lineEnd(from: number): number {
    const nl = this.src.indexOf("\n", from);
    return nl === -1 ? this.src.length : nl;
  }

  /** Moves to the next line holding content; returns its indentation, or -1 at the end. */
  private nextContentLine(allowComments: boolean): number {
    for (;;) {
      if (this.pos >= this.src.length) return -1;
      let i = this.pos;
      while (this.code(i) === 32) i++;
      const c = this.code(i);
      if (c === 10) {
        // A blank line with trailing spaces changes block text; not worth the rules.
        if (i !== this.pos) giveUp();
        this.pos = i + 1;
        continue;
      }
      if (Number.isNaN(c)) {
        if (i !== this.pos) giveUp();
        this.pos = i;
        return -1;
      }
      if (c === 35) {
        // Comments inside collections move the yaml package's range ends in subtle ways.
        if (!allowComments) giveUp();
        this.pos = this.lineEnd(i) + 1;
        continue;
      }
      return i - this.pos;
    }
  }

  document(): Document.Parsed {
    if (/[\t\r\ufeff]/.test(this.src) || /^(---|\.\.\.|%)/m.test(this.src)) giveUp();
    const indent = this.nextContentLine(true);
    if (indent !== 0) giveUp();
    const root = this.blockNode(0, this.pos);
    if (this.nextContentLine(false) !== -1) giveUp();
    if (!(root instanceof yaml().YAMLMap)) giveUp();
    const doc = new (yaml().Document)() as unknown as Document.Parsed;
    doc.contents = root as never;
    return doc;
  }

  /** A block map or list starting at `at` (a line's first content, or after "- "). */
  private blockNode(indent: number, at: number): YAMLMap | YAMLSeq {
    const c = this.code(at);
    if (c === 45 && (this.code(at + 1) === 32 || this.code(at + 1) === 10)) return this.blockSeq(indent, at);
    return this.blockMap(indent, at);
  }

  private blockMap(indent: number, first: number): YAMLMap {
    const map = new (yaml().YAMLMap)();
    const seen = new Set<unknown>();
    let at = first;
    let last: YamlNode;
    for (;;) {
      const key = this.plainKey(at);
      if (seen.has(key.value)) giveUp();
      seen.add(key.value);
      last = this.entryValue(indent, (key.range as Range3)[1] + 1);
      map.items.push(new (yaml().Pair)(key, last));
      const next = this.nextContentLine(false);
      if (next < indent) break;
      if (next > indent) giveUp();
      at = this.pos + next;
    }
    const end = this.collectionEnd(last);
    map.range = [first, end, end];
    return map;
  }

  private plainKey(at: number): Scalar {
    const stop = this.lineEnd(at);
    let i = at;
    while (i < stop && !(this.code(i) === 58 && (this.code(i + 1) === 32 || i + 1 === stop))) i++;
    if (i >= stop) giveUp();
    const text = this.src.slice(at, i);
    if (!/^[A-Za-z_$][A-Za-z0-9_.$/-]*$/.test(text) || typeof resolvePlain(text) !== "string") giveUp();
    return scalar(text, [at, i, i]);
  }

  /** The value after `key:` (which ends at `after`): on the same line, or the block below. */
  private entryValue(indent: number, after: number): YamlNode {
    let i = after;
    while (this.code(i) === 32) i++;
    const c = this.code(i);
    if (c === 10 || Number.isNaN(c)) {
      this.pos = i + 1;
      const next = this.nextContentLine(false);
      const at = this.pos + next;
      // `key:` then a list at the same indentation is YAML too.
      if (next > indent || (next === indent && this.code(at) === 45 && this.code(at + 1) === 32)) return this.blockNode(next, at);
      return giveUp();
    }
    if (c === 35) giveUp();
    if (c === 45 && this.code(i + 1) === 32) giveUp();
    return this.inlineValue(i, indent);
  }

  private blockSeq(indent: number, first: number): YAMLSeq {
    const seq = new (yaml().YAMLSeq)();
    let at = first;
    let item: YamlNode;
    for (;;) {
      let i = at + 1;
      while (this.code(i) === 32) i++;
      const c = this.code(i);
      if (c === 10 || Number.isNaN(c) || c === 35) giveUp();
      // `- key: value` opens a map whose keys line up with this first one.
      item = this.isMapEntry(i) ? this.blockMap(i - this.lineStart(i), i) : this.inlineValue(i, indent);
      seq.items.push(item);
      const next = this.nextContentLine(false);
      const dash = next >= 0 && this.code(this.pos + next) === 45 && this.code(this.pos + next + 1) === 32;
      // A list may sit at its parent key's indentation; a key there ends it.
      if (next < indent || (next === indent && !dash)) break;
      if (next > indent || !dash) giveUp();
      at = this.pos + next;
    }
    const end = this.collectionEnd(item);
    seq.range = [first, end, end];
    return seq;
  }

  private collectionEnd(last: YamlNode): number {
    const range = last.range as Range3;
    if (this.commented.has(last) && range[2] < this.src.length) range[2]++;
    return range[2];
  }

  private lineStart(at: number): number {
    return this.src.lastIndexOf("\n", at - 1) + 1;
  }

  private isMapEntry(at: number): boolean {
    const stop = this.lineEnd(at);
    const c = this.code(at);
    if (c === 34 || c === 39 || c === 123 || c === 91) return false;
    for (let i = at; i < stop; i++) {
      const ch = this.code(i);
      if (ch === 58 && (this.code(i + 1) === 32 || i + 1 === stop)) return true;
      if (ch === 32 && this.code(i + 1) === 35) return false;
    }
    return false;
  }

  /** A value that starts on the current line: flow collection, quoted, `|` text or plain. */
  private inlineValue(at: number, indent: number): YamlNode {
    const c = this.code(at);
    let node: YamlNode;
    let valueEnd: number;
    if (c === 124) return this.blockText(at, indent);
    if (c === 123 || c === 91) {
      node = this.flow(at);
      valueEnd = (node.range as Range3)[1];
    } else if (c === 34 || c === 39) {
      node = this.quoted(at);
      valueEnd = (node.range as Range3)[1];
    } else {
      if (this.isMapEntry(at)) giveUp();
      const stop = this.lineEnd(at);
      let i = at;
      while (i < stop && !(this.code(i) === 32 && this.code(i + 1) === 35)) i++;
      let e = i;
      while (e > at && this.code(e - 1) === 32) e--;
      const text = this.src.slice(at, e);
      if (text === "" || /^[?:,\]}#&*!|>'"%@`]/.test(text) || /^-( |$)/.test(text)) giveUp();
      node = scalar(resolvePlain(text), [at, e, e]);
      valueEnd = e;
    }
    // After the value: spaces, then an end-of-line comment or the newline.
    let i = valueEnd;
    while (this.code(i) === 32) i++;
    let nodeEnd: number;
    if (this.code(i) === 35) {
      if (i === valueEnd) giveUp();
      nodeEnd = this.lineEnd(i);
      this.pos = nodeEnd + 1;
      this.commented.add(node);
    } else if (this.code(i) === 10) {
      nodeEnd = i + 1;
      this.pos = nodeEnd;
    } else if (i >= this.src.length) {
      nodeEnd = i;
      this.pos = i;
    } else {
      return giveUp();
    }
    (node.range as Range3)[2] = nodeEnd;
    return node;
  }

  /** `|` / `|-` literal text; its lines are indented deeper than `indent`. */
  private blockText(at: number, indent: number): Scalar {
    const strip = this.code(at + 1) === 45;
    const header = at + (strip ? 2 : 1);
    if (this.code(header) !== 10) giveUp();
    let i = header + 1;
    let own = -1;
    const lines: string[] = [];
    let end = i;
    let blanks = 0;
    for (;;) {
      if (i >= this.src.length) break;
      let j = i;
      while (this.code(j) === 32) j++;
      if (this.code(j) === 10) {
        if (j !== i || own === -1) giveUp();
        blanks++;
        i = j + 1;
        continue;
      }
      const width = j - i;
      if (own === -1) {
        if (width <= indent) giveUp();
        own = width;
      }
      if (width < own) break;
      const stop = this.lineEnd(j);
      if (stop >= this.src.length) giveUp();
      for (; blanks > 0; blanks--) lines.push("");
      lines.push(this.src.slice(i + own, stop));
      i = stop + 1;
      end = i;
    }
    if (own === -1) giveUp();
    this.pos = end;
    const text = lines.join("\n") + (strip ? "" : "\n");
    return scalar(text, [at, end, end]);
  }

  private quoted(at: number): Scalar {
    const q = this.code(at);
    const stop = this.lineEnd(at);
    let out = "";
    let i = at + 1;
    for (;;) {
      if (i >= stop) giveUp();
      const c = this.code(i);
      if (c === q) {
        if (q === 39 && this.code(i + 1) === 39) {
          out += "'";
          i += 2;
          continue;
        }
        break;
      }
      if (q === 34 && c === 92) {
        const e = this.src[i + 1];
        const decoded = e === "\\" ? "\\" : e === '"' ? '"' : e === "n" ? "\n" : e === "t" ? "\t" : e === "/" ? "/" : giveUp();
        out += decoded;
        i += 2;
        continue;
      }
      out += this.src[i];
      i++;
    }
    return scalar(out, [at, i + 1, i + 1]);
  }

  /** A `{...}` or `[...]` on one line, with plain or quoted scalars inside. */
  private flow(at: number): YAMLMap | YAMLSeq {
    const isMap = this.code(at) === 123;
    const close = isMap ? 125 : 93;
    const node = isMap ? new (yaml().YAMLMap)() : new (yaml().YAMLSeq)();
    const seen = new Set<unknown>();
    let i = this.skipFlowSpace(at + 1);
    while (this.code(i) !== close) {
      if (isMap) {
        const key = this.flowScalar(i, true);
        if (typeof key.value !== "string" || seen.has(key.value)) giveUp();
        seen.add(key.value);
        i = (key.range as Range3)[1];
        if (this.code(i) !== 58 || this.code(i + 1) !== 32) giveUp();
        i = this.skipFlowSpace(i + 1);
        const value = this.flowItem(i);
        (node as YAMLMap).items.push(new (yaml().Pair)(key, value));
        i = (value.range as Range3)[1];
      } else {
        const item = this.flowItem(i);
        (node as YAMLSeq).items.push(item);
        i = (item.range as Range3)[1];
      }
      i = this.skipFlowSpace(i);
      if (this.code(i) === 44) i = this.skipFlowSpace(i + 1);
      else if (this.code(i) !== close) giveUp();
    }
    node.range = [at, i + 1, i + 1];
    return node;
  }

  private skipFlowSpace(i: number): number {
    while (this.code(i) === 32) i++;
    if (this.code(i) === 10 || Number.isNaN(this.code(i))) giveUp();
    return i;
  }

  private flowItem(at: number): YamlNode {
    const c = this.code(at);
    if (c === 123 || c === 91) return this.flow(at);
    return this.flowScalar(at, false);
  }

  private flowScalar(at: number, key: boolean): Scalar {
    const c = this.code(at);
    if (c === 34 || c === 39) return this.quoted(at);
    let i = at;
    for (;;) {
      const ch = this.code(i);
      if (ch === 44 || ch === 93 || ch === 125 || ch === 10 || Number.isNaN(ch)) break;
      if (ch === 58) {
        if (key) break;
        giveUp();
      }
      if (ch === 91 || ch === 123 || (ch === 32 && this.code(i + 1) === 35)) giveUp();
      i++;
    }
    let e = i;
    while (e > at && this.code(e - 1) === 32) e--;
    const text = this.src.slice(at, e);
    if (text === "" || /^[?:,\]}#&*!|>'"%@`-]/.test(text)) giveUp();
    const value = resolvePlain(text);
    return scalar(value, [at, e, e]);
  }
}

/** The yaml-package Document for `source`, or undefined when the yaml package must read it. */
export function fastYamlDocument(source: string): Document.Parsed | undefined {
  try {
    return new FastYaml(source).document();
  } catch (e) {
    if (e instanceof GiveUp) return undefined;
    throw e;
  }
}
