// The simulated `zfs` tool's property table and value parsing: which filesystem properties exist,
// which are inheritable, read-only or settable only at creation, what values they take and how
// `zfs get` prints them. Every row is taken from OpenZFS module/zcommon/zfs_prop.c zfs_prop_init
// (names, defaults, PROP_INHERIT / PROP_DEFAULT / PROP_READONLY / PROP_ONETIME, index tables);
// value checks and texts from lib/libzfs/libzfs_util.c zprop_parse_value / zfs_nicestrtonum and
// libzfs_dataset.c zfs_valid_proplist. Pure: no I/O.

export type PropClass = "inherit" | "default" | "readonly" | "onetime";

export interface PropDef {
  name: string;
  kind: "index" | "number" | "string";
  cls: PropClass;
  /** The default as `zfs get -p` prints it (readonly ones are computed by the store). */
  dflt?: string;
  /** index: accepted spelling -> the name `zfs get` prints (zprop_index_to_string: the first row with that index). */
  values?: Record<string, string>;
  /** The values text of the table row, printed in "must be one of" errors (zprop_values). */
  valuesText?: string;
  /** number: a size (zfs_nicestrtonum; "none" means 0 for quotas/reservations). */
  noneIsZero?: boolean;
  blockSize?: boolean;
}

const bool: Record<string, string> = { on: "on", off: "off" };
const onOff = "on | off";

const compressNames = [
  "on",
  "off",
  "lzjb",
  "gzip",
  ...Array.from({ length: 9 }, (_, i) => `gzip-${i + 1}`),
  "zle",
  "lz4",
  "zstd",
  ...Array.from({ length: 19 }, (_, i) => `zstd-${i + 1}`),
  "zstd-fast",
];
for (const n of [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 20, 30, 40, 50, 60, 70, 80, 90, 100, 500, 1000]) compressNames.push(`zstd-fast-${n}`);
// compress_table: "gzip" and "gzip-6" share ZIO_COMPRESS_GZIP_6, and the table lists "gzip" first,
// so zfs get prints "gzip" for both; "zstd" likewise prints for "zstd-3".
const compression: Record<string, string> = Object.fromEntries(compressNames.map((n) => [n, n === "gzip-6" ? "gzip" : n === "zstd-3" ? "zstd" : n === "zstd-fast-1" ? "zstd-fast" : n]));

const same = (...names: string[]): Record<string, string> => Object.fromEntries(names.map((n) => [n, n]));

