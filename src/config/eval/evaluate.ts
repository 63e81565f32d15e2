// The expression evaluator: Expr + Scope -> Value + diagnostics, with HCL/Terraform semantics,
// Unknown and Sensitive propagation, and every problem reported at the offending sub-expression.
// No exception escapes: unexpected failures become an "Internal error" diagnostic.
import { error } from "../../diag/diagnostic.js";
import type { Diagnostic, Range } from "../../diag/diagnostic.js";
import type { BinaryExpr, CallExpr, ConditionalExpr, Expr, ForExpr, GetAttrExpr, IndexExpr, TemplatePart } from "../ast.js";
import { callFunction } from "../functions/call.js";
import type { CallArg } from "../functions/call.js";
import { Unknown, containsSensitive, containsUnknown, isObjectValue, typeName, unmark } from "../value.js";
import type { Value } from "../value.js";
import { T, convertValue } from "./convert.js";
import { deepEqual, markIf, numberToString, parseNumber, peel, setKey, sortedKeys, tidyNumber, unknownHint } from "./marks.js";
import { lookupName, nameList } from "./scope.js";
import type { Scope } from "./scope.js";
import { didYouMean } from "./suggest.js";
import { MAX_VALUE_DEPTH, tooDeepValueDiagnostic, valueDepth } from "../depth.js";

export type { Scope } from "./scope.js";

export interface EvalResult {
  value: Value;
  diagnostics: Diagnostic[];
}

type Bindings = ReadonlyMap<string, Value>;
/** The bindings outside any `for` (read-only, so one map serves every evaluation). */
const NO_BINDINGS: Bindings = new Map();

/** Deeper nesting than this is reported instead of risking a stack overflow. */
const MAX_DEPTH = 200;

export function evaluate(expr: Expr, scope: Scope): EvalResult {
  // Half the arguments of a typical resource are literals (cores = 2, node = "pve1"): no
  // evaluator, nesting check or diagnostics list for a scalar.
  if (expr.kind === "literal") return { value: expr.value, diagnostics: [] };
  const ev = new Evaluator(scope);
  try {
    const value = ev.eval(expr, NO_BINDINGS);
    // Locals can each add a level to the last: bound what every consumer of values recurses over.
    if (valueDepth(value) > MAX_VALUE_DEPTH) {
      ev.diags.push(tooDeepValueDiagnostic(expr.range, scope.address));
      return { value: new Unknown(), diagnostics: ev.diags };
    }
    return { value, diagnostics: ev.diags };
  } catch (e) {
    ev.diags.push(
      error(
        "Internal error during evaluation",
        `Evaluating this expression failed unexpectedly: ${e instanceof Error ? e.message : String(e)}. This is a bug in pmxform; please report it with the expression.`,
        expr.range,
        scope.address,
      ),
    );
    return { value: new Unknown(), diagnostics: ev.diags };
  }
}

class Evaluator {
  diags: Diagnostic[] = [];
  private depth = 0;
  private readonly splatItems: Value[] = [];

  constructor(private readonly scope: Scope) {}

  private err(summary: string, detail: string, range: Range): void {
    this.diags.push(error(summary, detail, range, this.scope.address));
  }

  /** Evaluates with a separate diagnostics list (for try/can and conditional branches). */
  private captured(expr: Expr, b: Bindings): EvalResult {
    const saved = this.diags;
    this.diags = [];
    try {
      const value = this.eval(expr, b);
      return { value, diagnostics: this.diags };
    } finally {
      this.diags = saved;
    }
  }

  eval(e: Expr, b: Bindings): Value {
    if (this.depth >= MAX_DEPTH) {
      this.err("Expression too deeply nested", `Expressions may nest at most ${MAX_DEPTH} levels; split this one into locals.`, e.range);
      return new Unknown();
    }
    this.depth++;
    try {
      return this.evalInner(e, b);
    } finally {
      this.depth--;
    }
  }

