// The zfs_dataset property table: every ZFS filesystem property pmxform knows, how a change of it
// reaches an existing dataset (`zfs set` / `zfs inherit`, or only at creation: a replacement, or
// never: read-only), its kind and how `zfs get -Hp` prints a value (sizes in bytes, aliases
// folded). Validation, canonical comparison, diff classification, import and the docs' table
// all read it. Pinned to the simulator's model of OpenZFS (src/sim/zfs-props.ts, from
// module/zcommon/zfs_prop.c) by test/providers/zfs/fields-reference.test.ts.

/**
 * - set: `zfs set` changes it in place; removing it from the configuration runs `zfs inherit`
 *   (or `zfs set P=none` for the quota family, which ZFS cannot inherit);
 * - create: only `zfs create -o` can set it (PROP_ONETIME): a change forces replacement;
 * - readonly: ZFS computes it; configuring it is an error at validate.
 */
export type ZfsChange = "set" | "create" | "readonly";

export interface ZfsField {
  name: string;
  change: ZfsChange;
  kind: "index" | "size" | "string" | "number";
  /** index: accepted spelling -> the name `zfs get` prints (aliases such as xattr=on -> sa). */
  values?: Readonly<Record<string, string>>;
  /** Cleared with `zfs set P=none` instead of `zfs inherit` (zfs_main.c zfs_do_inherit refuses these). */
  clearWithNone?: boolean;
  /** The value a dataset has when nothing sets it (create-only: never compared unless configured). */
  dflt?: string;
  doc: string;
}

const same = (...v: string[]) => Object.fromEntries(v.map((x) => [x, x]));
const onOff = same("on", "off");
const compression = (() => {
  const names = ["on", "off", "lzjb", "gzip", "zle", "lz4", "zstd", "zstd-fast"];
  for (let i = 1; i <= 9; i++) names.push(`gzip-${i}`);
  for (let i = 1; i <= 19; i++) names.push(`zstd-${i}`);
  for (const n of [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 20, 30, 40, 50, 60, 70, 80, 90, 100, 500, 1000]) names.push(`zstd-fast-${n}`);
  // compress_table lists "gzip" before "gzip-6" (same level), "zstd" before "zstd-3", "zstd-fast" before "zstd-fast-1".
  const alias: Record<string, string> = { "gzip-6": "gzip", "zstd-3": "zstd", "zstd-fast-1": "zstd-fast" };
  return Object.fromEntries(names.map((n) => [n, alias[n] ?? n]));
})();

