// Building blocks for provider schemas: every leaf accepts an Unknown (known after apply) value,
// and zod issues are turned into pmxform wording ("Unsupported argument", "Missing required argument").
import { z, type ZodType } from "zod";
import { suggest } from "../config/eval/suggest.js";
import { Unknown } from "../config/value.js";
import type { AttrPath, ProviderIssue } from "./types.js";
import { DEFER, arrayCheck, recordCheck, withFastCheck, type FastCheck } from "./fast-validate.js";

const unknownValue = z.instanceof(Unknown);

/** Accepts the schema's values or an Unknown. */
export function orUnknown<T extends ZodType>(s: T) {
  return z.union([s, unknownValue]);
}

/**
 * orUnknown(s) with its fast check (fast-validate.ts): `check` vouches for a known value or
 * returns DEFER; an Unknown is always accepted as it is.
 */
function leaf<T extends ZodType>(s: T, check: FastCheck) {
  return withFastCheck(orUnknown(s), (v) => (v instanceof Unknown ? v : check(v)));
}

/** Terraform's conversions: a string holding a number or a bool is accepted where one is expected. */
const toNumber = (v: unknown) => (typeof v === "string" && /^-?\d+(\.\d+)?$/.test(v.trim()) ? Number(v) : v);
const toBool = (v: unknown) => (v === "true" ? true : v === "false" ? false : v);
const toStr = (v: unknown) => (typeof v === "number" || typeof v === "boolean" ? String(v) : v);

/** A number check's fast twin: only finite numbers within the bounds (safe integers for int). */
const numberCheck =
  (integer: boolean, min?: number, max?: number): FastCheck =>
  (v) => {
    const n = toNumber(v);
    if (typeof n !== "number" || !(integer ? Number.isSafeInteger(n) : Number.isFinite(n))) return DEFER;
    return (min === undefined || n >= min) && (max === undefined || n <= max) ? n : DEFER;
  };

/**
 * What a string may not hold, by where it ends up. Every string attribute reaches a
 * `key: value` line of a container's conf or an argv (which cannot carry NUL): a line break there
 * would start a line of the user's choosing (`lxc.apparmor.profile: unconfined`).
 */
const ONE_LINE = /^[^\r\n\u0000]*$/;
/** Proxmox encodes a description line by line (encode_text), so only NUL cannot be carried. */
const TEXT = /^[^\u0000]*$/;
/** Passwords and user names go through chpasswd/passwd files line by line: no control character is ever meant. */
const NO_CONTROL = /^[^\u0000-\u001f\u007f]*$/;

const ONE_LINE_ERROR = "line breaks (\\n, \\r) and NUL are not allowed: the value is written into a line of the container's configuration. Remove them";
const stringLeaf = (re: RegExp, error: string) =>
  leaf(z.preprocess(toStr, z.string({ error: "a string is required" }).regex(re, { error })), (v) => {
    const x = toStr(v);
    return typeof x === "string" && re.test(x) ? x : DEFER;
  });

/** A one-line string (the default for every string attribute). */
export const str = () => stringLeaf(ONE_LINE, ONE_LINE_ERROR);
/**
 * Free text that Proxmox encodes (description): line breaks allowed, NUL not; at most `maxLength`
 * characters, the limit of Proxmox's schema (pct itself refuses a longer value at apply).
 */
export const text = (maxLength: number) => {
  const fits = (x: string) => x.length <= maxLength; // as pve/check.ts (the simulator) counts
  return leaf(
    z.preprocess(
      toStr,
      z
        .string({ error: "a string is required" })
        .regex(TEXT, { error: "NUL characters are not allowed: they cannot be passed to pct. Remove them" })
        .refine(fits, { error: `at most ${maxLength} characters are allowed (Proxmox's limit). Shorten it` }),
    ),
    (v) => {
      const x = toStr(v);
      return typeof x === "string" && TEXT.test(x) && fits(x) ? x : DEFER;
    },
  );
};
/** A password or user name: no control characters (the value is never echoed back). */
export const secretLine = (what: string) => stringLeaf(NO_CONTROL, `${what} cannot contain line breaks or other control characters: chpasswd would read each line as another account. Remove them`);
export const bool = () =>
  leaf(z.preprocess(toBool, z.boolean({ error: "a bool is required" })), (v) => {
    const x = toBool(v);
    return typeof x === "boolean" ? x : DEFER;
  });
