// The simulated node's ZFS datasets: one JSON file per node (nodes/<node>/zfs.json) holding each
// dataset's locally set properties, creation facts and snapshots, plus the subvol/zvol volumes of
// storage local-zfs (rpool/data), which stay the storage's own files (src/sim/storage.ts) and are
// listed from there: one truth for both pvesm and zfs. Property values and sources are resolved
// here as OpenZFS resolves them (module/zfs/dsl_prop.c dsl_prop_get_all_impl: local, inherited
// from the nearest ancestor that sets it, else default; readonly and set-once properties have no
// source, printed "-"). A dataset's mountpoint is a directory of the node's filesystem
// (nodes/<node>/<mountpoint>), so files placed there are the data the dataset holds.
import { existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { randomInt } from "node:crypto";
import { join } from "node:path";
import { paths, type Ctx } from "./ctx.js";
import { listVolumes } from "./storage.js";
import { withInternalLock } from "./lock.js";
import { GET_ALL_ORDER, PROPS, propNamed, type PropDef } from "./zfs-props.js";

export interface SnapshotRec {
  creation: number;
  guid: string;
  createtxg: number;
  referenced: number;
}

export interface DatasetRec {
  /** Locally set properties (and the set-once ones fixed at creation), as `zfs get -p` prints them. */
  local: Record<string, string>;
  creation: number;
  guid: string;
  createtxg: number;
  objsetid: number;
  type: "filesystem" | "volume";
  snapshots: Record<string, SnapshotRec>;
}

export interface ZfsStore {
  /** pool name -> size in bytes */
  pools: Record<string, number>;
  datasets: Record<string, DatasetRec>;
  txg: number;
}

/** An empty filesystem's metadata: what `used` shows right after `zfs create` (a 4K-sector pool). */
export const EMPTY_FS_BYTES = 98304;
export const RPOOL_BYTES = 200 * 1024 ** 3;
export const TANK_BYTES = 4 * 1024 ** 4;

const storePath = (dir: string, node: string) => join(paths.nodeRoot(dir, node), "zfs.json");

function newRec(store: ZfsStore, local: Record<string, string>, type: DatasetRec["type"] = "filesystem"): DatasetRec {
  store.txg += 1;
  return { local, creation: Math.floor(Date.now() / 1000), guid: String(randomInt(1, 2 ** 47)) + String(randomInt(0, 1000)), createtxg: store.txg, objsetid: 54 + store.txg, type, snapshots: {} };
}

/**
 * A Proxmox VE installer's rpool (proxmox-installer zfs setup: rpool with compression=on,
 * rpool/ROOT/pve-1 mounted at /, rpool/data for local-zfs, rpool/var-lib-vz for local) and the
 * extra pools `sim init --zfs-pool` asks for, created as `zpool create POOL` would (defaults).
 */
export function initialStore(pools: string[]): ZfsStore {
  const store: ZfsStore = { pools: { rpool: RPOOL_BYTES }, datasets: {}, txg: 1 };
  store.datasets["rpool"] = newRec(store, { compression: "on", mountpoint: "/rpool" });
  store.datasets["rpool/ROOT"] = newRec(store, { mountpoint: "/rpool/ROOT" });
  store.datasets["rpool/ROOT/pve-1"] = newRec(store, { mountpoint: "/", acltype: "posix" });
  store.datasets["rpool/data"] = newRec(store, {});
  store.datasets["rpool/var-lib-vz"] = newRec(store, { mountpoint: "/var/lib/vz" });
  for (const p of pools) {
    if (p === "rpool") continue;
    store.pools[p] = TANK_BYTES;
    store.datasets[p] = newRec(store, {});
  }
  return store;
}

export function writeInitialStore(dir: string, node: string, pools: string[]): void {
  writeFileSync(storePath(dir, node), JSON.stringify(initialStore(pools), null, 1) + "\n");
}

export function loadStore(ctx: Ctx, node = ctx.node): ZfsStore {
  const file = storePath(ctx.dir, node);
  // A simulator made before ZFS was simulated has the installer's rpool only.
  if (!existsSync(file)) return initialStore([]);
  return JSON.parse(readFileSync(file, "utf8")) as ZfsStore;
}

export function saveStore(ctx: Ctx, store: ZfsStore, node = ctx.node): void {
  const file = storePath(ctx.dir, node);
  writeFileSync(file + ".tmp", JSON.stringify(store, null, 1) + "\n");
  renameSync(file + ".tmp", file);
}

/** Load, change and save under the node's zfs lock (parallel `zfs` calls see each other's changes). */
export function withStore<T>(ctx: Ctx, fn: (store: ZfsStore) => T): T {
  return withInternalLock(ctx.dir, `zfs-${ctx.node}`, () => {
    const store = loadStore(ctx);
    const out = fn(store);
    saveStore(ctx, store);
    return out;
  });
}

/**
 * Every dataset of the node: the store's, and the storage local-zfs volumes under rpool/data
 * (subvol-* are filesystems with refquota = the volume's size, vm-* are zvols).
 */
export function allDatasets(ctx: Ctx, store: ZfsStore): Map<string, DatasetRec> {
  const out = new Map(Object.entries(store.datasets));
  if (!out.has("rpool/data")) return out;
  for (const v of listVolumes(ctx, "local-zfs")) {
    const name = `rpool/data/${v.volname}`;
    const known = store.datasets[name];
    const subvol = v.volname.startsWith("subvol-");
    const base: DatasetRec = known ?? {
      local: {},
      creation: Math.floor(lstatSync(v.path).mtimeMs / 1000),
      guid: String(1000 + v.size),
      createtxg: 2,
      objsetid: 2,
      type: subvol ? "filesystem" : "volume",
      snapshots: {},
    };
    // pve-storage ZFSPoolPlugin.pm zfs_create_subvol: `zfs create -o acltype=posixacl -o xattr=sa -o refquota=SIZE`
    out.set(name, { ...base, local: subvol ? { acltype: "posix", xattr: "sa", ...base.local, refquota: String(v.size) } : { ...base.local, volsize: String(v.size) } });
  }
  return out;
}

export const parentOf = (name: string): string | undefined => (name.includes("/") ? name.slice(0, name.lastIndexOf("/")) : undefined);
export const poolOf = (name: string): string => name.split(/[/@]/)[0]!;

export interface Resolved {
  value: string;
  /** "local", "default", "-", or "inherited from X" */
  source: string;
}

/** dsl_prop_get: local, else the nearest ancestor's local value (inheritable only), else the default. */
export function resolveProp(all: Map<string, DatasetRec>, name: string, def: PropDef): Resolved {
  const rec = all.get(name)!;
  const own = rec.local[def.name];
  if (def.cls === "onetime") return { value: own ?? def.dflt ?? "-", source: "-" };
  if (own !== undefined) return { value: own, source: "local" };
  if (def.name === "mountpoint") return inheritedMountpoint(all, name);
  if (def.cls === "inherit") {
    for (let p = parentOf(name); p !== undefined; p = parentOf(p)) {
      const v = all.get(p)?.local[def.name];
      if (v !== undefined) return { value: v, source: `inherited from ${p}` };
    }
  }
  return { value: def.dflt ?? "-", source: "default" };
}

/**
 * The mountpoint a dataset inherits: the ancestor's path plus the rest of the name
 * (libzfs get_numeric_property / zfs_prop_get ZFS_PROP_MOUNTPOINT), "none"/"legacy" as is;
 * without any ancestor setting one, "/" + name with source default.
 */
function inheritedMountpoint(all: Map<string, DatasetRec>, name: string): Resolved {
  for (let p = parentOf(name); p !== undefined; p = parentOf(p)) {
    const v = all.get(p)?.local["mountpoint"];
    if (v === undefined) continue;
    if (v === "none" || v === "legacy") return { value: v, source: `inherited from ${p}` };
    const rest = name.slice(p.length);
    return { value: (v === "/" ? "" : v) + rest, source: `inherited from ${p}` };
  }
  return { value: "/" + name, source: "default" };
}

/** Where the dataset's files are in the simulator: the node's filesystem root + its mountpoint. */
export function mountDir(ctx: Ctx, mountpoint: string, node = ctx.node): string | undefined {
  if (!mountpoint.startsWith("/")) return undefined;
  return join(paths.nodeRoot(ctx.dir, node), "fs", mountpoint);
}

export function isMounted(all: Map<string, DatasetRec>, name: string): boolean {
  const rec = all.get(name)!;
  if (rec.type !== "filesystem") return false;
  const canmount = rec.local["canmount"] ?? "on";
  const mp = resolveProp(all, name, propNamed("mountpoint")!).value;
  return canmount === "on" && mp.startsWith("/");
}

function bytesUnder(dir: string, skip: ReadonlySet<string>): number {
  if (!existsSync(dir) || skip.has(dir)) return 0;
  let total = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) total += bytesUnder(p, skip);
    else if (e.isFile()) total += lstatSync(p).size;
  }
  return total;
}

