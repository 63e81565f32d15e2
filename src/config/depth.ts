// Depth bounds for everything that recurses over expressions and values. The source pre-scan
// (nesting.ts) only sees brackets; operators (`!!!…`, `1 + 1 + …`, `a ? b : c ? …`), splat and
// attribute chains, template directives and text inside strings or heredocs nest expressions
// without brackets, and locals can build values deeper than any one expression. Parsers count
// their own recursion and throw TooDeep; the finished tree and every evaluated value are measured
// here without recursion, so the reference walker, the evaluator, converters, encoders and the
// plan renderer only ever see bounded depth.
import { error } from "../diag/diagnostic.js";
import type { Diagnostic, Range } from "../diag/diagnostic.js";
import type { Expr, TemplatePart } from "./ast.js";
import type { Body } from "./body.js";
import { MAX_NESTING } from "./nesting.js";
import { Sensitive, isObjectValue } from "./value.js";
import type { Value } from "./value.js";

/** Levels an expression tree may nest (each operator, call, bracket, directive counts one). */
export const MAX_EXPR_DEPTH = MAX_NESTING;
/** Levels a value may nest (lists/maps in lists/maps), however it was built. */
export const MAX_VALUE_DEPTH = MAX_NESTING;

/** Thrown by a parser whose recursion passed MAX_EXPR_DEPTH; `offset` is where, in its text. */
export class TooDeep extends Error {
  constructor(readonly offset: number) {
    super("expression nested too deeply");
  }
}

export function tooDeepExprDiagnostic(range: Range): Diagnostic {
  return error(
    "Expression nested too deeply",
    `This expression nests operators, brackets, calls, splats or template directives more than ${MAX_EXPR_DEPTH} levels deep; pmxform refuses it instead of risking a crash. Split it into locals.`,
    range,
  );
}

type Walk = { e: Expr; d: number } | { parts: TemplatePart[]; d: number };

function pushChildren(e: Expr, d: number, stack: Walk[]): void {
  switch (e.kind) {
    case "literal":
    case "variable":
    case "splatitem":
      return;
    case "template":
      stack.push({ parts: e.parts, d });
      return;
    case "tuple":
      for (const x of e.items) stack.push({ e: x, d });
      return;
    case "object":
      for (const x of e.items) stack.push({ e: x.key, d }, { e: x.value, d });
      return;
    case "getattr":
      stack.push({ e: e.target, d });
      return;
    case "index":
      stack.push({ e: e.target, d }, { e: e.key, d });
      return;
    case "splat":
      stack.push({ e: e.source, d }, { e: e.each, d });
      return;
    case "call":
      for (const x of e.args) stack.push({ e: x, d });
      return;
    case "unary":
      stack.push({ e: e.operand, d });
      return;
    case "binary":
      stack.push({ e: e.left, d }, { e: e.right, d });
      return;
    case "conditional":
      stack.push({ e: e.cond, d }, { e: e.then, d }, { e: e.else, d });
      return;
    case "for":
      stack.push({ e: e.collection, d }, { e: e.valueExpr, d });
      if (e.keyExpr) stack.push({ e: e.keyExpr, d });
      if (e.cond) stack.push({ e: e.cond, d });
      return;
    case "paren":
      stack.push({ e: e.inner, d });
      return;
  }
}

/** The range of the first node deeper than MAX_EXPR_DEPTH (counting as the evaluator does), if any. */
export function exprTooDeep(root: Expr, limit = MAX_EXPR_DEPTH): Range | undefined {
  // Most arguments are a literal or a name: one level, nothing to walk (every attribute of every file passes here).
  if (root.kind === "literal" || root.kind === "variable") return limit < 1 ? root.range : undefined;
  const stack: Walk[] = [{ e: root, d: 1 }];
  while (stack.length > 0) {
    const w = stack.pop() as Walk;
    if ("e" in w) {
      if (w.d > limit) return w.e.range;
      pushChildren(w.e, w.d + 1, stack);
      continue;
    }
    for (const part of w.parts) {
      if (w.d > limit) return part.range;
      switch (part.kind) {
        case "text":
          break;
        case "interp":
          stack.push({ e: part.expr, d: w.d });
          break;
        case "if":
          stack.push({ e: part.cond, d: w.d }, { parts: part.then, d: w.d + 1 }, { parts: part.else, d: w.d + 1 });
          break;
        case "for":
          stack.push({ e: part.collection, d: w.d }, { parts: part.body, d: w.d + 1 });
          break;
      }
    }
  }
  return undefined;
}

/** Every attribute expression of a body (blocks nest at most MAX_NESTING, checked before parsing). */
export function bodyTooDeep(body: Body): Range | undefined {
  const bodies: Body[] = [body];
  while (bodies.length > 0) {
    const b = bodies.pop() as Body;
    for (const a of b.attributes) {
      const at = exprTooDeep(a.expr);
      if (at) return at;
    }
    for (const blk of b.blocks) bodies.push(blk.body);
  }
  return undefined;
}

// Values are immutable once built, so a value's depth is remembered: a chain of locals, each one
// level deeper than the last, costs one step per new level instead of a walk of the whole value.
const depths = new WeakMap<object, number>();

/** How deep a value nests (a scalar is 0, `[1]` is 1); stops counting past `limit`. */
export function valueDepth(v: Value, limit = MAX_VALUE_DEPTH): number {
  if (typeof v !== "object" || v === null) return 0;
  const known = depths.get(v);
  if (known !== undefined) return known;
  // Post-order without recursion: a node is finished once all its children are.
  const stack: { v: object; kids: Value[]; i: number; max: number }[] = [];
  const open = (x: object): void => {
    const kids = x instanceof Sensitive ? [x.value] : Array.isArray(x) ? (x as Value[]) : isObjectValue(x as Value) ? (Object.values(x) as Value[]) : [];
    stack.push({ v: x, kids, i: 0, max: 0 });
  };
  open(v);
  let result = 0;
  while (stack.length > 0) {
    // Past the limit the answer is known; the unfinished nodes are not remembered (their own
    // depth may be small: only the path from this root is long).
    if (stack.length > limit + 1) return limit + 1;
    const top = stack[stack.length - 1]!;
    if (top.i < top.kids.length) {
      const k = top.kids[top.i++] as Value;
      if (typeof k !== "object" || k === null) continue;
      const d = depths.get(k);
      if (d !== undefined) top.max = Math.max(top.max, d);
      else open(k);
      continue;
    }
    stack.pop();
    // A Sensitive mark wraps a value without nesting it; lists and maps add one level.
    const own = top.v instanceof Sensitive ? top.max : Array.isArray(top.v) || isObjectValue(top.v as Value) ? top.max + 1 : 0;
    const d = own;
    depths.set(top.v, d);
    result = d;
    const parent = stack[stack.length - 1];
    if (parent) parent.max = Math.max(parent.max, d);
  }
  return result;
}

export function tooDeepValueDiagnostic(range: Range, address?: string): Diagnostic {
  return error(
    "Value nested too deeply",
    `This value nests lists and maps more than ${MAX_VALUE_DEPTH} levels deep (built up through locals or decoded from a string); pmxform refuses it instead of risking a crash in the converters and the plan. Flatten the structure.`,
    range,
    address,
  );
}
