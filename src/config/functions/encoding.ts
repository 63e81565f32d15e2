// Encoding and hashing functions: jsonencode, jsondecode, yamlencode, yamldecode, base64encode,
// base64decode, urlencode, md5, sha1, sha256, sha512, base64sha256, base64sha512.
import { createHash } from "node:crypto";
import { yaml } from "../yaml/lib.js";
import { objectFrom, sortedKeys } from "../eval/marks.js";
import { isObjectValue } from "../value.js";
import type { Value } from "../value.js";
import { stableJson } from "./format.js";
import { p } from "./params.js";
import { FunctionError } from "./types.js";
import { MAX_VALUE_DEPTH } from "../depth.js";
import { tooDeepAt } from "../nesting.js";
import type { FunctionImpl } from "./types.js";

/** Plain JSON data -> Value, with object keys set safely. */
function fromData(d: unknown, depth = 0): Value {
  if (depth > MAX_VALUE_DEPTH) throw new FunctionError(`the document is nested more than ${MAX_VALUE_DEPTH} levels deep`, 0);
  if (d === null || d === undefined) return null;
  if (typeof d === "string" || typeof d === "boolean") return d;
  if (typeof d === "number") return d;
  if (typeof d === "bigint") return Number(d);
  if (d instanceof Date) return d.toISOString();
  if (Array.isArray(d)) return d.map((x) => fromData(x, depth + 1));
  if (d instanceof Map) return objectFrom([...d].map(([k, v]) => [String(k), fromData(v, depth + 1)]));
  if (typeof d === "object") return objectFrom(Object.entries(d).map(([k, v]) => [k, fromData(v, depth + 1)]));
  throw new FunctionError(`unsupported value of type ${typeof d}`, 0);
}

/** Sorted-key plain data for the YAML writer (Terraform's yamlencode sorts keys too). */
function toData(v: Value): unknown {
  if (Array.isArray(v)) return v.map(toData);
  if (isObjectValue(v)) return new Map(sortedKeys(v).map((k) => [k, toData(v[k] as Value)]));
  return v;
}

const hash = (algo: string, enc: "hex" | "base64") => (s: string) => createHash(algo).update(s, "utf8").digest(enc);

function hashFn(algo: string, enc: "hex" | "base64", label: string): FunctionImpl {
  const h = hash(algo, enc);
  return { description: `The ${label} of the string's UTF-8 bytes.`, params: [p.string("str")], returns: "string", impl: ([s]) => h(s as string) };
}

export const encodingFunctions: Record<string, FunctionImpl> = {
  jsonencode: {
    description: "The value as a JSON string (object keys sorted, like Terraform).",
    params: [p.any("val", true)],
    returns: "string",
    // Go's encoder escapes HTML-significant characters; Terraform users see \u003c etc.
    impl: ([v]) =>
      stableJson(v as Value)
        .replace(/</g, "\\u003c")
        .replace(/>/g, "\\u003e")
        .replace(/&/g, "\\u0026")
        .replace(/\u2028/g, "\\u2028")
        .replace(/\u2029/g, "\\u2029"),
  },
  jsondecode: {
    description: "The value a JSON string describes.",
    params: [p.string("str")],
    returns: "any",
    impl: ([s]) => {
      try {
        return fromData(JSON.parse(s as string));
      } catch (e) {
        if (e instanceof FunctionError) throw e;
        throw new FunctionError(`the string is not valid JSON: ${e instanceof Error ? e.message : String(e)}`, 0);
      }
    },
  },
  yamlencode: {
    description: "The value as a YAML document (block style, keys sorted).",
    params: [p.any("value", true)],
    returns: "string",
    impl: ([v]) => yaml().stringify(toData(v as Value), { lineWidth: 0 }),
  },
  yamldecode: {
    description: "The value a YAML document describes (one document; aliases are limited).",
    params: [p.string("src")],
    returns: "any",
    impl: ([s]) => {
      // The YAML library recurses per flow level: bound the depth before it parses.
      if (tooDeepAt(s as string, true, MAX_VALUE_DEPTH) !== undefined) throw new FunctionError(`the document is nested more than ${MAX_VALUE_DEPTH} levels deep`, 0);
      const docs = yaml().parseAllDocuments(s as string);
      const list = Array.isArray(docs) ? docs : [docs];
      if (list.length > 1) throw new FunctionError("the string holds more than one YAML document", 0);
      const doc = list[0];
      if (!doc) return null;
      if (doc.errors.length > 0) throw new FunctionError(`the string is not valid YAML: ${doc.errors[0]?.message ?? "syntax error"}`, 0);
      try {
        return fromData(doc.toJS({ maxAliasCount: 100 }));
      } catch (e) {
        if (e instanceof FunctionError) throw e;
        throw new FunctionError(`the YAML cannot be decoded: ${e instanceof Error ? e.message : String(e)}`, 0);
      }
    },
  },
  base64encode: {
    description: "The string's UTF-8 bytes in Base64.",
    params: [p.string("str")],
    returns: "string",
    impl: ([s]) => Buffer.from(s as string, "utf8").toString("base64"),
  },
  base64decode: {
    description: "The UTF-8 string whose bytes a Base64 string holds.",
    params: [p.string("str")],
    returns: "string",
    impl: ([s]) => {
      const text = s as string;
      if (!/^[A-Za-z0-9+/]*={0,2}$/.test(text) || text.length % 4 !== 0) throw new FunctionError("the string is not valid Base64", 0);
      try {
        return new TextDecoder("utf-8", { fatal: true }).decode(Buffer.from(text, "base64"));
      } catch {
        throw new FunctionError("the decoded bytes are not valid UTF-8", 0);
      }
    },
  },
  urlencode: {
    description: "The string escaped for use in a URL query.",
    params: [p.string("str")],
    returns: "string",
    impl: ([s]) =>
      encodeURIComponent(s as string)
        .replace(/%20/g, "+")
        .replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`),
  },
  md5: hashFn("md5", "hex", "MD5 hash (hex)"),
  sha1: hashFn("sha1", "hex", "SHA-1 hash (hex)"),
  sha256: hashFn("sha256", "hex", "SHA-256 hash (hex)"),
  sha512: hashFn("sha512", "hex", "SHA-512 hash (hex)"),
  base64sha256: hashFn("sha256", "base64", "SHA-256 hash (Base64)"),
  base64sha512: hashFn("sha512", "base64", "SHA-512 hash (Base64)"),
};