  private evalInner(e: Expr, b: Bindings): Value {
    switch (e.kind) {
      case "literal":
        return e.value;
      case "paren":
        return this.eval(e.inner, b);
      case "template":
        return this.template(e.parts, b);
      case "tuple":
        return e.items.map((item) => this.eval(item, b));
      case "object":
        return this.object(e, b);
      case "variable":
        return this.root(e.name, e.range, b);
      case "getattr":
        return this.getAttr(e, b);
      case "index":
        return this.index(e, b);
      case "splat":
        return this.splat(e.source, e.each, b);
      case "splatitem": {
        if (this.splatItems.length === 0) {
          this.err("Invalid splat expression", "A splat element reference appeared outside a splat expression; rewrite it as a for expression.", e.range);
          return new Unknown();
        }
        return this.splatItems[this.splatItems.length - 1] as Value;
      }
      case "call":
        return this.call(e, b);
      case "unary":
        return this.unary(e.op, this.eval(e.operand, b), e.operand.range);
      case "binary":
        return this.binary(e, b);
      case "conditional":
        return this.conditional(e, b);
      case "for":
        return this.forExpr(e, b);
    }
  }

  // ---- names and traversals -------------------------------------------------------------

  private root(name: string, range: Range, b: Bindings): Value {
    // has(), not get() ?? ...: a for-expression variable bound to null is still bound.
    if (b.has(name)) return b.get(name) as Value;
    const bound = lookupName(this.scope.bindings, name);
    if (bound !== undefined) return bound;
    switch (name) {
      case "each":
        if (this.scope.each) return { key: this.scope.each.key, value: this.scope.each.value };
        this.err('Reference to "each" in context without for_each', 'The "each" object can be used only in "resource" blocks, and only when the "for_each" argument is set.', range);
        return new Unknown();
      case "count":
        if (this.scope.count) return { index: this.scope.count.index };
        this.err('Reference to "count" in non-counted context', 'The "count" object can only be used in "resource" blocks when the "count" argument is set.', range);
        return new Unknown();
      case "var":
      case "local":
      case "path":
        this.err("Invalid reference", `The "${name}" object cannot be accessed directly. Instead, access one of its attributes, like ${name}.NAME.`, range);
        return new Unknown();
      case "self":
        this.err('Invalid "self" reference', 'The "self" object is not available here; refer to the resource by its address instead.', range);
        return new Unknown();
      default:
        this.err(
          "Invalid reference",
          `A reference to a resource type must be followed by at least one attribute access, specifying the resource name (like ${name}.NAME).${didYouMean(name, [...b.keys(), ...nameList(this.scope.bindings)])}`,
          range,
        );
        return new Unknown();
    }
  }

  /** `var.x`, `local.y`, `each.key`, `count.index`, `path.module`, `TYPE.NAME`; undefined when `e` is an ordinary attribute access. */
  private rootAttr(e: GetAttrExpr, b: Bindings): Value | undefined {
    if (e.target.kind !== "variable") return undefined;
    const root = e.target.name;
    if (b.has(root) || lookupName(this.scope.bindings, root) !== undefined) return undefined;
    if (root === "each" || root === "count" || root === "self") {
      if ((root === "each" && this.scope.each) || (root === "count" && this.scope.count)) {
        const ok = root === "each" ? ["key", "value"] : ["index"];
        if (!ok.includes(e.name)) {
          this.err(`Invalid "${root}" attribute`, `The "${root}" object has only ${ok.map((k) => `"${k}"`).join(" and ")}.${didYouMean(e.name, ok)}`, e.nameRange);
          return new Unknown();
        }
      }
      return undefined; // the root itself reports absence or builds the object
    }
    const name = e.name;
    switch (root) {
      case "var": {
        const v = lookupName(this.scope.variables, name);
        if (v !== undefined) return v;
        this.err(
          "Reference to undeclared input variable",
          `An input variable with the name "${name}" has not been declared.${didYouMean(name, nameList(this.scope.variables))} Declare it with a variable "${name}" {} block, or fix the name.`,
          e.range,
        );
        return new Unknown();
      }
      case "local": {
        const v = lookupName(this.scope.locals, name);
        if (v !== undefined) return v;
        this.err(
          "Reference to undeclared local value",
          `A local value with the name "${name}" has not been declared.${didYouMean(name, nameList(this.scope.locals))} Declare it in a locals block, or fix the name.`,
          e.range,
        );
        return new Unknown();
      }
      case "path": {
        const p = this.scope.path ?? { module: this.scope.baseDir ?? ".", root: this.scope.baseDir ?? ".", cwd: process.cwd() };
        if (name === "module" || name === "root" || name === "cwd") return p[name];
        this.err('Invalid "path" attribute', `The "path" object has only "module", "root" and "cwd".${didYouMean(name, ["module", "root", "cwd"])}`, e.nameRange);
        return new Unknown("string");
      }
      default: {
        const v = this.scope.resource?.(root, name);
        if (v !== undefined) return v;
        this.err(
          "Reference to undeclared resource",
          `A managed resource "${root}" "${name}" has not been declared in the configuration. Declare it with a resource "${root}" "${name}" block, or fix the reference.`,
          e.range,
        );
        return new Unknown();
      }
    }
  }