export const int = (min?: number, max?: number) => {
  let n = z.number({ error: "a number is required" }).int({ error: "a whole number is required" });
  if (min !== undefined) n = n.min(min, { error: `must be at least ${min}` });
  if (max !== undefined) n = n.max(max, { error: `must be at most ${max}` });
  return leaf(z.preprocess(toNumber, n), numberCheck(true, min, max));
};
export const num = (min?: number, max?: number) => {
  let n = z.number({ error: "a number is required" });
  if (min !== undefined) n = n.min(min, { error: `must be at least ${min}` });
  if (max !== undefined) n = n.max(max, { error: `must be at most ${max}` });
  return leaf(z.preprocess(toNumber, n), numberCheck(false, min, max));
};
export const enumOf = <const T extends readonly [string, ...string[]]>(values: T) =>
  leaf(z.enum(values, { error: `must be one of ${values.map((v) => `"${v}"`).join(", ")}` }), (v) => (typeof v === "string" && values.includes(v) ? v : DEFER));
/** A string matching `re`, and one line whatever `re` allows (`\s*` also matches a line break). */
export const pattern = (re: RegExp, what: string) =>
  leaf(z.string().regex(ONE_LINE, { error: ONE_LINE_ERROR }).regex(re, { error: what }), (v) => (typeof v === "string" && ONE_LINE.test(v) && re.test(v) ? v : DEFER));

/** A string that a predicate accepts (e.g. one of pve/check.ts's named Proxmox formats), and one line whatever it accepts. */
export const checked = (ok: (v: string) => boolean, what: string) =>
  leaf(z.string({ error: "a string is required" }).regex(ONE_LINE, { error: ONE_LINE_ERROR }).refine(ok, { error: what }), (v) => (typeof v === "string" && ONE_LINE.test(v) && ok(v) ? v : DEFER));

const PROPERTY_VALUE = /^[^,\u0000-\u001f\u007f]*$/;
const NO_EQUALS = /^[^=]*$/;
/**
 * A string that becomes one value inside a Proxmox property string (`mp0: VOLUME,mp=PATH,...`).
 * Proxmox has no escaping there: a comma would start another key (`/dev/x,mode=0777` sets a mode
 * the user never wrote) and a line break would end the config line. `defaultKey` values (the
 * unnamed first part) cannot contain "=" either, or Proxmox reads them as a key.
 */
export const propValue = (what: string, opts: { defaultKey?: boolean } = {}) =>
  leaf(
    z.preprocess(
      toStr,
      z
        .string({ error: "a string is required" })
        .regex(PROPERTY_VALUE, { error: `${what} cannot contain commas, line breaks or other control characters: Proxmox property strings cannot escape them. Use a value without them` })
        .regex(opts.defaultKey ? NO_EQUALS : /(?:)/, { error: `${what} cannot contain "=": Proxmox would read it as an option name. Use a value without it` }),
    ),
    (v) => {
      const x = toStr(v);
      return typeof x === "string" && PROPERTY_VALUE.test(x) && (!opts.defaultKey || NO_EQUALS.test(x)) ? x : DEFER;
    },
  );
export const listOf = <T extends ZodType>(s: T) => leaf(z.array(s), arrayCheck(s));
/** A map whose keys become `KEY=value` entries of a conf line: one line, no NUL, no "=". */
const MAP_KEY = /^[^=\r\n\u0000]+$/;
export const mapOf = <T extends ZodType>(s: T) =>
  leaf(z.record(z.string().regex(MAP_KEY, { error: 'cannot be empty or contain "=", line breaks or NUL: it is written as a KEY=value line. Rename the key' }), s), recordCheck(s, MAP_KEY));

const MIB = { K: 1 / 1024, M: 1, G: 1024, T: 1024 ** 2 } as const;
const wholeMiB = (v: string) => {
  const m = /^(\d+(?:\.\d+)?)([KMGT])$/.exec(v);
  return !m || Number.isInteger(Number(m[1]) * MIB[m[2] as keyof typeof MIB]);
};
const DISK_SIZE = /^\d+(\.\d+)?[KMGT]$/;

/** Disk sizes as users write them: "8G", "512M", "1T", "0.5G" (binary units), in whole MiB as Proxmox allocates them. */
export const diskSize = () =>
  leaf(
    z
      .string()
      .regex(DISK_SIZE, { error: 'a size with a unit is required, e.g. "8G" or "512M" (K, M, G, T are binary units)' })
      .refine(wholeMiB, { error: 'Proxmox allocates volumes in whole MiB, so this size would never match what it stores; use a whole number of M, e.g. "1536M" or "1.5G"' }),
    (v) => (typeof v === "string" && DISK_SIZE.test(v) && wholeMiB(v) ? v : DEFER),
  );

interface ZodIssueLike {
  code: string;
  path: PropertyKey[];
  message: string;
  keys?: string[];
  errors?: ZodIssueLike[][];
  /** invalid_key: why the record key was refused. */
  issues?: ZodIssueLike[];
  expected?: string;
  input?: unknown;
}

/** The closest name within a small edit distance, for "Did you mean ...?". */
export function didYouMean(name: string, candidates: Iterable<string>): string | undefined {
  return suggest(name, candidates);
}

