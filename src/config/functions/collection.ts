// Collection functions: length, keys, values, lookup, merge, concat, flatten, distinct, contains,
// index, element, range, reverse, slice, sort, sum, zipmap, setproduct, one, alltrue, anytrue,
// coalesce, coalescelist, compact, chunklist.
import { T } from "../eval/convert.js";
import { deepEqual, graphemes, markIf, peel, setKey, sortedKeys, tidyNumber } from "../eval/marks.js";
import { Unknown, isObjectValue, typeName } from "../value.js";
import type { Value } from "../value.js";
import { asList, p, whole } from "./params.js";
import { FunctionError, UnknownResult } from "./types.js";
import type { FunctionImpl } from "./types.js";
import { MAX_VALUE_DEPTH } from "../depth.js";

function asObject(v: Value, argIndex: number): { [k: string]: Value } {
  if (!isObjectValue(v)) throw new FunctionError(`a map or object is required, got ${typeName(v)}`, argIndex);
  return v;
}

const MAX_RANGE = 1024;

export const collectionFunctions: Record<string, FunctionImpl> = {
  length: {
    description: "Number of elements in a list, set or map, or of characters in a string.",
    params: [p.any("value")],
    returns: "number",
    marks: "shallow",
    impl: ([v]) => {
      if (typeof v === "string") return graphemes(v).length;
      if (Array.isArray(v)) return v.length;
      if (isObjectValue(v as Value)) return Object.keys(v as object).length;
      throw new FunctionError(`a collection or string is required, got ${typeName(v as Value)}`, 0);
    },
  },
  keys: {
    description: "The keys of a map, in lexical order.",
    params: [p.any("inputMap")],
    returns: "list",
    marks: "shallow",
    impl: ([m]) => sortedKeys(asObject(m as Value, 0)),
  },
  values: {
    description: "The values of a map, in the lexical order of their keys.",
    params: [p.any("mapping")],
    returns: "list",
    marks: "shallow",
    impl: ([m]) => {
      const o = asObject(m as Value, 0);
      return sortedKeys(o).map((k) => o[k] as Value);
    },
  },
  lookup: {
    description: "The value of one key in a map, or the default when the key is absent.",
    params: [p.any("inputMap"), p.string("key")],
    variadic: p.any("default", true),
    returns: "any",
    marks: "shallow",
    impl: (args) => {
      if (args.length > 3) throw new FunctionError("lookup() takes at most three arguments: the map, the key and a default", 3);
      const o = asObject(args[0] as Value, 0);
      const key = args[1] as string;
      if (Object.prototype.hasOwnProperty.call(o, key)) return o[key] as Value;
      if (args.length === 3) return args[2] as Value;
      throw new FunctionError(`lookup failed to find key ${JSON.stringify(key)}; give a default as the third argument`);
    },
  },
  merge: {
    description: "One map holding the entries of all the given maps; later maps win on equal keys.",
    params: [],
    variadic: p.any("maps", true),
    returns: "map",
    marks: "shallow",
    impl: (args) => {
      const out: { [k: string]: Value } = {};
      args.forEach((m, i) => {
        const { value, sensitive } = peel(m);
        if (value === null) return;
        if (value instanceof Unknown) throw new UnknownResult();
        const o = asObject(value, i);
        for (const k of Object.keys(o)) setKey(out, k, markIf(o[k] as Value, sensitive));
      });
      return out;
    },
  },
  concat: {
    description: "One list holding the elements of all the given lists, in order.",
    params: [],
    variadic: p.any("seqs"),
    returns: "list",
    marks: "shallow",
    impl: (args) => args.flatMap((l, i) => asList(l, i)),
  },
  flatten: {
    description: "Replaces nested lists with their elements, recursively.",
    params: [p.any("list")],
    returns: "list",
    marks: "shallow",
    impl: ([l]) => {
      const out: Value[] = [];
      const walk = (items: Value[], sensitive: boolean, depth: number): void => {
        if (depth > MAX_VALUE_DEPTH) throw new FunctionError("the list is nested too deeply", 0);
        for (const item of items) {
          const pe = peel(item);
          if (pe.value instanceof Unknown) throw new UnknownResult();
          if (Array.isArray(pe.value)) walk(pe.value, sensitive || pe.sensitive, depth + 1);
          else out.push(markIf(item, sensitive));
        }
      };
      walk(asList(l as Value, 0), false, 0);
      return out;
    },
  },
  distinct: {
    description: "The list without duplicate elements, keeping the first occurrence.",
    params: [p.any("list")],
    returns: "list",
    impl: ([l]) => {
      const out: Value[] = [];
      for (const x of asList(l as Value, 0)) if (!out.some((y) => deepEqual(x, y))) out.push(x);
      return out;
    },
  },
  contains: {
    description: "Whether the list contains the value.",
    params: [p.any("list"), p.any("value", true)],
    returns: "bool",
    impl: ([l, v]) => asList(l as Value, 0).some((x) => deepEqual(x, v as Value)),
  },
  index: {
    description: "The index of the first element equal to the value.",
    params: [p.any("list"), p.any("value", true)],
    returns: "number",
    impl: ([l, v]) => {
      const i = asList(l as Value, 0).findIndex((x) => deepEqual(x, v as Value));
      if (i < 0) throw new FunctionError("the item was not found in the list", 1);
      return i;
    },
  },
  element: {
    description: "The element at an index, wrapping around when the index is past the end.",
    params: [p.any("list"), p.number("index")],
    returns: "any",
    marks: "shallow",
    impl: ([l, i]) => {
      const list = asList(l as Value, 0);
      const n = whole(i as Value, 1, "a whole number index");
      if (list.length === 0) throw new FunctionError("cannot use element function with an empty list", 0);
      if (n < 0) throw new FunctionError("cannot use element function with a negative index", 1);
      return list[n % list.length] as Value;
    },
  },
  range: {
    description: "A list of numbers: range(limit), range(start, limit) or range(start, limit, step).",
    params: [],
    variadic: p.number("params"),
    returns: "list",
    impl: (args) => {
      if (args.length < 1 || args.length > 3) throw new FunctionError("range() takes one to three arguments: [start,] limit [, step]");
      const nums = args as number[];
      const [start, limit] = nums.length === 1 ? [0, nums[0] as number] : [nums[0] as number, nums[1] as number];
      const step = nums.length === 3 ? (nums[2] as number) : start <= limit ? 1 : -1;
      if (step === 0) throw new FunctionError("step must not be zero", 2);
      if ((step > 0 && start > limit) || (step < 0 && start < limit)) {
        if (nums.length === 3) throw new FunctionError(`a ${step > 0 ? "positive" : "negative"} step cannot go from ${start} to ${limit}`, 2);
      }
      const out: number[] = [];
      for (let x = start; step > 0 ? x < limit : x > limit; x += step) {
        if (out.length >= MAX_RANGE) throw new FunctionError(`more than ${MAX_RANGE} values were generated; use a larger step or a smaller range`);
        out.push(x);
      }
      return out;
    },
  },
  reverse: {
    description: "The list in reverse order.",
    params: [p.any("list")],
    returns: "list",
    marks: "shallow",
    impl: ([l]) => [...asList(l as Value, 0)].reverse(),
  },
  slice: {
    description: "The elements from start (inclusive) to end (exclusive).",
    params: [p.any("list"), p.number("start_index"), p.number("end_index")],
    returns: "list",
    marks: "shallow",
    impl: ([l, s, e]) => {
      const list = asList(l as Value, 0);
      const start = whole(s as Value, 1);
      const end = whole(e as Value, 2);
      if (start < 0 || start > list.length) throw new FunctionError(`start index ${start} is out of range for a list of ${list.length} elements`, 1);
      if (end < start || end > list.length) throw new FunctionError(`end index ${end} must be between the start index ${start} and the list length ${list.length}`, 2);
      return list.slice(start, end);
    },
  },
  sort: {
    description: "The strings of a list in lexical order (numbers are sorted as strings).",
    params: [p.list("list", T.string)],
    returns: "list",
    impl: ([l]) => {
      const list = asList(l as Value, 0);
      if (list.some((x) => x === null)) throw new FunctionError("the list must not contain null elements", 0);
      return [...(list as string[])].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    },
  },
  sum: {
    description: "The sum of a list of numbers.",
    params: [p.list("list", T.number)],
    returns: "number",
    impl: ([l]) => {
      const list = asList(l as Value, 0);
      if (list.length === 0) throw new FunctionError("cannot sum an empty list", 0);
      if (list.some((x) => x === null)) throw new FunctionError("the list must not contain null elements", 0);
      return tidyNumber((list as number[]).reduce((a, b) => a + b, 0));
    },
  },
  zipmap: {
    description: "A map built from a list of keys and a list of values of the same length.",
    params: [p.any("keys"), p.any("values")],
    returns: "map",
    marks: "shallow",
    impl: ([k, v]) => {
      const keys = asList(k as Value, 0);
      const vals = asList(v as Value, 1);
      if (keys.length !== vals.length) throw new FunctionError(`the number of keys (${keys.length}) does not match the number of values (${vals.length})`);
      const out: { [k: string]: Value } = {};
      let sensitive = false;
      keys.forEach((key, i) => {
        const pk = peel(key);
        sensitive ||= pk.sensitive;
        if (pk.value instanceof Unknown) throw new UnknownResult();
        if (typeof pk.value !== "string" && typeof pk.value !== "number") throw new FunctionError(`key ${i} must be a string, got ${typeName(pk.value)}`, 0);
        setKey(out, String(pk.value), vals[i] as Value);
      });
      return markIf(out, sensitive);
    },
  },
  setproduct: {
    description: "Every combination of one element from each of the given lists (the Cartesian product).",
    params: [],
    variadic: p.any("sets"),
    returns: "list",
    impl: (args) => {
      if (args.length < 2) throw new FunctionError("at least two arguments are required");
      let acc: Value[][] = [[]];
      args.forEach((l, i) => {
        const list = asList(l, i);
        acc = acc.flatMap((prefix) => list.map((x) => [...prefix, x]));
        if (acc.length > 100_000) throw new FunctionError("the product has too many elements");
      });
      return acc;
    },
  },
  one: {
    description: "The only element of a list of zero or one elements (null when empty).",
    params: [p.any("list")],
    returns: "any",
    marks: "shallow",
    impl: ([l]) => {
      const list = asList(l as Value, 0);
      if (list.length > 1) throw new FunctionError(`must be a list, set, or tuple value with either zero or one elements, got ${list.length}`, 0);
      return list.length === 0 ? null : (list[0] as Value);
    },
  },
  alltrue: {
    description: "Whether every element of a list of bools is true (true for an empty list).",
    params: [p.list("list", T.bool)],
    returns: "bool",
    impl: ([l]) => asList(l as Value, 0).every((x) => x === true),
  },
  anytrue: {
    description: "Whether any element of a list of bools is true (false for an empty list).",
    params: [p.list("list", T.bool)],
    returns: "bool",
    impl: ([l]) => asList(l as Value, 0).some((x) => x === true),
  },
  coalesce: {
    description: "The first argument that is neither null nor an empty string.",
    params: [],
    variadic: p.any("vals", true),
    returns: "any",
    marks: "shallow",
    impl: (args) => {
      for (const a of args) {
        const v = peel(a).value;
        if (v instanceof Unknown) throw new UnknownResult();
        if (v !== null && v !== "") return a;
      }
      throw new FunctionError("no non-null, non-empty-string arguments");
    },
  },
  coalescelist: {
    description: "The first argument that is a non-empty list.",
    params: [],
    variadic: p.any("vals", true),
    returns: "list",
    marks: "shallow",
    impl: (args) => {
      for (let i = 0; i < args.length; i++) {
        const v = args[i] as Value;
        if (v === null) continue;
        if (asList(v, i).length > 0) return v;
      }
      throw new FunctionError("no non-empty list arguments");
    },
  },
  compact: {
    description: "The list of strings without empty strings and nulls.",
    params: [p.list("list", T.string)],
    returns: "list",
    impl: ([l]) => asList(l as Value, 0).filter((x) => x !== null && x !== ""),
  },
  chunklist: {
    description: "The list split into lists of at most the given size.",
    params: [p.any("list"), p.number("size")],
    returns: "list",
    marks: "shallow",
    impl: ([l, s]) => {
      const list = asList(l as Value, 0);
      const size = whole(s as Value, 1);
      if (size < 0) throw new FunctionError("the size must not be negative", 1);
      if (size === 0) return [list];
      const out: Value[] = [];
      for (let i = 0; i < list.length; i += size) out.push(list.slice(i, i + size));
      return out;
    },
  },
};