  private getAttr(e: GetAttrExpr, b: Bindings): Value {
    const rooted = this.rootAttr(e, b);
    if (rooted !== undefined) return rooted;
    const { value: target, sensitive } = peel(this.eval(e.target, b));
    if (target instanceof Unknown) return markIf(new Unknown(), sensitive);
    if (target === null) {
      this.err("Attempt to get attribute from null value", `This value is null, so it does not have any attributes. Check for null (x != null ? x.${e.name} : ...) or give it a value.`, e.nameRange);
      return new Unknown();
    }
    if (isObjectValue(target)) {
      if (Object.prototype.hasOwnProperty.call(target, e.name)) return markIf(target[e.name] as Value, sensitive);
      this.err("Unsupported attribute", `This object does not have an attribute named "${e.name}".${didYouMean(e.name, Object.keys(target))}`, e.nameRange);
      return new Unknown();
    }
    if (Array.isArray(target)) {
      this.err(
        "Unsupported attribute",
        `Can't access attributes on a list of objects. Did you mean to access attribute "${e.name}" for a specific element of the list (x[0].${e.name}), or across all elements of the list (x[*].${e.name})?`,
        e.nameRange,
      );
      return new Unknown();
    }
    this.err("Unsupported attribute", `Can't access attributes on a primitive-typed value (${typeName(target)}).`, e.nameRange);
    return new Unknown();
  }

  private index(e: IndexExpr, b: Bindings): Value {
    const t = peel(this.eval(e.target, b));
    const k = peel(this.eval(e.key, b));
    const sensitive = t.sensitive || k.sensitive;
    const target = t.value;
    const key = k.value;
    if (target === null) {
      this.err("Attempt to index null value", "This value is null, so it does not have any indices. Check for null before indexing it.", e.key.range);
      return new Unknown();
    }
    if (key === null) {
      this.err("Invalid index", "Can't use a null value as an indexing key; use a string or a number.", e.key.range);
      return new Unknown();
    }
    if (target instanceof Unknown || key instanceof Unknown) return markIf(new Unknown(), sensitive);
    if (Array.isArray(target)) {
      const n = typeof key === "string" ? parseNumber(key) : key;
      let problem: string | undefined;
      if (typeof n !== "number") problem = "a number is required";
      else if (!Number.isInteger(n)) problem = "indexing a sequence requires a whole number";
      else if (n < 0) problem = "a negative number is not a valid index for a sequence";
      else if (n >= target.length) problem = `the collection has ${target.length} element${target.length === 1 ? "" : "s"}, so the largest valid index is ${target.length - 1}`;
      if (problem !== undefined) {
        this.err("Invalid index", `The given key does not identify an element in this collection value: ${problem}.`, e.key.range);
        return new Unknown();
      }
      return markIf(target[n as number] as Value, sensitive);
    }
    if (isObjectValue(target)) {
      const ks = convertValue(key, T.string);
      if ("error" in ks || typeof ks.value !== "string") {
        this.err("Invalid index", `The given key does not identify an element in this collection value: a string key is required, got ${typeName(key)}.`, e.key.range);
        return new Unknown();
      }
      const name = ks.value;
      if (Object.prototype.hasOwnProperty.call(target, name)) return markIf(target[name] as Value, sensitive);
      this.err(
        "Invalid index",
        `The given key does not identify an element in this collection value: there is no element with the key ${sensitive ? "(sensitive value)" : JSON.stringify(name)}.${sensitive ? "" : didYouMean(name, Object.keys(target))} Use lookup(map, key, default) or try() when the key may be absent.`,
        e.key.range,
      );
      return new Unknown();
    }
    this.err("Invalid index", `This value does not have any indices: it is a ${typeName(target)}.`, e.key.range);
    return new Unknown();
  }

