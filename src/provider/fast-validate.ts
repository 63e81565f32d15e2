// A compiled check for the common case of a resource configuration: plain functions built from the
// same schema objects, which accept only input zod certainly accepts and return what zod returns.
// Anything else (a mistake to report, an unusual value, a schema part it does not know) goes to
// zod, which stays the reference and the only source of issues. zod's first 5,000 parses of a plan run
// cold (20-70 us each, 6 us warm; ~190 ms of a 5,000-resource plan), these at 5-15 us (~50 ms).
// One deliberate difference: a map key "__proto__" is kept as data (issue 23.12) where zod's record
// strips it. Checked against zod by test/provider/compiled-check-equals-zod.test.ts.
import type { ZodType } from "zod";
import { putKey } from "../config/value.js";

/** What a check returns when it cannot vouch for the input (zod then decides). */
export const DEFER: unique symbol = Symbol("defer to zod");
export type FastCheck = (v: unknown) => unknown;

const registered = new WeakMap<object, FastCheck>();
const compiled = new WeakMap<object, FastCheck | null>();

/** Attaches `check` to a leaf schema built by the helpers in schema.ts; returns the schema. */
export function withFastCheck<T extends ZodType>(schema: T, check: FastCheck): T {
  registered.set(schema, check);
  return schema;
}

/** The compiled check of `schema`, or undefined when part of it has none. */
export function fastCheckOf(schema: ZodType): FastCheck | undefined {
  let c = compiled.get(schema);
  if (c === undefined) {
    c = compile(schema) ?? null;
    compiled.set(schema, c);
  }
  return c ?? undefined;
}

/** zod's output for `value` when the fast check vouches for it, else undefined. */
export function fastParse(schema: ZodType, value: unknown): { data: unknown } | undefined {
  const check = fastCheckOf(schema);
  if (!check) return undefined;
  const data = check(value);
  return data === DEFER ? undefined : { data };
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (typeof v !== "object" || v === null || Array.isArray(v)) return false;
  const proto: unknown = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

interface Def {
  type: string;
  innerType?: ZodType;
  shape?: Record<string, ZodType>;
  catchall?: ZodType;
  keyType?: ZodType;
  valueType?: ZodType;
  checks?: unknown[];
}

const defOf = (s: ZodType): Def => (s as unknown as { _zod: { def: Def } })._zod.def;

function compile(schema: ZodType): FastCheck | undefined {
  const leaf = registered.get(schema);
  if (leaf) return leaf;
  const def = defOf(schema);
  switch (def.type) {
    case "optional":
      // A present key holding undefined is left to zod: its rules for that differ by version.
      return def.innerType ? fastCheckOf(def.innerType) : undefined;
    case "object":
      return compileStrictObject(def);
    case "record":
      return def.keyType && def.valueType && isPlainString(def.keyType) ? recordCheck(def.valueType) : undefined;
    default:
      return undefined;
  }
}

function isPlainString(s: ZodType): boolean {
  const d = defOf(s);
  return d.type === "string" && !d.checks?.length;
}

/** z.strictObject: unknown keys are zod's to report; the output has the shape's key order. */
function compileStrictObject(def: Def): FastCheck | undefined {
  if (!def.shape || !def.catchall || defOf(def.catchall).type !== "never") return undefined;
  const props = new Map<string, { index: number; check: FastCheck; optional: boolean }>();
  let required = 0;
  for (const [key, s] of Object.entries(def.shape)) {
    const check = fastCheckOf(s);
    if (!check || key === "__proto__") return undefined;
    const optional = defOf(s).type === "optional";
    props.set(key, { index: props.size, check, optional });
    if (!optional) required++;
  }
  // Driven by the input's keys (a dozen) rather than the shape's (lxc_container has 45).
  return (v) => {
    if (!isPlainObject(v)) return DEFER;
    const keys = Object.keys(v);
    // Kept in shape order as they are found (insertion into a dozen slots): Array.prototype.sort
    // and an object per key were a tenth of a 5,000-resource plan's allocations.
    const order: number[] = [];
    const names: string[] = [];
    const values: unknown[] = [];
    let requiredSeen = 0;
    for (const key of keys) {
      const p = props.get(key);
      if (!p) return DEFER;
      const value = p.check(v[key]);
      if (value === DEFER) return DEFER;
      if (!p.optional) requiredSeen++;
      let at = order.length;
      order.push(p.index);
      names.push(key);
      values.push(value);
      for (; at > 0 && order[at - 1]! > p.index; at--) {
        order[at] = order[at - 1]!;
        names[at] = names[at - 1]!;
        values[at] = values[at - 1];
      }
      order[at] = p.index;
      names[at] = key;
      values[at] = value;
    }
    if (requiredSeen !== required) return DEFER;
    const out: Record<string, unknown> = {};
    for (let i = 0; i < names.length; i++) putKey(out, names[i]!, values[i]);
    return out;
  };
}

/** z.record(z.string(), value): the output keeps the input's key order; keys failing keyPattern go to zod. */
export function recordCheck(valueSchema: ZodType, keyPattern?: RegExp): FastCheck {
  return (v) => {
    const check = fastCheckOf(valueSchema);
    if (!check || !isPlainObject(v)) return DEFER;
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(v)) {
      if (keyPattern && !keyPattern.test(k)) return DEFER;
      const r = check(v[k]);
      if (r === DEFER) return DEFER;
      // Defined, not assigned: a "__proto__" key is data (zod's record drops it).
      putKey(out, k, r);
    }
    return out;
  };
}

/** z.array(item): a new array of the item outputs. */
export function arrayCheck(itemSchema: ZodType): FastCheck {
  return (v) => {
    const check = fastCheckOf(itemSchema);
    if (!check || !Array.isArray(v)) return DEFER;
    const out: unknown[] = new Array(v.length);
    for (let i = 0; i < v.length; i++) {
      if (!(i in v)) return DEFER;
      const r = check(v[i]);
      if (r === DEFER) return DEFER;
      out[i] = r;
    }
    return out;
  };
}
