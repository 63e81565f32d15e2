// Concrete syntax tree (tree-sitter-hcl) -> pmxform AST and Body. The grammar inlines postfix
// traversals and parentheses into the parent node's children, so terms are rebuilt here from
// child sequences; operator precedence is already encoded in the tree's nesting.
import type { Node } from "web-tree-sitter";
import type { BinaryOp, Expr, ForExpr, ObjectItem } from "../ast.js";
import type { Attribute, Block, Body } from "../body.js";
import { error } from "../../diag/diagnostic.js";
import type { Diagnostic, Range } from "../../diag/diagnostic.js";
import { nodeRange } from "./positions.js";
import { IndexedRange } from "../../diag/indexed-range.js";
import type { PosMap } from "./positions.js";
import type { ConvertCtx } from "./context.js";
import { convertTemplateSpan } from "./template.js";
import { checkBodyLayout } from "./layout.js";

const BINARY_OPS = new Set<string>(["||", "&&", "==", "!=", "<", "<=", ">", ">=", "+", "-", "*", "/", "%"]);

export function makeContext(src: string, map: PosMap, diags: Diagnostic[]): ConvertCtx {
  const ctx: ConvertCtx = {
    src,
    map,
    diags,
    range: (node) => nodeRange(map, node.startIndex, node.endIndex),
    invalid: (node) => ({ kind: "literal", value: null, range: nodeRange(map, node.startIndex, node.endIndex) }),
    expr: (node) => convertExpression(node, ctx),
    checkLayout: true,
  };
  return ctx;
}

function isNoise(node: Node): boolean {
  return node.type === "comment" || node.type === "ERROR" || node.isMissing;
}

export function convertExpression(node: Node, ctx: ConvertCtx): Expr {
  const kids = node.children.filter((c) => !isNoise(c));
  const only = kids[0];
  if (kids.length === 1 && only?.type === "conditional") return convertConditional(only, ctx);
  return convertTerm(kids, node, ctx);
}

function convertConditional(node: Node, ctx: ConvertCtx): Expr {
  const parts = node.namedChildren.filter((c) => c.type === "expression");
  const [cond, then, otherwise] = parts;
  if (!cond || !then || !otherwise) return ctx.invalid(node);
  return { kind: "conditional", cond: ctx.expr(cond), then: ctx.expr(then), else: ctx.expr(otherwise), range: ctx.range(node) };
}

/** A primary expression followed by any number of traversal steps. */
function convertTerm(kids: Node[], whole: Node, ctx: ConvertCtx): Expr {
  const first = kids[0];
  if (!first) return ctx.invalid(whole);
  let expr: Expr;
  let i = 1;
  if (first.type === "(") {
    const inner = kids.find((k) => k.type === "expression");
    const close = kids.findIndex((k) => k.type === ")");
    const end = close === -1 ? (inner ?? first) : (kids[close] as Node);
    i = close === -1 ? kids.length : close + 1;
    expr = { kind: "paren", inner: inner ? ctx.expr(inner) : ctx.invalid(first), range: nodeRange(ctx.map, first.startIndex, end.endIndex) };
  } else {
    expr = convertPrimary(first, ctx);
  }
  for (; i < kids.length; i++) expr = applyPostfix(expr, kids[i] as Node, ctx);
  return expr;
}

function convertPrimary(node: Node, ctx: ConvertCtx): Expr {
  switch (node.type) {
    case "literal_value":
      return convertLiteral(node, ctx);
    case "template_expr":
      return convertTemplateExpr(node, ctx);
    case "collection_value":
      return convertCollection(node, ctx);
    case "variable_expr":
      return { kind: "variable", name: node.text, range: ctx.range(node) };
    case "function_call":
      return convertCall(node, ctx);
    case "for_expr":
      return convertFor(node, ctx);
    case "operation":
      return convertOperation(node, ctx);
    case "expression":
      return ctx.expr(node);
    default:
      return ctx.invalid(node);
  }
}

function applyPostfix(target: Expr, step: Node, ctx: ConvertCtx): Expr {
  const range: Range = IndexedRange.extend(target.range, ctx.map, step.endIndex);
  switch (step.type) {
    case "get_attr": {
      const name = step.children.find((c) => c.type === "identifier");
      if (!name) return target;
      return { kind: "getattr", target, name: name.text, nameRange: ctx.range(step), range };
    }
    case "index": {
      const inner = step.children[0];
      if (!inner) return target;
      if (inner.type === "legacy_index") {
        const digits = inner.text.slice(1);
        const key: Expr = { kind: "literal", value: Number(digits), range: nodeRange(ctx.map, inner.startIndex + 1, inner.endIndex) };
        return { kind: "index", target, key, range };
      }
      const keyNode = inner.children.find((c) => c.type === "expression");
      return { kind: "index", target, key: keyNode ? ctx.expr(keyNode) : ctx.invalid(inner), range };
    }
    case "splat": {
      const splat = step.children[0];
      if (!splat) return target;
      const op = splat.children[0] ?? splat;
      const steps = splat.children.slice(1).filter((c) => !isNoise(c));
      // An attribute-only splat (`.*`) takes only attribute steps; an index ends it (as in HCL).
      const cut = splat.type === "attr_splat" ? steps.findIndex((s) => s.type !== "get_attr") : -1;
      const inside = cut === -1 ? steps : steps.slice(0, cut);
      const after = cut === -1 ? [] : steps.slice(cut);
      let each: Expr = { kind: "splatitem", range: ctx.range(op) };
      for (const s of inside) each = applyPostfix(each, s, ctx);
      const end = inside[inside.length - 1] ?? op;
      let result: Expr = { kind: "splat", source: target, each, range: IndexedRange.extend(target.range, ctx.map, end.endIndex) };
      for (const s of after) result = applyPostfix(result, s, ctx);
      return result;
    }
    default:
      return target;
  }
}

