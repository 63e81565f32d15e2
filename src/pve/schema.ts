// The container config keys (facts from pve-container's Config.pm, in our own tables): type,
// constraints, defaults, index limits and hot-plug class; plus option validation with PVE's messages.
import { checkScalar, parseBoolean, type ScalarDef } from "./check.js";
import { parsePropertyString } from "./propstring.js";
import type { FormatName } from "./formats.js";

/** How a change behaves on a running container (pve-reference §3.7). */
export type Hotplug = "immediate" | "live" | "live-add-only" | "pending" | "immutable" | "internal";

export interface KeyDef extends ScalarDef {
  propFormat?: FormatName;
  default?: string | number;
  hotplug: Hotplug;
  /** false for keys `--delete` refuses (memory, rootfs, ostype, unprivileged) */
  deletable?: boolean;
  /** highest index for indexed keys (net31, mp255, ...) */
  maxIndex?: number;
}

const ENTRY_CHARS = "[^\\x00-\\x08\\x0a-\\x1F\\x7F]";
const s = (hotplug: Hotplug, extra: Partial<KeyDef> = {}): KeyDef => ({ type: "string", hotplug, ...extra });
const b = (hotplug: Hotplug, dflt?: number): KeyDef => ({ type: "boolean", hotplug, ...(dflt !== undefined ? { default: dflt } : {}) });

export const KEYS: Record<string, KeyDef> = {
  arch: s("pending", { enum: ["amd64", "i386", "arm64", "armhf", "riscv32", "riscv64"], default: "amd64" }),
  cmode: s("pending", { enum: ["shell", "console", "tty"], default: "tty" }),
  console: b("pending", 1),
  cores: { type: "integer", min: 1, max: 8192, hotplug: "immediate" },
  cpulimit: { type: "number", min: 0, max: 8192, default: 0, hotplug: "live" },
  cpuunits: { type: "integer", min: 0, max: 500000, hotplug: "live" },
  debug: b("pending", 0),
  description: s("immediate", { maxLength: 8192 }),
  entrypoint: s("pending", { pattern: new RegExp(`^(?:${ENTRY_CHARS}+)$`), default: "/sbin/init" }),
  env: s("pending", { pattern: new RegExp(`^(?:(?:\\w+=${ENTRY_CHARS}*)(?:\\x00\\w+=${ENTRY_CHARS}*)*)$`) }),
  features: s("pending", { propFormat: "features" }),
  hookscript: s("immediate", { format: "pve-volume-id" }),
  hostname: s("immediate", { format: "dns-name", maxLength: 255 }),
  lock: s("immediate", { enum: ["backup", "create", "destroyed", "disk", "fstrim", "migrate", "mounted", "rollback", "snapshot", "snapshot-delete"] }),
  memory: { type: "integer", min: 16, default: 512, hotplug: "live", deletable: false },
  nameserver: s("pending", { format: "lxc-ip-with-ll-iface-list" }),
  onboot: b("immediate", 0),
  ostype: s("pending", { enum: ["debian", "devuan", "ubuntu", "centos", "fedora", "opensuse", "archlinux", "alpine", "gentoo", "nixos", "unmanaged"], deletable: false }),
  parent: s("internal", { format: "pve-configid", maxLength: 40 }),
  protection: b("immediate", 0),
  rootfs: s("pending", { propFormat: "rootfs", deletable: false }),
  searchdomain: s("pending", { format: "dns-name-list" }),
  snaptime: { type: "integer", min: 0, hotplug: "internal" },
  // a format function (pve-startup-order), not a property-string format: its own message and rules
  startup: s("immediate", { format: "pve-startup-order" }),
  swap: { type: "integer", min: 0, default: 512, hotplug: "live" },
  tags: s("immediate", { format: "pve-tag-list" }),
  template: b("pending", 0),
  timezone: s("pending", { format: "pve-ct-timezone" }),
  tty: { type: "integer", min: 0, max: 6, default: 2, hotplug: "pending" },
  unprivileged: { type: "boolean", default: 0, hotplug: "immutable", deletable: false },
  // indexed families, looked up through their base name
  mp: s("live-add-only", { propFormat: "mp", maxIndex: 255 }),
  net: s("live", { propFormat: "net", maxIndex: 31 }),
  dev: s("live-add-only", { propFormat: "dev", maxIndex: 255 }),
  unused: s("immediate", { propFormat: "unused", maxIndex: 255 }),
};

const INDEXED = new Set(["mp", "net", "dev", "unused"]);

export interface KeyLookup {
  key: string;
  base: string;
  index?: number;
  def: KeyDef;
}

/** Resolves `net3` to the `net` family; undefined for unknown keys and out-of-range indices. */
export function lookupKey(key: string): KeyLookup | undefined {
  const m = /^([a-z]+)(\d+)$/.exec(key);
  if (m && INDEXED.has(m[1]!)) {
    const def = KEYS[m[1]!]!;
    const index = Number(m[2]);
    if (String(index) !== m[2] || index > (def.maxIndex ?? 0)) return undefined;
    return { key, base: m[1]!, index, def };
  }
  if (INDEXED.has(key)) return undefined;
  // Own keys only: "constructor" or "toString" must not find what an object literal inherits.
  const def = Object.hasOwn(KEYS, key) ? KEYS[key] : undefined;
  return def ? { key, base: key, def } : undefined;
}

/** Every error line for `key: value`, as [path, message] ready for `path: message` printing. */
export function validateOptionAll(key: string, value: string): [string, string][] {
  const found = lookupKey(key);
  if (!found) return [[key, "property is not defined in schema and the schema does not allow additional properties"]];
  const def = found.def;
  if (def.propFormat) {
    const parsed = parsePropertyString(def.propFormat, value);
    const out: [string, string][] = parsed.errors.map((e) => [key, `invalid format - ${e}`]);
    for (const [sub, msg] of parsed.subErrors) out.push([`${key}.${sub}`, msg]);
    return out;
  }
  const err = checkScalar(def, value);
  return err ? [[key, err]] : [];
}

/** The first error fragment for `key: value` (e.g. `value must have a minimum value of 16`). */
export function validateOption(key: string, value: string): string | undefined {
  return validateOptionAll(key, value)[0]?.[1];
}

/** Conf-reader type check (PVE's check_type): booleans normalised to 1/0; error text on mismatch. */
export function checkType(key: string, value: string): { value: string; error?: string } {
  const found = lookupKey(key);
  if (!found) return { value, error: `unknown setting '${key}'` };
  const def = found.def;
  if (def.type === "boolean") {
    const bv = parseBoolean(value);
    return bv === undefined ? { value, error: `type check ('boolean') failed - got '${value}'` } : { value: bv };
  }
  if (def.type === "integer" && !/^-?\d+$/.test(value)) return { value, error: `type check ('integer') failed - got '${value}'` };
  if (def.type === "number" && !/^-?(?:\d+\.?\d*|\.\d+)$/.test(value)) return { value, error: `type check ('number') failed - got '${value}'` };
  return { value };
}