  private splat(source: Expr, each: Expr, b: Bindings): Value {
    const { value: src, sensitive } = peel(this.eval(source, b));
    if (src instanceof Unknown) return markIf(new Unknown("list"), sensitive);
    if (src === null) return markIf([], sensitive);
    const items = Array.isArray(src) ? src : [src];
    const out = items.map((item) => {
      this.splatItems.push(item);
      try {
        return this.eval(each, b);
      } finally {
        this.splatItems.pop();
      }
    });
    return markIf(out, sensitive);
  }

  // ---- constructors -----------------------------------------------------------------------

  private object(e: Extract<Expr, { kind: "object" }>, b: Bindings): Value {
    const out: { [k: string]: Value } = {};
    let unknown = false;
    let sensitive = false;
    const seen = new Set<string>();
    for (const item of e.items) {
      const k = peel(this.eval(item.key, b));
      const v = this.eval(item.value, b);
      sensitive ||= k.sensitive;
      if (k.value instanceof Unknown) {
        unknown = true;
        continue;
      }
      const key = this.objectKey(k.value, item.key.range, "Invalid object key");
      if (key === undefined) continue;
      if (seen.has(key)) {
        this.err("Duplicate object attribute", `The attribute "${key}" is defined more than once in this object; remove one of the definitions.`, item.key.range);
        continue;
      }
      seen.add(key);
      setKey(out, key, v);
    }
    if (unknown) return markIf(new Unknown("map"), sensitive);
    return markIf(out, sensitive);
  }

  /** Object keys must be strings; numbers and bools convert, null and collections are errors. */
  private objectKey(key: Value, range: Range, summary: string): string | undefined {
    if (key === null) {
      this.err(summary, "An object key must not be null; use a string.", range);
      return undefined;
    }
    const r = convertValue(key, T.string);
    if ("error" in r || typeof r.value !== "string") {
      this.err(summary, `An object key must be a string, got ${typeName(key)}.`, range);
      return undefined;
    }
    return r.value;
  }

  // ---- templates --------------------------------------------------------------------------

  private template(parts: TemplatePart[], b: Bindings): Value {
    // "${x}" alone yields x itself, unconverted (HCL's template wrap rule).
    const only = parts[0];
    if (parts.length === 1 && only?.kind === "interp") return this.eval(only.expr, b);
    const acc = { text: "", unknown: false, sensitive: false };
    this.templateParts(parts, b, acc);
    if (acc.unknown) return markIf(new Unknown("string"), acc.sensitive);
    return markIf(acc.text, acc.sensitive);
  }

  private templateParts(parts: TemplatePart[], b: Bindings, acc: { text: string; unknown: boolean; sensitive: boolean }): void {
    for (const part of parts) {
      switch (part.kind) {
        case "text":
          acc.text += part.value;
          break;
        case "interp": {
          const s = this.interpolate(part.expr, b);
          acc.sensitive ||= s.sensitive;
          if (s.text === undefined) acc.unknown = true;
          else acc.text += s.text;
          break;
        }
        case "if": {
          const c = this.condition(part.cond, b, "template if directive");
          acc.sensitive ||= c.sensitive;
          if (c.value === undefined) {
            acc.unknown = true;
            // Still evaluate both branches for their diagnostics.
            this.templateParts(part.then, b, { text: "", unknown: false, sensitive: false });
            this.templateParts(part.else, b, { text: "", unknown: false, sensitive: false });
          } else this.templateParts(c.value ? part.then : part.else, b, acc);
          break;
        }
        case "for": {
          const coll = this.iterable(part.collection, b, "template for directive");
          acc.sensitive ||= coll.sensitive;
          if (coll.entries === undefined) {
            acc.unknown = true;
            break;
          }
          for (const [k, v] of coll.entries) this.templateParts(part.body, bind(b, part.keyVar, k, part.valueVar, v), acc);
          break;
        }
      }
    }
  }

