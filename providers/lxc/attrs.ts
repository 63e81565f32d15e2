// Container config (pct's key/value form) -> state attributes, read back and normalised so that
// equal meaning gives equal attributes (tags, sizes, lists, property strings as objects).
import { putKey } from "../../src/config/value.js";
import type { ConfSection, ParsedConf } from "../../src/pve/conf.js";
import { parsePropertyString } from "../../src/pve/propstring.js";
import { parseBoolean } from "../../src/pve/check.js";
import { parseVolumeId } from "../../src/pve/volid.js";
import { splitTags } from "../../src/pve/tags.js";
import type { Attrs } from "../../src/provider/types.js";
import { canonicalSize, deviceFromPve, mountFromPve, readSlots } from "../mounts/slots.js";
import { rawLinesOf } from "../mounts/raw-lxc.js";
import { carryDetachedVolumes } from "../mounts/detached.js";

export type Kind = "str" | "int" | "num" | "bool" | "spaces";

/** Scalar arguments: attribute name = pct key, with the value's type. */
export const SCALARS: Record<string, Kind> = {
  hostname: "str",
  cores: "int",
  cpulimit: "num",
  cpuunits: "int",
  memory: "int",
  swap: "int",
  onboot: "bool",
  protection: "bool",
  timezone: "str",
  arch: "str",
  ostype: "str",
  console: "bool",
  tty: "int",
  cmode: "str",
  hookscript: "str",
  unprivileged: "bool",
  nameserver: "spaces",
  searchdomain: "spaces",
};

/** pct keys that attributes model; everything else is kept in `unknown_keys`. */
const MODELLED = /^(rootfs|features|startup|description|tags|net\d+|mp\d+|dev\d+|lock|digest)$/;

/** Attributes that describe the configuration, not Proxmox, and survive every read. */
export const CARRIED = [
  "template",
  "restart_on_change",
  "password_sha256",
  "ssh_public_keys",
  "managed_keys",
  "gpu",
  "address",
  "migrated_from",
] as const;

/**
 * Refreshed attributes of a container found on another node than the state recorded: the node
 * pmxform last knew is kept as `migrated_from`, so a plan can follow an outside migration
 * (HA, pct migrate) instead of re-creating the container where the configuration still puts it.
 */
export function followMigration(read: Attrs, prior: Attrs): Attrs {
  if (typeof prior["node"] === "string" && read["node"] !== prior["node"]) read["migrated_from"] = prior["migrated_from"] ?? prior["node"];
  return read;
}

/** A tag of this shape marks containers pmxform created; it never shows in `tags`. */
export const MARKER_RE = /^pmxform-[0-9a-f]{8}$/;

export function scalarFromPve(kind: Kind, v: string): unknown {
  switch (kind) {
    case "int":
    case "num": {
      // A hand-edited value that is not a number stays as text (reported at import), never NaN.
      const n = Number(v);
      return v.trim() !== "" && Number.isFinite(n) ? n : v;
    }
    case "bool": {
      // Proxmox reads hand-written `yes`/`on`/`true` as 1 (check_type); anything else stays text.
      const b = parseBoolean(v);
      return b === undefined ? v : b === "1";
    }
    case "spaces":
      return v.split(/[\s,;]+/).filter(Boolean);
    default:
      return v;
  }
}

/** The view a plan must compare with: the config as it will be after pending changes apply. */
export function effectiveSection(conf: ParsedConf): { section: ConfSection; pendingKeys: string[] } {
  const main = conf.main;
  const pending = conf.pending;
  if (!pending) return { section: main, pendingKeys: [] };
  const keys = new Map(main.keys);
  const pendingKeys = new Set<string>();
  for (const [k, v] of pending.keys) {
    keys.set(k, v);
    pendingKeys.add(k);
  }
  for (const d of pending.delete ?? []) {
    const k = d.replace(/^!/, "");
    keys.delete(k);
    pendingKeys.add(k);
  }
  const section: ConfSection = { keys, env: pending.env.length ? pending.env : main.env, lxc: main.lxc };
  const description = pending.description ?? main.description;
  if (description !== undefined) section.description = description;
  return { section, pendingKeys: [...pendingKeys].sort() };
}

function boolsOf(v: Record<string, string>, names: string[], out: Record<string, unknown>): void {
  for (const n of names) if (v[n] !== undefined) out[n.replace(/-/g, "_")] = v[n] === "1";
}

export function networkFromPve(slot: number, text: string): { name: string; iface: Attrs } {
  const v = parsePropertyString("net", text).value;
  const iface: Attrs = { slot };
  for (const k of ["bridge", "ip", "gw", "ip6", "gw6", "trunks"]) if (v[k] !== undefined) iface[k] = v[k];
  if (v["hwaddr"] !== undefined) iface["hwaddr"] = v["hwaddr"].toUpperCase();
  for (const k of ["tag", "mtu", "rate"]) if (v[k] !== undefined) iface[k] = Number(v[k]);
  boolsOf(v, ["firewall", "link_down", "host-managed"], iface);
  return { name: v["name"] ?? `eth${slot}`, iface };
}