function convertLiteral(node: Node, ctx: ConvertCtx): Expr {
  const inner = node.children[0];
  const range = ctx.range(node);
  if (!inner) return ctx.invalid(node);
  switch (inner.type) {
    case "numeric_lit": {
      const value = Number(inner.text);
      if (!/^[0-9]/.test(inner.text) || inner.text.startsWith("0x") || !Number.isFinite(value)) {
        ctx.diags.push(error("Invalid number literal", `"${inner.text}" is not a decimal number. Write numbers in decimal, like 255 or 1.5.`, range));
        return { kind: "literal", value: null, range };
      }
      return { kind: "literal", value, range };
    }
    case "bool_lit":
      return { kind: "literal", value: inner.text === "true", range };
    case "null_lit":
      return { kind: "literal", value: null, range };
    case "string_lit":
      return convertQuoted(inner, ctx);
    default:
      return ctx.invalid(node);
  }
}

function convertQuoted(node: Node, ctx: ConvertCtx): Expr {
  const kids = node.children;
  const open = kids[0];
  const close = kids[kids.length - 1];
  const contentStart = open ? open.endIndex : node.startIndex;
  const contentEnd = close && close.type === "quoted_template_end" && kids.length > 1 ? close.startIndex : node.endIndex;
  return convertTemplateSpan({ children: kids, contentStart, contentEnd, quoted: true, flush: false, range: ctx.range(node) }, ctx);
}

function convertTemplateExpr(node: Node, ctx: ConvertCtx): Expr {
  const inner = node.children[0];
  if (!inner) return ctx.invalid(node);
  if (inner.type === "quoted_template") return convertQuoted(inner, ctx);
  const kids = inner.children;
  const flush = kids[0]?.text === "<<-";
  const markers = kids.filter((k) => k.type === "heredoc_identifier");
  const open = markers[0];
  if (!open) return ctx.invalid(inner);
  // Content starts on the line after the opening marker and ends before the closing marker's line.
  const nl = ctx.src.indexOf("\n", open.endIndex);
  const contentStart = nl === -1 ? open.endIndex : nl + 1;
  const close = markers.length > 1 ? markers[markers.length - 1] : undefined;
  let contentEnd = close && !close.isMissing ? close.startIndex : inner.endIndex;
  if (close && !close.isMissing) {
    const lineStart = ctx.src.lastIndexOf("\n", contentEnd - 1) + 1;
    if (/^[ \t]*$/.test(ctx.src.slice(lineStart, contentEnd))) contentEnd = lineStart;
  }
  contentEnd = Math.max(contentStart, contentEnd);
  return convertTemplateSpan({ children: kids, contentStart, contentEnd, quoted: false, flush, range: ctx.range(node) }, ctx);
}

function convertCollection(node: Node, ctx: ConvertCtx): Expr {
  const inner = node.children[0];
  if (!inner) return ctx.invalid(node);
  const range = ctx.range(node);
  if (inner.type === "tuple") {
    const items = inner.children.filter((c) => c.type === "expression").map((c) => ctx.expr(c));
    return { kind: "tuple", items, range };
  }
  const items: ObjectItem[] = [];
  for (const elem of inner.children) {
    if (elem.type !== "object_elem") continue;
    const keyNode = elem.childForFieldName("key");
    const valNode = elem.childForFieldName("val");
    if (!keyNode || !valNode) continue;
    items.push({ key: objectKey(keyNode, ctx), value: ctx.expr(valNode), range: ctx.range(elem) });
  }
  return { kind: "object", items, range };
}

/** A bare identifier key is the string itself, not a variable reference. */
function objectKey(node: Node, ctx: ConvertCtx): Expr {
  const kids = node.children.filter((c) => !isNoise(c));
  const only = kids[0];
  if (kids.length === 1 && only?.type === "variable_expr") return { kind: "literal", value: only.text, range: ctx.range(only) };
  return ctx.expr(node);
}

function convertCall(node: Node, ctx: ConvertCtx): Expr {
  const name = node.children[0];
  const argsNode = node.children.find((c) => c.type === "function_arguments");
  const args = argsNode ? argsNode.children.filter((c) => c.type === "expression").map((c) => ctx.expr(c)) : [];
  const expandFinal = argsNode ? argsNode.children.some((c) => c.type === "ellipsis") : false;
  return {
    kind: "call",
    name: name?.text ?? "",
    nameRange: name ? ctx.range(name) : ctx.range(node),
    args,
    expandFinal,
    range: ctx.range(node),
  };
}

