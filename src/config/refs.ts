// Reference extraction: which variables, locals, resources, each/count/path an expression
// refers to (for the dependency graph and "undeclared ..." checks), ignoring names bound by
// enclosing for-expressions and template for-directives.
import { error } from "../diag/diagnostic.js";
import type { Diagnostic, Range } from "../diag/diagnostic.js";
import type { Expr, TemplatePart } from "./ast.js";
import { didYouMean } from "./eval/suggest.js";

export interface Ref {
  kind: "var" | "local" | "resource" | "each" | "count" | "path";
  /** Variable/local name, resource name, or the each/count/path attribute ("" when used bare). */
  name: string;
  /** Resource type, for resource references. */
  type?: string;
  /** The first attribute after the address (`vmid` in `lxc_container.web[0].vmid`), when static. */
  attr?: string;
  /** Range of the reference (`var.x`, `lxc_container.web`). */
  range: Range;
}

const NOT_RESOURCES = new Set(["var", "local", "each", "count", "path", "self"]);
/** No names bound outside any for-expression; shared (never mutated: scopes copy before adding). */
const NOTHING_BOUND: ReadonlySet<string> = new Set();

/** Every reference in the expression, in source order (duplicates kept; each has its own range). */
export function references(expr: Expr): Ref[] {
  const out: Ref[] = [];
  walk(expr, NOTHING_BOUND, out);
  return out;
}

type Step = { kind: "attr"; name: string; node: Expr } | { kind: "index"; key: Expr; node: Expr };

function unwind(e: Expr): { root: Expr; steps: Step[] } {
  const steps: Step[] = [];
  let cur = e;
  for (;;) {
    if (cur.kind === "getattr") {
      steps.push({ kind: "attr", name: cur.name, node: cur });
      cur = cur.target;
    } else if (cur.kind === "index") {
      steps.push({ kind: "index", key: cur.key, node: cur });
      cur = cur.target;
    } else break;
  }
  return { root: cur, steps: steps.reverse() };
}

/** Walks a traversal chain; returns the ref it produced, if any. */
function chain(e: Expr, bound: ReadonlySet<string>, out: Ref[]): Ref | undefined {
  const { root, steps } = unwind(e);
  let ref: Ref | undefined;
  if (root.kind === "variable") ref = rootRef(root.name, root.range, steps, bound);
  else walk(root, bound, out);
  if (ref) out.push(ref);
  for (const s of steps) if (s.kind === "index") walk(s.key, bound, out);
  return ref;
}

function rootRef(root: string, rootRange: Range, steps: Step[], bound: ReadonlySet<string>): Ref | undefined {
  if (bound.has(root) || root === "self") return undefined;
  const first = steps[0];
  const firstAttr = first?.kind === "attr" ? first : undefined;
  const second = steps[1];
  switch (root) {
    case "var":
    case "local":
    case "path":
      return firstAttr ? { kind: root, name: firstAttr.name, range: firstAttr.node.range } : undefined;
    case "each":
    case "count": {
      const ref: Ref = { kind: root, name: firstAttr?.name ?? "", range: firstAttr?.node.range ?? rootRange };
      if (firstAttr && second?.kind === "attr") ref.attr = second.name;
      return ref;
    }
    default: {
      if (!firstAttr) return undefined;
      const ref: Ref = { kind: "resource", type: root, name: firstAttr.name, range: firstAttr.node.range };
      // `TYPE.NAME.attr` or `TYPE.NAME[key].attr`
      const after = second?.kind === "index" ? steps[2] : second;
      if (after?.kind === "attr") ref.attr = after.name;
      return ref;
    }
  }
}

function walkParts(parts: TemplatePart[], bound: ReadonlySet<string>, out: Ref[]): void {
  for (const part of parts) {
    switch (part.kind) {
      case "text":
        break;
      case "interp":
        walk(part.expr, bound, out);
        break;
      case "if":
        walk(part.cond, bound, out);
        walkParts(part.then, bound, out);
        walkParts(part.else, bound, out);
        break;
      case "for": {
        walk(part.collection, bound, out);
        const inner = new Set(bound);
        if (part.keyVar !== undefined) inner.add(part.keyVar);
        inner.add(part.valueVar);
        walkParts(part.body, inner, out);
        break;
      }
    }
  }
}