  /** One `${...}`: text, or undefined when unknown. */
  private interpolate(expr: Expr, b: Bindings): { text?: string; sensitive: boolean } {
    const { value: v, sensitive } = peel(this.eval(expr, b));
    if (v instanceof Unknown) return { sensitive };
    if (v === null) {
      this.err(
        "Invalid template interpolation value",
        "The expression result is null. Cannot include a null value in a string template; use a conditional or coalesce() to supply a string.",
        expr.range,
      );
      return { text: "", sensitive };
    }
    if (typeof v === "string") return { text: v, sensitive };
    if (typeof v === "number") return { text: numberToString(v), sensitive };
    if (typeof v === "boolean") return { text: v ? "true" : "false", sensitive };
    this.err(
      "Invalid template interpolation value",
      `Cannot include the given value in a string template: string required, got ${typeName(v)}. Use jsonencode() or join() to turn a collection into a string.`,
      expr.range,
    );
    return { text: "", sensitive };
  }

  // ---- calls ------------------------------------------------------------------------------

  private call(e: CallExpr, b: Bindings): Value {
    if (e.name === "try" || e.name === "can") return this.tryCan(e, b);
    const fn = this.scope.functions?.get(e.name);
    if (!fn) {
      for (const a of e.args) this.eval(a, b);
      const names = [...(this.scope.functions?.keys() ?? []), "try", "can"];
      this.err("Call to unknown function", `There is no function named "${e.name}".${didYouMean(e.name, names)}`, e.nameRange);
      return new Unknown();
    }
    const args: CallArg[] = e.args.map((a) => ({ value: this.eval(a, b), range: a.range }));
    if (e.expandFinal) {
      const last = args.pop();
      const lastExpr = e.args[e.args.length - 1];
      if (last && lastExpr) {
        const { value: list, sensitive } = peel(last.value);
        if (list instanceof Unknown) return markIf(new Unknown(fn.returns), sensitive);
        if (!Array.isArray(list)) {
          this.err("Invalid expanding argument value", `The expanding argument (indicated by ...) must be a list or tuple, got ${typeName(list)}.`, lastExpr.range);
          return new Unknown(fn.returns);
        }
        for (const item of list) args.push({ value: markIf(item, sensitive), range: lastExpr.range });
      }
    }
    const r = callFunction(e.name, fn, args, e.range);
    for (const d of r.diagnostics) {
      if (this.scope.address !== undefined && d.address === undefined) d.address = this.scope.address;
      this.diags.push(d);
    }
    return r.value;
  }

  /** try() returns the first argument that evaluates without errors; can() says whether its argument does. */
  private tryCan(e: CallExpr, b: Bindings): Value {
    if (e.name === "can") {
      if (e.args.length !== 1) {
        this.err(e.args.length === 0 ? "Not enough function arguments" : "Too many function arguments", 'Function "can" expects exactly 1 argument.', e.range);
        return new Unknown("bool");
      }
      const r = this.captured(e.args[0] as Expr, b);
      if (r.diagnostics.some((d) => d.severity === "error")) return false;
      return containsUnknown(r.value) ? new Unknown("bool") : true;
    }
    if (e.args.length === 0) {
      this.err("Not enough function arguments", 'Function "try" expects at least 1 argument: the expressions to try in order.', e.range);
      return new Unknown();
    }
    const failures: Diagnostic[] = [];
    for (const arg of e.args) {
      const r = this.captured(arg, b);
      if (!r.diagnostics.some((d) => d.severity === "error")) {
        this.diags.push(...r.diagnostics);
        // An unknown result might still fail once known, so the whole try() is unknown then.
        return containsUnknown(r.value) ? markIf(new Unknown(unknownHint(r.value)), containsSensitive(r.value)) : r.value;
      }
      failures.push(...r.diagnostics.filter((d) => d.severity === "error"));
    }
    this.err(
      "Error in function call",
      `Call to function "try" failed: no expression succeeded:\n${failures.map((d) => `- ${d.summary}${d.detail ? `: ${d.detail}` : ""}`).join("\n")}\nAt least one expression must produce a valid value; add a fallback as the last argument.`,
      e.range,
    );
    return new Unknown();
  }

  // ---- operators --------------------------------------------------------------------------

