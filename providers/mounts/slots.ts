// mpN / devN slots <-> named mount and device blocks. Proxmox stores no names, so the names
// live in state (`mount_names`/`device_names`: slot key -> name) and are reused on every read.
// The options of a mount or device and their pct names are the field tables' (lxc/fields/mount.ts).
import { parsePropertyString, printPropertyString } from "../../src/pve/propstring.js";
import { parseDiskSize } from "../../src/pve/size.js";
import { mountKind, parseVolumeId } from "../../src/pve/volid.js";
import { isUnknown, putKey } from "../../src/config/value.js";
import { DEVICE, MOUNT, canonicalSize, printProps, readProps, resizeOnly } from "../lxc/fields/index.js";

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

export { canonicalSize };

/** Sizes change through `pct resize` only; `pct set` carries one only when asked (see mountToPve). */
const RESIZED = resizeOnly(MOUNT);

/** Read by hand: the volume becomes host_path or volume + storage (+ size); the path is always set. */
const MOUNT_BY_HAND = ["path", "size"] as const;

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
  readProps(MOUNT, v, m, MOUNT_BY_HAND);
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
  const o: Record<string, string | undefined> = { volume };
  printProps(MOUNT, m, o, RESIZED);
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
  readProps(DEVICE, v, d, ["path"]);
  return d;
}

export function deviceToPve(d: Obj): string | undefined {
  if (Object.values(d).some(isUnknown) || typeof d["path"] !== "string") return undefined;
  const o: Record<string, string | undefined> = {};
  printProps(DEVICE, d, o);
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
  const slots = [...keys.keys()]
    .map((k) => re.exec(k))
    .filter((m): m is RegExpExecArray => !!m)
    .map((m) => Number(m[1]))
    .sort((a, b) => a - b);
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
