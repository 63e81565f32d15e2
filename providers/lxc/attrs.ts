// Container config (pct's key/value form) -> state attributes, read back and normalised so that
// equal meaning gives equal attributes (tags, sizes, lists, property strings as objects).
// Which key holds which attribute, and how its text reads, is the field tables' (./fields).
import { putKey } from "../../src/config/value.js";
import type { ConfSection, ParsedConf } from "../../src/pve/conf.js";
import { parsePropertyString } from "../../src/pve/propstring.js";
import { parseVolumeId } from "../../src/pve/volid.js";
import { splitTags } from "../../src/pve/tags.js";
import type { Attrs } from "../../src/provider/types.js";
import { canonicalSize, deviceFromPve, mountFromPve, readSlots } from "../mounts/slots.js";
import { FEATURES, NETWORK, NETWORK_LABEL_KEY, ROOTFS, SCALAR_FIELDS, STARTUP, TOP, readProps } from "./fields/index.js";
import { rawLinesOf } from "../mounts/raw-lxc.js";
import { carryDetachedVolumes } from "../mounts/detached.js";

/** pct keys that attributes model (and lock, digest); everything else is kept in `unknown_keys`. */
const MODELLED_KEYS = new Set([...TOP.filter((f) => f.pve && f.block?.maxIndex === undefined).map((f) => f.pve!), "lock", "digest"]);
const MODELLED_FAMILY = new RegExp(
  `^(?:${TOP.filter((f) => f.block?.maxIndex !== undefined)
    .map((f) => f.pve!)
    .join("|")})\\d+$`,
);
const modelled = (k: string) => MODELLED_KEYS.has(k) || MODELLED_FAMILY.test(k);

/** Attributes that describe the configuration, not Proxmox, and survive every read. */
export const CARRIED = ["template", "restart_on_change", "password_sha256", "ssh_public_keys", "managed_keys", "gpu", "address", "migrated_from"] as const;

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

export function networkFromPve(slot: number, text: string): { name: string; iface: Attrs } {
  const v = parsePropertyString("net", text).value;
  const iface: Attrs = { slot };
  readProps(NETWORK, v, iface);
  return { name: v[NETWORK_LABEL_KEY] ?? `eth${slot}`, iface };
}

export function rootfsFromPve(text: string): Attrs {
  const v = parsePropertyString("rootfs", text).value;
  const volume = v["volume"] ?? "";
  const r: Attrs = { volume, storage: parseVolumeId(volume)?.storage ?? volume };
  if (v["size"]) r["size"] = canonicalSize(v["size"]);
  readProps(ROOTFS, v, r, ["size"]);
  return r;
}

export function featuresFromPve(text: string): Attrs {
  const f: Attrs = {};
  readProps(FEATURES, parsePropertyString("features", text).value, f);
  return f;
}

export function startupFromPve(text: string): Attrs {
  const s: Attrs = {};
  readProps(STARTUP, parsePropertyString("startup", text).value, s);
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
  for (const f of SCALAR_FIELDS) {
    const v = keys.get(f.pve!);
    if (v !== undefined) a[f.attr] = f.codec!.read(v);
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
  const netSlots = [...keys.keys()]
    .map((k) => /^net(\d+)$/.exec(k))
    .filter((m): m is RegExpExecArray => !!m)
    .map((m) => Number(m[1]))
    .sort((x, y) => x - y);
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
  // `raw_lxc = []` manages "no raw lines": read back as [], not as absent (or apply would differ from its plan).
  if (raw.length || Array.isArray(prior?.["raw_lxc"])) a["raw_lxc"] = raw;

  const unknown: Record<string, string> = {};
  for (const [k, v] of keys) if (!modelled(k)) unknown[k] = v;
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
