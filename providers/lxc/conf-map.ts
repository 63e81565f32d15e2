// State attributes -> pct keys and values, printed canonically, so that a plan compares pct's
// own representation of prior and planned attributes, and the values pct create / pct set are
// given to write (computed values left for pct to allocate or generate; disks echo their size).
// Which attribute goes to which key, and how its value prints, is the field tables' (./fields).
import { printPropertyString } from "../../src/pve/propstring.js";
import { isUnknown, putKey } from "../../src/config/value.js";
import type { Attrs, AttrPath } from "../../src/provider/types.js";
import { canonicalSize, deviceToPve, mountToPve, mountVolumeArg, type Obj } from "../mounts/slots.js";
import { FEATURES, MOUNT, NETWORK, NETWORK_FIXED, NETWORK_LABEL_KEY, ROOTFS, SCALAR_FIELDS, STARTUP, printProps, resizeOnly } from "./fields/index.js";

/** A pct value whose text only apply can tell (it depends on an unknown configuration value). */
export const UNKNOWN_VALUE = Symbol("unknown pct value");
export type PveValue = string | typeof UNKNOWN_VALUE;

function hasUnknown(v: unknown): boolean {
  if (isUnknown(v)) return true;
  if (Array.isArray(v)) return v.some(hasUnknown);
  if (typeof v !== "object" || v === null) return false;
  for (const k of Object.keys(v)) if (hasUnknown((v as Record<string, unknown>)[k])) return true;
  return false;
}

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
  // Plain indexed loops and no closures: a plan runs this for thousands of containers, most of
  // them while the code is still cold (interpreted), where iterators and closures cost the most.
  const out = new Map<string, PveValue>();
  for (let i = 0; i < SCALAR_FIELDS.length; i++) {
    const f = SCALAR_FIELDS[i]!;
    const v = a[f.attr];
    if (v === undefined || v === null) continue;
    if (hasUnknown(v)) out.set(f.pve!, UNKNOWN_VALUE);
    else putText(out, f.pve!, f.codec!.print(v) ?? String(v));
  }
  const description = a["description"];
  if (description !== undefined && description !== null) {
    if (hasUnknown(description)) out.set("description", UNKNOWN_VALUE);
    else putText(out, "description", String(description));
  }
  if (isUnknown(a["tags"])) out.set("tags", UNKNOWN_VALUE);
  else {
    const tags = tagsToPve(a["tags"], a["marker"]);
    if (tags !== undefined) out.set("tags", tags);
  }
  const rootfs = a["rootfs"];
  if (rootfs !== undefined && rootfs !== null) {
    if (hasUnknown(rootfs)) out.set("rootfs", UNKNOWN_VALUE);
    else putText(out, "rootfs", rootfsToPve(rootfs as Obj));
  }
  const features = a["features"];
  if (features !== undefined && features !== null) {
    if (hasUnknown(features)) out.set("features", UNKNOWN_VALUE);
    else putText(out, "features", featuresToPve(features as Obj));
  }
  const startup = a["startup"];
  if (startup !== undefined && startup !== null) {
    if (hasUnknown(startup)) out.set("startup", UNKNOWN_VALUE);
    else putText(out, "startup", startupToPve(startup as Obj));
  }
  const network = a["network"];
  if (isUnknown(network)) out.set("net*", UNKNOWN_VALUE);
  else if (network && typeof network === "object") {
    const names = Object.keys(network);
    for (let i = 0; i < names.length; i++) {
      const name = names[i]!;
      const n = (network as Record<string, Obj>)[name]!;
      const slot = n["slot"];
      if (typeof slot !== "number") continue;
      if (hasUnknown(n)) out.set(`net${slot}`, UNKNOWN_VALUE);
      else putText(out, `net${slot}`, networkToPve(name, n));
    }
  }
  slottedKeys(out, a["mount"], "mp");
  slottedKeys(out, a["device"], "dev");
  return out;
}

/** A printed value: absent when empty (pct stores nothing), unknown when it cannot be printed yet. */
function putText(out: Map<string, PveValue>, key: string, text: string | undefined): void {
  if (text === undefined) out.set(key, UNKNOWN_VALUE);
  else if (text !== "") out.set(key, text);
}

