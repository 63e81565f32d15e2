// Numeric functions: min, max, abs, ceil, floor, pow, signum, log, parseint.
import { tidyNumber } from "../eval/marks.js";
import type { Value } from "../value.js";
import { p, whole } from "./params.js";
import { FunctionError } from "./types.js";
import type { FunctionImpl } from "./types.js";

const n = (v: Value | undefined): number => v as number;

function extreme(args: Value[], pick: (a: number, b: number) => number): number {
  if (args.length === 0) throw new FunctionError("at least one number is required");
  return (args as number[]).reduce(pick);
}

export const numericFunctions: Record<string, FunctionImpl> = {
  min: { description: "The smallest of the given numbers.", params: [], variadic: p.number("numbers"), returns: "number", impl: (a) => extreme(a, (x, y) => Math.min(x, y)) },
  max: { description: "The largest of the given numbers.", params: [], variadic: p.number("numbers"), returns: "number", impl: (a) => extreme(a, (x, y) => Math.max(x, y)) },
  abs: { description: "The absolute value of a number.", params: [p.number("num")], returns: "number", impl: ([x]) => Math.abs(n(x)) },
  ceil: { description: "The smallest whole number greater than or equal to a number.", params: [p.number("num")], returns: "number", impl: ([x]) => Math.ceil(n(x)) || 0 },
  floor: { description: "The largest whole number less than or equal to a number.", params: [p.number("num")], returns: "number", impl: ([x]) => Math.floor(n(x)) },
  pow: {
    description: "A number raised to a power.",
    params: [p.number("num"), p.number("power")],
    returns: "number",
    impl: ([x, y]) => {
      const r = Math.pow(n(x), n(y));
      if (!Number.isFinite(r)) throw new FunctionError("the result is too large or not a number");
      return r;
    },
  },
  signum: { description: "-1, 0 or 1: the sign of a number.", params: [p.number("num")], returns: "number", impl: ([x]) => Math.sign(n(x)) || 0 },
  log: {
    description: "The logarithm of a number in a given base.",
    params: [p.number("num"), p.number("base")],
    returns: "number",
    impl: ([x, b]) => {
      if (n(x) <= 0) throw new FunctionError("the number must be greater than zero", 0);
      if (n(b) <= 0 || n(b) === 1) throw new FunctionError("the base must be greater than zero and not 1", 1);
      return tidyNumber(Math.log(n(x)) / Math.log(n(b)));
    },
  },
  parseint: {
    description: "Parses a string as an integer in the given base (2 to 62).",
    params: [p.string("number"), p.number("base")],
    returns: "number",
    impl: ([s, b]) => {
      const base = whole(b as Value, 1);
      if (base < 2 || base > 62) throw new FunctionError("the base must be a whole number between 2 and 62", 1);
      const digits = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
      const text = s as string;
      const m = /^([+-]?)(.+)$/.exec(text);
      if (!m) throw new FunctionError(`cannot parse ${JSON.stringify(text)} as a base ${base} integer`, 0);
      let acc = 0;
      for (const ch of m[2] as string) {
        const d = base <= 36 ? digits.indexOf(ch.toLowerCase()) : digits.indexOf(ch);
        if (d < 0 || d >= base) throw new FunctionError(`cannot parse ${JSON.stringify(text)} as a base ${base} integer`, 0);
        acc = acc * base + d;
      }
      if (!Number.isSafeInteger(acc)) throw new FunctionError(`${JSON.stringify(text)} is too large to represent exactly`, 0);
      return m[1] === "-" ? -acc : acc;
    },
  },
};