  private number(v: Value, range: Range, which: string): number | undefined {
    const r = convertValue(v, T.number);
    if ("error" in r || typeof r.value !== "number") {
      this.err("Invalid operand", `Unsuitable value for ${which} operand: a number is required, got ${typeName(v)}.`, range);
      return undefined;
    }
    return r.value;
  }

  private bool(v: Value, range: Range, which: string): boolean | undefined {
    const r = convertValue(v, T.bool);
    if ("error" in r || typeof r.value !== "boolean") {
      this.err("Invalid operand", `Unsuitable value for ${which} operand: a bool is required, got ${typeName(v)}.`, range);
      return undefined;
    }
    return r.value;
  }

  private unary(op: "-" | "!", raw: Value, operandRange: Range): Value {
    const { value: v, sensitive } = peel(raw);
    const hint = op === "-" ? "number" : "bool";
    if (v instanceof Unknown) return markIf(new Unknown(hint), sensitive);
    if (v === null) {
      this.err("Invalid operand", `Unsuitable value for unary operand: a ${hint} is required, got null.`, operandRange);
      return new Unknown(hint);
    }
    if (op === "-") {
      const n = this.number(v, operandRange, "unary");
      return n === undefined ? new Unknown("number") : markIf(n === 0 ? 0 : -n, sensitive);
    }
    const x = this.bool(v, operandRange, "unary");
    return x === undefined ? new Unknown("bool") : markIf(!x, sensitive);
  }

  private binary(e: BinaryExpr, b: Bindings): Value {
    const lraw = this.eval(e.left, b);
    const rraw = this.eval(e.right, b);
    switch (e.op) {
      case "==":
      case "!=":
        return this.equality(e.op, lraw, rraw);
      case "&&":
      case "||":
        return this.logical(e, lraw, rraw);
      default:
        return this.arithmetic(e, lraw, rraw);
    }
  }

  private equality(op: "==" | "!=", lraw: Value, rraw: Value): Value {
    const sensitive = containsSensitive(lraw) || containsSensitive(rraw);
    const l = unmark(lraw);
    const r = unmark(rraw);
    const lu = containsUnknown(l);
    const ru = containsUnknown(r);
    if (lu || ru) {
      // Comparing with a known null is decidable unless the other side is wholly unknown.
      const decidable = (l === null && !(r instanceof Unknown)) || (r === null && !(l instanceof Unknown));
      if (!decidable) return markIf(new Unknown("bool"), sensitive);
      const eq = l === null && r === null;
      return markIf(op === "==" ? eq : !eq, sensitive);
    }
    const eq = deepEqual(l, r);
    return markIf(op === "==" ? eq : !eq, sensitive);
  }

  private logical(e: BinaryExpr, lraw: Value, rraw: Value): Value {
    const l = peel(lraw);
    const r = peel(rraw);
    const sensitive = l.sensitive || r.sensitive;
    const side = (v: Value, range: Range, which: string): boolean | Unknown | undefined => {
      if (v instanceof Unknown) return v;
      if (v === null) {
        this.err("Invalid operand", `Unsuitable value for ${which} operand: a bool is required, got null.`, range);
        return undefined;
      }
      return this.bool(v, range, which);
    };
    const lv = side(l.value, e.left.range, "left");
    const rv = side(r.value, e.right.range, "right");
    if (lv === undefined || rv === undefined) return new Unknown("bool");
    // Terraform evaluates both operands (no short circuit); a known deciding operand wins over an unknown one.
    const decider = e.op === "&&" ? false : true;
    if (lv === decider || rv === decider) return markIf(decider, sensitive);
    if (lv instanceof Unknown || rv instanceof Unknown) return markIf(new Unknown("bool"), sensitive);
    return markIf(e.op === "&&" ? lv && rv : lv || rv, sensitive);
  }