type SchemaDef = { type?: string; innerType?: unknown; options?: unknown[]; out?: unknown; shape?: Record<string, unknown>; valueType?: unknown; element?: unknown };
const defOf = (x: unknown): SchemaDef | undefined => (x as { def?: SchemaDef } | undefined)?.def;

/** Strips optional/nullable/default wrappers, preprocess pipes and the `| Unknown` union. */
function unwrapSchema(x: unknown): unknown {
  for (let def = defOf(x); def; def = defOf(x)) {
    if (def.type === "optional" || def.type === "nullable" || def.type === "default") x = def.innerType;
    else if (def.type === "pipe") x = def.out;
    else if (def.type === "union") x = def.options?.[0];
    else break;
  }
  return x;
}

/** Known keys of the object schema at a path (did-you-mean suggestions; the attributes a type declares). */
export function knownKeysAt(schema: ZodType, path: AttrPath = []): string[] {
  let s: unknown = schema;
  for (const seg of path) {
    const def = defOf(unwrapSchema(s));
    if (def?.type === "object" && typeof seg === "string") s = def.shape?.[seg];
    else if (def?.type === "record") s = def.valueType;
    else if (def?.type === "array") s = def.element;
    else return [];
  }
  const def = defOf(unwrapSchema(s));
  return def?.type === "object" && def.shape ? Object.keys(def.shape) : [];
}

function describeType(expected: string | undefined): string {
  switch (expected) {
    case "string":
      return "a string is required";
    case "number":
      return "a number is required";
    case "boolean":
      return "a bool is required";
    case "object":
    case "record":
      return "an object is required";
    case "array":
      return "a list is required";
    default:
      return expected ? `a value of type ${expected} is required` : "an invalid value was given";
  }
}

/** A path segment as it can be printed: a key holding control characters is shown escaped. */
const printableSegment = (seg: string | number): string => (typeof seg === "string" && /[\u0000-\u001f\u007f]/.test(seg) ? JSON.stringify(seg).slice(1, -1) : String(seg));

function valueAt(value: unknown, path: readonly (string | number)[]): unknown {
  let cur = value;
  for (const seg of path) cur = cur && typeof cur === "object" ? (cur as Record<string | number, unknown>)[seg] : undefined;
  return cur;
}

/** Turns zod issues into provider issues with Terraform-like wording. */
export function issuesFromZod(
  schema: ZodType,
  issues: readonly ZodIssueLike[],
  typeName: string,
  value?: unknown,
  /** Whether the value at a path is sensitive: its value is then never quoted. */
  isSensitive: (path: readonly (string | number)[]) => boolean = () => false,
): ProviderIssue[] {
  const out: ProviderIssue[] = [];
  for (const issue of issues) {
    const path = issue.path.filter((p): p is string | number => typeof p !== "symbol");
    if (issue.code === "unrecognized_keys") {
      const known = knownKeysAt(schema, path);
      for (const key of issue.keys ?? []) {
        const suggestion = didYouMean(key, known);
        out.push({
          severity: "error",
          path: [...path, key],
          summary: "Unsupported argument",
          detail: `An argument named "${key}" is not expected here` + (suggestion ? `. Did you mean "${suggestion}"?` : `; ${typeName} accepts: ${known.join(", ")}.`),
        });
      }
      continue;
    }
    if (issue.code === "invalid_union" && issue.errors && issue.errors[0]?.[0]) {
      const first = issue.errors[0][0];
      out.push(...issuesFromZod(schema, [{ ...first, path: [...issue.path, ...first.path] }], typeName, value, isSensitive));
      continue;
    }
    const present = value === undefined ? issue.input !== undefined : valueAt(value, path) !== undefined;
    if (issue.code === "invalid_type" && !present) {
      const name = path[path.length - 1];
      out.push({
        severity: "error",
        path: path.slice(0, -1),
        summary: "Missing required argument",
        detail: `The argument "${String(name)}" is required, but no definition was found. Add ${String(name)} = ... to this block.`,
      });
      continue;
    }
    const message = issue.code === "invalid_type" ? describeType(issue.expected) : issue.code === "invalid_key" && issue.issues?.[0] ? `key ${issue.issues[0].message}` : issue.message;
    const got = valueAt(value, path);
    out.push({
      severity: "error",
      // A refused map key is reported at the map: the key itself has no place of its own.
      path: issue.code === "invalid_key" ? path.slice(0, -1) : path,
      summary: "Invalid value for argument",
      detail: `${path.length ? `"${path.map(printableSegment).join(".")}": ` : ""}${message}${issue.code === "invalid_type" && got !== undefined ? (isSensitive(path) ? ", got a sensitive value" : `, got ${JSON.stringify(got)}`) : ""}.`,
    });
  }
  return out;
}
