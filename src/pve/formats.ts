// Property-string formats of the container schema (rootfs, mp, net, dev, features, startup, unused),
// as facts: sub-key, type, constraints and which sub-key may be given without `key=`.

export type ScalarType = "boolean" | "integer" | "number" | "string";

export interface SubKeyDef {
  type: ScalarType;
  required?: boolean;
  defaultKey?: boolean;
  default?: string | number;
  pattern?: RegExp;
  enum?: readonly string[];
  min?: number;
  max?: number;
  /** named value format checked by schema.ts (e.g. "ipv4", "mac-addr") */
  format?: string;
}

export type FormatName = "rootfs" | "mp" | "net" | "dev" | "features" | "startup" | "unused";

const bool = (extra: Partial<SubKeyDef> = {}): SubKeyDef => ({ type: "boolean", ...extra });
const MOUNT_OPT = "(?:discard|lazytime|noatime|nodev|noexec|nosuid)";
const IDMAP = /^(?:passthrough|[ug]:[0-9]+:[0-9]+:[1-9][0-9]*(?:;[ug]:[0-9]+:[0-9]+:[1-9][0-9]*)*)$/;

const rootfs: Record<string, SubKeyDef> = {
  volume: { type: "string", required: true, defaultKey: true, format: "pve-lxc-mp-string" },
  acl: bool(),
  idmap: { type: "string", pattern: IDMAP },
  mountoptions: { type: "string", pattern: new RegExp(`^(?:${MOUNT_OPT}(?:;${MOUNT_OPT})*)$`) },
  quota: bool(),
  replicate: bool({ default: 1 }),
  ro: bool(),
  shared: bool({ default: 0 }),
  size: { type: "string", format: "disk-size" },
};

const mp: Record<string, SubKeyDef> = {
  ...rootfs,
  mp: { type: "string", required: true, format: "pve-lxc-mp-string" },
  backup: bool(),
  keepattrs: bool({ default: 0 }),
};

const IFNAME = /^(?:[-_.\w\d]+)$/;
const net: Record<string, SubKeyDef> = {
  name: { type: "string", required: true, pattern: IFNAME },
  bridge: { type: "string", pattern: IFNAME },
  firewall: bool(),
  gw: { type: "string", format: "ipv4" },
  gw6: { type: "string", format: "ipv6" },
  "host-managed": bool(),
  hwaddr: { type: "string", format: "mac-addr" },
  ip: { type: "string", format: "pve-ipv4-config" },
  ip6: { type: "string", format: "pve-ipv6-config" },
  link_down: bool(),
  mtu: { type: "integer", min: 64, max: 65535 },
  rate: { type: "number", min: 0 },
  tag: { type: "integer", min: 1, max: 4094 },
  trunks: { type: "string", pattern: /^(?:\d+(?:;\d+)*)$/ },
  type: { type: "string", enum: ["veth"] },
};

const dev: Record<string, SubKeyDef> = {
  path: { type: "string", defaultKey: true, format: "pve-lxc-dev-string" },
  "deny-write": bool({ default: 0 }),
  gid: { type: "integer", min: 0 },
  mode: { type: "string", pattern: /^(?:0[0-7]{3})$/ },
  uid: { type: "integer", min: 0 },
};

const features: Record<string, SubKeyDef> = {
  force_rw_sys: bool({ default: 0 }),
  fuse: bool({ default: 0 }),
  keyctl: bool({ default: 0 }),
  mknod: bool({ default: 0 }),
  mount: { type: "string", pattern: /^(?:[a-zA-Z0-9_; ]+)$/ },
  nesting: bool({ default: 0 }),
};

const startup: Record<string, SubKeyDef> = {
  order: { type: "integer", defaultKey: true },
  up: { type: "integer" },
  down: { type: "integer" },
};

const unused: Record<string, SubKeyDef> = {
  volume: { type: "string", required: true, defaultKey: true, format: "pve-volume-id" },
};

export const FORMATS: Record<FormatName, Record<string, SubKeyDef>> = { rootfs, mp, net, dev, features, startup, unused };