  private arithmetic(e: BinaryExpr, lraw: Value, rraw: Value): Value {
    const l = peel(lraw);
    const r = peel(rraw);
    const sensitive = l.sensitive || r.sensitive;
    const comparison = e.op === "<" || e.op === "<=" || e.op === ">" || e.op === ">=";
    const hint = comparison ? "bool" : "number";
    const operand = (v: Value, range: Range, which: string): number | Unknown | undefined => {
      if (v instanceof Unknown) return v;
      if (v === null) {
        this.err("Invalid operand", `Unsuitable value for ${which} operand: a number is required, got null.`, range);
        return undefined;
      }
      return this.number(v, range, which);
    };
    const lv = operand(l.value, e.left.range, "left");
    const rv = operand(r.value, e.right.range, "right");
    if (lv === undefined || rv === undefined) return new Unknown(hint);
    if (lv instanceof Unknown || rv instanceof Unknown) return markIf(new Unknown(hint), sensitive);
    let out: number | boolean;
    switch (e.op) {
      case "+":
        out = lv + rv;
        break;
      case "-":
        out = lv - rv;
        break;
      case "*":
        out = lv * rv;
        break;
      case "/":
      case "%":
        if (rv === 0) {
          this.err("Operation failed", `Error during operation: can't ${e.op === "/" ? "divide" : "take the remainder of a division"} by zero. Guard the divisor with a conditional.`, e.right.range);
          return new Unknown("number");
        }
        out = e.op === "/" ? lv / rv : lv % rv;
        break;
      case "<":
        out = lv < rv;
        break;
      case "<=":
        out = lv <= rv;
        break;
      case ">":
        out = lv > rv;
        break;
      default:
        out = lv >= rv;
        break;
    }
    if (typeof out === "number") {
      if (!Number.isFinite(out)) {
        this.err("Operation failed", "Error during operation: the result is too large to represent as a number.", e.range);
        return new Unknown("number");
      }
      if (Object.is(out, -0)) out = 0;
      out = tidyNumber(out);
    }
    return markIf(out, sensitive);
  }

  /** Evaluates a condition: a bool, or undefined value when unknown or invalid (invalid is reported). */
  private condition(expr: Expr, b: Bindings, what: string): { value?: boolean; sensitive: boolean } {
    const { value: v, sensitive } = peel(this.eval(expr, b));
    if (v instanceof Unknown) return { sensitive };
    if (v === null) {
      this.err("Null condition", `The condition value of this ${what} is null. Conditions must either be true or false.`, expr.range);
      return { sensitive };
    }
    const r = convertValue(v, T.bool);
    if ("error" in r || typeof r.value !== "boolean") {
      this.err("Incorrect condition type", `The condition of this ${what} must be a bool, got ${typeName(v)}.`, expr.range);
      return { sensitive };
    }
    return { value: r.value, sensitive };
  }

  private conditional(e: ConditionalExpr, b: Bindings): Value {
    const errorsBefore = this.diags.length;
    const c = this.condition(e.cond, b, "conditional expression");
    const condFailed = this.diags.length > errorsBefore;
    const t = this.captured(e.then, b);
    const f = this.captured(e.else, b);
    if (condFailed) return new Unknown();
    if (c.value === undefined) {
      this.diags.push(...t.diagnostics, ...f.diagnostics);
      const u = this.unify(t.value, f.value, e);
      return markIf(new Unknown(u ? unknownHint(u.then) : "any"), c.sensitive);
    }
    // Only the selected branch's problems count (so `x != null ? x.a : ""` works).
    this.diags.push(...(c.value ? t.diagnostics : f.diagnostics));
    const chosenFailed = (c.value ? t.diagnostics : f.diagnostics).some((d) => d.severity === "error");
    if (chosenFailed) return new Unknown();
    const u = this.unify(t.value, f.value, e);
    if (!u) return new Unknown();
    return markIf(c.value ? u.then : u.else, c.sensitive);
  }

  /** Makes both conditional results one type where Terraform would (string wins over number/bool). */
  private unify(tv: Value, fv: Value, e: ConditionalExpr): { then: Value; else: Value } | undefined {
    const kind = (v: Value): string => {
      const p = peel(v).value;
      if (p === null || p instanceof Unknown) return "*";
      if (Array.isArray(p)) return "list";
      if (typeof p === "object") return "object";
      return typeof p;
    };
    const kt = kind(tv);
    const kf = kind(fv);
    if (kt === kf || kt === "*" || kf === "*") return { then: tv, else: fv };
    const prim = ["string", "number", "boolean"];
    if (prim.includes(kt) && prim.includes(kf) && (kt === "string" || kf === "string")) {
      const toS = (v: Value): Value => {
        const r = convertValue(v, T.string);
        return "error" in r ? v : r.value;
      };
      return { then: toS(tv), else: toS(fv) };
    }
    this.err(
      "Inconsistent conditional result types",
      `The true and false result expressions must have consistent types. The 'true' value is ${typeName(tv)}, but the 'false' value is ${typeName(fv)}. Convert one of them (tostring(), tonumber(), ...) so both have the same type.`,
      e.range,
    );
    return undefined;
  }