function convertFor(node: Node, ctx: ConvertCtx): Expr {
  const inner = node.children[0];
  if (!inner) return ctx.invalid(node);
  const intro = inner.children.find((c) => c.type === "for_intro");
  if (!intro) return ctx.invalid(node);
  const names = intro.children.filter((c) => c.type === "identifier").map((c) => c.text);
  const collNode = intro.children.find((c) => c.type === "expression");
  const exprs = inner.children.filter((c) => c.type === "expression");
  const condNode = inner.children.find((c) => c.type === "for_cond")?.children.find((c) => c.type === "expression");
  const object = inner.type === "for_object_expr";
  const valueNode = object ? exprs[1] : exprs[0];
  const out: ForExpr = {
    kind: "for",
    valueVar: names[names.length - 1] ?? "_",
    collection: collNode ? ctx.expr(collNode) : ctx.invalid(intro),
    valueExpr: valueNode ? ctx.expr(valueNode) : ctx.invalid(inner),
    grouping: object && inner.children.some((c) => c.type === "ellipsis"),
    object,
    range: ctx.range(node),
  };
  if (names.length === 2 && names[0] !== undefined) out.keyVar = names[0];
  if (object) out.keyExpr = exprs[0] ? ctx.expr(exprs[0]) : ctx.invalid(inner);
  if (condNode) out.cond = ctx.expr(condNode);
  return out;
}

function convertOperation(node: Node, ctx: ConvertCtx): Expr {
  const inner = node.children[0];
  if (!inner) return ctx.invalid(node);
  const kids = inner.children.filter((c) => !isNoise(c));
  const range = ctx.range(inner);
  if (inner.type === "unary_operation") {
    const op = kids[0]?.type === "!" ? "!" : "-";
    return { kind: "unary", op, operand: convertTerm(kids.slice(1), inner, ctx), range };
  }
  const at = kids.findIndex((k) => !k.isNamed && BINARY_OPS.has(k.type));
  if (at <= 0) return ctx.invalid(inner);
  return {
    kind: "binary",
    op: (kids[at] as Node).type as BinaryOp,
    left: convertTerm(kids.slice(0, at), inner, ctx),
    right: convertTerm(kids.slice(at + 1), inner, ctx),
    range,
  };
}

// ---- bodies ----

export function convertBody(node: Node | undefined, emptyRange: Range, ctx: ConvertCtx): Body {
  if (!node) return { attributes: [], blocks: [], range: emptyRange };
  const attributes: Attribute[] = [];
  const blocks: Block[] = [];
  const seen = new Map<string, Attribute>();
  if (ctx.checkLayout) checkBodyLayout(node, ctx);
  for (const item of node.children) {
    if (item.type === "attribute") {
      const attribute = convertAttribute(item, ctx);
      if (!attribute) continue;
      const first = seen.get(attribute.name);
      if (first) {
        const at = `${first.nameRange.file}:${first.nameRange.start.line}:${first.nameRange.start.column}`;
        ctx.diags.push(error("Attribute redefined", `The argument "${attribute.name}" was already set at ${at}. Each argument may be set only once; remove one of them.`, attribute.nameRange));
        continue;
      }
      seen.set(attribute.name, attribute);
      attributes.push(attribute);
    } else if (item.type === "block") {
      const block = convertBlock(item, ctx);
      if (block) blocks.push(block);
    }
  }
  return { attributes, blocks, range: ctx.range(node) };
}

function convertAttribute(node: Node, ctx: ConvertCtx): Attribute | undefined {
  const name = node.children[0];
  const value = node.children.find((c) => c.type === "expression");
  if (!name || name.type !== "identifier" || !value) return undefined;
  return { name: name.text, expr: ctx.expr(value), nameRange: ctx.range(name), range: ctx.range(node) };
}

function convertBlock(node: Node, ctx: ConvertCtx): Block | undefined {
  const kids = node.children;
  const type = kids[0];
  if (!type || type.type !== "identifier") return undefined;
  const labels: string[] = [];
  const labelRanges: Range[] = [];
  for (const k of kids.slice(1)) {
    if (k.type === "block_start") break;
    if (k.type === "identifier") labels.push(k.text);
    else if (k.type === "string_lit") {
      const lit = convertQuoted(k, ctx);
      labels.push(lit.kind === "literal" && typeof lit.value === "string" ? lit.value : k.text);
    } else continue;
    labelRanges.push(ctx.range(k));
  }
  const open = kids.find((k) => k.type === "block_start");
  const bodyNode = kids.find((k) => k.type === "body");
  const emptyAt = open ? nodeRange(ctx.map, open.endIndex, open.endIndex) : ctx.range(node);
  return {
    type: type.text,
    labels,
    labelRanges,
    body: convertBody(bodyNode, emptyAt, ctx),
    typeRange: ctx.range(type),
    range: ctx.range(node),
  };
}
