// format() and formatlist(): Go/Terraform printf verbs (%s %d %f %e %g %v %q %t %b %o %x %X %%)
// with flags (- + # 0 space), width, precision and explicit argument indexes (%[2]s).
import { numberToString, sortedKeys } from "../eval/marks.js";
import { isObjectValue, typeName } from "../value.js";
import type { Value } from "../value.js";
import { p } from "./params.js";
import { FunctionError } from "./types.js";
import type { FunctionImpl } from "./types.js";

/** JSON with lexically sorted keys, as Terraform's %v/%#v and jsonencode() print collections. */
export function stableJson(v: Value): string {
  if (v === null || typeof v !== "object") return typeof v === "number" ? JSON.stringify(Number.isFinite(v) ? v : null) : JSON.stringify(v);
  if (Array.isArray(v)) return `[${v.map(stableJson).join(",")}]`;
  if (isObjectValue(v))
    return `{${sortedKeys(v)
      .map((k) => `${JSON.stringify(k)}:${stableJson(v[k] as Value)}`)
      .join(",")}}`;
  return JSON.stringify(null);
}

interface Spec {
  flags: string;
  width?: number;
  precision?: number;
  verb: string;
}

function pad(text: string, spec: Spec, numeric: boolean): string {
  if (spec.width === undefined || [...text].length >= spec.width) return text;
  const fill = spec.width - [...text].length;
  if (spec.flags.includes("-")) return text + " ".repeat(fill);
  if (numeric && spec.flags.includes("0")) {
    const sign = /^[+\- ]/.test(text) ? (text[0] as string) : "";
    return sign + "0".repeat(fill) + text.slice(sign.length);
  }
  return " ".repeat(fill) + text;
}

function signed(n: number, body: string, spec: Spec): string {
  if (n < 0 || Object.is(n, -0)) return body.startsWith("-") ? body : `-${body}`;
  if (spec.flags.includes("+")) return `+${body}`;
  if (spec.flags.includes(" ")) return ` ${body}`;
  return body;
}

/** Go's %e prints at least two exponent digits: 1.5e+03. */
function goExponent(s: string): string {
  return s.replace(/e([+-])(\d)$/, "e$10$2");
}

function formatOne(v: Value, spec: Spec, pos: number): string {
  const verb = spec.verb;
  const need = (what: string): never => {
    throw new FunctionError(`unsupported value for "%${verb}" at ${pos}: ${what} required, got ${typeName(v)}`);
  };
  const num = (): number => {
    if (typeof v === "number") return v;
    if (typeof v === "string" && v.trim() !== "" && Number.isFinite(Number(v))) return Number(v);
    return need("number");
  };
  switch (verb) {
    case "v": {
      if (spec.flags.includes("#")) return pad(stableJson(v), spec, false);
      if (v === null) return pad("null", spec, false);
      if (typeof v === "string") return pad(v, spec, false);
      if (typeof v === "number") return pad(numberToString(v), spec, true);
      if (typeof v === "boolean") return pad(String(v), spec, false);
      return pad(stableJson(v), spec, false);
    }
    case "s": {
      let text: string;
      if (typeof v === "string") text = v;
      else if (typeof v === "number") text = numberToString(v);
      else if (typeof v === "boolean") text = String(v);
      else return need("string");
      if (spec.precision !== undefined) text = [...text].slice(0, spec.precision).join("");
      return pad(text, spec, false);
    }
    case "q": {
      if (typeof v !== "string" && typeof v !== "number" && typeof v !== "boolean") return need("string");
      return pad(JSON.stringify(typeof v === "string" ? v : typeof v === "number" ? numberToString(v) : String(v)), spec, false);
    }
    case "t":
      if (typeof v !== "boolean") return need("bool");
      return pad(String(v), spec, false);
    case "d":
    case "b":
    case "o":
    case "x":
    case "X": {
      const n = num();
      if (!Number.isInteger(n)) throw new FunctionError(`unsupported value for "%${verb}" at ${pos}: value has a fractional part; use %f or floor()`);
      const radix = { d: 10, b: 2, o: 8, x: 16, X: 16 }[verb];
      let body = Math.abs(n).toString(radix);
      if (verb === "X") body = body.toUpperCase();
      if (spec.flags.includes("#") && verb !== "d") body = { b: "0b", o: "0", x: "0x", X: "0X" }[verb] + body;
      return pad(signed(n, body, spec), spec, true);
    }
    case "f":
    case "F":
    case "e":
    case "E":
    case "g":
    case "G": {
      const n = num();
      let body: string;
      const a = Math.abs(n);
      if (verb === "f" || verb === "F") body = a.toFixed(spec.precision ?? 6);
      else if (verb === "e" || verb === "E") body = goExponent(a.toExponential(spec.precision ?? 6));
      else body = spec.precision === undefined ? numberToString(a) : String(Number(a.toPrecision(Math.max(1, spec.precision))));
      if (verb === "E" || verb === "G") body = body.toUpperCase();
      return pad(signed(n, body, spec), spec, true);
    }
    default:
      throw new FunctionError(`unsupported format verb "%${verb}" at ${pos}; use one of %v %s %q %d %f %e %g %t %b %o %x %X or %% for a percent sign`, 0);
  }
}

