// State attributes -> pct keys and values, printed canonically, so that a plan compares pct's
// own representation of prior and planned attributes (and builds argv from the same strings).
// Which attribute goes to which key, and how its value prints, is the field tables' (./fields).
import { printPropertyString } from "../../src/pve/propstring.js";
import { isUnknown } from "../../src/config/value.js";
import type { Attrs } from "../../src/provider/types.js";
import { deviceToPve, mountToPve, mountVolumeArg, type Obj } from "../mounts/slots.js";
import { FEATURES, MOUNT, NETWORK, NETWORK_FIXED, NETWORK_LABEL_KEY, ROOTFS, SCALAR_FIELDS, STARTUP, printProps, resizeOnly } from "./fields/index.js";

/** A pct value whose text only apply can tell (it depends on an unknown configuration value). */
export const UNKNOWN_VALUE = Symbol("unknown pct value");
export type PveValue = string | typeof UNKNOWN_VALUE;

const hasUnknown = (v: unknown): boolean => isUnknown(v) || (Array.isArray(v) ? v.some(hasUnknown) : typeof v === "object" && v !== null ? Object.values(v).some(hasUnknown) : false);

/** rootfs and mount sizes: compared and changed through `pct resize` only. */
const ROOTFS_RESIZED = resizeOnly(ROOTFS);
const MOUNT_RESIZED = resizeOnly(MOUNT);

export function networkToPve(name: string, n: Obj): string {
  const o: Record<string, string | undefined> = { [NETWORK_LABEL_KEY]: name };
  printProps(NETWORK, n, o);
  Object.assign(o, NETWORK_FIXED);
  return printPropertyString("net", o);
}

/** rootfs without `size` unless given (sizes change through `pct resize`, never through `pct set`). */
export function rootfsToPve(r: Obj, size?: string): string | undefined {
  const volume = mountVolumeArg(r);
  if (volume === undefined) return undefined;
  const o: Record<string, string | undefined> = { volume };
  printProps(ROOTFS, r, o, ROOTFS_RESIZED);
  if (size && typeof r["volume"] === "string") o["size"] = size;
  return printPropertyString("rootfs", o);
}

export function featuresToPve(f: Obj): string {
  const o: Record<string, string | undefined> = {};
  printProps(FEATURES, f, o);
  return printPropertyString("features", o);
}

/** `order=..,up=..,down=..` in that order (pct stores the startup string as given). */
export function startupToPve(s: Obj): string {
  const o: Record<string, string | undefined> = {};
  printProps(STARTUP, s, o);
  return STARTUP.fields
    .filter((f) => o[f.pve!] !== undefined)
    .map((f) => `${f.pve}=${o[f.pve!]}`)
    .join(",");
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
  for (const f of SCALAR_FIELDS) put(f.pve!, a[f.attr], () => f.codec!.print(a[f.attr]) ?? String(a[f.attr]));
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
      const rest = Object.fromEntries(Object.entries(item).filter(([k]) => !MOUNT_RESIZED.includes(k)));
      put(`${prefix}${item["slot"]}`, item, () => print(field === "mount" && typeof item["volume"] === "string" ? rest : item));
    }
  }
  return out;
}
