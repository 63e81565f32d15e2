// String functions: join, split, lower, upper, title, replace, trim*, substr, startswith, endswith,
// strrev, chomp, indent, regex, regexall.
import { T } from "../eval/convert.js";
import { graphemes, objectFrom } from "../eval/marks.js";
import type { Value } from "../value.js";
import { p, whole } from "./params.js";
import { allMatches, compileRe2, firstMatch, groupCount, re2Replacement, replaceAllRe2 } from "./regex.js";
import { FunctionError } from "./types.js";
import type { FunctionImpl } from "./types.js";

const s = (v: Value | undefined): string => v as string;

function isWordChar(ch: string): boolean {
  return /[\p{L}\p{N}_]/u.test(ch);
}

function matchValue(m: RegExpExecArray, groups: number): Value {
  if (groups === 0) return m[0];
  const named = m.groups ? Object.keys(m.groups) : [];
  if (named.length > 0) {
    if (named.length !== groups) throw new FunctionError("the pattern mixes named and unnamed capture groups; use one kind only", 0);
    return objectFrom(named.map((k) => [k, m.groups?.[k] ?? null]));
  }
  return m.slice(1).map((x) => x ?? null);
}

export const stringFunctions: Record<string, FunctionImpl> = {
  join: {
    description: "The strings of one or more lists joined with a separator.",
    params: [p.string("separator")],
    variadic: p.list("lists", T.string),
    returns: "string",
    impl: ([sep, ...lists]) => {
      if (lists.length === 0) throw new FunctionError("at least one list is required after the separator");
      const items = lists.flatMap((l) => l as Value[]);
      if (items.some((x) => x === null)) throw new FunctionError("the lists must not contain null elements; use compact() first");
      return items.join(s(sep));
    },
  },
  split: {
    description: "The parts of a string between occurrences of a separator.",
    params: [p.string("separator"), p.string("str")],
    returns: "list",
    impl: ([sep, str]) => (s(sep) === "" ? [...s(str)] : s(str).split(s(sep))),
  },
  lower: { description: "The string in lower case.", params: [p.string("str")], returns: "string", impl: ([x]) => s(x).toLowerCase() },
  upper: { description: "The string in upper case.", params: [p.string("str")], returns: "string", impl: ([x]) => s(x).toUpperCase() },
  title: {
    description: "The string with the first letter of each word in upper case.",
    params: [p.string("str")],
    returns: "string",
    impl: ([x]) => {
      let out = "";
      let prevWord = false;
      for (const ch of s(x)) {
        out += prevWord ? ch : ch.toUpperCase();
        prevWord = isWordChar(ch);
      }
      return out;
    },
  },
  replace: {
    description: "The string with every occurrence of a substring (or of a /regex/) replaced.",
    params: [p.string("str"), p.string("substr"), p.string("replace")],
    returns: "string",
    impl: ([str, sub, repl]) => {
      const pat = s(sub);
      if (pat.length > 1 && pat.startsWith("/") && pat.endsWith("/")) {
        const re = compileRe2(pat.slice(1, -1), 1);
        return replaceAllRe2(re, s(str), re2Replacement(s(repl)));
      }
      if (pat === "") return s(str);
      return s(str).split(pat).join(s(repl));
    },
  },
  trimspace: { description: "The string without leading and trailing white space.", params: [p.string("str")], returns: "string", impl: ([x]) => s(x).trim() },
  trim: {
    description: "The string without any of the given characters at its start and end.",
    params: [p.string("str"), p.string("cutset")],
    returns: "string",
    impl: ([x, cut]) => {
      const chars = [...s(x)];
      const set = new Set(s(cut));
      let a = 0;
      let b = chars.length;
      while (a < b && set.has(chars[a] as string)) a++;
      while (b > a && set.has(chars[b - 1] as string)) b--;
      return chars.slice(a, b).join("");
    },
  },
  trimprefix: {
    description: "The string without the given prefix (unchanged when it does not start with it).",
    params: [p.string("str"), p.string("prefix")],
    returns: "string",
    impl: ([x, pre]) => (s(x).startsWith(s(pre)) ? s(x).slice(s(pre).length) : s(x)),
  },
  trimsuffix: {
    description: "The string without the given suffix (unchanged when it does not end with it).",
    params: [p.string("str"), p.string("suffix")],
    returns: "string",
    impl: ([x, suf]) => (s(suf) !== "" && s(x).endsWith(s(suf)) ? s(x).slice(0, -s(suf).length) : s(x)),
  },
  substr: {
    description: "Part of a string by character offset and length (negative offset counts from the end, length -1 means to the end).",
    params: [p.string("str"), p.number("offset"), p.number("length")],
    returns: "string",
    impl: ([x, o, l]) => {
      const chars = graphemes(s(x));
      let offset = whole(o as Value, 1);
      const length = whole(l as Value, 2);
      if (offset < 0) offset = Math.max(0, chars.length + offset);
      if (length < -1) throw new FunctionError("length must be -1 (to the end) or a non-negative number", 2);
      return chars.slice(offset, length === -1 ? undefined : offset + length).join("");
    },
  },
  startswith: {
    description: "Whether the string starts with the prefix.",
    params: [p.string("str"), p.string("prefix")],
    returns: "bool",
    impl: ([x, pre]) => s(x).startsWith(s(pre)),
  },
  endswith: {
    description: "Whether the string ends with the suffix.",
    params: [p.string("str"), p.string("suffix")],
    returns: "bool",
    impl: ([x, suf]) => s(x).endsWith(s(suf)),
  },
  strrev: { description: "The string with its characters in reverse order.", params: [p.string("str")], returns: "string", impl: ([x]) => graphemes(s(x)).reverse().join("") },
  chomp: { description: "The string without trailing newlines.", params: [p.string("str")], returns: "string", impl: ([x]) => s(x).replace(/(\r?\n)+$/, "") },
  indent: {
    description: "The string with every line but the first indented by the given number of spaces.",
    params: [p.number("spaces"), p.string("str")],
    returns: "string",
    impl: ([n, x]) => {
      const count = whole(n as Value, 0);
      if (count < 0 || count > 1024) throw new FunctionError("spaces must be between 0 and 1024", 0);
      return s(x).replace(/\n/g, `\n${" ".repeat(count)}`);
    },
  },
  regex: {
    description: "The first match of an RE2 pattern: the matched string, a list of captures, or a map of named captures.",
    params: [p.string("pattern"), p.string("string")],
    returns: "any",
    impl: ([pat, str]) => {
      const re = compileRe2(s(pat), 0);
      const m = firstMatch(re, s(str));
      if (!m) throw new FunctionError("pattern did not match any part of the given string; check it, or use can(regex(...)) or regexall() when no match is fine");
      return matchValue(m, groupCount(re));
    },
  },
  regexall: {
    description: "Every match of an RE2 pattern, each shaped as regex() would return it.",
    params: [p.string("pattern"), p.string("string")],
    returns: "list",
    impl: ([pat, str]) => {
      const re = compileRe2(s(pat), 0);
      const groups = groupCount(re);
      return allMatches(re, s(str)).map((m) => matchValue(m, groups));
    },
  },
};