/** Formats with Go-style verbs. Argument values arrive unmarked and known. */
export function formatString(fmt: string, args: Value[]): string {
  let out = "";
  let next = 0;
  let used = 0;
  let i = 0;
  const chars = fmt;
  while (i < chars.length) {
    const ch = chars[i] as string;
    if (ch !== "%") {
      out += ch;
      i++;
      continue;
    }
    const start = i + 1;
    i++;
    if (chars[i] === "%") {
      out += "%";
      i++;
      continue;
    }
    const spec: Spec = { flags: "", verb: "" };
    while (i < chars.length && "-+# 0".includes(chars[i] as string)) spec.flags += chars[i++];
    const argIndex = (): void => {
      const m = /^\[(\d+)\]/.exec(chars.slice(i));
      if (m) {
        next = Number(m[1]) - 1;
        i += m[0].length;
      }
    };
    argIndex();
    const w = /^\d+/.exec(chars.slice(i));
    if (w) {
      spec.width = Number(w[0]);
      i += w[0].length;
    }
    if (chars[i] === ".") {
      i++;
      const pr = /^\d*/.exec(chars.slice(i)) as RegExpExecArray;
      spec.precision = pr[0] === "" ? 0 : Number(pr[0]);
      i += pr[0].length;
    }
    argIndex();
    if (i >= chars.length) throw new FunctionError(`the format string ends in the middle of a verb at ${start}; write %% for a literal percent sign`, 0);
    spec.verb = chars[i++] as string;
    if (next < 0 || next >= args.length) {
      throw new FunctionError(`not enough arguments for "%${spec.verb}" at ${start}: need index ${next + 1} but have ${args.length} total`);
    }
    out += formatOne(args[next] as Value, spec, start);
    next++;
    used = Math.max(used, next);
  }
  if (used < args.length) {
    throw new FunctionError(used === 0 ? "too many arguments; no verbs in format string" : `too many arguments; only ${used} used by format string`);
  }
  return out;
}

export const formatFunctions: Record<string, FunctionImpl> = {
  format: {
    description: "A string built from a format specification and values (%s, %d, %f, %v, %q, %%, ...).",
    params: [p.string("format")],
    variadic: p.any("args", true),
    returns: "string",
    impl: ([fmt, ...args]) => formatString(fmt as string, args),
  },
  formatlist: {
    description: "A list of strings, formatting the lists' elements pairwise (non-list arguments repeat).",
    params: [p.string("format")],
    variadic: p.any("args", true),
    returns: "list",
    impl: ([fmt, ...args]) => {
      let n = -1;
      let first = -1;
      args.forEach((v, i) => {
        if (!Array.isArray(v)) return;
        if (n === -1) {
          n = v.length;
          first = i;
        } else if (v.length !== n) {
          throw new FunctionError(`argument ${i + 1} has length ${v.length}, which is inconsistent with argument ${first + 1} of length ${n}`, i + 1);
        }
      });
      const out: Value[] = [];
      for (let r = 0; r < (n === -1 ? 1 : n); r++) {
        out.push(
          formatString(
            fmt as string,
            args.map((v) => (Array.isArray(v) ? (v[r] as Value) : v)),
          ),
        );
      }
      return out;
    },
  },
};
