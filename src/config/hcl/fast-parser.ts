// A hand-written HCL parser for well-formed input, producing exactly the Body/Expr the
// tree-sitter path produces (same ranges), ~10x faster because no wasm tree is built or walked.
// It gives up at the first thing it is unsure of; tree-sitter then owns recovery and messages.
import type { Diagnostic, Range } from "../../diag/diagnostic.js";
import type { BinaryOp, Expr, ForExpr, ObjectItem } from "../ast.js";
import type { Attribute, Block, Body } from "../body.js";
import type { PosMap } from "./positions.js";
import { nodeRange } from "./positions.js";
import { IndexedRange } from "../../diag/indexed-range.js";
import { assembleTemplate } from "./template.js";
import type { StructuralToken, TemplateToken } from "./template.js";
import { MAX_EXPR_DEPTH, TooDeep } from "../depth.js";

/** Internal signal "let tree-sitter handle this input"; never escapes this module. */
class GiveUp extends Error {}

const giveUp = (): never => {
  throw new GiveUp();
};

const enum Ch {
  Tab = 9,
  Newline = 10,
  Space = 32,
  Bang = 33,
  Quote = 34,
  Hash = 35,
  Dollar = 36,
  Percent = 37,
  Amp = 38,
  LParen = 40,
  RParen = 41,
  Star = 42,
  Plus = 43,
  Comma = 44,
  Minus = 45,
  Dot = 46,
  Slash = 47,
  Zero = 48,
  Nine = 57,
  Colon = 58,
  Lt = 60,
  Eq = 61,
  Gt = 62,
  Question = 63,
  LBracket = 91,
  Backslash = 92,
  RBracket = 93,
  Underscore = 95,
  LBrace = 123,
  Pipe = 124,
  RBrace = 125,
  Tilde = 126,
}

