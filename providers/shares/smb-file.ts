// One smb_share as the file pmxform writes (/etc/samba/pmxform.d/NAME.conf) and back: the
// canonical text of a share's attributes, and the attributes of a file's text (pmxform's own or
// one written by hand, for import). Pure; the field table decides every parameter.
import type { Attrs } from "../../src/provider/types.js";
import { canonMask, SMB_FIELDS, smbBoolean, type SmbField } from "./fields.js";
import { headerOf, parseHeader } from "./paths.js";

/** Samba compares parameter names without case and white space (lib/util/util_str.c strwicmp). */
const normKey = (k: string): string => k.toLowerCase().replace(/\s+/g, "");

function printValue(f: SmbField, v: unknown): string | undefined {
  if (v === null || v === undefined) return undefined;
  switch (f.type) {
    case "bool":
      return v === true ? "yes" : "no";
    case "list(string)":
      return Array.isArray(v) && v.length ? v.map(String).join(" ") : undefined;
    case "mask":
      return canonMask(String(v));
    default:
      return String(v);
  }
}

/** The share's section without the header line: what a plan carries and apply writes under the header. */
export function smbBody(name: string, attrs: Attrs): string {
  const lines = [`[${name}]`];
  for (const f of SMB_FIELDS) {
    const text = printValue(f, attrs[f.attr]);
    if (text !== undefined) lines.push(`\t${f.key} = ${text}`);
  }
  return lines.join("\n") + "\n";
}

export const smbFileText = (name: string, owner: string, body: string): string => `${headerOf("smb_share", name, owner)}\n${body}`;

/** The configured attributes as the file will read back (masks with four digits, empty lists as unset). */
export function canonSmbAttrs(config: Attrs): Attrs {
  const out: Attrs = {};
  for (const f of SMB_FIELDS) {
    const v = config[f.attr];
    if (v === undefined || v === null) out[f.attr] = null;
    else if (f.type === "mask" && typeof v === "string") out[f.attr] = canonMask(v);
    else if (f.type === "list(string)" && Array.isArray(v) && v.length === 0) out[f.attr] = null;
    else out[f.attr] = v;
  }
  return out;
}

export interface ParsedSmb {
  /** The section name, when the file holds one. */
  name?: string;
  /** The lineage in pmxform's header, when the file has it. */
  owner?: string;
  attrs: Attrs;
  /** Lines pmxform does not manage (unknown parameters, another section, unreadable values). */
  unmanaged: string[];
}

function readValue(f: SmbField, text: string, inverse: boolean): unknown {
  switch (f.type) {
    case "bool": {
      const b = smbBoolean(text);
      return b === undefined ? undefined : inverse ? !b : b;
    }
    case "list(string)": {
      const items = text.split(/[\s,]+/).filter(Boolean);
      return items.length ? items : undefined;
    }
    case "mask":
      // testparm dumps masks as "0%o" (02775); Samba reads any octal number (strtol base 8).
      return /^[0-7]{1,6}$/.test(text) && parseInt(text, 8) <= 0o7777 ? canonMask(parseInt(text, 8).toString(8)) : undefined;
    default:
      return text;
  }
}

const BY_KEY = new Map<string, { field: SmbField; inverse: boolean }>();
for (const f of SMB_FIELDS) {
  BY_KEY.set(normKey(f.key), { field: f, inverse: false });
  for (const a of f.aliases ?? []) BY_KEY.set(normKey(a), { field: f, inverse: false });
  for (const a of f.inverseAliases ?? []) BY_KEY.set(normKey(a), { field: f, inverse: true });
}

/** A share file's attributes. Comment lines other than pmxform's header are ignored, as Samba does. */
export function parseSmbFile(text: string): ParsedSmb {
  const lines = text.split("\n");
  const header = parseHeader(lines[0], "smb_share");
  const attrs: Attrs = Object.fromEntries(SMB_FIELDS.map((f) => [f.attr, null]));
  const unmanaged: string[] = [];
  let name: string | undefined;
  let inOther = false;
  for (const raw of lines) {
    const line = raw.trim();
    if (!line || line.startsWith("#") || line.startsWith(";")) continue;
    const section = /^\[([^\]]*)\]$/.exec(line);
    if (section) {
      if (name === undefined) name = section[1]!.trim();
      else {
        inOther = true;
        unmanaged.push(line);
      }
      continue;
    }
    const eq = line.indexOf("=");
    const known = eq > 0 && !inOther && name !== undefined ? BY_KEY.get(normKey(line.slice(0, eq))) : undefined;
    const value = known ? readValue(known.field, line.slice(eq + 1).trim(), known.inverse) : undefined;
    if (!known || value === undefined) unmanaged.push(line);
    else attrs[known.field.attr] = value;
  }
  return { ...(name !== undefined ? { name } : {}), ...(header ? { owner: header.owner } : {}), attrs, unmanaged };
}
