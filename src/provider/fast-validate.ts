// A compiled check for the common case of a resource configuration: plain functions built from the
// same schema objects, which accept only input zod certainly accepts and return what zod returns.
// Anything else (a mistake to report, an unusual value, a schema part it does not know) goes to
// zod, which stays the reference and the only source of issues. zod's first 5,000 parses run
// cold (20-70 us each against 6 us warm); this is ~1 us. Checked against zod by
// test/provider/fast-validate.test.ts.
import type { ZodType } from "zod";

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

export function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (typeof v !== "object" || v === null || Array.isArray(v)) return false;
  const proto = Object.getPrototypeOf(v);
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
  const props: { key: string; optional: boolean; check: FastCheck }[] = [];
  for (const [key, s] of Object.entries(def.shape)) {
    const check = fastCheckOf(s);
    if (!check || key === "__proto__") return undefined;
    props.push({ key, optional: defOf(s).type === "optional", check });
  }
  const known = new Set(props.map((p) => p.key));
  return (v) => {
    if (!isPlainObject(v)) return DEFER;
    for (const k in v) if (!known.has(k)) return DEFER;
    const out: Record<string, unknown> = {};
    for (const p of props) {
      if (!Object.prototype.hasOwnProperty.call(v, p.key)) {
        if (p.optional) continue;
        return DEFER;
      }
      const r = p.check(v[p.key]);
      if (r === DEFER) return DEFER;
      out[p.key] = r;
    }
    return out;
  };
}

/** z.record(z.string(), value): the output keeps the input's key order. */
export function recordCheck(valueSchema: ZodType): FastCheck {
  return (v) => {
    const check = fastCheckOf(valueSchema);
    if (!check || !isPlainObject(v)) return DEFER;
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(v)) {
      if (k === "__proto__") return DEFER;
      const r = check(v[k]);
      if (r === DEFER) return DEFER;
      out[k] = r;
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
