// The per-node storages of the simulator: `local` (dir), `local-lvm` (lvmthin) and `local-zfs`
// (zfspool). Volumes are tiny JSON files that record their nominal size (a ZFS subvol's refquota);
// no real space is ever allocated.
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { paths, type Ctx } from "./ctx.js";
import { SimError } from "./errors.js";
import { withInternalLock } from "./lock.js";
import { parseVolumeId, parseTemplateVolname, volumeOwner } from "../pve/volid.js";

export interface StorageDef {
  id: string;
  type: "dir" | "lvmthin" | "zfspool";
  content: string[];
  /** nominal capacity in bytes, for pvesm status */
  total: number;
}

export const STORAGES: StorageDef[] = [
  // a node installed by the PVE 8/9 installer: `local` also holds snippets (hookscripts)
  { id: "local", type: "dir", content: ["backup", "iso", "rootdir", "snippets", "vztmpl"], total: 100 * 1024 ** 3 },
  { id: "local-lvm", type: "lvmthin", content: ["images", "rootdir"], total: 350 * 1024 ** 3 },
  // pve-storage ZFSPoolPlugin.pm plugindata: content images,rootdir (the installer's rpool/data)
  { id: "local-zfs", type: "zfspool", content: ["images", "rootdir"], total: 200 * 1024 ** 3 },
];

/** pve-storage ZFSPoolPlugin.pm parse_volname: `vm-`/`subvol-`/`base-`/`basevol-` VMID `-` name. */
const ZFS_VOLNAME = /^(vm|base|subvol|basevol)-(\d+)-\S+$/;

export function getStorage(id: string): StorageDef | undefined {
  return STORAGES.find((s) => s.id === id);
}

export function assertStorage(id: string): StorageDef {
  const s = getStorage(id);
  if (!s) throw new SimError(`storage '${id}' does not exist`);
  return s;
}

export interface VolumeInfo {
  volid: string;
  storage: StorageDef;
  volname: string;
  path: string;
  size: number;
  vmid?: number;
  kind: "disk" | "vztmpl" | "snippets" | "other";
}

function diskPath(ctx: Ctx, node: string, s: StorageDef, volname: string): string | undefined {
  if (s.type === "zfspool") return ZFS_VOLNAME.test(volname) ? join(paths.zfsDir(ctx.dir, node), volname) : undefined;
  if (s.type === "lvmthin") return /^[\w.+-]+$/.test(volname) ? join(paths.lvmDir(ctx.dir, node), volname) : undefined;
  const m = /^(\d+)\/([\w.+-]+)$/.exec(volname);
  return m ? join(paths.vzDir(ctx.dir, node), "images", m[1]!, m[2]!) : undefined;
}

/** Each plugin's parse_volname error (LVMPlugin.pm, ZFSPoolPlugin.pm, Plugin.pm). */
function volnameError(s: StorageDef, volname: string): string {
  const kind = s.type === "lvmthin" ? "lvm" : s.type === "zfspool" ? "zfs" : "directory";
  return `unable to parse ${kind} volume name '${volname}'`;
}

/** Filesystem path of a volume id, whether or not it exists; throws PVE's parse errors. */
export function volumePath(ctx: Ctx, volid: string, node = ctx.node): { path: string; storage: StorageDef; volname: string; kind: VolumeInfo["kind"] } {
  const v = parseVolumeId(volid);
  if (!v) throw new SimError(`unable to parse volume ID '${volid}'`);
  const s = assertStorage(v.storage);
  if (v.volname.startsWith("vztmpl/")) {
    if (s.type !== "dir") throw new SimError(volnameError(s, v.volname));
    const t = parseTemplateVolname(v.volname);
    if (!t) throw new SimError(`unable to parse directory volume name '${v.volname}'`);
    return { path: join(paths.templateDir(ctx.dir, node), t.file), storage: s, volname: v.volname, kind: "vztmpl" };
  }
  // pve-storage Storage/Plugin.pm parse_volname: snippets/<file> on a directory storage
  const snippet = /^snippets\/([^/]+)$/.exec(v.volname);
  if (snippet && s.type === "dir") return { path: join(paths.vzDir(ctx.dir, node), "snippets", snippet[1]!), storage: s, volname: v.volname, kind: "snippets" };
  const p = diskPath(ctx, node, s, v.volname);
  if (!p) throw new SimError(volnameError(s, v.volname));
  return { path: p, storage: s, volname: v.volname, kind: "disk" };
}

export function volumeInfo(ctx: Ctx, volid: string, node = ctx.node): VolumeInfo | undefined {
  let loc;
  try {
    loc = volumePath(ctx, volid, node);
  } catch {
    return undefined;
  }
  if (!existsSync(loc.path)) return undefined;
  const size = loc.kind === "disk" ? readDiskSize(loc.path) : statSync(loc.path).size;
  const info: VolumeInfo = { volid, storage: loc.storage, volname: loc.volname, path: loc.path, size, kind: loc.kind };
  const owner = volumeOwner(loc.volname);
  if (owner !== undefined) info.vmid = owner;
  return info;
}

function readDiskSize(file: string): number {
  try {
    return Number((JSON.parse(readFileSync(file, "utf8")) as { size?: number }).size ?? 0);
  } catch {
    return 0;
  }
}

function writeDisk(file: string, size: number): void {
  mkdirSync(join(file, ".."), { recursive: true });
  writeFileSync(file, JSON.stringify({ size }) + "\n");
}