export const PROPS: readonly PropDef[] = [
  // inherit index properties
  { name: "redundant_metadata", kind: "index", cls: "inherit", dflt: "all", values: same("all", "most", "some", "none"), valuesText: "all | most | some | none" },
  { name: "sync", kind: "index", cls: "inherit", dflt: "standard", values: same("standard", "always", "disabled"), valuesText: "standard | always | disabled" },
  {
    name: "checksum",
    kind: "index",
    cls: "inherit",
    dflt: "on",
    values: same("on", "off", "fletcher2", "fletcher4", "sha256", "noparity", "sha512", "skein", "edonr", "blake3"),
    valuesText: "on | off | fletcher2 | fletcher4 | sha256 | sha512 | skein | edonr | blake3",
  },
  {
    name: "dedup",
    kind: "index",
    cls: "inherit",
    dflt: "off",
    values: same("on", "off", "verify", "sha256", "sha256,verify", "sha512", "sha512,verify", "skein", "skein,verify", "edonr,verify", "blake3", "blake3,verify"),
    valuesText: "on | off | verify | sha256[,verify] | sha512[,verify] | skein[,verify] | edonr,verify | blake3[,verify]",
  },
  {
    name: "compression",
    kind: "index",
    cls: "inherit",
    dflt: "on",
    values: compression,
    valuesText: "on | off | lzjb | gzip | gzip-[1-9] | zle | lz4 | zstd | zstd-[1-19] | zstd-fast | zstd-fast-[1-10,20,30,40,50,60,70,80,90,100,500,1000]",
  },
  { name: "snapdir", kind: "index", cls: "inherit", dflt: "hidden", values: same("hidden", "visible", "disabled"), valuesText: "disabled | hidden | visible" },
  { name: "aclmode", kind: "index", cls: "inherit", dflt: "discard", values: same("discard", "groupmask", "passthrough", "restricted"), valuesText: "discard | groupmask | passthrough | restricted" },
  // acltype_table keeps old spellings for compatibility; zfs get prints the first name of each index.
  {
    name: "acltype",
    kind: "index",
    cls: "inherit",
    dflt: "off",
    values: { off: "off", posix: "posix", nfsv4: "nfsv4", disabled: "off", noacl: "off", posixacl: "posix" },
    valuesText: "off | nfsv4 | posix",
  },
  {
    name: "aclinherit",
    kind: "index",
    cls: "inherit",
    dflt: "restricted",
    values: { discard: "discard", noallow: "noallow", restricted: "restricted", passthrough: "passthrough", secure: "restricted", "passthrough-x": "passthrough-x" },
    valuesText: "discard | noallow | restricted | passthrough | passthrough-x",
  },
  { name: "copies", kind: "index", cls: "inherit", dflt: "1", values: same("1", "2", "3"), valuesText: "1 | 2 | 3" },
  { name: "primarycache", kind: "index", cls: "inherit", dflt: "all", values: same("none", "metadata", "all"), valuesText: "all | none | metadata" },
  { name: "secondarycache", kind: "index", cls: "inherit", dflt: "all", values: same("none", "metadata", "all"), valuesText: "all | none | metadata" },
  { name: "prefetch", kind: "index", cls: "inherit", dflt: "all", values: same("none", "metadata", "all"), valuesText: "none | metadata | all" },
  { name: "logbias", kind: "index", cls: "inherit", dflt: "latency", values: same("latency", "throughput"), valuesText: "latency | throughput" },
  // xattr_table: "on" is ZFS_XATTR_SA, listed after "sa", so it reads back as "sa".
  { name: "xattr", kind: "index", cls: "inherit", dflt: "sa", values: { off: "off", sa: "sa", on: "sa", dir: "dir" }, valuesText: "on | off | dir | sa" },
  { name: "dnodesize", kind: "index", cls: "inherit", dflt: "legacy", values: same("legacy", "auto", "1k", "2k", "4k", "8k", "16k"), valuesText: "legacy | auto | 1k | 2k | 4k | 8k | 16k" },
  { name: "atime", kind: "index", cls: "inherit", dflt: "on", values: bool, valuesText: onOff },
  { name: "relatime", kind: "index", cls: "inherit", dflt: "on", values: bool, valuesText: onOff },
  { name: "devices", kind: "index", cls: "inherit", dflt: "on", values: bool, valuesText: onOff },
  { name: "exec", kind: "index", cls: "inherit", dflt: "on", values: bool, valuesText: onOff },
  { name: "setuid", kind: "index", cls: "inherit", dflt: "on", values: bool, valuesText: onOff },
  { name: "readonly", kind: "index", cls: "inherit", dflt: "off", values: bool, valuesText: onOff },
  { name: "zoned", kind: "index", cls: "inherit", dflt: "off", values: bool, valuesText: onOff },
  { name: "vscan", kind: "index", cls: "inherit", dflt: "off", values: bool, valuesText: onOff },
  { name: "nbmand", kind: "index", cls: "inherit", dflt: "off", values: bool, valuesText: onOff },
  { name: "overlay", kind: "index", cls: "inherit", dflt: "on", values: bool, valuesText: onOff },
  // default (not inherited) index properties
  { name: "canmount", kind: "index", cls: "default", dflt: "on", values: same("on", "off", "noauto"), valuesText: "on | off | noauto" },
  // set once index properties
  { name: "normalization", kind: "index", cls: "onetime", dflt: "none", values: same("none", "formC", "formD", "formKC", "formKD"), valuesText: "none | formC | formD | formKC | formKD" },
  { name: "casesensitivity", kind: "index", cls: "onetime", dflt: "sensitive", values: same("sensitive", "insensitive", "mixed"), valuesText: "sensitive | insensitive | mixed" },
  { name: "utf8only", kind: "index", cls: "onetime", dflt: "off", values: bool, valuesText: onOff },
  {
    name: "encryption",
    kind: "index",
    cls: "onetime",
    dflt: "off",
    values: same("on", "off", "aes-128-ccm", "aes-192-ccm", "aes-256-ccm", "aes-128-gcm", "aes-192-gcm", "aes-256-gcm"),
    valuesText: "on | off | aes-128-ccm | aes-192-ccm | aes-256-ccm | aes-128-gcm | aes-192-gcm | aes-256-gcm",
  },
  { name: "keyformat", kind: "index", cls: "onetime", dflt: "none", values: same("none", "raw", "hex", "passphrase"), valuesText: "none | raw | hex | passphrase" },
  // string properties
  { name: "mountpoint", kind: "string", cls: "inherit" },
  { name: "sharenfs", kind: "string", cls: "inherit", dflt: "off" },
  { name: "sharesmb", kind: "string", cls: "inherit", dflt: "off" },
  { name: "keylocation", kind: "string", cls: "default", dflt: "none" },
  // default number properties
  { name: "quota", kind: "number", cls: "default", dflt: "0", noneIsZero: true },
  { name: "reservation", kind: "number", cls: "default", dflt: "0", noneIsZero: true },
  { name: "refquota", kind: "number", cls: "default", dflt: "0", noneIsZero: true },
  { name: "refreservation", kind: "number", cls: "default", dflt: "0", noneIsZero: true },
  // inherit number properties
  { name: "recordsize", kind: "number", cls: "inherit", dflt: "131072", blockSize: true },
  { name: "special_small_blocks", kind: "number", cls: "inherit", dflt: "0" },
  // readonly properties (values computed by the store)
  { name: "type", kind: "string", cls: "readonly" },
  { name: "creation", kind: "number", cls: "readonly" },
  { name: "used", kind: "number", cls: "readonly" },
  { name: "available", kind: "number", cls: "readonly" },
  { name: "referenced", kind: "number", cls: "readonly" },
  { name: "compressratio", kind: "number", cls: "readonly" },
  { name: "mounted", kind: "index", cls: "readonly" },
  { name: "origin", kind: "string", cls: "readonly" },
  { name: "usedbysnapshots", kind: "number", cls: "readonly" },
  { name: "usedbydataset", kind: "number", cls: "readonly" },
  { name: "usedbychildren", kind: "number", cls: "readonly" },
  { name: "usedbyrefreservation", kind: "number", cls: "readonly" },
  { name: "logicalused", kind: "number", cls: "readonly" },
  { name: "logicalreferenced", kind: "number", cls: "readonly" },
  { name: "written", kind: "number", cls: "readonly" },
  { name: "guid", kind: "number", cls: "readonly" },
  { name: "createtxg", kind: "number", cls: "readonly" },
  { name: "objsetid", kind: "number", cls: "readonly" },
];