export const ZFS_FIELDS: readonly ZfsField[] = [
  { name: "recordsize", change: "set", kind: "size", dflt: "131072", doc: "largest block size for files (512 to 16M, a power of 2); large for big sequential files, small for databases" },
  { name: "compression", change: "set", kind: "index", values: compression, dflt: "on", doc: "compression algorithm (`lz4`, `zstd`, `zstd-N`, `gzip-N`, `off`, ...)" },
  { name: "atime", change: "set", kind: "index", values: onOff, dflt: "on", doc: "update access times on read" },
  { name: "relatime", change: "set", kind: "index", values: onOff, dflt: "on", doc: "update access times at most once a day" },
  {
    name: "xattr",
    change: "set",
    kind: "index",
    values: { off: "off", sa: "sa", on: "sa", dir: "dir" },
    dflt: "sa",
    doc: "extended attributes (`sa` keeps them in the inode; `on` reads back as `sa`)",
  },
  {
    name: "acltype",
    kind: "index",
    change: "set",
    values: { off: "off", posix: "posix", nfsv4: "nfsv4", disabled: "off", noacl: "off", posixacl: "posix" },
    dflt: "off",
    doc: "ACL flavour (`posix` for Samba and containers; `posixacl` reads back as `posix`)",
  },
  {
    name: "aclinherit",
    change: "set",
    kind: "index",
    values: { discard: "discard", noallow: "noallow", restricted: "restricted", passthrough: "passthrough", secure: "restricted", "passthrough-x": "passthrough-x" },
    dflt: "restricted",
    doc: "how ACL entries are inherited",
  },
  { name: "aclmode", change: "set", kind: "index", values: same("discard", "groupmask", "passthrough", "restricted"), dflt: "discard", doc: "how chmod changes ACLs" },
  {
    name: "sync",
    change: "set",
    kind: "index",
    values: same("standard", "always", "disabled"),
    dflt: "standard",
    doc: "synchronous write behaviour (`disabled` loses the last seconds on power loss)",
  },
  { name: "logbias", change: "set", kind: "index", values: same("latency", "throughput"), dflt: "latency", doc: "use the log device for latency or bypass it for throughput" },
  { name: "primarycache", change: "set", kind: "index", values: same("all", "none", "metadata"), dflt: "all", doc: "what the ARC caches" },
  { name: "secondarycache", change: "set", kind: "index", values: same("all", "none", "metadata"), dflt: "all", doc: "what the L2ARC caches" },
  { name: "prefetch", change: "set", kind: "index", values: same("all", "none", "metadata"), dflt: "all", doc: "what is prefetched" },
  {
    name: "checksum",
    change: "set",
    kind: "index",
    values: same("on", "off", "fletcher2", "fletcher4", "sha256", "noparity", "sha512", "skein", "edonr", "blake3"),
    dflt: "on",
    doc: "block checksum",
  },
  {
    name: "dedup",
    change: "set",
    kind: "index",
    values: same("on", "off", "verify", "sha256", "sha256,verify", "sha512", "sha512,verify", "skein", "skein,verify", "edonr,verify", "blake3", "blake3,verify"),
    dflt: "off",
    doc: "deduplication (costs memory; rarely worth it)",
  },
  { name: "copies", change: "set", kind: "index", values: same("1", "2", "3"), dflt: "1", doc: "copies of each block" },
  { name: "snapdir", change: "set", kind: "index", values: same("hidden", "visible", "disabled"), dflt: "hidden", doc: "the .zfs directory" },
  { name: "dnodesize", change: "set", kind: "index", values: same("legacy", "auto", "1k", "2k", "4k", "8k", "16k"), dflt: "legacy", doc: "dnode size (`auto` with xattr=sa)" },
  { name: "redundant_metadata", change: "set", kind: "index", values: same("all", "most", "some", "none"), dflt: "all", doc: "extra metadata copies" },
  { name: "exec", change: "set", kind: "index", values: onOff, dflt: "on", doc: "allow executing files" },
  { name: "setuid", change: "set", kind: "index", values: onOff, dflt: "on", doc: "honour setuid bits" },
  { name: "devices", change: "set", kind: "index", values: onOff, dflt: "on", doc: "allow device nodes" },
  { name: "readonly", change: "set", kind: "index", values: onOff, dflt: "off", doc: "read-only dataset" },
  { name: "canmount", change: "set", kind: "index", values: same("on", "off", "noauto"), dflt: "on", doc: "whether the dataset is mounted" },
  { name: "sharenfs", change: "set", kind: "string", dflt: "off", doc: "ZFS's own NFS sharing (prefer nfs_share)" },
  { name: "sharesmb", change: "set", kind: "string", dflt: "off", doc: "ZFS's own SMB sharing (prefer smb_share)" },
  { name: "special_small_blocks", change: "set", kind: "size", dflt: "0", doc: "blocks up to this size go to the special vdev" },
  { name: "quota", change: "set", kind: "size", clearWithNone: true, dflt: "0", doc: "limit for the dataset and its children (use the `quota` argument)" },
  { name: "refquota", change: "set", kind: "size", clearWithNone: true, dflt: "0", doc: "limit for the dataset itself (use the `refquota` argument)" },
  { name: "reservation", change: "set", kind: "size", clearWithNone: true, dflt: "0", doc: "space guaranteed to the dataset and its children (use the `reservation` argument)" },
  { name: "refreservation", change: "set", kind: "size", clearWithNone: true, dflt: "0", doc: "space guaranteed to the dataset itself" },
  { name: "mountpoint", change: "set", kind: "string", doc: "where it is mounted (use the `mountpoint` argument)" },
  {
    name: "casesensitivity",
    change: "create",
    kind: "index",
    values: same("sensitive", "insensitive", "mixed"),
    dflt: "sensitive",
    doc: "file name case handling (`insensitive` for Windows clients); creation only",
  },
  { name: "normalization", change: "create", kind: "index", values: same("none", "formC", "formD", "formKC", "formKD"), dflt: "none", doc: "Unicode normalisation of file names; creation only" },
  { name: "utf8only", change: "create", kind: "index", values: onOff, dflt: "off", doc: "refuse file names that are not UTF-8; creation only" },
  {
    name: "encryption",
    change: "create",
    kind: "index",
    values: same("on", "off", "aes-128-ccm", "aes-192-ccm", "aes-256-ccm", "aes-128-gcm", "aes-192-gcm", "aes-256-gcm"),
    dflt: "off",
    doc: "native encryption (needs keyformat and keylocation); creation only",
  },
  { name: "keyformat", change: "create", kind: "index", values: same("none", "raw", "hex", "passphrase"), dflt: "none", doc: "key format of an encryption root; creation only" },
  { name: "keylocation", change: "set", kind: "string", dflt: "none", doc: "where the key is loaded from (`file:///...`)" },
  ...[
    "type",
    "creation",
    "used",
    "available",
    "referenced",
    "compressratio",
    "mounted",
    "origin",
    "usedbysnapshots",
    "usedbydataset",
    "usedbychildren",
    "usedbyrefreservation",
    "logicalused",
    "logicalreferenced",
    "written",
    "guid",
    "createtxg",
    "objsetid",
  ].map((name): ZfsField => ({ name, change: "readonly", kind: "string", doc: "computed by ZFS" })),
];

export const FIELD: ReadonlyMap<string, ZfsField> = new Map(ZFS_FIELDS.map((f) => [f.name, f]));

/** Properties with an argument of their own (not written in `properties`). */
export const DEDICATED = ["quota", "refquota", "reservation", "mountpoint"] as const;

/** libzfs zfs_prop_user: user properties have a ':' and only lowercase letters, digits, ':', '_', '.', '-'. */
export const isUserProperty = (name: string): boolean => name.length < 256 && name.includes(":") && /^[a-z0-9:_.-]+$/.test(name);

/** The ownership marker pmxform sets on datasets it creates (a user property, so `zfs get` shows it). */
export const MARKER = "pmxform:owner";
