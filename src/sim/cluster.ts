// The cluster view pmxcfs would give: which node holds which guest (derived from the tree on
// every call, so hand-placed files count), per-node CT configs, running state, and .vmlist.
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { paths, type Ctx } from "./ctx.js";
import { SimError } from "./errors.js";
import { parseConf, writeConf, confDigest, type ParsedConf } from "../pve/conf.js";
import { assertRemovable, assertWritable } from "./quorum.js";

export interface GuestLocation {
  vmid: number;
  node: string;
  type: "lxc" | "qemu";
}

function listIds(dir: string): number[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .map((f) => /^([1-9]\d{2,8})\.conf$/.exec(f)?.[1])
    .filter((v): v is string => v !== undefined)
    .map(Number);
}

export function listGuests(dir: string, nodes: string[]): GuestLocation[] {
  const out: GuestLocation[] = [];
  for (const node of nodes) {
    for (const vmid of listIds(paths.nodeLxcDir(dir, node))) out.push({ vmid, node, type: "lxc" });
    for (const vmid of listIds(paths.nodeQemuDir(dir, node))) out.push({ vmid, node, type: "qemu" });
  }
  return out.sort((a, b) => a.vmid - b.vmid);
}

/** Probes the two conf paths per node instead of listing every directory (one CT touched, one lookup). */
export function findGuest(ctx: Ctx, vmid: number): GuestLocation | undefined {
  for (const node of ctx.cfg.nodes) {
    if (existsSync(paths.confPath(ctx.dir, node, vmid))) return { vmid, node, type: "lxc" };
    if (existsSync(join(paths.nodeQemuDir(ctx.dir, node), `${vmid}.conf`))) return { vmid, node, type: "qemu" };
  }
  return undefined;
}

/** PVE's check_vmid_unused text. */
export function assertVmidUnused(ctx: Ctx, vmid: number, prefix = ""): void {
  const g = findGuest(ctx, vmid);
  if (g) throw new SimError(`${prefix}${g.type === "lxc" ? "CT" : "VM"} ${vmid} already exists on node '${g.node}'`);
}

export function writeVmlist(ctx: Ctx): void {
  const ids: Record<string, { node: string; type: string; version: number }> = {};
  for (const g of listGuests(ctx.dir, ctx.cfg.nodes)) ids[String(g.vmid)] = { node: g.node, type: g.type, version: 1 };
  atomicWrite(paths.vmlist(ctx.dir), JSON.stringify({ version: 1, ids }, null, 1) + "\n");
}

export function atomicWrite(file: string, text: string): void {
  mkdirSync(dirname(file), { recursive: true });
  const tmp = `${file}.tmp.${process.pid}`;
  writeFileSync(tmp, text);
  renameSync(tmp, file);
}

export interface LoadedConf {
  vmid: number;
  text: string;
  conf: ParsedConf;
  digest: string;
}

export function confMissing(node: string, vmid: number): SimError {
  return new SimError(`Configuration file 'nodes/${node}/lxc/${vmid}.conf' does not exist`);
}

export function loadConfOn(ctx: Ctx, node: string, vmid: number): LoadedConf {
  let text: string;
  try {
    text = readFileSync(paths.confPath(ctx.dir, node, vmid), "utf8");
  } catch {
    throw confMissing(node, vmid);
  }
  const conf = parseConf(text, String(vmid));
  return { vmid, text, conf, digest: confDigest(text) };
}

/** The local node's CT config (pct only works on the local node). */
export function loadConf(ctx: Ctx, vmid: number): LoadedConf {
  return loadConfOn(ctx, ctx.node, vmid);
}

/** pve-cluster pmxcfs memdb.h MEMDB_MAX_FILE_SIZE: no file in /etc/pve may grow past 1 MiB. */
export const PMXCFS_MAX_FILE_SIZE = 1024 * 1024;

export function saveConf(ctx: Ctx, vmid: number, conf: ParsedConf, node = ctx.node): void {
  assertWritable(ctx, `/etc/pve/nodes/${node}/lxc/${vmid}.conf`);
  const text = writeConf(conf);
  // memdb.c refuses the write with EFBIG; pve-common File.pm file_set_contents reports it
  if (Buffer.byteLength(text) > PMXCFS_MAX_FILE_SIZE) {
    throw new SimError(`unable to write '/etc/pve/nodes/${node}/lxc/${vmid}.conf.tmp.${process.pid}' - File too large`);
  }
  atomicWrite(paths.confPath(ctx.dir, node, vmid), text);
}

export function removeConf(ctx: Ctx, vmid: number, node = ctx.node): void {
  assertRemovable(ctx, `/etc/pve/nodes/${node}/lxc/${vmid}.conf`);
  rmSync(paths.confPath(ctx.dir, node, vmid), { force: true });
}

export function isRunning(ctx: Ctx, vmid: number, node = ctx.node): boolean {
  return existsSync(paths.running(ctx.dir, node, vmid));
}

export function runningSince(ctx: Ctx, vmid: number, node = ctx.node): number | undefined {
  try {
    return statSync(paths.running(ctx.dir, node, vmid)).mtimeMs;
  } catch {
    return undefined;
  }
}

export function setRunning(ctx: Ctx, vmid: number, running: boolean, node = ctx.node): void {
  const file = paths.running(ctx.dir, node, vmid);
  if (running) {
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, String(100000 + vmid));
  } else {
    rmSync(file, { force: true });
  }
}