export const PROP_BY_NAME: ReadonlyMap<string, PropDef> = new Map(PROPS.map((p) => [p.name, p]));

/** zfs_prop.c also accepts these short column names (zprop_name_to_prop matches the column). */
const ALIASES: Record<string, string> = {
  avail: "available",
  refer: "referenced",
  ratio: "compressratio",
  recsize: "recordsize",
  reserv: "reservation",
  refreserv: "refreservation",
  compress: "compression",
};

export function propNamed(name: string): PropDef | undefined {
  return PROP_BY_NAME.get(ALIASES[name] ?? name);
}

/**
 * libzfs zfs_prop_user: a user property has a ':' and only lowercase letters, digits and
 * ':', '_', '.', '-' (zfs_prop.c valid_char), at most ZAP_MAXNAMELEN (256) characters.
 */
export function isUserProp(name: string): boolean {
  return name.length < 256 && name.includes(":") && /^[a-z0-9:_.-]+$/.test(name);
}

export { PropError, niceStrToNum } from "../pve/zfs-size.js";
import { PropError, niceStrToNum } from "../pve/zfs-size.js";

/**
 * zprop_parse_value + zfs_valid_proplist's per-property checks: the value `zfs get -p` will print,
 * or a PropError with the aux text the real tool prints after "cannot ...: ".
 */
export function parseValue(def: PropDef, raw: string): string {
  if (def.kind === "index") {
    const v = def.values?.[raw];
    if (v === undefined) throw new PropError(`'${def.name}' must be one of '${def.valuesText ?? ""}'`);
    return v;
  }
  if (def.kind === "number") {
    if (def.noneIsZero && raw === "none") return "0";
    const n = niceStrToNum(raw);
    if (def.blockSize && (n < 512 || n > 16 * 1024 * 1024 || (n & (n - 1)) !== 0)) throw new PropError(`'${def.name}' must be power of 2 from 512B to 16M`);
    if (def.name === "special_small_blocks" && n > 16 * 1024 * 1024) throw new PropError(`invalid '${def.name}' property: must be between zero and 16M`);
    return String(n);
  }
  if (def.name === "mountpoint" && !(raw === "none" || raw === "legacy" || raw.startsWith("/"))) {
    // zfs_valid_proplist ZFS_PROP_MOUNTPOINT
    throw new PropError(`'${def.name}' must be an absolute path, 'none', or 'legacy'`);
  }
  return raw;
}

/** libzfs zfs_nicenum_format (1024-based, at most 5 characters): what `zfs get` without -p prints. */
export function niceNum(n: number): string {
  const units = ["", "K", "M", "G", "T", "P", "E"];
  let index = 0;
  let rem = n;
  while (rem >= 1024 && index < units.length - 1) {
    rem /= 1024;
    index++;
  }
  if (index === 0) return String(n);
  if (n % 2 ** (10 * index) === 0) return `${Math.round(rem)}${units[index]}`;
  for (let p = 2; p >= 0; p--) {
    const s = `${rem.toFixed(p)}${units[index]}`;
    if (s.length <= 5) return s;
  }
  return `${Math.round(rem)}${units[index]}`;
}

/** `zfs get all` prints properties in zfs_prop_t order (include/sys/fs/zfs.h), user properties last. */
export const GET_ALL_ORDER: readonly string[] = (
  "type creation used available referenced compressratio mounted origin quota reservation volsize volblocksize recordsize mountpoint sharenfs " +
  "checksum compression atime devices exec setuid readonly zoned snapdir aclmode aclinherit createtxg canmount xattr copies version utf8only " +
  "normalization casesensitivity vscan nbmand sharesmb refquota refreservation guid primarycache secondarycache usedbysnapshots usedbydataset " +
  "usedbychildren usedbyrefreservation logbias objsetid dedup mlslabel sync dnodesize refcompressratio written logicalused logicalreferenced " +
  "volmode filesystem_limit snapshot_limit filesystem_count snapshot_count snapdev acltype context fscontext defcontext rootcontext relatime " +
  "redundant_metadata overlay encryption keylocation keyformat pbkdf2iters special_small_blocks prefetch"
).split(" ");