/** mpN / devN of every item with a slot; a mount's size is left to resize, so it is compared without it. */
function slottedKeys(out: Map<string, PveValue>, items: unknown, prefix: "mp" | "dev"): void {
  if (!items || typeof items !== "object" || isUnknown(items)) return;
  const names = Object.keys(items);
  for (let i = 0; i < names.length; i++) {
    const item = (items as Record<string, Obj>)[names[i]!]!;
    if (typeof item["slot"] !== "number") continue;
    const key = `${prefix}${item["slot"]}`;
    if (hasUnknown(item)) {
      out.set(key, UNKNOWN_VALUE);
      continue;
    }
    const text = prefix === "dev" ? deviceToPve(item) : mountToPve(typeof item["volume"] === "string" ? withoutResized(item) : item);
    putText(out, key, text);
  }
}

function withoutResized(item: Obj): Obj {
  const rest: Obj = {};
  for (const k of Object.keys(item)) if (!MOUNT_RESIZED.includes(k)) putKey(rest, k, item[k]);
  return rest;
}

/** Drops values only apply learns (volume ids, generated MACs) so pct allocates/generates them. */
function withoutComputed(a: Attrs): Attrs {
  const out: Attrs = { ...a };
  out["network"] = stripItems(a["network"], "hwaddr");
  out["mount"] = stripItems(a["mount"], "volume");
  if (a["rootfs"] && typeof a["rootfs"] === "object") out["rootfs"] = withoutUnknown(a["rootfs"] as Obj, "volume");
  delete out["digest"];
  return out;
}

/** Each item of a block without `field` when that is unknown (copies, built key by key: no delete). */
function stripItems(items: unknown, field: string): unknown {
  if (!items || typeof items !== "object" || isUnknown(items)) return items;
  const o: Record<string, Obj> = {};
  const names = Object.keys(items);
  for (let i = 0; i < names.length; i++) putKey(o, names[i]!, withoutUnknown((items as Record<string, Obj>)[names[i]!]!, field));
  return o;
}

function withoutUnknown(x: Obj, field: string): Obj {
  const c: Obj = {};
  const keys = Object.keys(x ?? {});
  for (let i = 0; i < keys.length; i++) if (keys[i] !== field || !isUnknown(x[field])) putKey(c, keys[i]!, x[keys[i]!]);
  return c;
}

/**
 * The attribute path a pct key belongs to (net3 -> network.<name>; a whole block's `net*`,
 * `mp*`, `dev*` -> the block): for plan reasons, and for whether a printed value is secret.
 */
export function pathOfPveKey(key: string, a: Attrs): AttrPath {
  return pathOfSlotKey(key, slotNames(a));
}

const SLOT_KEY = /^(net|mp|dev)(\d+|\*)$/;
const SLOTTED = { net: "network", mp: "mount", dev: "device" } as const;

/** "net"/"mp"/"dev" + slot -> the item's name, of every slotted block `a` holds. */
function slotNames(a: Attrs): Map<string, string> {
  const out = new Map<string, string>();
  for (const [prefix, field] of Object.entries(SLOTTED)) {
    const items = a[field];
    if (!items || typeof items !== "object" || isUnknown(items)) continue;
    for (const name of Object.keys(items)) {
      const slot = (items as Record<string, Obj>)[name]?.["slot"];
      if (typeof slot === "number" && !out.has(`${prefix}${slot}`)) out.set(`${prefix}${slot}`, name);
    }
  }
  return out;
}

function pathOfSlotKey(key: string, names: ReadonlyMap<string, string>): AttrPath {
  const m = SLOT_KEY.exec(key);
  if (!m) return [key];
  const field = SLOTTED[m[1] as keyof typeof SLOTTED];
  if (m[2] === "*") return [field];
  const name = names.get(key);
  return name !== undefined ? [field, name] : [field, key];
}