export function rootfsFromPve(text: string): Attrs {
  const v = parsePropertyString("rootfs", text).value;
  const volume = v["volume"] ?? "";
  const r: Attrs = { volume, storage: parseVolumeId(volume)?.storage ?? volume };
  if (v["size"]) r["size"] = canonicalSize(v["size"]);
  boolsOf(v, ["acl", "quota", "replicate", "ro", "shared"], r);
  if (v["mountoptions"]) r["mount_options"] = v["mountoptions"].split(";").filter(Boolean).sort();
  if (v["idmap"]) r["idmap"] = v["idmap"];
  return r;
}

export function featuresFromPve(text: string): Attrs {
  const v = parsePropertyString("features", text).value;
  const f: Attrs = {};
  boolsOf(v, ["nesting", "keyctl", "fuse", "mknod", "force_rw_sys"], f);
  if (v["mount"]) f["mount"] = v["mount"].split(/[;\s]+/).filter(Boolean).sort();
  return f;
}

export function startupFromPve(text: string): Attrs {
  const v = parsePropertyString("startup", text).value;
  const s: Attrs = {};
  for (const k of ["order", "up", "down"]) if (v[k] !== undefined) s[k] = Number(v[k]);
  return s;
}

/** Description as users write it: Proxmox always appends a newline, so trailing ones are dropped. */
export function normalizeDescription(d: string): string {
  return d.replace(/\n+$/, "");
}

/**
 * State attributes of container `vmid` from its parsed config. `prior` supplies what Proxmox
 * does not store: the names of mount/device slots, the template, secrets' hashes, managed keys.
 */
export function attrsFromConf(vmid: number, node: string, conf: ParsedConf, running: boolean, prior?: Attrs | null, digest?: string): Attrs {
  const { section, pendingKeys } = effectiveSection(conf);
  const keys = section.keys;
  const a: Attrs = { node, vmid };
  for (const [name, kind] of Object.entries(SCALARS)) {
    const v = keys.get(name);
    if (v !== undefined) a[name] = scalarFromPve(kind, v);
  }
  if (section.description !== undefined) a["description"] = normalizeDescription(section.description);
  const tags = splitTags(keys.get("tags") ?? "").map((t) => t.toLowerCase());
  const marker = tags.find((t) => MARKER_RE.test(t));
  if (keys.has("tags")) a["tags"] = [...new Set(tags.filter((t) => !MARKER_RE.test(t)))].sort();
  if (marker) a["marker"] = marker;
  const rootfs = keys.get("rootfs");
  if (rootfs) a["rootfs"] = rootfsFromPve(rootfs);
  const features = keys.get("features");
  if (features !== undefined) a["features"] = featuresFromPve(features);
  const startup = keys.get("startup");
  if (startup !== undefined) a["startup"] = startupFromPve(startup);

  const network: Record<string, Attrs> = {};
  const netSlots = [...keys.keys()].map((k) => /^net(\d+)$/.exec(k)).filter((m): m is RegExpExecArray => !!m).map((m) => Number(m[1])).sort((x, y) => x - y);
  for (const slot of netSlots) {
    const { name, iface } = networkFromPve(slot, keys.get(`net${slot}`)!);
    // Own keys only, defined not assigned: a network named "constructor" or "__proto__" is data.
    putKey(network, Object.hasOwn(network, name) ? `net${slot}` : name, iface);
  }
  if (netSlots.length) a["network"] = network;

  const mounts = readSlots(keys, "mp", prior?.["mount_names"] as Record<string, string> | undefined, mountFromPve);
  if (Object.keys(mounts.items).length) {
    // keep_on_remove is configuration only; remember it per mount.
    const priorMounts = (prior?.["mount"] ?? {}) as Record<string, Attrs>;
    for (const [n, m] of Object.entries(mounts.items)) {
      const keep = priorMounts[n]?.["keep_on_remove"];
      if (typeof keep === "boolean") m["keep_on_remove"] = keep;
    }
    a["mount"] = mounts.items;
  }
  a["mount_names"] = mounts.names;
  const devices = readSlots(keys, "dev", prior?.["device_names"] as Record<string, string> | undefined, deviceFromPve);
  if (Object.keys(devices.items).length) a["device"] = devices.items;
  a["device_names"] = devices.names;
  const raw = rawLinesOf(section.lxc);
  if (raw.length) a["raw_lxc"] = raw;

  const unknown: Record<string, string> = {};
  for (const [k, v] of keys) if (!(k in SCALARS) && !MODELLED.test(k)) unknown[k] = v;
  if (section.env.length) unknown["env"] = section.env.join("\0");
  if (Object.keys(unknown).length) a["unknown_keys"] = unknown;
  const lock = keys.get("lock");
  if (lock) a["lock"] = lock;

  a["started"] = running;
  a["pending_keys"] = pendingKeys;
  if (digest !== undefined) a["digest"] = digest;
  for (const k of CARRIED) if (prior && prior[k] !== undefined) a[k] = prior[k];
  carryDetachedVolumes(a, prior, conf);
  return a;
}
