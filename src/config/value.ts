// Runtime values of the expression language: JSON-like data plus two marks,
// Unknown (known only after apply) and Sensitive (must never be displayed).

/** A value that will only be known after apply, e.g. a new container's vmid or MAC address. */
export class Unknown {
  /** Optional type hint: "string", "number", "bool", "list", "map", "any". */
  constructor(readonly type: string = "any") {}
  toString(): string {
    return "(known after apply)";
  }
}

/** Wraps a value that must be shown as "(sensitive value)". Operations on it yield sensitive results. */
export class Sensitive {
  constructor(readonly value: Value) {}
}

export type Value = null | boolean | number | string | Value[] | { [key: string]: Value } | Unknown | Sensitive;

export const UNKNOWN = new Unknown();

/**
 * Sets an own, enumerable key. Plain assignment is wrong for user-chosen keys: `o["__proto__"] = v`
 * replaces the prototype and the key is lost. Every map keyed by user text is written with this.
 */
export function putKey<T>(obj: Record<string, T>, key: string, value: T): void {
  // `__proto__` is the only accessor Object.prototype has, so it is the only key assignment gets
  // wrong; defineProperty for every key cost the 5,000-resource plan ~180 ms (bench/plan.mjs).
  if (key === "__proto__") Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
  else obj[key] = value;
}

export function isUnknown(v: unknown): v is Unknown {
  return v instanceof Unknown;
}

export function isSensitive(v: unknown): v is Sensitive {
  return v instanceof Sensitive;
}

export function isObjectValue(v: Value): v is { [key: string]: Value } {
  return typeof v === "object" && v !== null && !Array.isArray(v) && !(v instanceof Unknown) && !(v instanceof Sensitive);
}

/** True when the value, or anything inside it, is unknown. */
export function containsUnknown(v: Value): boolean {
  if (v instanceof Unknown) return true;
  if (v instanceof Sensitive) return containsUnknown(v.value);
  if (Array.isArray(v)) return v.some(containsUnknown);
  if (isObjectValue(v)) return Object.values(v).some(containsUnknown);
  return false;
}

/** True when the value, or anything inside it, is sensitive. */
export function containsSensitive(v: Value): boolean {
  if (v instanceof Sensitive) return true;
  if (Array.isArray(v)) return v.some(containsSensitive);
  if (isObjectValue(v)) return Object.values(v).some(containsSensitive);
  return false;
}

/** Removes every Sensitive mark (deeply), keeping the values. */
export function unmark(v: Value): Value {
  if (v instanceof Sensitive) return unmark(v.value);
  if (Array.isArray(v)) return v.map(unmark);
  if (isObjectValue(v)) {
    const out: { [key: string]: Value } = {};
    // Defined, not assigned: `out["__proto__"] = x` would set the prototype and drop the key.
    for (const k of Object.keys(v)) putKey(out, k, unmark(v[k]!));
    return out;
  }
  return v;
}

/** A copy of v with the value at each path wrapped as Sensitive (paths that do not exist are skipped). */
export function markPaths(v: Value, paths: readonly (readonly (string | number)[])[]): Value {
  let out = v;
  for (const path of paths) out = markAt(out, path, 0);
  return out;
}

function markAt(v: Value, path: readonly (string | number)[], i: number): Value {
  if (v instanceof Sensitive || v === undefined) return v;
  if (i === path.length) return new Sensitive(v);
  const seg = path[i]!;
  if (Array.isArray(v) && typeof seg === "number" && seg < v.length) return v.map((x, j) => (j === seg ? markAt(x, path, i + 1) : x));
  if (isObjectValue(v) && typeof seg === "string" && Object.hasOwn(v, seg)) return { ...v, [seg]: markAt(v[seg]!, path, i + 1) };
  return v;
}

/** Paths (as arrays of keys/indexes) of every sensitive part of a value. */
export function sensitivePaths(v: Value, prefix: (string | number)[] = []): (string | number)[][] {
  const out: (string | number)[][] = [];
  collectSensitive(v, [...prefix], out);
  return out;
}

/** One shared path stack, copied only at a hit: evaluation calls this on every instance body. */
function collectSensitive(v: Value, path: (string | number)[], out: (string | number)[][]): void {
  if (v instanceof Sensitive) {
    out.push(path.slice());
    return;
  }
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) {
      path.push(i);
      collectSensitive(v[i] as Value, path, out);
      path.pop();
    }
  } else if (isObjectValue(v)) {
    for (const k of Object.keys(v)) {
      path.push(k);
      collectSensitive(v[k] as Value, path, out);
      path.pop();
    }
  }
}

/** Paths of every unknown part of a value. */
export function unknownPaths(v: Value, prefix: (string | number)[] = []): (string | number)[][] {
  if (v instanceof Unknown) return [prefix];
  if (v instanceof Sensitive) return unknownPaths(v.value, prefix);
  const out: (string | number)[][] = [];
  if (Array.isArray(v)) v.forEach((x, i) => out.push(...unknownPaths(x, [...prefix, i])));
  else if (isObjectValue(v)) for (const [k, x] of Object.entries(v)) out.push(...unknownPaths(x, [...prefix, k]));
  return out;
}

/** The language's name for a value's type, used in messages ("string", "number", "bool", "tuple", "object", "null"). */
export function typeName(v: Value): string {
  if (v === null) return "null";
  if (v instanceof Unknown) return v.type;
  if (v instanceof Sensitive) return typeName(v.value);
  if (Array.isArray(v)) return "tuple";
  switch (typeof v) {
    case "string":
      return "string";
    case "number":
      return "number";
    case "boolean":
      return "bool";
    default:
      return "object";
  }
}