export interface Usage {
  used: number;
  referenced: number;
  usedbychildren: number;
  available: number;
}

/** Space per dataset: referenced = metadata + files under its own mountpoint, used adds children. */
export function usageOf(ctx: Ctx, store: ZfsStore, all: Map<string, DatasetRec>): Map<string, Usage> {
  const mounts = new Map<string, string>();
  for (const name of all.keys()) {
    if (!isMounted(all, name)) continue;
    const d = mountDir(ctx, resolveProp(all, name, propNamed("mountpoint")!).value);
    if (d) mounts.set(name, d);
  }
  const mountDirs = new Set(mounts.values());
  const out = new Map<string, Usage>();
  const names = [...all.keys()].sort((a, b) => b.length - a.length);
  for (const name of names) {
    const own = mounts.get(name);
    const skip = new Set([...mountDirs].filter((d) => d !== own));
    const rec = all.get(name)!;
    const referenced = rec.type === "volume" ? Number(rec.local["volsize"] ?? 0) : EMPTY_FS_BYTES + (own ? bytesUnder(own, skip) : 0);
    const children = [...all.keys()].filter((n) => parentOf(n) === name);
    const usedbychildren = children.reduce((s, c) => s + (out.get(c)?.used ?? 0), 0);
    out.set(name, { used: referenced + usedbychildren, referenced, usedbychildren, available: 0 });
  }
  for (const name of all.keys()) {
    const pool = poolOf(name);
    let avail = Math.max(0, (store.pools[pool] ?? RPOOL_BYTES) - (out.get(pool)?.used ?? 0));
    for (let p: string | undefined = name; p !== undefined; p = parentOf(p)) {
      const q = Number(all.get(p)?.local["quota"] ?? 0);
      if (q > 0) avail = Math.min(avail, Math.max(0, q - out.get(p)!.used));
    }
    const rq = Number(all.get(name)!.local["refquota"] ?? 0);
    if (rq > 0) avail = Math.min(avail, Math.max(0, rq - out.get(name)!.referenced));
    out.get(name)!.available = avail;
  }
  return out;
}

