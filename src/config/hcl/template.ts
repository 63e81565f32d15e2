// Converts quoted strings and heredocs into LiteralExpr / TemplateExpr. tree-sitter leaves
// whitespace between template tokens out of the tree, so literal text is taken from the source
// gaps between interpolations and directives, never from template_literal nodes.
import type { Node } from "web-tree-sitter";
import type { Expr, TemplatePart } from "../ast.js";
import { error } from "../../diag/diagnostic.js";
import type { Diagnostic, Range } from "../../diag/diagnostic.js";
import { decodeLiteral, leadingWhitespace } from "./strings.js";
import type { EscapeProblem } from "./strings.js";
import { nodeRange, rangeOf } from "./positions.js";
import type { PosMap } from "./positions.js";
import type { ConvertCtx } from "./context.js";
import { MAX_EXPR_DEPTH, TooDeep } from "../depth.js";

/** A structural piece of a template: an interpolation or a directive, positioned in the parsed text. */
export interface StructuralToken {
  kind: "interp" | "if" | "else" | "endif" | "for" | "endfor";
  start: number;
  end: number;
  stripL: boolean;
  stripR: boolean;
  /** The interpolated or tested expression; a thunk so diagnostics keep their source order. */
  expr: () => Expr | undefined;
  /** The `%{for k, v in ...}` names. */
  names: string[];
}

export interface TextToken {
  kind: "text";
  start: number;
  end: number;
  raw: string;
  value: string;
}

/** Templates flattened to text gaps and structural tokens; both HCL parsers produce these. */
export type TemplateToken = TextToken | StructuralToken;
type Token = TemplateToken;
type Structural = StructuralToken;

const DIRECTIVE_TOKENS: Record<string, Structural["kind"]> = {
  template_if_intro: "if",
  template_else_intro: "else",
  template_if_end: "endif",
  template_for_start: "for",
  template_for_end: "endfor",
};

/** Strip markers sit right after `${`/`%{` (left) or right before `}` (right). */
function stripFlags(node: Node): { stripL: boolean; stripR: boolean } {
  const kids = node.children;
  const first = kids[1];
  const beforeLast = kids[kids.length - 2];
  return {
    stripL: first?.type === "strip_marker",
    stripR: kids.length > 2 && beforeLast?.type === "strip_marker" && beforeLast !== first,
  };
}

function flatten(nodes: Node[], contentStart: number, contentEnd: number, ctx: ConvertCtx): Token[] {
  const tokens: Token[] = [];
  let cursor = contentStart;
  const text = (end: number): void => {
    if (end > cursor) {
      const raw = ctx.src.slice(cursor, end);
      tokens.push({ kind: "text", start: cursor, end, raw, value: raw });
    }
  };
  const visit = (node: Node): void => {
    const kind = node.type === "template_interpolation" ? "interp" : DIRECTIVE_TOKENS[node.type];
    if (kind !== undefined) {
      text(node.startIndex);
      const exprNode = (): Expr | undefined => {
        const found = node.children.find((c) => c.type === "expression");
        return found ? ctx.expr(found) : undefined;
      };
      const names = kind === "for" ? node.children.filter((c) => c.type === "identifier").map((c) => c.text) : [];
      tokens.push({ kind, start: node.startIndex, end: node.endIndex, expr: exprNode, names, ...stripFlags(node) });
      cursor = Math.max(cursor, node.endIndex);
      return;
    }
    if (node.type === "template_directive" || node.type === "template_if" || node.type === "template_for") {
      for (const child of node.children) visit(child);
    }
    // template_literal, comments and ERROR pieces are covered by the text gaps.
  };
  for (const node of nodes) if (node.startIndex >= contentStart && node.endIndex <= contentEnd) visit(node);
  text(contentEnd);
  return tokens;
}

/** `<<-` heredocs: remove the smallest indentation shared by all non-blank lines. */
function dedent(tokens: Token[]): void {
  const lineStarts: { token: Extract<Token, { kind: "text" }>; at: number }[] = [];
  let atLineStart = true;
  let min = Infinity;
  for (const [i, tok] of tokens.entries()) {
    if (tok.kind !== "text") {
      if (atLineStart) min = 0;
      atLineStart = false;
      continue;
    }
    const positions: number[] = [];
    if (atLineStart) positions.push(0);
    for (let j = tok.raw.indexOf("\n"); j !== -1; j = tok.raw.indexOf("\n", j + 1)) {
      if (j + 1 < tok.raw.length || tokens[i + 1] !== undefined) positions.push(j + 1);
    }
    for (const at of positions) {
      const ws = leadingWhitespace(tok.raw, at);
      const after = tok.raw[at + ws];
      const blank = after === "\n" || after === "\r" || (after === undefined && tokens[i + 1] === undefined);
      if (!blank) min = Math.min(min, ws);
      lineStarts.push({ token: tok, at });
    }
    atLineStart = tok.raw.endsWith("\n");
  }
  if (!Number.isFinite(min) || min === 0) return;
  // Rewrite each token once, from its last line start backwards so indexes stay valid.
  const byToken = new Map<Token, number[]>();
  for (const { token, at } of lineStarts) byToken.set(token, [...(byToken.get(token) ?? []), at]);
  for (const [token, ats] of byToken) {
    if (token.kind !== "text") continue;
    let raw = token.raw;
    for (const at of ats.reverse()) raw = raw.slice(0, at) + raw.slice(at + Math.min(min, leadingWhitespace(raw, at)));
    token.raw = raw;
    token.value = raw;
  }
}

