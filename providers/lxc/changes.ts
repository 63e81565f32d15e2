// What must happen to turn prior attributes into planned ones, in pct's terms: keys to set,
// keys to delete, disks to grow, run state, secrets; and which of it waits for a restart.
import { isUnknown } from "../../src/config/value.js";
import { lookupKey } from "../../src/pve/schema.js";
import { parseDiskSize } from "../../src/pve/size.js";
import type { Attrs, AttrPath } from "../../src/provider/types.js";
import type { Obj } from "../mounts/slots.js";
import { UNKNOWN_VALUE, pveKeysFromAttrs, type PveValue } from "./conf-map.js";

export interface Resize {
  disk: string;
  size: string;
  path: AttrPath;
}

export interface ChangeSet {
  set: Map<string, PveValue>;
  del: string[];
  grow: Resize[];
  shrink: Resize[];
  start?: boolean;
  password: boolean;
  sshKeys: boolean;
  /** pct keys whose change stays pending while the container runs. */
  restartKeys: string[];
  /** The raw lxc.* lines to write into the conf (pct cannot set them; they apply at the next start). */
  rawLxc?: string[];
}

const managedIn = (a: Attrs, k: string) => Array.isArray(a["managed_keys"]) && (a["managed_keys"] as unknown[]).includes(k);

/** The wanted raw lines when they differ from the container's; removing raw_lxc removes its lines. */
function rawLxcChange(prior: Attrs, planned: Attrs): string[] | undefined {
  const have = Array.isArray(prior["raw_lxc"]) ? (prior["raw_lxc"] as string[]) : [];
  const want = Array.isArray(planned["raw_lxc"]) ? (planned["raw_lxc"] as unknown[]) : managedIn(prior, "raw_lxc") && !managedIn(planned, "raw_lxc") ? [] : undefined;
  if (want === undefined || want.some(isUnknown)) return undefined;
  return same(want, have) ? undefined : want.map(String);
}

const obj = (v: unknown): Obj => (v && typeof v === "object" && !Array.isArray(v) && !isUnknown(v) ? (v as Obj) : {});

/** The attribute path a pct key belongs to (net3 -> network.<name>), for plan reasons. */
export function pathOfPveKey(key: string, a: Attrs): AttrPath {
  const m = /^(net|mp|dev)(\d+)$/.exec(key);
  if (!m) return [key === "net*" ? "network" : key];
  const field = m[1] === "net" ? "network" : m[1] === "mp" ? "mount" : "device";
  const slot = Number(m[2]);
  for (const [name, item] of Object.entries(obj(a[field]))) if (obj(item)["slot"] === slot) return [field, name];
  return [field, key];
}

function sizesOf(a: Attrs): Map<string, { size: unknown; path: AttrPath }> {
  const out = new Map<string, { size: unknown; path: AttrPath }>();
  const rootfs = obj(a["rootfs"]);
  if (rootfs["size"] !== undefined) out.set("rootfs", { size: rootfs["size"], path: ["rootfs", "size"] });
  for (const [name, m] of Object.entries(obj(a["mount"]))) {
    const mo = obj(m);
    if (typeof mo["slot"] === "number" && mo["size"] !== undefined && mo["host_path"] === undefined) {
      out.set(`mp${mo["slot"]}`, { size: mo["size"], path: ["mount", name, "size"] });
    }
  }
  return out;
}

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

export function computeChanges(prior: Attrs, planned: Attrs): ChangeSet {
  const before = pveKeysFromAttrs(prior);
  const after = pveKeysFromAttrs(planned);
  const cs: ChangeSet = { set: new Map(), del: [], grow: [], shrink: [], password: false, sshKeys: false, restartKeys: [] };
  for (const [k, v] of after) if (v === UNKNOWN_VALUE || before.get(k) !== v) cs.set.set(k, v);
  for (const k of before.keys()) if (!after.has(k)) cs.del.push(k);
  cs.del.sort();

  const priorSizes = sizesOf(prior);
  for (const [disk, { size, path }] of sizesOf(planned)) {
    const was = priorSizes.get(disk);
    // A new mount gets its size at allocation; only existing disks resize.
    if (!was || cs.set.has(disk) && disk !== "rootfs" && !before.has(disk)) continue;
    if (typeof size !== "string" || typeof was.size !== "string") continue;
    const a = parseDiskSize(size);
    const b = parseDiskSize(was.size);
    if (a === undefined || b === undefined || a === b) continue;
    (a > b ? cs.grow : cs.shrink).push({ disk, size, path });
  }

  const raw = rawLxcChange(prior, planned);
  if (raw) cs.rawLxc = raw;
  if (typeof planned["started"] === "boolean" && planned["started"] !== prior["started"]) cs.start = planned["started"];
  cs.password = planned["password_sha256"] !== undefined && !same(planned["password_sha256"], prior["password_sha256"]);
  cs.sshKeys = planned["ssh_public_keys"] !== undefined && !same(planned["ssh_public_keys"], prior["ssh_public_keys"]);

  for (const k of [...cs.set.keys(), ...cs.del]) {
    const def = lookupKey(k === "net*" ? "net0" : k);
    const hot = def?.def.hotplug;
    const existed = before.has(k);
    if (hot === "pending") cs.restartKeys.push(k);
    else if (hot === "live-add-only" && existed) cs.restartKeys.push(k);
    else if (def?.base === "net" && cs.del.includes(k) && (def.index ?? 0) >= 10) cs.restartKeys.push(k);
  }
  return cs;
}

export function isEmpty(cs: ChangeSet): boolean {
  return cs.set.size === 0 && cs.del.length === 0 && cs.grow.length === 0 && cs.start === undefined && !cs.password && !cs.sshKeys && cs.rawLxc === undefined;
}
