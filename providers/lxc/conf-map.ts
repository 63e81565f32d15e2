// State attributes -> pct keys and values, printed canonically, so that a plan compares pct's
// own representation of prior and planned attributes (and builds argv from the same strings).
import { printPropertyString } from "../../src/pve/propstring.js";
import { isUnknown } from "../../src/config/value.js";
import type { Attrs } from "../../src/provider/types.js";
import { deviceToPve, mountToPve, mountVolumeArg, type Obj } from "../mounts/slots.js";
import { SCALARS } from "./attrs.js";

/** A pct value whose text only apply can tell (it depends on an unknown configuration value). */
export const UNKNOWN_VALUE = Symbol("unknown pct value");
export type PveValue = string | typeof UNKNOWN_VALUE;

const hasUnknown = (v: unknown): boolean =>
  isUnknown(v) || (Array.isArray(v) ? v.some(hasUnknown) : typeof v === "object" && v !== null ? Object.values(v).some(hasUnknown) : false);

const bool01 = (v: unknown) => (v ? "1" : "0");

function scalarToPve(kind: string, v: unknown): string {
  if (kind === "bool") return bool01(v);
  if (kind === "spaces") return (v as unknown[]).map(String).join(" ");
  return String(v);
}

export function networkToPve(name: string, n: Obj): string {
  const o: Record<string, string | undefined> = { name };
  for (const k of ["bridge", "ip", "gw", "ip6", "gw6", "trunks"]) if (typeof n[k] === "string") o[k] = n[k] as string;
  if (typeof n["hwaddr"] === "string") o["hwaddr"] = (n["hwaddr"] as string).toUpperCase();
  for (const k of ["tag", "mtu", "rate"]) if (typeof n[k] === "number") o[k] = String(n[k]);
  for (const [a, p] of [["firewall", "firewall"], ["link_down", "link_down"], ["host_managed", "host-managed"]] as const) {
    if (typeof n[a] === "boolean") o[p] = bool01(n[a]);
  }
  o["type"] = "veth";
  return printPropertyString("net", o);
}

/** rootfs without `size` (sizes change through `pct resize`, never through `pct set`). */
export function rootfsToPve(r: Obj, size?: string): string | undefined {
  const volume = mountVolumeArg(r);
  if (volume === undefined) return undefined;
  const o: Record<string, string | undefined> = { volume };
  for (const k of ["acl", "quota", "replicate", "ro", "shared"]) if (typeof r[k] === "boolean") o[k] = bool01(r[k]);
  const opts = r["mount_options"];
  if (Array.isArray(opts) && opts.length) o["mountoptions"] = [...(opts as unknown[])].map(String).sort().join(";");
  if (typeof r["idmap"] === "string") o["idmap"] = r["idmap"] as string;
  if (size && typeof r["volume"] === "string") o["size"] = size;
  return printPropertyString("rootfs", o);
}

export function featuresToPve(f: Obj): string {
  const o: Record<string, string | undefined> = {};
  for (const k of ["nesting", "keyctl", "fuse", "mknod", "force_rw_sys"]) if (typeof f[k] === "boolean") o[k] = bool01(f[k]);
  if (Array.isArray(f["mount"]) && f["mount"].length) o["mount"] = [...(f["mount"] as unknown[])].map(String).sort().join(";");
  return printPropertyString("features", o);
}

export function startupToPve(s: Obj): string {
  const parts: string[] = [];
  if (typeof s["order"] === "number") parts.push(`order=${s["order"]}`);
  if (typeof s["up"] === "number") parts.push(`up=${s["up"]}`);
  if (typeof s["down"] === "number") parts.push(`down=${s["down"]}`);
  return parts.join(",");
}

export function tagsToPve(tags: unknown, marker: unknown): string | undefined {
  const list = Array.isArray(tags) ? tags.map((t) => String(t).toLowerCase()) : [];
  if (typeof marker === "string") list.push(marker);
  const set = [...new Set(list)].sort();
  return set.length ? set.join(";") : undefined;
}

/**
 * Every pct key the attributes determine. Keys whose value is not yet known map to
 * UNKNOWN_VALUE; `description` maps to the text without Proxmox's trailing newline.
 */
export function pveKeysFromAttrs(a: Attrs): Map<string, PveValue> {
  const out = new Map<string, PveValue>();
  const put = (k: string, v: unknown, print: () => string | undefined) => {
    if (v === undefined || v === null) return;
    if (hasUnknown(v)) {
      out.set(k, UNKNOWN_VALUE);
      return;
    }
    const text = print();
    if (text === undefined) out.set(k, UNKNOWN_VALUE);
    else if (text !== "") out.set(k, text);
  };
  for (const [name, kind] of Object.entries(SCALARS)) put(name, a[name], () => scalarToPve(kind, a[name]));
  put("description", a["description"], () => String(a["description"]));
  if (isUnknown(a["tags"])) out.set("tags", UNKNOWN_VALUE);
  else {
    const tags = tagsToPve(a["tags"], a["marker"]);
    if (tags !== undefined) out.set("tags", tags);
  }
  put("rootfs", a["rootfs"], () => rootfsToPve(a["rootfs"] as Obj));
  put("features", a["features"], () => featuresToPve(a["features"] as Obj));
  put("startup", a["startup"], () => startupToPve(a["startup"] as Obj));
  const network = a["network"];
  if (isUnknown(network)) out.set("net*", UNKNOWN_VALUE);
  else if (network && typeof network === "object") {
    for (const [name, n] of Object.entries(network as Record<string, Obj>)) {
      const slot = n["slot"];
      if (typeof slot !== "number") continue;
      put(`net${slot}`, n, () => networkToPve(name, n));
    }
  }
  for (const [field, prefix, print] of [
    ["mount", "mp", (m: Obj) => mountToPve(m)],
    ["device", "dev", (d: Obj) => deviceToPve(d)],
  ] as const) {
    const items = a[field];
    if (!items || typeof items !== "object" || isUnknown(items)) continue;
    for (const item of Object.values(items as Record<string, Obj>)) {
      if (typeof item["slot"] !== "number") continue;
      // The slot's size is handled by resize; compare without it.
      const { size: _size, ...rest } = item;
      put(`${prefix}${item["slot"]}`, item, () => print(field === "mount" && typeof item["volume"] === "string" ? rest : item));
    }
  }
  return out;
}