  // ---- for expressions --------------------------------------------------------------------

  /** Entries of a list (index keys) or map/object (lexical key order); undefined when unknown or invalid. */
  private iterable(expr: Expr, b: Bindings, what: string): { entries?: [Value, Value][]; sensitive: boolean; invalid?: boolean } {
    const { value: coll, sensitive } = peel(this.eval(expr, b));
    if (coll instanceof Unknown) return { sensitive };
    if (coll === null) {
      this.err("Iteration over null value", `A null value cannot be used as the collection in a ${what}; use [] or {} instead.`, expr.range);
      return { sensitive, invalid: true };
    }
    if (Array.isArray(coll)) return { entries: coll.map((v, i) => [i, v] as [Value, Value]), sensitive };
    if (isObjectValue(coll)) return { entries: sortedKeys(coll).map((k) => [k, coll[k] as Value] as [Value, Value]), sensitive };
    this.err("Iteration over non-iterable value", `A value of type ${typeName(coll)} cannot be used as the collection in a ${what}; use a list, set, map or object.`, expr.range);
    return { sensitive, invalid: true };
  }

  private forExpr(e: ForExpr, b: Bindings): Value {
    const hint = e.object ? "map" : "list";
    const coll = this.iterable(e.collection, b, "'for' expression");
    if (coll.invalid) return new Unknown(hint);
    if (coll.entries === undefined) return markIf(new Unknown(hint), coll.sensitive);
    let sensitive = coll.sensitive;
    let unknown = false;
    const list: Value[] = [];
    const obj: { [k: string]: Value } = {};
    const groups = new Map<string, Value[]>();
    for (const [k, v] of coll.entries) {
      const inner = bind(b, e.keyVar, k, e.valueVar, v);
      if (e.cond) {
        const before = this.diags.length;
        const c = this.condition(e.cond, inner, "'for' expression filter");
        sensitive ||= c.sensitive;
        if (this.diags.length > before) return new Unknown(hint);
        if (c.value === undefined) {
          unknown = true;
          continue;
        }
        if (!c.value) continue;
      }
      if (!e.object) {
        list.push(this.eval(e.valueExpr, inner));
        continue;
      }
      const keyExpr = e.keyExpr ?? e.valueExpr;
      const kv = peel(this.eval(keyExpr, inner));
      const value = this.eval(e.valueExpr, inner);
      sensitive ||= kv.sensitive;
      if (kv.value instanceof Unknown) {
        unknown = true;
        continue;
      }
      const key = this.objectKey(kv.value, keyExpr.range, "Invalid object key");
      if (key === undefined) return new Unknown(hint);
      if (e.grouping) {
        const g = groups.get(key);
        if (g) g.push(value);
        else groups.set(key, [value]);
      } else if (Object.prototype.hasOwnProperty.call(obj, key)) {
        this.err(
          "Duplicate object key",
          `Two different items produced the key ${JSON.stringify(key)} in this 'for' expression. If duplicates are expected, use the ellipsis (...) after the value expression to enable grouping by key.`,
          keyExpr.range,
        );
        return new Unknown(hint);
      } else setKey(obj, key, value);
    }
    if (unknown) return markIf(new Unknown(hint), sensitive);
    if (!e.object) return markIf(list, sensitive);
    if (e.grouping) for (const [k, g] of groups) setKey(obj, k, g);
    return markIf(obj, sensitive);
  }
}

function bind(b: Bindings, keyVar: string | undefined, key: Value, valueVar: string, value: Value): Bindings {
  const m = new Map(b);
  if (keyVar !== undefined) m.set(keyVar, key);
  m.set(valueVar, value);
  return m;
}
