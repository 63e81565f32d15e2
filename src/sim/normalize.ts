// What pct does to a value before storing it: netN gains type=veth and a BC:24:11 hwaddr,
// STORAGE:N becomes an allocated volume with size=, tags/nameserver are normalised, cpuunits clamped.
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { ConfSection } from "../pve/conf.js";
import { parsePropertyString, printPropertyString } from "../pve/propstring.js";
import { formatSize } from "../pve/size.js";
import { normalizeTags } from "../pve/tags.js";
import { mountKind, parseAllocation } from "../pve/volid.js";
import { paths, type Ctx } from "./ctx.js";
import { SimError } from "./errors.js";
import { allocDisk, getStorage, volumeInfo } from "./storage.js";

/** Keys that are not plain `key: value` entries of a section. */
export function sectionGet(s: ConfSection, key: string): string | undefined {
  if (key === "description") return s.description;
  if (key === "env") return s.env.length ? s.env.join("\0") : undefined;
  return s.keys.get(key);
}

export function sectionSet(s: ConfSection, key: string, value: string): void {
  if (key === "description") s.description = value;
  else if (key === "env") s.env = value.split("\0");
  else s.keys.set(key, value);
}

export function sectionDelete(s: ConfSection, key: string): void {
  if (key === "description") delete s.description;
  else if (key === "env") s.env = [];
  else s.keys.delete(key);
}

/** Deterministic but random-looking MAC with Proxmox's default prefix. */
export function generateHwaddr(vmid: number, key: string, salt = ""): string {
  const h = createHash("sha1").update(`${vmid}:${key}:${salt}`).digest();
  return ["BC", "24", "11", ...[h[0]!, h[1]!, h[2]!].map((b) => b.toString(16).toUpperCase().padStart(2, "0"))].join(":");
}

export interface NormalizeOptions {
  vmid: number;
  create: boolean;
  /** --storage of pct create: bare `N` means `<storage>:N` */
  defaultStorage: string;
  /** volumes allocated so far (so a failed create can free them) */
  allocated: string[];
  /** OCI create: host-managed=1 on every netN that does not set it */
  hostManaged?: boolean;
}

export function normalizeValue(ctx: Ctx, key: string, value: string, o: NormalizeOptions): string {
  if (/^net\d+$/.test(key)) {
    const v = parsePropertyString("net", value).value;
    v["type"] = "veth";
    if (!v["hwaddr"]) v["hwaddr"] = generateHwaddr(o.vmid, key, ctx.dir);
    if (o.hostManaged && v["host-managed"] === undefined) {
      v["host-managed"] = "1";
      ctx.out(`Auto-Enabling host-managed network for network device ${key}.\n`);
    }
    return printPropertyString("net", v);
  }
  if (key === "rootfs" || /^mp\d+$/.test(key)) return normalizeMount(ctx, key, value, o);
  if (key === "tags") return normalizeTags(value);
  if (key === "nameserver" || key === "searchdomain")
    return value
      .split(/[,; ]+/)
      .filter(Boolean)
      .join(" ");
  if (key === "cpuunits") return String(Math.min(Number(value), 10000));
  if (/^dev\d+$/.test(key)) {
    checkDevice(ctx, key, value);
    return value;
  }
  return value;
}

function normalizeMount(ctx: Ctx, key: string, value: string, o: NormalizeOptions): string {
  const fmt = key === "rootfs" ? "rootfs" : "mp";
  const v = parsePropertyString(fmt, value).value;
  let volume = v["volume"]!;
  if (o.create && /^\d+(?:\.\d+)?$/.test(volume)) volume = `${o.defaultStorage}:${volume}`;
  const alloc = parseAllocation(volume);
  if (alloc) {
    const s = getStorage(alloc.storage);
    if (!s) throw new SimError(`storage '${alloc.storage}' does not exist`);
    if (!s.content.includes("rootdir")) throw new SimError(`storage '${alloc.storage}' does not allow content type 'rootdir' (Container)`);
    // pve-container create_disks: size_kb = int(size_gb * 1024) * 1024, i.e. whole MiB.
    const bytes = Math.floor(alloc.gib * 1024) * 1024 ** 2;
    const volid = allocDisk(ctx, alloc.storage, o.vmid, bytes);
    o.allocated.push(volid);
    if (s.type === "lvmthin") ctx.out(`  Logical volume "${volid.split(":")[1]}" created.\n`);
    v["volume"] = volid;
    v["size"] = formatSize(bytes);
    return printPropertyString(fmt, v);
  }
  if (key === "rootfs" && !o.create) return value; // stored verbatim by pct set
  if (mountKind(volume) === "volume") {
    const info = volumeInfo(ctx, volume);
    if (info && info.kind === "disk") v["size"] = formatSize(info.size);
  }
  v["volume"] = volume;
  return printPropertyString(fmt, v);
}

function checkDevice(ctx: Ctx, key: string, value: string): void {
  const path = parsePropertyString("dev", value).value["path"];
  if (!path) throw new SimError(`${key}: Path has to be defined`);
  let devices: Record<string, unknown> = {};
  try {
    devices = JSON.parse(readFileSync(join(paths.nodeRoot(ctx.dir, ctx.node), "devices.json"), "utf8")) as Record<string, unknown>;
  } catch {
    // a node without devices.json has no passthrough devices
  }
  if (!devices[path.replace(/^\/dev\//, "")]) throw new SimError(`Device ${path} does not exist`);
}
