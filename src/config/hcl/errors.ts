// Syntax-error diagnostics from tree-sitter's ERROR and MISSING nodes. tree-sitter only says
// "something is wrong around here"; the wording and the exact spot are worked out here, mostly
// by matching brackets and quotes inside the erroneous region.
import type { Node } from "web-tree-sitter";
import { error } from "../../diag/diagnostic.js";
import type { Diagnostic, Range } from "../../diag/diagnostic.js";
import { rangeOf } from "./positions.js";
import type { PosMap } from "./positions.js";

const CLOSER_OF: Record<string, string> = { "[": "]", "{": "}", "(": ")", "${": "}", "%{": "}", quoted_template_start: "quoted_template_end" };
const CLOSERS = new Set(["]", "}", ")", "quoted_template_end"]);

function at(map: PosMap, node: Node): Range {
  return rangeOf(map, node.startIndex, node.endIndex);
}

function where(r: Range): string {
  return `line ${r.start.line}, column ${r.start.column}`;
}

function leaves(node: Node, out: Node[] = []): Node[] {
  if (node.childCount === 0) {
    if (node.type !== "comment" && !node.isMissing && node.endIndex > node.startIndex) out.push(node);
    return out;
  }
  for (const c of node.children) leaves(c, out);
  return out;
}

function hasAncestor(node: Node, type: string): Node | undefined {
  for (let p = node.parent; p; p = p.parent) if (p.type === type) return p;
  return undefined;
}

function missing(node: Node, map: PosMap, src: string): Diagnostic | undefined {
  const here = at(map, node);
  const block = node.type === "}" || node.type === "block_end" ? hasAncestor(node, "block") : undefined;
  if (block && !hasAncestor(node, "object")) {
    const open = block.children.find((c) => c.type === "block_start") ?? block;
    return error("Unclosed configuration block", `There is no closing brace for the block opened at ${where(at(map, open))}. Add "}" after its last argument.`, at(map, open));
  }
  switch (node.type) {
    case "quoted_template_end": {
      // A bad escape breaks tree-sitter's string scanner; that error is reported on its own.
      if (node.parent?.children.some((c) => c.type === "ERROR" && src.startsWith("\\", c.startIndex))) return undefined;
      const start = node.parent?.children[0] ?? node;
      return error("Unterminated string", `The string that starts at ${where(at(map, start))} has no closing quote on its line. Add the missing '"'.`, rangeOf(map, start.startIndex, start.endIndex));
    }
    case "heredoc_identifier": {
      const start = node.parent?.children[1] ?? node;
      // tree-sitter sometimes invents an empty heredoc to recover; the real error is elsewhere.
      if (start.endIndex === start.startIndex) return undefined;
      return error("Unterminated template string", `The heredoc "${start.text}" has no closing marker. End it with a line holding only "${start.text}".`, at(map, node.parent ?? node));
    }
    case "template_interpolation_end":
    case "template_directive_end":
      return error('Missing "}"', 'This template interpolation or directive is not closed. Add "}" after the expression.', here);
    case "]":
    case "tuple_end":
      return error('Missing "]"', 'This list is not closed. Add "]" after its last item, and separate items with commas.', here);
    case "}":
    case "object_end":
      return error('Missing "}"', 'This object is not closed. Add "}" after its last item.', here);
    case ")":
      return error('Missing ")"', 'This parenthesis or function call is not closed. Add ")".', here);
    case "=":
      return error('Missing "="', 'An argument is written as name = value. Add "=" between the name and the value.', here);
    default:
      return error("Invalid expression", "Expected the start of an expression here. Write a value, a reference or a function call.", here);
  }
}

function closerText(opener: Node): string {
  return opener.type === "quoted_template_start" ? '"' : (CLOSER_OF[opener.type] ?? "}");
}

/** The first non-blank character after `from` inside `node`, for errors tree-sitter skipped over. */
function nextToken(src: string, from: number, node: Node, map: PosMap): Range {
  let i = from;
  while (i < node.endIndex && /\s/.test(src[i] ?? "")) i++;
  if (i >= node.endIndex) return rangeOf(map, from, from);
  const m = /^[^\s]+/.exec(src.slice(i, node.endIndex));
  return rangeOf(map, i, i + (m ? m[0].length : 1));
}

