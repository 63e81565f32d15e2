// The shape of the field tables (one per block kind: top-level arguments, rootfs, network, mount,
// device, features, startup, gpu) and the codecs that turn a conf value into an attribute and back
// in pct's printed form. The tables are the one place a container argument is described; the
// schema, the conf reader and writer, change classification, import and the docs derive from them.
import type { ZodType } from "zod";
import { isUnknown } from "../../../src/config/value.js";
import { parseBoolean } from "../../../src/pve/check.js";
import { formatSize, parseDiskSize } from "../../../src/pve/size.js";

/**
 * How a change of the field reaches an existing container:
 * - live: `pct set`, in effect at once on a running container (Proxmox's immediate/live hotplug);
 * - pending: `pct set`, kept in [pve:pending] while the container runs (`# requires restart`);
 * - add-live: an indexed item (mpN, devN) is hot-plugged when new; changing or removing it waits for a restart;
 * - resize: `pct resize` only (grow), never through `pct set`; a shrink is refused or replaces;
 * - move: `pct move-volume` (the container is stopped for it);
 * - replace: create-only, a change plans a replacement;
 * - migrate: `pct migrate`;
 * - apply: no pct key; apply acts on it (run state, secrets, restarts, opt-ins);
 * - computed: Proxmox (or pmxform's read) decides it; not an argument.
 */
export type Change = "live" | "pending" | "add-live" | "resize" | "move" | "replace" | "migrate" | "apply" | "computed";

/** Reads a conf value (pct's text) into an attribute value and prints an attribute value back. */
export interface Codec {
  /** The attribute value of the text the conf holds. */
  read(text: string): unknown;
  /** pct's printed form; undefined when the value is not of the field's type (nothing is written). */
  print(v: unknown): string | undefined;
  /** The configured value as pct will store it (compared with what is read); Unknown passes through. */
  canon?(v: unknown): unknown;
}

export type FieldType = "string" | "int" | "number" | "bool" | "list(string)" | "map(string)" | "size" | "block";

export interface Field {
  /** Attribute name in the configuration and in state. */
  attr: string;
  /** The pct key (top level) or property-string key; absent for configuration-only arguments. */
  pve?: string;
  type: FieldType;
  /**
   * Conf text <-> attribute. Absent for configuration-only fields and for the parts a block's
   * code assembles by hand (a volume from storage and size, an interface's name from its label).
   */
  codec?: Codec;
  /** What the configuration may write (optional() is added unless `required`); absent: not an argument. */
  schema?: ZodType;
  required?: boolean;
  change: Change;
  sensitive?: boolean;
  /** A secret the state keeps only as this attribute (its sha256), itself sensitive. */
  hashedAs?: string;
  /** Not an argument, but what the node holds is kept when planning (e.g. host-managed networking). */
  keep?: boolean;
  /** Generated configuration (import) leaves the field out when the node holds this value. */
  importDefault?: unknown;
  /** Never written by import (configuration-only bookkeeping such as keep_on_remove or slot). */
  noImport?: boolean;
  /** Removing the argument from the configuration leaves the value as it is (no `pct set --delete`). */
  noReset?: boolean;
  /** `pct set --delete` refuses the key: removing the argument sets this value instead. */
  resetTo?: unknown;
  /** Only lxc_container has it (oci_container declares its own). */
  lxcOnly?: boolean;
  /** One line for the argument tables of the docs. */
  doc: string;
}

/** A block kind: its pct key (or key family) and how the key as a whole changes. */
export interface Block {
  name: string;
  /** The pct key, or the prefix of an indexed family (`net` for net0..net31). */
  pve?: string;
  /** Highest index of an indexed family. */
  maxIndex?: number;
  labelled: boolean;
  /** How a change of the pct key's value reaches a running container (its fields say more). */
  change: Change;
  /** Indexed keys above this index are not hot-unplugged: removing them waits for a restart. */
  liveDeleteMaxIndex?: number;
  fields: Field[];
  doc: string;
}

const isSet = (v: unknown) => v !== undefined && v !== null;

/** Text as it is. */
export const text: Codec = { read: (t) => t, print: (v) => (typeof v === "string" ? v : undefined) };

/** Numbers; a hand-edited value that is not a number stays as text (reported at import), never NaN. */
export const number: Codec = {
  read: (t) => {
    const n = Number(t);
    return t.trim() !== "" && Number.isFinite(n) ? n : t;
  },
  print: (v) => (typeof v === "number" ? String(v) : undefined),
};

/** Top-level booleans: Proxmox reads hand-written `yes`/`on`/`true` as 1 (check_type); anything else stays text. */
export const boolean: Codec = {
  read: (t) => {
    const b = parseBoolean(t);
    return b === undefined ? t : b === "1";
  },
  print: (v) => (typeof v === "boolean" ? (v ? "1" : "0") : undefined),
};

/** Booleans inside a property string, which the parser has already normalised to 1/0. */
export const flag: Codec = { read: (t) => t === "1", print: (v) => boolean.print(v) };

/** A space-separated list (nameserver, searchdomain): pct accepts , ; and spaces and stores spaces. */
export const spaces: Codec = {
  read: (t) => t.split(/[\s,;]+/).filter(Boolean),
  print: (v) => (Array.isArray(v) ? v.map(String).join(" ") : undefined),
};

const sorted = (v: unknown) => (Array.isArray(v) ? [...(v as unknown[])].sort() : v);

/** A ";"-separated set (mount options, features' fs types): order carries no meaning, so it is sorted. */
export const semicolonSet = (split: RegExp = /;/): Codec => ({
  read: (t) => t.split(split).filter(Boolean).sort(),
  print: (v) => (Array.isArray(v) && v.length ? [...(v as unknown[])].map(String).sort().join(";") : undefined),
  canon: sorted,
});

/** A size as Proxmox prints it ("8192M" -> "8G"); unparseable text is kept as written. */
export function canonicalSize(size: string): string {
  const bytes = parseDiskSize(size);
  return bytes === undefined ? size : formatSize(bytes);
}

/** A disk size ("8G"), compared through bytes. */
export const size: Codec = {
  read: canonicalSize,
  print: (v) => (typeof v === "string" ? v : undefined),
  canon: (v) => (typeof v === "string" ? canonicalSize(v) : v),
};

/** A MAC address: case carries no meaning, Proxmox prints upper case. */
export const mac: Codec = {
  read: (t) => t.toUpperCase(),
  print: (v) => (typeof v === "string" ? v.toUpperCase() : undefined),
  canon: (v) => (typeof v === "string" ? v.toUpperCase() : v),
};

/** The attribute with its configured value canonicalised (Unknown stays Unknown). */
export function canonOf(f: Field, v: unknown): unknown {
  if (!isSet(v) || isUnknown(v) || !f.codec?.canon) return v;
  return f.codec.canon(v);
}