const isDigit = (c: number): boolean => c >= Ch.Zero && c <= Ch.Nine;
const isIdentStart = (c: number): boolean => (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === Ch.Underscore;
const isIdentPart = (c: number): boolean => isIdentStart(c) || isDigit(c) || c === Ch.Minus;

const PRECEDENCE: Record<string, number> = { "||": 1, "&&": 2, "==": 3, "!=": 3, "<": 4, "<=": 4, ">": 4, ">=": 4, "+": 5, "-": 5, "*": 6, "/": 6, "%": 6 };
/** Words tree-sitter's grammar may read as keywords; as plain names they are left to it. */
const RESERVED = new Set(["true", "false", "null", "for", "in", "if"]);

interface Item {
  start: number;
  end: number;
  block: boolean;
}

class FastParser {
  private pos = 0;
  /** End of the last consumed token: where the tree-sitter node of what was just parsed ends. */
  private tokEnd = 0;
  /** Assembly never reports anything on input this parser accepts; if it does, give up. */
  private readonly diags: Diagnostic[] = [];
  /** Open expression() / unary() calls: each is one level of the tree being built. */
  private nesting = 0;

  constructor(
    private readonly src: string,
    private readonly map: PosMap,
  ) {}

  // ---- scanning ----

  private code(at = this.pos): number {
    return this.src.charCodeAt(at);
  }

  private range(start: number, end: number): Range {
    return nodeRange(this.map, start, end);
  }

  private skipSpace(): void {
    const src = this.src;
    for (;;) {
      const c = src.charCodeAt(this.pos);
      if (c === Ch.Space || c === Ch.Tab || c === Ch.Newline) {
        this.pos++;
      } else if (c === Ch.Hash || (c === Ch.Slash && src.charCodeAt(this.pos + 1) === Ch.Slash)) {
        const nl = src.indexOf("\n", this.pos);
        this.pos = nl === -1 ? src.length : nl;
      } else if (c === Ch.Slash && src.charCodeAt(this.pos + 1) === Ch.Star) {
        const close = src.indexOf("*/", this.pos + 2);
        if (close === -1) giveUp();
        this.pos = close + 2;
      } else {
        return;
      }
    }
  }

  private identifier(): string {
    const start = this.pos;
    if (!isIdentStart(this.code())) giveUp();
    let i = start + 1;
    while (isIdentPart(this.src.charCodeAt(i))) i++;
    const next = this.src.charCodeAt(i);
    // Non-ASCII identifier characters and `::` names are rare; tree-sitter knows their rules.
    if (next > 127 || (next === Ch.Colon && this.src.charCodeAt(i + 1) === Ch.Colon)) giveUp();
    this.pos = i;
    this.tokEnd = i;
    return this.src.slice(start, i);
  }

  /** Consumes `text` if it comes next (after whitespace). */
  private eat(text: string): boolean {
    this.skipSpace();
    if (!this.src.startsWith(text, this.pos)) return false;
    this.pos += text.length;
    this.tokEnd = this.pos;
    return true;
  }

  private expect(text: string): void {
    if (!this.eat(text)) giveUp();
  }

  /** Whether the identifier `word` comes next, as a whole word. */
  private atWord(word: string): boolean {
    this.skipSpace();
    return this.src.startsWith(word, this.pos) && !isIdentPart(this.src.charCodeAt(this.pos + word.length)) && this.src.charCodeAt(this.pos + word.length) <= 127;
  }

  private sameRow(from: number, to: number): boolean {
    const nl = this.src.indexOf("\n", from);
    return nl === -1 || nl >= to;
  }

  private checkClean<T>(value: T): T {
    if (this.diags.length > 0) giveUp();
    return value;
  }

  // ---- bodies ----

  file(): Body {
    const attributes: Attribute[] = [];
    const blocks: Block[] = [];
    this.skipSpace();
    if (this.code() === Ch.LBrace) giveUp();
    const items = this.items(attributes, blocks, false);
    for (let i = 1; i < items.length; i++) if (this.sameRow((items[i - 1] as Item).end, (items[i] as Item).start)) giveUp();
    return { attributes, blocks, range: this.range(0, this.src.length) };
  }

  private items(attributes: Attribute[], blocks: Block[], inBlock: boolean): Item[] {
    const items: Item[] = [];
    const names = new Set<string>();
    for (;;) {
      this.skipSpace();
      if (this.pos >= this.src.length) {
        if (inBlock) giveUp();
        return items;
      }
      if (inBlock && this.code() === Ch.RBrace) return items;
      const start = this.pos;
      const name = this.identifier();
      const nameEnd = this.pos;
      this.skipSpace();
      if (this.code() === Ch.Eq && this.code(this.pos + 1) !== Ch.Eq && this.code(this.pos + 1) !== Ch.Gt) {
        this.pos++;
        if (names.has(name)) giveUp();
        names.add(name);
        const expr = this.expression();
        attributes.push({ name, expr, nameRange: this.range(start, nameEnd), range: this.range(start, this.tokEnd) });
        items.push({ start, end: this.tokEnd, block: false });
      } else {
        blocks.push(this.block(name, start, nameEnd));
        items.push({ start, end: this.tokEnd, block: true });
      }
    }
  }

  private block(type: string, start: number, typeEnd: number): Block {
    const labels: string[] = [];
    const labelRanges: Range[] = [];
    for (;;) {
      this.skipSpace();
      const c = this.code();
      const labelStart = this.pos;
      if (c === Ch.LBrace) break;
      if (c === Ch.Quote) {
        const label = this.quoted();
        if (label.kind !== "literal" || typeof label.value !== "string") return giveUp();
        labels.push(label.value);
      } else {
        labels.push(this.identifier());
      }
      labelRanges.push(this.range(labelStart, this.tokEnd));
    }
    this.pos++;
    const openEnd = this.pos;
    const attributes: Attribute[] = [];
    const blocks: Block[] = [];
    const items = this.items(attributes, blocks, true);
    const closeStart = this.pos;
    this.pos++;
    this.tokEnd = this.pos;
    this.checkBlockLayout(items, openEnd, closeStart);
    const first = items[0];
    const last = items[items.length - 1];
    const bodyRange = first && last ? this.range(first.start, last.end) : this.range(openEnd, openEnd);
    return { type, labels, labelRanges, body: { attributes, blocks, range: bodyRange }, typeRange: this.range(start, typeEnd), range: this.range(start, this.pos) };
  }

  /** The newline rules layout.ts enforces; input breaking them goes to tree-sitter for the message. */
  private checkBlockLayout(items: Item[], openEnd: number, closeStart: number): void {
    const first = items[0];
    if (!first) return;
    if (this.sameRow(openEnd, first.start)) {
      if (items.length > 1 || first.block || !this.sameRow(first.end, closeStart)) giveUp();
      return;
    }
    for (let i = 1; i < items.length; i++) if (this.sameRow((items[i - 1] as Item).end, (items[i] as Item).start)) giveUp();
    if (this.sameRow((items[items.length - 1] as Item).end, closeStart)) giveUp();
  }

  // ---- expressions ----

  expression(): Expr {
    if (++this.nesting > MAX_EXPR_DEPTH) throw new TooDeep(this.pos);
    try {
      return this.conditional();
    } finally {
      this.nesting--;
    }
  }

  private conditional(): Expr {
    this.skipSpace();
    const start = this.pos;
    const cond = this.binary(1);
    if (!this.eat("?")) return cond;
    const then = this.binary(1);
    if (this.peekIs(Ch.Question)) giveUp();
    this.expect(":");
    const otherwise = this.binary(1);
    // Nested conditionals without parentheses: tree-sitter's associativity is its own business.
    if (this.peekIs(Ch.Question)) giveUp();
    return { kind: "conditional", cond, then, else: otherwise, range: this.range(start, this.tokEnd) };
  }

  private peekIs(c: number): boolean {
    this.skipSpace();
    return this.code() === c;
  }

  /** A binary operator next, without consuming it. */
  private peekOperator(): string | undefined {
    this.skipSpace();
    const c = this.code();
    const n = this.code(this.pos + 1);
    switch (c) {
      case Ch.Pipe:
        return n === Ch.Pipe ? "||" : giveUp();
      case Ch.Amp:
        return n === Ch.Amp ? "&&" : giveUp();
      case Ch.Eq:
        return n === Ch.Eq ? "==" : undefined;
      case Ch.Bang:
        return n === Ch.Eq ? "!=" : undefined;
      case Ch.Lt:
        return n === Ch.Eq ? "<=" : n === Ch.Lt ? giveUp() : "<";
      case Ch.Gt:
        return n === Ch.Eq ? ">=" : ">";
      case Ch.Plus:
        return "+";
      case Ch.Minus:
        return "-";
      case Ch.Star:
        return "*";
      case Ch.Slash:
        return "/";
      case Ch.Percent:
        return n === Ch.LBrace ? giveUp() : "%";
      default:
        return undefined;
    }
  }

  private binary(minPrecedence: number): Expr {
    this.skipSpace();
    const start = this.pos;
    let left = this.unary();
    for (;;) {
      const op = this.peekOperator();
      const precedence = op === undefined ? 0 : (PRECEDENCE[op] ?? 0);
      if (op === undefined || precedence < minPrecedence) return left;
      this.pos += op.length;
      const right = this.binary(precedence + 1);
      left = { kind: "binary", op: op as BinaryOp, left, right, range: this.range(start, this.tokEnd) };
    }
  }

  private unary(): Expr {
    this.skipSpace();
    const start = this.pos;
    const c = this.code();
    if ((c === Ch.Minus || c === Ch.Bang) && this.code(this.pos + 1) !== Ch.Eq) {
      this.pos++;
      if (++this.nesting > MAX_EXPR_DEPTH) throw new TooDeep(start);
      let operand: Expr;
      try {
        operand = this.unary();
      } finally {
        this.nesting--;
      }
      return { kind: "unary", op: c === Ch.Minus ? "-" : "!", operand, range: this.range(start, this.tokEnd) };
    }
    return this.postfix(this.primary());
  }

  private primary(): Expr {
    this.skipSpace();
    const start = this.pos;
    const c = this.code();
    if (isDigit(c)) return this.number();
    if (c === Ch.Quote) return this.quoted();
    if (c === Ch.Lt && this.code(start + 1) === Ch.Lt) return this.heredoc();
    if (c === Ch.LBracket) return this.atForAfter(start) ? this.forExpr(false) : this.tuple();
    if (c === Ch.LBrace) return this.atForAfter(start) ? this.forExpr(true) : this.object();
    if (c === Ch.LParen) {
      this.pos++;
      const inner = this.expression();
      this.expect(")");
      return { kind: "paren", inner, range: this.range(start, this.tokEnd) };
    }
    const name = this.identifier();
    const nameEnd = this.pos;
    if (name === "true" || name === "false" || name === "null") {
      if (this.peekIs(Ch.LParen)) giveUp();
      return { kind: "literal", value: name === "null" ? null : name === "true", range: this.range(start, nameEnd) };
    }
    if (RESERVED.has(name)) giveUp();
    if (this.peekIs(Ch.LParen)) return this.call(name, start, nameEnd);
    this.pos = nameEnd;
    return { kind: "variable", name, range: this.range(start, nameEnd) };
  }

  private atForAfter(open: number): boolean {
    this.pos = open + 1;
    const isFor = this.atWord("for");
    this.pos = open;
    return isFor;
  }

  private number(): Expr {
    const start = this.pos;
    let i = start;
    while (isDigit(this.src.charCodeAt(i))) i++;
    if (this.src.charCodeAt(i) === Ch.Dot && isDigit(this.src.charCodeAt(i + 1))) {
      i++;
      while (isDigit(this.src.charCodeAt(i))) i++;
      const e = this.src.charCodeAt(i);
      if (e === 69 || e === 101) {
        let j = i + 1;
        const sign = this.src.charCodeAt(j);
        if (sign === Ch.Plus || sign === Ch.Minus) j++;
        if (isDigit(this.src.charCodeAt(j))) {
          while (isDigit(this.src.charCodeAt(j))) j++;
          i = j;
        }
      }
    }
    const after = this.src.charCodeAt(i);
    // `1e5`, `0x1F`, `1.` and `1.5.0` lex in ways best left to tree-sitter.
    if (isIdentPart(after) || after > 127 || (after === Ch.Dot && this.src.charCodeAt(i + 1) !== Ch.Dot)) giveUp();
    this.pos = i;
    this.tokEnd = i;
    return { kind: "literal", value: Number(this.src.slice(start, i)), range: this.range(start, i) };
  }

  private call(name: string, start: number, nameEnd: number): Expr {
    this.expect("(");
    const args: Expr[] = [];
    let expandFinal = false;
    if (!this.eat(")")) {
      for (;;) {
        args.push(this.expression());
        if (this.eat("...")) {
          expandFinal = true;
          this.expect(")");
          break;
        }
        if (this.eat(")")) break;
        this.expect(",");
        if (this.eat(")")) break;
      }
    }
    return { kind: "call", name, nameRange: this.range(start, nameEnd), args, expandFinal, range: this.range(start, this.tokEnd) };
  }

  private tuple(): Expr {
    const start = this.pos;
    this.pos++;
    const items: Expr[] = [];
    if (!this.eat("]")) {
      for (;;) {
        items.push(this.expression());
        if (this.eat("]")) break;
        this.expect(",");
        if (this.eat("]")) break;
      }
    }
    return { kind: "tuple", items, range: this.range(start, this.tokEnd) };
  }

  private object(): Expr {
    const start = this.pos;
    this.pos++;
    const items: ObjectItem[] = [];
    for (;;) {
      if (this.eat("}")) break;
      this.skipSpace();
      const itemStart = this.pos;
      const key = this.objectKey();
      this.skipSpace();
      const c = this.code();
      const n = this.code(this.pos + 1);
      if (c === Ch.Colon || (c === Ch.Eq && n !== Ch.Eq && n !== Ch.Gt)) this.pos++;
      else giveUp();
      const value = this.expression();
      items.push({ key, value, range: this.range(itemStart, this.tokEnd) });
      if (this.eat("}")) break;
      this.eat(",");
    }
    return { kind: "object", items, range: this.range(start, this.tokEnd) };
  }

  /** A bare name key is the string itself (see convert.ts objectKey); anything else is an expression. */
  private objectKey(): Expr {
    const start = this.pos;
    if (isIdentStart(this.code())) {
      const name = this.identifier();
      const end = this.pos;
      this.skipSpace();
      const c = this.code();
      const n = this.code(this.pos + 1);
      if (c === Ch.Colon || (c === Ch.Eq && n !== Ch.Eq && n !== Ch.Gt)) {
        if (RESERVED.has(name)) giveUp();
        return { kind: "literal", value: name, range: this.range(start, end) };
      }
      this.pos = start;
    }
    return this.expression();
  }

  private forExpr(object: boolean): Expr {
    const start = this.pos;
    this.pos++;
    this.expect("for");
    this.skipSpace();
    const names = [this.identifier()];
    if (this.eat(",")) {
      this.skipSpace();
      names.push(this.identifier());
    }
    if (!this.atWord("in")) giveUp();
    this.pos += 2;
    const collection = this.expression();
    this.expect(":");
    const first = this.expression();
    let keyExpr: Expr | undefined;
    let valueExpr = first;
    let grouping = false;
    if (object) {
      this.expect("=>");
      keyExpr = first;
      valueExpr = this.expression();
      grouping = this.eat("...");
    }
    let cond: Expr | undefined;
    if (this.atWord("if")) {
      this.pos += 2;
      cond = this.expression();
    }
    this.expect(object ? "}" : "]");
    const out: ForExpr = { kind: "for", valueVar: names[names.length - 1] as string, collection, valueExpr, grouping, object, range: this.range(start, this.tokEnd) };
    if (names.length === 2) out.keyVar = names[0];
    if (keyExpr) out.keyExpr = keyExpr;
    if (cond) out.cond = cond;
    return out;
  }

  // ---- traversals ----

  private postfix(target: Expr): Expr {
    let expr = target;
    for (;;) {
      this.skipSpace();
      const c = this.code();
      const n = this.code(this.pos + 1);
      if (c === Ch.Dot && n === Ch.Star) {
        expr = this.splat(expr, true);
      } else if (c === Ch.LBracket && n === Ch.Star && this.code(this.pos + 2) === Ch.RBracket) {
        expr = this.splat(expr, false);
      } else {
        const step = this.step(expr);
        if (!step) return expr;
        expr = step;
      }
    }
  }

  /** One `.name`, `.0` or `[key]` step applied to `target`, or undefined when none follows. */
  private step(target: Expr): Expr | undefined {
    this.skipSpace();
    const start = this.pos;
    const c = this.code();
    const n = this.code(start + 1);
    if (c === Ch.Dot) {
      if (n === Ch.Dot) return undefined;
      this.pos++;
      if (isDigit(n)) {
        let i = this.pos;
        while (isDigit(this.src.charCodeAt(i))) i++;
        if (isIdentPart(this.src.charCodeAt(i)) || this.src.charCodeAt(i) > 127) giveUp();
        const key: Expr = { kind: "literal", value: Number(this.src.slice(this.pos, i)), range: this.range(this.pos, i) };
        this.pos = i;
        this.tokEnd = i;
        return { kind: "index", target, key, range: IndexedRange.extend(target.range, this.map, i) };
      }
      if (!isIdentStart(n)) giveUp();
      const name = this.identifier();
      return { kind: "getattr", target, name, nameRange: this.range(start, this.pos), range: IndexedRange.extend(target.range, this.map, this.pos) };
    }
    if (c === Ch.LBracket) {
      if (n === Ch.Star) giveUp();
      this.pos++;
      const key = this.expression();
      this.expect("]");
      return { kind: "index", target, key, range: IndexedRange.extend(target.range, this.map, this.tokEnd) };
    }
    return undefined;
  }

  private splat(source: Expr, attrOnly: boolean): Expr {
    const opStart = this.pos;
    this.pos += attrOnly ? 2 : 3;
    this.tokEnd = this.pos;
    let each: Expr = { kind: "splatitem", range: this.range(opStart, this.pos) };
    let end = this.pos;
    // `.*` takes attribute steps only (an index ends it, as in HCL); `[*]` takes both.
    for (;;) {
      this.skipSpace();
      const c = this.code();
      const n = this.code(this.pos + 1);
      if (c === Ch.LBracket && n === Ch.Star) break;
      if (c === Ch.Dot && (n === Ch.Star || n === Ch.Dot)) break;
      if (attrOnly && (c === Ch.LBracket || (c === Ch.Dot && isDigit(n)))) break;
      const step = this.step(each);
      if (!step) break;
      each = step;
      end = this.tokEnd;
    }
    return { kind: "splat", source, each, range: IndexedRange.extend(source.range, this.map, end) };
  }

  // ---- templates ----

  quoted(): Expr {
    const plain = this.plainString();
    if (plain) return plain;
    const start = this.pos;
    const tokens: TemplateToken[] = [];
    const src = this.src;
    let cursor = start + 1;
    let i = cursor;
    const stack: StructuralToken["kind"][] = [];
    for (;;) {
      const c = src.charCodeAt(i);
      if (c === Ch.Quote) break;
      if (c === Ch.Newline || Number.isNaN(c)) giveUp();
      if (c === Ch.Backslash) {
        if (src.charCodeAt(i + 1) === Ch.Newline || i + 1 >= src.length) giveUp();
        i += 2;
        continue;
      }
      const opened = this.templateOpen(i, tokens, cursor, stack);
      if (opened === undefined) {
        i += this.literalStep(i);
        continue;
      }
      i = cursor = opened;
    }
    return this.closeTemplate(tokens, stack, cursor, i, i + 1, start, true, false);
  }

  /** Ends a quoted string or heredoc: its text runs to `textEnd`, its token (closing quote or marker) to `end`. */
  private closeTemplate(tokens: TemplateToken[], stack: readonly StructuralToken["kind"][], cursor: number, textEnd: number, end: number, start: number, quoted: boolean, flush: boolean): Expr {
    if (stack.length > 0) giveUp();
    this.text(tokens, cursor, textEnd);
    this.pos = end;
    this.tokEnd = end;
    return this.checkClean(assembleTemplate(tokens, { quoted, flush, range: this.range(start, end) }, { map: this.map, diags: this.diags }));
  }

  /**
   * Most strings hold no escape, interpolation or directive: their value is their text, without
   * the template machinery. Undefined when the string has any `\\`, `$` or `%` (or no end).
   */
  private plainString(): Expr | undefined {
    const src = this.src;
    const start = this.pos;
    let i = start + 1;
    for (;;) {
      const c = src.charCodeAt(i);
      if (c === Ch.Quote) break;
      if (c === Ch.Backslash || c === Ch.Dollar || c === Ch.Percent || c === Ch.Newline || Number.isNaN(c)) return undefined;
      i++;
    }
    this.pos = i + 1;
    this.tokEnd = this.pos;
    return { kind: "literal", value: src.slice(start + 1, i), range: this.range(start, this.pos) };
  }

  private heredoc(): Expr {
    const start = this.pos;
    const src = this.src;
    let i = start + 2;
    const flush = src.charCodeAt(i) === Ch.Minus;
    if (flush) i++;
    const idStart = i;
    while (isIdentPart(src.charCodeAt(i))) i++;
    if (i === idStart || src.charCodeAt(i) !== Ch.Newline) giveUp();
    const marker = src.slice(idStart, i);
    const contentStart = i + 1;
    const tokens: TemplateToken[] = [];
    const stack: StructuralToken["kind"][] = [];
    let cursor = contentStart;
    i = contentStart;
    let lineStart = true;
    for (;;) {
      if (lineStart) {
        const closeEnd = this.closingMarker(i, marker);
        if (closeEnd !== undefined) return this.closeTemplate(tokens, stack, cursor, i, closeEnd, start, false, flush);
      }
      let c = src.charCodeAt(i);
      // Plain text runs to the next line end or possible `${`/`%{`: skip it in one tight loop.
      while (c !== Ch.Dollar && c !== Ch.Percent && c !== Ch.Newline && !Number.isNaN(c)) c = src.charCodeAt(++i);
      if (Number.isNaN(c)) giveUp();
      lineStart = c === Ch.Newline;
      if (lineStart) {
        i++;
        continue;
      }
      const opened = this.templateOpen(i, tokens, cursor, stack);
      if (opened === undefined) {
        i += this.literalStep(i);
        continue;
      }
      i = cursor = opened;
    }
  }

  /** A line holding only the closing marker (after indentation) ends a heredoc; returns the marker's end. */
  private closingMarker(lineStart: number, marker: string): number | undefined {
    let i = lineStart;
    while (this.code(i) === Ch.Space || this.code(i) === Ch.Tab) i++;
    if (!this.src.startsWith(marker, i)) return undefined;
    let j = i + marker.length;
    while (this.code(j) === Ch.Space || this.code(j) === Ch.Tab) j++;
    if (this.code(j) === Ch.Newline) {
      return i + marker.length;
    }
    // Otherwise tree-sitter's scanner swallows the next character as text, even a `$` of `${`.
    const next = this.code(j);
    if (j >= this.src.length || next === Ch.Dollar || next === Ch.Percent) giveUp();
    return undefined;
  }

  /**
   * How much literal text starts at `i` when no `${`/`%{` does: tree-sitter's scanner takes a
   * doubled `$`/`%` as one piece (so `$${` is an escape and `$$${` is `$$` then `${`).
   */
  private literalStep(i: number): number {
    const c = this.src.charCodeAt(i);
    if ((c !== Ch.Dollar && c !== Ch.Percent) || this.src.charCodeAt(i + 1) !== c) return 1;
    return this.src.charCodeAt(i + 2) === Ch.LBrace ? 3 : 2;
  }

  private text(tokens: TemplateToken[], from: number, to: number): void {
    if (to > from) {
      const raw = this.src.slice(from, to);
      tokens.push({ kind: "text", start: from, end: to, raw, value: raw });
    }
  }

  /**
   * At `${` or `%{`: pushes the text before it and the structural token, returning the index
   * after its `}`; undefined when no interpolation or directive starts at `i`.
   */
  private templateOpen(i: number, tokens: TemplateToken[], cursor: number, stack: StructuralToken["kind"][]): number | undefined {
    const c = this.src.charCodeAt(i);
    if ((c !== Ch.Dollar && c !== Ch.Percent) || this.src.charCodeAt(i + 1) !== Ch.LBrace) return undefined;
    this.text(tokens, cursor, i);
    this.pos = i + 2;
    const stripL = this.code() === Ch.Tilde;
    if (stripL) this.pos++;
    let kind: StructuralToken["kind"] = "interp";
    let expr: Expr | undefined;
    const names: string[] = [];
    if (c === Ch.Dollar) {
      if (this.peekIs(Ch.RBrace) || this.peekIs(Ch.Tilde)) giveUp();
      expr = this.expression();
    } else {
      this.skipSpace();
      const word = this.identifier();
      kind = this.directive(word, stack);
      if (kind === "if") expr = this.expression();
      if (kind === "for") {
        this.skipSpace();
        names.push(this.identifier());
        if (this.eat(",")) {
          this.skipSpace();
          names.push(this.identifier());
        }
        if (!this.atWord("in")) giveUp();
        this.pos += 2;
        expr = this.expression();
      }
    }
    const stripR = this.eat("~");
    this.expect("}");
    const found = expr;
    tokens.push({ kind, start: i, end: this.pos, stripL, stripR, expr: () => found, names });
    return this.pos;
  }

  /** Keeps directives balanced, as tree-sitter's grammar requires; anything else is not ours. */
  private directive(word: string, stack: StructuralToken["kind"][]): StructuralToken["kind"] {
    const top = stack[stack.length - 1];
    switch (word) {
      case "if":
      case "for":
        stack.push(word);
        return word;
      case "else":
        if (top !== "if") giveUp();
        stack[stack.length - 1] = "else";
        return "else";
      case "endif":
        if (top !== "if" && top !== "else") giveUp();
        stack.pop();
        return "endif";
      case "endfor":
        if (top !== "for") giveUp();
        stack.pop();
        return "endfor";
      default:
        return giveUp();
    }
  }

  /** The whole text as one template's content (what a YAML string with `${` holds). */
  templateText(): Expr {
    const tokens: TemplateToken[] = [];
    const stack: StructuralToken["kind"][] = [];
    let cursor = 0;
    let i = 0;
    while (i < this.src.length) {
      const opened = this.templateOpen(i, tokens, cursor, stack);
      if (opened === undefined) {
        i += this.literalStep(i);
        continue;
      }
      i = cursor = opened;
    }
    if (stack.length > 0) giveUp();
    this.text(tokens, cursor, this.src.length);
    const range = this.range(0, this.src.length);
    return this.checkClean(assembleTemplate(tokens, { quoted: false, flush: false, range }, { map: this.map, diags: this.diags }));
  }

  atEnd(): boolean {
    return this.pos === this.src.length;
  }

  /** Where parsing is (where it stopped, after a give-up). */
  get at(): number {
    return this.pos;
  }

  get end(): number {
    return this.tokEnd;
  }
}

/** Text the fast path never takes: carriage returns and other rarely used whitespace. */
function unusual(src: string): boolean {
  return /[\r\v\f\u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff]/.test(src);
}

function attempt<T>(run: () => T): T | undefined {
  try {
    return run();
  } catch (e) {
    if (e instanceof GiveUp) return undefined;
    throw e;
  }
}

/** The file's Body, or undefined when tree-sitter must parse it (anything irregular). */
export function fastParseFile(src: string, map: PosMap): Body | undefined {
  const r = fastParseFileOrStop(src, map);
  return typeof r === "number" ? undefined : r;
}

/** The file's Body, or the offset where the fast parser stopped (0 for text it never takes). */
export function fastParseFileOrStop(src: string, map: PosMap): Body | number {
  if (unusual(src)) return 0;
  const parser = new FastParser(src, map);
  try {
    return parser.file();
  } catch (e) {
    if (e instanceof GiveUp) return parser.at;
    throw e;
  }
}

/** One expression spanning all of `text` (no surrounding space), or undefined. */
export function fastParseExpression(text: string, map: PosMap): Expr | undefined {
  if (unusual(text) || text.length === 0) return undefined;
  const first = text.charCodeAt(0);
  if (first === Ch.Space || first === Ch.Tab || first === Ch.Newline || first === Ch.Hash || first === Ch.Slash) return undefined;
  return attempt(() => {
    const parser = new FastParser(text, map);
    const expr = parser.expression();
    return parser.end === text.length ? expr : giveUp();
  });
}

/** `text` as template content (heredoc rules: no backslash escapes), or undefined. */
export function fastParseTemplate(text: string, map: PosMap): Expr | undefined {
  if (unusual(text)) return undefined;
  return attempt(() => new FastParser(text, map).templateText());
}