function storageDir(ctx: Ctx, node: string, s: StorageDef): string {
  return s.type === "lvmthin" ? paths.lvmDir(ctx.dir, node) : paths.zfsDir(ctx.dir, node);
}

function existingDiskNames(ctx: Ctx, node: string, s: StorageDef, vmid: number): Set<string> {
  const dir = s.type === "dir" ? join(paths.vzDir(ctx.dir, node), "images", String(vmid)) : storageDir(ctx, node, s);
  return new Set(existsSync(dir) ? readdirSync(dir) : []);
}

/**
 * A ZFS volume's format: pve-container LXC.pm alloc_disk asks a zfspool for 'subvol' (a dataset
 * with a refquota), `pvesm alloc` defaults to the plugin's 'raw' (a zvol).
 */
export type ZfsFormat = "subvol" | "raw";

function freeName(ctx: Ctx, node: string, s: StorageDef, vmid: number, zfs: ZfsFormat): string {
  const taken = existingDiskNames(ctx, node, s, vmid);
  // pve-storage Plugin.pm get_next_vm_diskname: disk numbers are shared by vm-/subvol- names
  const diskNo = new RegExp(`^(?:vm|base|subvol|basevol)-${vmid}-disk-(\\d+)`);
  const used = new Set([...taken].map((f) => diskNo.exec(f)?.[1]).filter((n) => n !== undefined));
  for (let n = 0; ; n++) {
    if (s.type === "zfspool") {
      if (!used.has(String(n))) return `${zfs === "subvol" ? "subvol" : "vm"}-${vmid}-disk-${n}`;
      continue;
    }
    const base = `vm-${vmid}-disk-${n}`;
    if (s.type === "lvmthin" ? !taken.has(base) : !taken.has(`${base}.raw`)) return s.type === "lvmthin" ? base : `${vmid}/${base}.raw`;
  }
}

/** Allocates a new disk volume on a storage for a CT and returns its volume id. */
export function allocDisk(ctx: Ctx, storageId: string, vmid: number, size: number, node = ctx.node, wanted?: string, zfs: ZfsFormat = "subvol"): string {
  const s = assertStorage(storageId);
  if (!s.content.includes("rootdir") && !s.content.includes("images")) {
    throw new SimError(`storage '${storageId}' does not allow content type 'rootdir' (Container)`);
  }
  return withInternalLock(ctx.dir, `storage-${node}-${storageId}`, () => {
    const volname = wanted ?? freeName(ctx, node, s, vmid, zfs);
    const p = diskPath(ctx, node, s, volname);
    // pve-storage ZFSPoolPlugin.pm alloc_image: a subvol's name starts subvol-VMID-, a zvol's vm-VMID-
    const prefix = s.type === "zfspool" && zfs === "subvol" ? "subvol" : "vm";
    if (!p || (s.type === "zfspool" && !volname.startsWith(`${prefix}-${vmid}-`))) throw new SimError(`illegal name '${volname}' - should be '${prefix}-${vmid}-*'`);
    if (existsSync(p)) throw new SimError(`volume '${storageId}:${volname}' already exists`);
    writeDisk(p, size);
    return `${storageId}:${volname}`;
  });
}

export function resizeDisk(ctx: Ctx, volid: string, size: number): void {
  const loc = volumePath(ctx, volid);
  writeDisk(loc.path, size);
}

export function freeVolume(ctx: Ctx, volid: string, node = ctx.node): boolean {
  const loc = volumePath(ctx, volid, node);
  if (!existsSync(loc.path)) return false;
  rmSync(loc.path, { force: true });
  return true;
}

/** Moves a disk to a new name owned by another CT on the same storage (move-volume --target-vmid). */
export function reassignDisk(ctx: Ctx, volid: string, targetVmid: number): string {
  const loc = volumePath(ctx, volid);
  const s = loc.storage;
  return withInternalLock(ctx.dir, `storage-${ctx.node}-${s.id}`, () => {
    const volname = freeName(ctx, ctx.node, s, targetVmid, loc.volname.startsWith("vm-") ? "raw" : "subvol");
    const p = diskPath(ctx, ctx.node, s, volname)!;
    mkdirSync(join(p, ".."), { recursive: true });
    renameSync(loc.path, p);
    return `${s.id}:${volname}`;
  });
}

export function listVolumes(ctx: Ctx, storageId: string, node = ctx.node): VolumeInfo[] {
  const s = assertStorage(storageId);
  const volids: string[] = [];
  if (s.type !== "dir") {
    const d = storageDir(ctx, node, s);
    if (existsSync(d)) for (const f of readdirSync(d)) volids.push(`${s.id}:${f}`);
  } else {
    const img = join(paths.vzDir(ctx.dir, node), "images");
    if (existsSync(img)) for (const v of readdirSync(img)) for (const f of readdirSync(join(img, v))) volids.push(`${s.id}:${v}/${f}`);
    const t = paths.templateDir(ctx.dir, node);
    if (existsSync(t)) for (const f of readdirSync(t)) if (parseTemplateVolname(`vztmpl/${f}`)) volids.push(`${s.id}:vztmpl/${f}`);
  }
  return volids
    .sort()
    .map((v) => volumeInfo(ctx, v, node))
    .filter((v): v is VolumeInfo => v !== undefined);
}
