// Proxmox property strings (`name=eth0,bridge=vmbr0`): parse with PVE::JSONSchema's rules and
// error texts, print in its canonical order (default key, then required, then alphabetical).
import { FORMATS, type FormatName } from "./formats.js";
import { checkScalar, parseBoolean } from "./check.js";

export interface ParsedPropertyString {
  value: Record<string, string>;
  /** top-level messages, e.g. `invalid key in comma-separated list property: foo` or `format error` */
  errors: string[];
  /** per sub-key messages that follow a `format error` (`name: property is missing ...`) */
  subErrors: [string, string][];
}

export function parsePropertyString(formatName: FormatName, text: string): ParsedPropertyString {
  const format = FORMATS[formatName];
  const value: Record<string, string> = {};
  const defaultKey = Object.keys(format).find((k) => format[k]!.defaultKey);
  let sawDefault = false;
  for (const part of text.split(",")) {
    if (/^\s*$/.test(part)) continue;
    const kv = /^([^=]+)=(.+)$/s.exec(part);
    if (kv) {
      const k = kv[1]!;
      let v = kv[2]!;
      if (value[k] !== undefined) return fail(`duplicate key in comma-separated list property: ${k}`);
      const def = format[k];
      if (!def) return fail(`invalid key in comma-separated list property: ${k}`);
      if (def.type === "boolean") v = parseBoolean(v) ?? v;
      value[k] = v;
    } else if (!part.includes("=")) {
      if (!defaultKey) return fail("value without key, but schema does not define a default key");
      if (sawDefault || value[defaultKey] !== undefined) {
        return fail(`duplicate key in comma-separated list property: ${defaultKey}`);
      }
      sawDefault = true;
      value[defaultKey] = part;
    } else {
      return fail("missing key in comma-separated list property");
    }
  }
  const subErrors: [string, string][] = [];
  for (const [k, def] of Object.entries(format)) {
    const v = value[k];
    if (v === undefined) {
      if (def.required) subErrors.push([k, "property is missing and it is not optional"]);
      continue;
    }
    const err = checkScalar(def, v);
    if (err) subErrors.push([k, err]);
  }
  return { value, errors: subErrors.length ? ["format error"] : [], subErrors };

  function fail(msg: string): ParsedPropertyString {
    return { value, errors: [msg], subErrors: [] };
  }
}

/** Per format, its keys in print order (default key, required, the rest; each sorted): printing walks this instead of sorting each value's keys. */
const printOrder = new Map<FormatName, string[]>();
function printOrderOf(formatName: FormatName): string[] {
  let order = printOrder.get(formatName);
  if (!order) {
    const format = FORMATS[formatName];
    const keys = Object.keys(format);
    const defaultKey = keys.filter((k) => format[k]!.defaultKey);
    const required = keys.filter((k) => !format[k]!.defaultKey && format[k]!.required).sort();
    const rest = keys.filter((k) => !format[k]!.defaultKey && !format[k]!.required).sort();
    printOrder.set(formatName, (order = [...defaultKey, ...required, ...rest]));
  }
  return order;
}

export function printPropertyString(formatName: FormatName, obj: Record<string, string | number | undefined>): string {
  const format = FORMATS[formatName];
  // The common case, every key the format's (a plan prints thousands): in the precomputed order.
  let known = true;
  for (const k in obj) if (!Object.hasOwn(format, k)) known = false;
  if (!known) return printBySorting(formatName, obj);
  let out = "";
  let first = true;
  const order = printOrderOf(formatName);
  for (let i = 0; i < order.length; i++) {
    const k = order[i]!;
    const v = obj[k];
    if (v === undefined || !Object.hasOwn(obj, k)) continue;
    const part = format[k]!.defaultKey ? String(v) : `${k}=${v}`;
    out = first ? part : `${out},${part}`;
    first = false;
  }
  return out;
}

/** The rule itself, for any keys: the default key, then required, then the rest, each sorted. */
export function printBySorting(formatName: FormatName, obj: Record<string, string | number | undefined>): string {
  const format = FORMATS[formatName];
  const keys = Object.keys(obj).filter((k) => obj[k] !== undefined);
  const defaultKey = keys.find((k) => format[k]?.defaultKey);
  const required = keys.filter((k) => k !== defaultKey && format[k]?.required).sort();
  const rest = keys.filter((k) => k !== defaultKey && !format[k]?.required).sort();
  const parts: string[] = [];
  if (defaultKey) parts.push(String(obj[defaultKey]));
  for (const k of [...required, ...rest]) parts.push(`${k}=${obj[k]}`);
  return parts.join(",");
}
