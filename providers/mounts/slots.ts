// mpN / devN slots <-> named mount and device blocks. Proxmox stores no names, so the names
// live in state (`mount_names`/`device_names`: slot key -> name) and are reused on every read.
import { parsePropertyString, printPropertyString } from "../../src/pve/propstring.js";
import { formatSize, parseDiskSize } from "../../src/pve/size.js";
import { mountKind, parseVolumeId } from "../../src/pve/volid.js";
import { isUnknown, putKey } from "../../src/config/value.js";

export type Obj = Record<string, unknown>;

/** Mount attributes as stored in state; host_path for binds, storage/size/volume for volumes. */
export interface MountAttrs extends Obj {
  slot: number;
  path: string;
  host_path?: string;
  storage?: string;
  size?: string;
  volume?: unknown;
}

const MOUNT_BOOLS: [attr: string, pve: string][] = [
  ["read_only", "ro"],
  ["backup", "backup"],
  ["acl", "acl"],
  ["quota", "quota"],
  ["replicate", "replicate"],
  ["shared", "shared"],
];

/** A size as Proxmox prints it ("8192M" -> "8G"); unparseable text is kept as written. */
export function canonicalSize(size: string): string {
  const bytes = parseDiskSize(size);
  return bytes === undefined ? size : formatSize(bytes);
}

export function mountFromPve(slot: number, text: string): MountAttrs {
  const v = parsePropertyString("mp", text).value;
  const volume = v["volume"] ?? "";
  const m: MountAttrs = { slot, path: v["mp"] ?? "" };
  if (mountKind(volume) === "volume") {
    m.volume = volume;
    const id = parseVolumeId(volume);
    if (id) m.storage = id.storage;
    if (v["size"]) m.size = canonicalSize(v["size"]);
  } else {
    m.host_path = volume;
  }
  for (const [attr, pve] of MOUNT_BOOLS) if (v[pve] !== undefined) m[attr] = v[pve] === "1";
  if (v["mountoptions"]) m["mount_options"] = v["mountoptions"].split(";").filter(Boolean).sort();
  if (v["idmap"]) m["idmap"] = v["idmap"];
  if (v["keepattrs"] !== undefined) m["keepattrs"] = v["keepattrs"] === "1";
  return m;
}

/** The volume part: the existing volid, the bind source, or `STORAGE:GiB` to allocate one. */
export function mountVolumeArg(m: Obj): string | undefined {
  if (typeof m["host_path"] === "string") return m["host_path"];
  if (typeof m["volume"] === "string") return m["volume"];
  if (typeof m["storage"] === "string" && typeof m["size"] === "string") {
    const bytes = parseDiskSize(m["size"]);
    if (bytes === undefined) return undefined;
    // Proxmox allocates int(GiB * 1024) MiB: the exact fraction (k/1024 prints exactly), never a
    // rounded one, or "7M" (0.0068 GiB) would become 6M and plan a resize forever.
    return `${m["storage"]}:${bytes / 1024 ** 3}`;
  }
  return undefined;
}

/**
 * The mpN value, or undefined when part of it is only known after apply. `size` is left out
 * unless given: pct re-reads it for new volumes and stores whatever `pct set` passes verbatim.
 */
export function mountToPve(m: Obj, size?: string): string | undefined {
  if (Object.values(m).some(isUnknown)) return undefined;
  const volume = mountVolumeArg(m);
  if (volume === undefined || typeof m["path"] !== "string") return undefined;
  const o: Record<string, string | undefined> = { volume, mp: m["path"] };
  for (const [attr, pve] of MOUNT_BOOLS) if (typeof m[attr] === "boolean") o[pve] = m[attr] ? "1" : "0";
  const opts = m["mount_options"];
  if (Array.isArray(opts) && opts.length) o["mountoptions"] = [...opts].map(String).sort().join(";");
  if (typeof m["idmap"] === "string") o["idmap"] = m["idmap"];
  if (typeof m["keepattrs"] === "boolean") o["keepattrs"] = m["keepattrs"] ? "1" : "0";
  if (size && typeof m["volume"] === "string") o["size"] = size;
  return printPropertyString("mp", o);
}

export interface DeviceAttrs extends Obj {
  slot: number;
  path: string;
}

export function deviceFromPve(slot: number, text: string): DeviceAttrs {
  const v = parsePropertyString("dev", text).value;
  const d: DeviceAttrs = { slot, path: v["path"] ?? "" };
  if (v["mode"] !== undefined) d["mode"] = v["mode"];
  if (v["uid"] !== undefined) d["uid"] = Number(v["uid"]);
  if (v["gid"] !== undefined) d["gid"] = Number(v["gid"]);
  if (v["deny-write"] !== undefined) d["deny_write"] = v["deny-write"] === "1";
  return d;
}

export function deviceToPve(d: Obj): string | undefined {
  if (Object.values(d).some(isUnknown) || typeof d["path"] !== "string") return undefined;
  const o: Record<string, string | undefined> = { path: d["path"] };
  if (typeof d["mode"] === "string") o["mode"] = d["mode"];
  if (typeof d["uid"] === "number") o["uid"] = String(d["uid"]);
  if (typeof d["gid"] === "number") o["gid"] = String(d["gid"]);
  if (typeof d["deny_write"] === "boolean") o["deny-write"] = d["deny_write"] ? "1" : "0";
  return printPropertyString("dev", o);
}

/** Reads every `<prefix>N` key into a map keyed by the remembered name, else by the slot key. */
export function readSlots<T extends { slot: number }>(
  keys: Map<string, string>,
  prefix: "mp" | "dev",
  names: Record<string, string> | undefined,
  parse: (slot: number, text: string) => T,
): { items: Record<string, T>; names: Record<string, string> } {
  const items: Record<string, T> = {};
  const outNames: Record<string, string> = {};
  const re = new RegExp(`^${prefix}(\\d+)$`);
  const slots = [...keys.keys()].map((k) => re.exec(k)).filter((m): m is RegExpExecArray => !!m).map((m) => Number(m[1])).sort((a, b) => a - b);
  for (const slot of slots) {
    const key = `${prefix}${slot}`;
    let name = (names && Object.hasOwn(names, key) ? names[key] : undefined) ?? key;
    // Own keys only, defined not assigned: labels such as "constructor" or "__proto__" are data.
    if (Object.hasOwn(items, name)) name = key;
    putKey(items, name, parse(slot, keys.get(key)!));
    outNames[key] = name;
  }
  return { items, names: outNames };
}

/**
 * Assigns slots to desired named items: the slot the name had before, else a pinned `slot`,
 * else the lowest slot nobody holds (including slots still present in the prior state).
 */
export function assignSlots(
  desired: Record<string, Obj>,
  prior: Record<string, { slot: number }> | undefined,
  max: number,
): Map<string, number> {
  const out = new Map<string, number>();
  const taken = new Set<number>();
  for (const [name, d] of Object.entries(desired)) {
    const was = prior?.[name]?.slot;
    const pinned = typeof d["slot"] === "number" ? d["slot"] : undefined;
    const slot = pinned ?? was;
    if (slot !== undefined && !taken.has(slot)) {
      out.set(name, slot);
      taken.add(slot);
    }
  }
  const priorSlots = new Set(Object.entries(prior ?? {}).filter(([n]) => !(n in desired)).map(([, p]) => p.slot));
  for (const name of Object.keys(desired)) {
    if (out.has(name)) continue;
    let s = 0;
    while ((taken.has(s) || priorSlots.has(s)) && s <= max) s++;
    out.set(name, s);
    taken.add(s);
  }
  return out;
}