function walk(e: Expr, bound: ReadonlySet<string>, out: Ref[]): void {
  switch (e.kind) {
    case "literal":
    case "splatitem":
      return;
    case "variable": {
      const ref = rootRef(e.name, e.range, [], bound);
      if (ref) out.push(ref);
      return;
    }
    case "getattr":
    case "index":
      chain(e, bound, out);
      return;
    case "splat": {
      const ref = e.source.kind === "getattr" || e.source.kind === "index" ? chain(e.source, bound, out) : (walk(e.source, bound, out), undefined);
      const each = unwind(e.each);
      const firstEach = each.steps[0];
      if (ref?.kind === "resource" && ref.attr === undefined && each.root.kind === "splatitem" && firstEach?.kind === "attr") ref.attr = firstEach.name;
      walk(e.each, bound, out);
      return;
    }
    case "template":
      walkParts(e.parts, bound, out);
      return;
    case "tuple":
      for (const item of e.items) walk(item, bound, out);
      return;
    case "object":
      for (const item of e.items) {
        walk(item.key, bound, out);
        walk(item.value, bound, out);
      }
      return;
    case "call":
      for (const a of e.args) walk(a, bound, out);
      return;
    case "unary":
      walk(e.operand, bound, out);
      return;
    case "binary":
      walk(e.left, bound, out);
      walk(e.right, bound, out);
      return;
    case "conditional":
      walk(e.cond, bound, out);
      walk(e.then, bound, out);
      walk(e.else, bound, out);
      return;
    case "paren":
      walk(e.inner, bound, out);
      return;
    case "for": {
      walk(e.collection, bound, out);
      const inner = new Set(bound);
      if (e.keyVar !== undefined) inner.add(e.keyVar);
      inner.add(e.valueVar);
      if (e.keyExpr) walk(e.keyExpr, inner, out);
      walk(e.valueExpr, inner, out);
      if (e.cond) walk(e.cond, inner, out);
      return;
    }
  }
}

/** True when the name is a root that is never a resource type (var, local, each, count, path, self). */
export function isBuiltinRoot(name: string): boolean {
  return NOT_RESOURCES.has(name);
}

export interface Declared {
  variables: ReadonlySet<string> | ReadonlyMap<string, unknown>;
  locals: ReadonlySet<string> | ReadonlyMap<string, unknown>;
  /** Resource addresses `type.name`. */
  resources: ReadonlySet<string> | ReadonlyMap<string, unknown>;
}

/** "Reference to undeclared ..." diagnostics for refs that name nothing declared. */
export function undeclaredReferences(refs: readonly Ref[], declared: Declared, address?: string): Diagnostic[] {
  const diags: Diagnostic[] = [];
  const keys = (s: Declared[keyof Declared]): string[] => [...s.keys()];
  for (const r of refs) {
    if (r.kind === "var" && !declared.variables.has(r.name)) {
      diags.push(
        error(
          "Reference to undeclared input variable",
          `An input variable with the name "${r.name}" has not been declared.${didYouMean(r.name, keys(declared.variables))} Declare it with a variable "${r.name}" {} block, or fix the name.`,
          r.range,
          address,
        ),
      );
    } else if (r.kind === "local" && !declared.locals.has(r.name)) {
      diags.push(
        error(
          "Reference to undeclared local value",
          `A local value with the name "${r.name}" has not been declared.${didYouMean(r.name, keys(declared.locals))} Declare it in a locals block, or fix the name.`,
          r.range,
          address,
        ),
      );
    } else if (r.kind === "resource" && !declared.resources.has(`${r.type}.${r.name}`)) {
      diags.push(
        error(
          "Reference to undeclared resource",
          `A managed resource "${r.type}" "${r.name}" has not been declared.${didYouMean(`${r.type}.${r.name}`, keys(declared.resources))} Declare it with a resource "${r.type}" "${r.name}" block, or fix the reference.`,
          r.range,
          address,
        ),
      );
    }
  }
  return diags;
}
