// Type constraints as written in `type = ...` (string, list(number), object({a = optional(bool, true)}), ...)
// parsed from the expression AST, and conversion of values to them with Terraform's rules.
import { error } from "../diag/diagnostic.js";
import type { Diagnostic, Range } from "../diag/diagnostic.js";
import type { Expr } from "./ast.js";
import { convertValue, typeString } from "./eval/convert.js";
import type { ObjectAttributeType, TypeConstraint } from "./eval/convert.js";
import { evaluate } from "./eval/evaluate.js";
import type { Value } from "./value.js";

export { T, typeString, typeHint, convertValue, ConversionError } from "./eval/convert.js";
export type { TypeConstraint, ObjectAttributeType } from "./eval/convert.js";

const PRIMITIVES = new Set(["string", "number", "bool", "any"]);
const HOW = "Write a type constraint such as string, number, bool, any, list(string), set(string), map(number), tuple([string, number]) or object({ name = string, size = optional(number, 8) }).";

export function parseType(expr: Expr): { type?: TypeConstraint; diagnostics: Diagnostic[] } {
  const diagnostics: Diagnostic[] = [];
  const type = parse(expr, diagnostics, false);
  return type && !diagnostics.some((d) => d.severity === "error") ? { type, diagnostics } : { diagnostics };
}

function parse(expr: Expr, diags: Diagnostic[], insideObject: boolean): TypeConstraint | undefined {
  const bad = (detail: string, range: Range = expr.range): undefined => {
    diags.push(error("Invalid type specification", `${detail} ${HOW}`, range));
    return undefined;
  };
  if (expr.kind === "paren") return parse(expr.inner, diags, insideObject);
  if (expr.kind === "variable") {
    if (PRIMITIVES.has(expr.name)) return { kind: expr.name } as TypeConstraint;
    // Legacy bare `list` / `map` mean a collection of any element type.
    if (expr.name === "list" || expr.name === "map" || expr.name === "set") return { kind: expr.name, element: { kind: "any" } };
    return bad(`The keyword "${expr.name}" is not a valid type.`);
  }
  if (expr.kind === "literal" || expr.kind === "template") {
    const text = expr.kind === "literal" ? String(expr.value) : "";
    diags.push(
      error(
        "Invalid quoted type constraints",
        `Terraform 0.11 and earlier required type constraints to be given in quotes, but that form is not supported. Remove the quotes${text && PRIMITIVES.has(text) ? `: write ${text}` : ""}.`,
        expr.range,
      ),
    );
    return undefined;
  }
  if (expr.kind !== "call") return bad("This expression is not a type.");
  const args = expr.args;
  const one = (what: string): Expr | undefined => {
    if (args.length !== 1) {
      bad(`The ${expr.name} type constructor requires exactly one argument: ${what}.`, expr.range);
      return undefined;
    }
    return args[0];
  };
  switch (expr.name) {
    case "list":
    case "set":
    case "map": {
      const a = one("the element type");
      if (!a) return undefined;
      const element = parse(a, diags, false);
      return element && { kind: expr.name, element };
    }
    case "tuple": {
      const a = one("a list of element types");
      if (!a) return undefined;
      if (a.kind !== "tuple") return bad("The tuple type constructor requires a list of element types, like tuple([string, number]).", a.range);
      const elements: TypeConstraint[] = [];
      for (const item of a.items) {
        const t = parse(item, diags, false);
        if (!t) return undefined;
        elements.push(t);
      }
      return { kind: "tuple", elements };
    }
    case "object": {
      const a = one("an object of attribute types");
      if (!a) return undefined;
      if (a.kind !== "object") return bad("The object type constructor requires an object of attribute types, like object({ name = string }).", a.range);
      const attributes = new Map<string, ObjectAttributeType>();
      for (const item of a.items) {
        const name = keyName(item.key);
        if (name === undefined) return bad("Object type attribute names must be plain names or quoted strings.", item.key.range);
        if (attributes.has(name)) return bad(`The attribute "${name}" is declared more than once.`, item.key.range);
        const attr = parseAttribute(item.value, diags);
        if (!attr) return undefined;
        attributes.set(name, attr);
      }
      return { kind: "object", attributes };
    }
    case "optional":
      return bad(
        insideObject ? "optional() takes a type and an optional default value." : "optional() is allowed only for the attributes of an object type, like object({ size = optional(number) }).",
        expr.range,
      );
    default:
      return bad(`"${expr.name}" is not a type constructor.`, expr.nameRange);
  }
}

function parseAttribute(expr: Expr, diags: Diagnostic[]): ObjectAttributeType | undefined {
  if (expr.kind !== "call" || expr.name !== "optional") {
    const type = parse(expr, diags, true);
    return type && { type, optional: false };
  }
  if (expr.args.length < 1 || expr.args.length > 2) {
    diags.push(error("Invalid type specification", "optional() takes a type and, optionally, a default value: optional(number) or optional(number, 8).", expr.range));
    return undefined;
  }
  const type = parse(expr.args[0] as Expr, diags, true);
  if (!type) return undefined;
  const defaultExpr = expr.args[1];
  if (!defaultExpr) return { type, optional: true };
  const r = evaluate(defaultExpr, {});
  diags.push(...r.diagnostics);
  if (r.diagnostics.some((d) => d.severity === "error")) return undefined;
  const c = convertValue(r.value, type);
  if ("error" in c) {
    diags.push(error("Invalid default value for optional attribute", `The default value is not compatible with the attribute's type: ${c.error.toString()}.`, defaultExpr.range));
    return undefined;
  }
  return { type, optional: true, default: c.value };
}

function keyName(key: Expr): string | undefined {
  if (key.kind === "literal" && typeof key.value === "string") return key.value;
  if (key.kind === "variable") return key.name;
  if (key.kind === "template" && key.parts.length === 1 && key.parts[0]?.kind === "text") return key.parts[0].value;
  if (key.kind === "paren") return keyName(key.inner);
  return undefined;
}

export interface ConvertOptions {
  /** Diagnostic summary; "Invalid value for variable" unless told. */
  summary?: string;
  /** What is being converted, e.g. `var.web declared at main.pmx.hcl:3,1`. */
  what?: string;
  subject?: Range;
}

/** Converts a value to a type constraint, reporting failures with the path inside the value. */
export function convert(value: Value, type: TypeConstraint, opts: ConvertOptions = {}): { value: Value; diagnostics: Diagnostic[] } {
  const r = convertValue(value, type);
  if (!("error" in r)) return { value: r.value, diagnostics: [] };
  return {
    value,
    diagnostics: [
      error(
        opts.summary ?? "Invalid value for variable",
        `The given value is not suitable for ${opts.what ?? "this value"}: ${r.error.toString()}. Provide a value of type ${typeString(type)}.`,
        opts.subject,
      ),
    ],
  };
}
