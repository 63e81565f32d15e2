// Type constraints and Terraform's value conversion rules (number<->string, bool<->string,
// tuple->list/set, object->map, optional object attributes). Re-exported by ../types.ts.
import { Sensitive, Unknown, isObjectValue } from "../value.js";
import type { Value } from "../value.js";
import { deepEqual, numberToString, parseNumber, setKey, sortedKeys } from "./marks.js";

export interface ObjectAttributeType {
  type: TypeConstraint;
  optional: boolean;
  /** Value used when an optional attribute is absent or null. */
  default?: Value;
}

export type TypeConstraint =
  | { kind: "string" }
  | { kind: "number" }
  | { kind: "bool" }
  | { kind: "any" }
  | { kind: "list"; element: TypeConstraint }
  | { kind: "set"; element: TypeConstraint }
  | { kind: "map"; element: TypeConstraint }
  | { kind: "tuple"; elements: TypeConstraint[] }
  | { kind: "object"; attributes: Map<string, ObjectAttributeType> };

export const T = {
  string: { kind: "string" } as TypeConstraint,
  number: { kind: "number" } as TypeConstraint,
  bool: { kind: "bool" } as TypeConstraint,
  any: { kind: "any" } as TypeConstraint,
  list: (element: TypeConstraint): TypeConstraint => ({ kind: "list", element }),
  set: (element: TypeConstraint): TypeConstraint => ({ kind: "set", element }),
  map: (element: TypeConstraint): TypeConstraint => ({ kind: "map", element }),
};

/** Terraform's spelling of a type, e.g. `list(string)` or `object({cores=number})`. */
export function typeString(t: TypeConstraint): string {
  switch (t.kind) {
    case "list":
    case "set":
    case "map":
      return `${t.kind}(${typeString(t.element)})`;
    case "tuple":
      return `tuple([${t.elements.map(typeString).join(", ")}])`;
    case "object":
      return `object({${[...t.attributes].map(([k, a]) => `${k}=${a.optional ? `optional(${typeString(a.type)})` : typeString(a.type)}`).join(", ")}})`;
    default:
      return t.kind;
  }
}

/** The Unknown hint for a value of this type. */
export function typeHint(t: TypeConstraint): string {
  switch (t.kind) {
    case "list":
    case "set":
    case "tuple":
      return "list";
    case "map":
    case "object":
      return "map";
    default:
      return t.kind;
  }
}

export type PathStep = string | number;

export class ConversionError {
  constructor(
    readonly path: PathStep[],
    readonly message: string,
  ) {}
  /** `attribute "cores": a number is required` */
  toString(): string {
    return [...this.path.map((p) => (typeof p === "number" ? `element ${p}` : `attribute ${JSON.stringify(p)}`)), this.message].join(": ");
  }
}

function describeRequired(t: TypeConstraint): string {
  switch (t.kind) {
    case "string":
      return "string required";
    case "number":
      return "a number is required";
    case "bool":
      return "a bool is required";
    case "list":
    case "set":
    case "map":
      return `${t.kind} of ${typeString(t.element)} required`;
    case "tuple":
      return "tuple required";
    case "object":
      return "object required";
    default:
      return "value required";
  }
}

/**
 * Converts `value` to type `t`. Unknowns stay unknown (with the type's hint), Sensitive marks
 * stay on the converted value, null converts to null for every type.
 */
export function convertValue(value: Value, t: TypeConstraint, path: PathStep[] = []): { value: Value } | { error: ConversionError } {
  if (value instanceof Sensitive) {
    const r = convertValue(value.value, t, path);
    return "error" in r ? r : { value: new Sensitive(r.value) };
  }
  if (value instanceof Unknown) return { value: t.kind === "any" ? value : new Unknown(typeHint(t)) };
  if (value === null) return { value: null };
  const fail = (message: string = describeRequired(t)) => ({ error: new ConversionError(path, message) });
  switch (t.kind) {
    case "any":
      return { value };
    case "string":
      if (typeof value === "string") return { value };
      if (typeof value === "number") return { value: numberToString(value) };
      if (typeof value === "boolean") return { value: value ? "true" : "false" };
      return fail();
    case "number":
      if (typeof value === "number") return { value };
      if (typeof value === "string") {
        const n = parseNumber(value.trim() === value ? value : "x");
        return n === undefined ? fail(`a number is required, got ${JSON.stringify(value)}`) : { value: n };
      }
      return fail();
    case "bool":
      if (typeof value === "boolean") return { value };
      if (value === "true" || value === "false") return { value: value === "true" };
      return fail(typeof value === "string" ? `a bool is required (true or false), got ${JSON.stringify(value)}` : undefined);
    case "list":
    case "set": {
      if (!Array.isArray(value)) return fail();
      const out: Value[] = [];
      for (let i = 0; i < value.length; i++) {
        const r = convertValue(value[i] as Value, t.element, [...path, i]);
        if ("error" in r) return r;
        out.push(r.value);
      }
      return { value: t.kind === "set" ? toSetOrder(out) : out };
    }
    case "tuple": {
      if (!Array.isArray(value)) return fail();
      if (value.length !== t.elements.length) return fail(`tuple with ${t.elements.length} element(s) required, got ${value.length}`);
      const out: Value[] = [];
      for (let i = 0; i < value.length; i++) {
        const r = convertValue(value[i] as Value, t.elements[i] as TypeConstraint, [...path, i]);
        if ("error" in r) return r;
        out.push(r.value);
      }
      return { value: out };
    }
    case "map": {
      if (!isObjectValue(value)) return fail();
      const out: { [k: string]: Value } = {};
      for (const k of sortedKeys(value)) {
        const r = convertValue(value[k] as Value, t.element, [...path, k]);
        if ("error" in r) return r;
        setKey(out, k, r.value);
      }
      return { value: out };
    }
    case "object": {
      if (!isObjectValue(value)) return fail();
      const out: { [k: string]: Value } = {};
      for (const [name, attr] of t.attributes) {
        const present = Object.prototype.hasOwnProperty.call(value, name);
        let v: Value = present ? (value[name] as Value) : null;
        if (!present && !attr.optional) return { error: new ConversionError(path, `attribute ${JSON.stringify(name)} is required`) };
        if (v === null && attr.default !== undefined) v = attr.default;
        const r = convertValue(v, attr.type, [...path, name]);
        if ("error" in r) return r;
        setKey(out, name, r.value);
      }
      return { value: out };
    }
  }
}

/** Sets have no duplicates; strings and numbers iterate in sorted order like Terraform's sets. */
export function toSetOrder(items: Value[]): Value[] {
  const out: Value[] = [];
  for (const x of items) if (!out.some((y) => deepEqual(x, y))) out.push(x);
  if (out.every((x) => typeof x === "string")) return out.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  if (out.every((x) => typeof x === "number")) return out.sort((a, b) => a - b);
  return out;
}