function applyStrips(tokens: Token[]): void {
  for (const [i, tok] of tokens.entries()) {
    if (tok.kind === "text") continue;
    const prev = tokens[i - 1];
    const next = tokens[i + 1];
    if (tok.stripL && prev?.kind === "text") prev.value = prev.value.replace(/\s+$/u, "");
    if (tok.stripR && next?.kind === "text") next.value = next.value.replace(/^\s+/u, "");
  }
}

/** What template assembly needs from its caller: where positions go and where problems go. */
export interface TemplateSink {
  map: PosMap;
  diags: Diagnostic[];
}

function directiveExpr(tok: Structural, ctx: TemplateSink): Expr {
  return tok.expr() ?? { kind: "literal", value: null, range: nodeRange(ctx.map, tok.start, tok.end) };
}

/** Builds nested parts from the flat token list; returns the index after what it consumed. */
function nest(tokens: Token[], from: number, stopAt: ReadonlySet<string>, out: TemplatePart[], ctx: TemplateSink, depth = 0): number {
  if (depth > MAX_EXPR_DEPTH) throw new TooDeep(tokens[from - 1]?.start ?? 0);
  let i = from;
  while (i < tokens.length) {
    const tok = tokens[i] as Token;
    if (stopAt.has(tok.kind)) return i;
    i++;
    switch (tok.kind) {
      case "text":
        if (tok.value !== "") out.push({ kind: "text", value: tok.value, range: nodeRange(ctx.map, tok.start, tok.end) });
        break;
      case "interp": {
        const expr = tok.expr();
        const range = nodeRange(ctx.map, tok.start, tok.end);
        if (!expr) {
          ctx.diags.push(error("Invalid template interpolation", 'An interpolation needs an expression between "${" and "}". Write the expression to insert, or remove the empty "${}".', range));
          break;
        }
        out.push({ kind: "interp", expr, range });
        break;
      }
      case "if": {
        const thenParts: TemplatePart[] = [];
        const elseParts: TemplatePart[] = [];
        i = nest(tokens, i, new Set(["else", "endif"]), thenParts, ctx, depth + 1);
        if (tokens[i]?.kind === "else") i = nest(tokens, i + 1, new Set(["endif"]), elseParts, ctx, depth + 1);
        const end = tokens[i];
        const endIndex = end && end.kind !== "text" ? end.end : tok.end;
        if (end?.kind === "endif") i++;
        out.push({ kind: "if", cond: directiveExpr(tok, ctx), then: thenParts, else: elseParts, range: nodeRange(ctx.map, tok.start, endIndex) });
        break;
      }
      case "for": {
        const body: TemplatePart[] = [];
        i = nest(tokens, i, new Set(["endfor"]), body, ctx, depth + 1);
        const end = tokens[i];
        const endIndex = end && end.kind !== "text" ? end.end : tok.end;
        if (end?.kind === "endfor") i++;
        const names = tok.names;
        const part: TemplatePart = {
          kind: "for",
          valueVar: names[names.length - 1] ?? "_",
          collection: directiveExpr(tok, ctx),
          body,
          range: nodeRange(ctx.map, tok.start, endIndex),
        };
        if (names.length === 2 && names[0] !== undefined) part.keyVar = names[0];
        out.push(part);
        break;
      }
      default:
        ctx.diags.push(
          error(
            `Unexpected "${tok.kind}" directive`,
            `There is no matching opening directive for this "%{${tok.kind}}". Remove it or add the missing "%{if ...}" / "%{for ...}".`,
            rangeOf(ctx.map, tok.start, tok.end),
          ),
        );
    }
  }
  return i;
}

export interface TemplateSpan {
  /** The children of the template node that lie between its delimiters. */
  children: Node[];
  contentStart: number;
  contentEnd: number;
  quoted: boolean;
  flush: boolean;
  range: Range;
}

/** Converts a template's content; a template without interpolations becomes a string literal. */
export function convertTemplateSpan(span: TemplateSpan, ctx: ConvertCtx): Expr {
  return assembleTemplate(flatten(span.children, span.contentStart, span.contentEnd, ctx), span, ctx);
}

/** Escapes, `<<-` de-indentation, strip markers and directive nesting over flattened tokens. */
export function assembleTemplate(tokens: TemplateToken[], span: { quoted: boolean; flush: boolean; range: Range }, ctx: TemplateSink): Expr {
  if (span.flush) dedent(tokens);
  for (const tok of tokens) {
    if (tok.kind !== "text") continue;
    const problems: EscapeProblem[] = [];
    tok.value = decodeLiteral(tok.raw, span.quoted, problems);
    for (const p of problems) {
      const at = span.flush ? tok.start : tok.start + p.index;
      ctx.diags.push(error("Invalid escape sequence", p.message, rangeOf(ctx.map, at, span.flush ? tok.end : at + p.length)));
    }
  }
  applyStrips(tokens);
  const parts: TemplatePart[] = [];
  let i = nest(tokens, 0, new Set(), parts, ctx);
  while (i < tokens.length) i = nest(tokens, i + 1, new Set(), parts, ctx);
  if (parts.every((p) => p.kind === "text")) {
    return { kind: "literal", value: parts.map((p) => (p.kind === "text" ? p.value : "")).join(""), range: span.range };
  }
  // "${x}" alone means the value of x itself, not its string form (HCL's template unwrapping).
  const only = parts[0];
  if (parts.length === 1 && only?.kind === "interp") return only.expr;
  return { kind: "template", parts, range: span.range };
}