function errorRegion(node: Node, map: PosMap, src: string): Diagnostic {
  const toks = leaves(node);
  const topLevel = !node.parent || node.parent.type === "body" || node.parent.type === "config_file";
  if (toks.length === 0) {
    // tree-sitter skipped the text without keeping tokens: describe it from the source.
    const subject = nextToken(src, node.startIndex, node, map);
    const text = nodeText(src, node, node.startIndex);
    if (text.startsWith("\\"))
      return error(
        "Invalid escape sequence",
        `"${src.slice(node.startIndex, node.startIndex + 2)}" is not a valid escape. Use \\n, \\t, \\r, \\", \\\\, \\uNNNN or \\UNNNNNNNN, or write \\\\ for a literal backslash.`,
        rangeOf(map, node.startIndex, node.startIndex + 2),
      );
    if (topLevel)
      return error(
        "Argument or block definition required",
        `Expected an argument ("name = value") or a block ("type \\"label\\" { ... }") here, but found "${text}". Remove or fix this text.`,
        subject,
      );
    return error("Invalid expression", `Expected the start of an expression, but found "${text}". Write a value, a reference or a function call.`, subject);
  }
  const stack: Node[] = [];
  for (const tok of toks) {
    if (tok.type in CLOSER_OF) {
      stack.push(tok);
      continue;
    }
    if (!CLOSERS.has(tok.type)) continue;
    const top = stack.pop();
    if (!top) continue;
    const expected = CLOSER_OF[top.type];
    if (expected === tok.type) continue;
    if (top.type === "quoted_template_start") {
      return error("Unterminated string", `The string that starts at ${where(at(map, top))} is not closed. Add the missing '"'.`, at(map, top));
    }
    return error(
      `Missing "${closerText(top)}"`,
      `The "${top.text}" at ${where(at(map, top))} is not closed before this point. Add "${closerText(top)}" (and check that items are separated by commas).`,
      at(map, tok),
    );
  }
  const open = stack.pop();
  if (open) {
    if (open.type === "quoted_template_start") {
      return error("Unterminated string", `The string that starts at ${where(at(map, open))} is not closed. Add the missing '"'.`, at(map, open));
    }
    const end = toks[toks.length - 1] ?? node;
    return error(`Missing "${closerText(open)}"`, `The "${open.text}" at ${where(at(map, open))} is never closed. Add "${closerText(open)}".`, rangeOf(map, end.endIndex, end.endIndex));
  }
  const [first, second, third] = toks;
  if (first && second?.type === "=" && first.type === "identifier") {
    const subject = third ? at(map, third) : nextToken(src, second.endIndex, node, map);
    const found = third?.text ?? nodeText(src, node, second.endIndex);
    return error("Invalid expression", `Expected the start of an expression after "${first.text} =", but found ${found ? `"${found}"` : "nothing"}. Write the value of the argument.`, subject);
  }
  if (first?.type === "=" && second) {
    return error("Invalid expression", `Expected the start of an expression after "=", but found "${second.text}". Write the value of the argument.`, at(map, second));
  }
  if (topLevel && first && first.type !== "identifier") {
    return error("Argument or block definition required", 'Expected an argument ("name = value") or a block ("type \\"label\\" { ... }") here. Remove or fix this text.', at(map, first));
  }
  if (topLevel && first && second) {
    return error("Invalid block definition", 'A block definition needs its labels followed by "{" on the same line, and an argument needs "=". Fix the text after the name.', at(map, second));
  }
  return error("Invalid expression", "This text is not a valid expression. Check for a missing operator, comma or quote.", first ? at(map, first) : at(map, node));
}

function nodeText(src: string, node: Node, from: number): string {
  const m = /^\s*([^\s]+)/.exec(src.slice(from, node.endIndex));
  return m?.[1] ?? "";
}

function before(a: Range, b: Range): boolean {
  return a.start.line < b.start.line || (a.start.line === b.start.line && a.start.column < b.start.column);
}

/**
 * After one error tree-sitter often cannot find a block's "}" any more; an "Unclosed
 * configuration block" that follows another error inside that block is noise, not news.
 */
function dropCascades(diags: Diagnostic[]): Diagnostic[] {
  const firstError = diags
    .filter((d) => d.summary !== "Unclosed configuration block" && d.subject)
    .map((d) => d.subject as Range)
    .sort((a, b) => (before(a, b) ? -1 : 1))[0];
  return diags.filter((d) => !(d.summary === "Unclosed configuration block" && firstError && d.subject && before(d.subject, firstError)));
}

/** All syntax errors of a tree, in source order, one per ERROR region or MISSING token. */
export function syntaxErrors(root: Node, map: PosMap, src: string): Diagnostic[] {
  const out: Diagnostic[] = [];
  const visit = (node: Node): void => {
    if (node.isMissing) {
      const d = missing(node, map, src);
      if (d) out.push(d);
      return;
    }
    if (node.type === "ERROR") {
      out.push(errorRegion(node, map, src));
      return;
    }
    if (!node.hasError) return;
    for (const c of node.children) visit(c);
  };
  visit(root);
  return dropCascades(out);
}