/**
 * The `--key value` pairs of `pct create` the planned attributes give, sorted by key, each with
 * the attribute it prints; a value still unknown is absent. A block whose items are all unknown is one key `net*`/`mp*`/`dev*`
 * (apply expands it). The plan prints these (operations.ts createOperations) and apply prints
 * the ones the plan could not from the configuration evaluated then, by this same function.
 */
export function createValues(planned: Attrs): { key: string; value?: string; path: AttrPath }[] {
  const attrs = withoutComputed(planned);
  const keys = pveKeysFromAttrs(attrs);
  if (isUnknown(attrs["mount"])) keys.set("mp*", UNKNOWN_VALUE);
  if (isUnknown(attrs["device"])) keys.set("dev*", UNKNOWN_VALUE);
  // Without a rootfs block pct allocates its default (4 GiB on the --storage default).
  if (!keys.has("rootfs") && attrs["rootfs"] && typeof attrs["rootfs"] === "object") {
    const r = rootfsToPve(attrs["rootfs"] as Obj);
    if (r) keys.set("rootfs", r);
  }
  // pmxform creates unprivileged containers unless told otherwise (pct's own default is privileged).
  if (!keys.has("unprivileged")) keys.set("unprivileged", "1");
  const sorted = sortedKeys(keys);
  const names = slotNames(planned);
  const out: { key: string; value?: string; path: AttrPath }[] = [];
  for (let i = 0; i < sorted.length; i++) {
    const key = sorted[i]!;
    const v = keys.get(key)!;
    out.push(v === UNKNOWN_VALUE ? { key, path: pathOfSlotKey(key, names) } : { key, value: v, path: pathOfSlotKey(key, names) });
  }
  return out;
}

/**
 * A dozen keys in code-unit order (pct keys are lower-case ASCII, digits and `*`, for which that
 * is locale order), by insertion: Array.prototype.sort allocated more than the printing itself.
 */
function sortedKeys(keys: ReadonlyMap<string, unknown>): string[] {
  const out: string[] = [];
  for (const key of keys.keys()) {
    let at = out.length;
    out.push(key);
    for (; at > 0 && out[at - 1]! > key; at--) out[at] = out[at - 1]!;
    out[at] = key;
  }
  return out;
}

/**
 * The text pct set gets for `key` from `planned`, or undefined while it is not known. rootfs and
 * existing volume mounts are stored verbatim by `pct set`: they echo the size the volume has when
 * the set runs, the grown one (`grown`: disk -> size; apply resizes first) or the prior's.
 */
export function setValue(key: string, planned: Attrs, prior: Attrs, grown: ReadonlyMap<string, string>): string | undefined {
  const size = (disk: string, was: unknown) => {
    const g = grown.get(disk);
    return g !== undefined ? canonicalSize(g) : sizeOf(was);
  };
  let v = pveKeysFromAttrs(withoutComputed(planned)).get(key);
  // A volume id pct allocates is left out (pct set then allocates it); any other unknown waits.
  const printable = (x: Obj) => !hasUnknown(stripUnknownVolume(x));
  if (key === "rootfs") v = printable(planned["rootfs"] as Obj) ? rootfsToPve(planned["rootfs"] as Obj, size(key, prior["rootfs"])) : UNKNOWN_VALUE;
  const mp = /^mp(\d+)$/.exec(key);
  if (mp) {
    const m = Object.values((planned["mount"] ?? {}) as Record<string, Obj>).find((x) => x["slot"] === Number(mp[1]));
    const pm = Object.values((prior["mount"] ?? {}) as Record<string, Obj>).find((x) => x["slot"] === Number(mp[1]));
    if (m) v = printable(m) ? mountToPve(stripUnknownVolume(m), typeof m["volume"] === "string" ? size(key, pm) : undefined) : UNKNOWN_VALUE;
  }
  return v === UNKNOWN_VALUE ? undefined : v;
}

function sizeOf(x: unknown): string | undefined {
  const s = x && typeof x === "object" ? (x as Obj)["size"] : undefined;
  return typeof s === "string" ? s : undefined;
}

function stripUnknownVolume(m: Obj): Obj {
  if (!isUnknown(m["volume"])) return m;
  const { volume: _v, ...rest } = m;
  return rest;
}