/** Every property of one dataset as `zfs get -p all` prints it, in the table's order, then user properties. */
export function allProps(ctx: Ctx, all: Map<string, DatasetRec>, usage: Map<string, Usage>, name: string): { property: string; value: string; source: string }[] {
  const rec = all.get(name)!;
  const u = usage.get(name)!;
  const rows: { property: string; value: string; source: string }[] = [];
  const readonly: Record<string, string> = {
    type: rec.type,
    creation: String(rec.creation),
    used: String(u.used),
    available: String(u.available),
    referenced: String(u.referenced),
    compressratio: "1.00",
    mounted: isMounted(all, name) ? "yes" : "no",
    origin: "-",
    usedbysnapshots: "0",
    usedbydataset: String(u.referenced),
    usedbychildren: String(u.usedbychildren),
    usedbyrefreservation: "0",
    logicalused: String(u.used),
    logicalreferenced: String(u.referenced),
    written: String(u.referenced),
    guid: rec.guid,
    createtxg: String(rec.createtxg),
    objsetid: String(rec.objsetid),
  };
  const order = (p: string) => {
    const i = GET_ALL_ORDER.indexOf(p);
    return i < 0 ? GET_ALL_ORDER.length : i;
  };
  for (const def of [...PROPS].sort((a, b) => order(a.name) - order(b.name))) {
    if (def.name === "origin") continue; // only clones have one (zfs_prop_get fails, get all skips it)
    if (def.cls === "readonly") rows.push({ property: def.name, value: readonly[def.name] ?? "-", source: "-" });
    else if (rec.type === "volume" && (def.name === "mountpoint" || def.name === "recordsize")) continue;
    else rows.push({ property: def.name, ...resolveProp(all, name, def) });
  }
  if (rec.type === "volume") rows.push({ property: "volsize", value: rec.local["volsize"] ?? "0", source: "local" });
  // User properties: local ones, then those inherited from ancestors (dsl_prop_get_all_impl walks up).
  const seen = new Set<string>();
  for (let p: string | undefined = name; p !== undefined; p = parentOf(p)) {
    for (const [k, v] of Object.entries(all.get(p)?.local ?? {})) {
      if (!k.includes(":") || seen.has(k)) continue;
      seen.add(k);
      rows.push({ property: k, value: v, source: p === name ? "local" : `inherited from ${p}` });
    }
  }
  return rows;
}

/** Creates the mountpoint directory of a new or remounted dataset (zfs mount makes it). */
export function ensureMountDir(ctx: Ctx, mountpoint: string): void {
  const d = mountDir(ctx, mountpoint);
  if (d) mkdirSync(d, { recursive: true });
}

/** A destroyed dataset's files go with it. */
export function removeMountDir(ctx: Ctx, mountpoint: string): void {
  const d = mountDir(ctx, mountpoint);
  if (d && mountpoint !== "/") rmSync(d, { recursive: true, force: true });
}
