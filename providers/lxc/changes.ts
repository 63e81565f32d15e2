// What must happen to turn prior attributes into planned ones, in pct's terms: keys to set,
// keys to delete, disks to grow, run state, secrets; and which of it waits for a restart.
import { isUnknown, putKey } from "../../src/config/value.js";
import { parseDiskSize } from "../../src/pve/size.js";
import type { Attrs, AttrPath } from "../../src/provider/types.js";
import type { Obj } from "../mounts/slots.js";
import { unusedDeletes } from "../mounts/detached.js";
import { UNKNOWN_VALUE, pathOfPveKey, pveKeysFromAttrs, setValue, type PveValue } from "./conf-map.js";
import { waitsForRestart } from "./fields/index.js";

export interface Resize {
  disk: string;
  size: string;
  path: AttrPath;
}

/** A volume going to another storage (`pct move-volume VMID DISK STORAGE --delete 1`, CT stopped). */
export interface Move {
  disk: string;
  storage: string;
  path: AttrPath;
}

export interface ChangeSet {
  /** Changed pct keys with the value compared (pct's printed form of the planned attribute). */
  set: Map<string, PveValue>;
  /**
   * What pct set writes for each key of `set` and each grown disk (whose value a resize's
   * fallback sets): computed values left for pct to allocate or generate, disks echoing the size
   * they have when the set runs; no value: only apply can print it. `path`: the attribute it
   * prints (whether it is secret, where apply reads it).
   */
  written: Map<string, { value?: string; path: AttrPath }>;
  del: string[];
  grow: Resize[];
  shrink: Resize[];
  moves: Move[];
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

/** Existing volumes (rootfs, mpN in the same slot) whose planned storage differs. */
export function volumeMoves(prior: Attrs, planned: Attrs): Move[] {
  const moves: Move[] = [];
  const moved = (p: Obj, q: Obj) => typeof p["volume"] === "string" && typeof p["storage"] === "string" && typeof q["storage"] === "string" && q["storage"] !== p["storage"];
  const pr = obj(prior["rootfs"]);
  const qr = obj(planned["rootfs"]);
  if (moved(pr, qr)) moves.push({ disk: "rootfs", storage: qr["storage"] as string, path: ["rootfs", "storage"] });
  const before = obj(prior["mount"]);
  for (const [name, m] of Object.entries(obj(planned["mount"]))) {
    const p = obj(before[name]);
    const q = obj(m);
    if (p["slot"] === q["slot"] && q["host_path"] === undefined && moved(p, q)) moves.push({ disk: `mp${String(q["slot"])}`, storage: q["storage"] as string, path: ["mount", name, "storage"] });
  }
  return moves;
}

/** `planned` with moved volumes still where they are: pct set sees the old volume, move-volume does the rest. */
export function beforeMoves(prior: Attrs, planned: Attrs, moves: Move[]): Attrs {
  if (!moves.length) return planned;
  const out: Attrs = { ...planned };
  const keep = (from: Obj, to: Obj): Obj => ({ ...to, storage: from["storage"], volume: from["volume"] });
  if (moves.some((m) => m.disk === "rootfs")) out["rootfs"] = keep(obj(prior["rootfs"]), obj(planned["rootfs"]));
  const mounts = { ...obj(planned["mount"]) };
  for (const m of moves) {
    const name = m.path[0] === "mount" ? String(m.path[1]) : undefined;
    if (name) putKey(mounts, name, keep(obj(obj(prior["mount"])[name]), obj(mounts[name])));
  }
  out["mount"] = mounts;
  return out;
}

export function computeChanges(prior: Attrs, planned: Attrs): ChangeSet {
  const moves = volumeMoves(prior, planned);
  const before = pveKeysFromAttrs(prior);
  // pct set runs before the moves: a moved volume is still where it was then.
  const setAttrs = beforeMoves(prior, planned, moves);
  const after = pveKeysFromAttrs(setAttrs);
  const cs: ChangeSet = { set: new Map(), written: new Map(), del: [], grow: [], shrink: [], moves, password: false, sshKeys: false, restartKeys: [] };
  for (const [k, v] of after) if (v === UNKNOWN_VALUE || before.get(k) !== v) cs.set.set(k, v);
  for (const k of before.keys()) if (!after.has(k)) cs.del.push(k);
  cs.del.push(...unusedDeletes(prior, planned));
  cs.del.sort();

  const priorSizes = sizesOf(prior);
  for (const [disk, { size, path }] of sizesOf(planned)) {
    const was = priorSizes.get(disk);
    // A new mount gets its size at allocation; only existing disks resize.
    if (!was || (cs.set.has(disk) && disk !== "rootfs" && !before.has(disk))) continue;
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

  for (const k of [...cs.set.keys(), ...cs.del]) if (waitsForRestart(k, before.has(k), cs.del.includes(k))) cs.restartKeys.push(k);
  // `pct resize` writes the grown size= into the current section only (pve-container API2/LXC.pm
  // resize_vm); a value of the same key waiting in [pve:pending] still carries the old size= and
  // replaces the current one at the next start (Config.pm vmconfig_apply_pending). So a disk whose
  // value is pending is set again, after the resize, with the grown size (`written`).
  const pendingBefore = new Set(Array.isArray(prior["pending_keys"]) ? (prior["pending_keys"] as string[]) : []);
  setDisksAgain(
    cs,
    after,
    cs.grow.map((g) => g.disk).filter((d) => pendingBefore.has(d)),
  );
  // Resizes run before the set, so disks echo their grown size.
  const grown = new Map(cs.grow.map((g) => [g.disk, g.size]));
  for (const k of new Set([...cs.set.keys(), ...grown.keys()])) {
    const value = setValue(k, setAttrs, prior, grown);
    cs.written.set(k, { ...(value !== undefined ? { value } : {}), path: pathOfPveKey(k, planned) });
  }
  return cs;
}

/**
 * Puts grown disks' keys into the set even when their value is unchanged, so that pct set stores
 * the grown size= over a stale one (`written` holds the size). `after`: the planned pct keys.
 */
export function setDisksAgain(cs: ChangeSet, after: Map<string, PveValue>, disks: string[]): void {
  for (const d of disks) {
    const v = after.get(d);
    if (cs.set.has(d) || v === undefined) continue;
    cs.set.set(d, v);
    // Changing an existing rootfs/mpN waits for a restart on a running CT, like any value of it.
    if (!cs.restartKeys.includes(d)) cs.restartKeys.push(d);
  }
}

export function isEmpty(cs: ChangeSet): boolean {
  return cs.set.size === 0 && cs.del.length === 0 && cs.grow.length === 0 && cs.moves.length === 0 && cs.start === undefined && !cs.password && !cs.sshKeys && cs.rawLxc === undefined;
}
