// `pct migrate` in the simulator: offline or restart migration of a container to another node of
// the cluster, its local volumes copied (optionally onto other storages), its conf moved from
// nodes/<source>/lxc to nodes/<target>/lxc. Checks and texts follow pve-container
// src/PVE/API2/LXC.pm (migrate_vm: the checks before the task) and src/PVE/LXC/Migrate.pm
// (prepare, phase1, final_cleanup), with pve-guest-common AbstractMigrate.pm's task log.
import { copyFileSync } from "node:fs";
import type { ConfSection, ParsedConf } from "../pve/conf.js";
import { parsePropertyString, printPropertyString } from "../pve/propstring.js";
import { mountKind, parseVolumeId, volumeOwner } from "../pve/volid.js";
import { checkScalar } from "../pve/check.js";
import { parseArgs, checkVmid, type VerbSpec } from "./args.js";
import { isRunning, loadConf, removeConf, saveConf, setRunning, writeVmlist } from "./cluster.js";
import type { Ctx } from "./ctx.js";
import { ParamError, SimError } from "./errors.js";
import { withConfigLock } from "./lock.js";
import { applyPending, checkLock } from "./ct.js";
import { allocDisk, assertStorage, freeVolume, volumeInfo } from "./storage.js";

const MIGRATE: VerbSpec = {
  usage: "pct migrate <vmid> <target> [OPTIONS]",
  positional: ["vmid", "target"],
  options: { online: "boolean", restart: "boolean", "target-storage": "string", timeout: "string", bwlimit: "string" },
};

/** pve-common JSONSchema parse_id for storage ids. */
function storageIdError(id: string): string | undefined {
  if (id.length < 2) return `storage ID '${id}' cannot be shorter than 2 characters`;
  if (!/^[a-z][a-z0-9\-_.]*[a-z0-9]$/i.test(id)) return `storage ID '${id}' contains illegal characters`;
  return undefined;
}

export interface StorageMap {
  identity?: boolean;
  default?: string;
  entries: Map<string, string>;
}

/** pve-common JSONSchema parse_idmap: `SRC:DST` pairs, one default target, or `1` (identity). */
export function parseStorageMap(text: string): StorageMap {
  const map: StorageMap = { entries: new Map() };
  // PVE::Tools split_list: separators are commas, semicolons, white space and NUL.
  for (const entry of text.split(/[\0\s,;]+/).filter(Boolean)) {
    if (entry === "1") {
      map.identity = true;
      continue;
    }
    const pair = /^([^:]+):([^:]+)$/.exec(entry);
    if (pair) {
      const bad = storageIdError(pair[1]!) ?? storageIdError(pair[2]!);
      if (bad) throw new Error(`entry '${entry}' contains invalid ID - ${bad}`);
      if (map.entries.has(pair[1]!)) throw new Error(`duplicate mapping for source '${pair[1]}'`);
      map.entries.set(pair[1]!, pair[2]!);
      continue;
    }
    const bad = storageIdError(entry);
    if (bad) throw new Error(`entry '${entry}' contains invalid ID - ${bad}`);
    if (map.default !== undefined) throw new Error("default target ID can only be provided once");
    map.default = entry;
  }
  if (map.identity && (map.default !== undefined || map.entries.size)) throw new Error("identity mapping cannot be combined with other mappings");
  return map;
}

/** pve-common JSONSchema map_id. */
export function mapStorage(map: StorageMap | undefined, source: string): string {
  return map?.entries.get(source) ?? map?.default ?? source;
}

/** The rootfs, mpN and unusedN entries of a section (LXC Config foreach_volume_full with include_unused). */
function volumeEntries(s: ConfSection): [key: string, fmt: "rootfs" | "mp" | "unused", fields: Record<string, string>][] {
  const out: [string, "rootfs" | "mp" | "unused", Record<string, string>][] = [];
  for (const [k, v] of s.keys) {
    const fmt = k === "rootfs" ? "rootfs" : /^mp\d+$/.test(k) ? "mp" : /^unused\d+$/.test(k) ? "unused" : undefined;
    if (fmt) out.push([k, fmt, parsePropertyString(fmt, v).value]);
  }
  return out;
}

/** Task log line as AbstractMigrate's log prints it. */
function stamp(level: "info" | "err", msg: string): string {
  const d = new Date();
  const p = (n: number) => String(n).padStart(2, "0");
  const prefix = `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}${level === "err" ? " ERROR:" : ""}`;
  return msg
    .split("\n")
    .filter(Boolean)
    .map((l) => `${prefix} ${l}\n`)
    .join("");
}

export function pctMigrate(ctx: Ctx, argv: string[]): number {
  const a = parseArgs(MIGRATE, argv);
  const vmid = checkVmid(a.pos["vmid"]!, MIGRATE.usage);
  const target = a.pos["target"]!;
  const online = a.opts.get("online") === "1";
  const restart = a.opts.get("restart") === "1";
  // The schema's types (migrate_vm parameters): timeout an integer, bwlimit a number >= 0.
  const typeErrors: [string, string][] = [];
  for (const [name, def] of [
    ["timeout", { type: "integer" }],
    ["bwlimit", { type: "number", min: 0 }],
  ] as const) {
    const v = a.opts.get(name);
    const err = v === undefined ? undefined : checkScalar(def, v);
    if (err) typeErrors.push([name, err]);
  }
  if (typeErrors.length) throw new ParamError(typeErrors, MIGRATE.usage);
  // migrate_vm, before the task: raise_param_exc for the local node, check_node_exists.
  if (target === ctx.node) throw new ParamError([["target", "target is local node."]], MIGRATE.usage);
  if (!ctx.cfg.nodes.includes(target)) throw new SimError(`no such cluster node '${target}'`);
  loadConf(ctx, vmid);
  if (isRunning(ctx, vmid) && !online && !restart) throw new SimError("can't migrate running container without --online or --restart");
  let storagemap: StorageMap | undefined;
  const mapText = a.opts.get("target-storage");
  if (mapText !== undefined) {
    try {
      storagemap = parseStorageMap(mapText);
    } catch (e) {
      throw new ParamError([["target-storage", `failed to parse storage map: ${(e as Error).message}`]], MIGRATE.usage);
    }
    // $check_storage_access_migrate for every mapped target: enabled on the target, rootdir content.
    for (const sid of [...storagemap.entries.values(), ...(storagemap.default ? [storagemap.default] : [])]) {
      if (!assertStorage(sid).content.includes("rootdir")) throw new SimError(`storage '${sid}' does not support CT rootdirs`);
    }
  }

  // The task (AbstractMigrate migrate): everything below logs to stdout; a failure ends the task
  // with "migration aborted" (stderr, exit 255) after the log's ERROR lines.
  const log: string[] = [];
  try {
    withConfigLock(ctx, vmid, () => migrateLocked(ctx, vmid, target, { online, restart, storagemap }, log));
  } catch (e) {
    if (!(e instanceof SimError)) throw e;
    const msg = e.message.replace(/\n$/, "");
    ctx.out(log.join("") + stamp("err", msg) + stamp("err", `migration aborted (duration 00:00:00): ${msg}`));
    throw new SimError("migration aborted", 255);
  }
  ctx.out(log.join("") + stamp("info", "migration finished successfully (duration 00:00:00)"));
  return 0;
}

interface Opts {
  online: boolean;
  restart: boolean;
  storagemap: StorageMap | undefined;
}

function migrateLocked(ctx: Ctx, vmid: number, target: string, o: Opts, log: string[]): void {
  // Migrate.pm prepare.
  const { conf } = loadConf(ctx, vmid);
  checkLock(conf);
  let running = false;
  if (isRunning(ctx, vmid)) {
    if (o.online) throw new SimError("lxc live migration is currently not implemented");
    if (!o.restart) throw new SimError("running container can only be migrated in restart mode");
    running = true;
  }
  for (const [key, , f] of volumeEntries(conf.main)) {
    const vol = f["volume"] ?? "";
    const type = mountKind(vol);
    // Bind and device mount points are skipped when marked shared (the user vouches that the
    // path exists on the target), refused otherwise.
    if (type !== "volume") {
      if (f["shared"] === "1") continue;
      throw new SimError(`cannot migrate local ${type} mount point '${key}'`);
    }
    const sid = parseVolumeId(vol)?.storage;
    if (!sid) throw new SimError(`can't determine assigned storage for mount point '${key}'`);
    if (!assertStorage(sid).content.includes("rootdir")) throw new SimError(`content type 'rootdir' is not available on storage '${sid}'`);
    // Every simulated storage is local (not shared): its volumes are copied to the mapped storage.
    const targetSid = mapStorage(o.storagemap, sid);
    if (!assertStorage(targetSid).content.includes("rootdir")) throw new SimError(`${vol}: content type 'rootdir' is not available on storage '${targetSid}'`);
  }
  if (running) {
    log.push(stamp("info", `shutdown CT ${vmid}`));
    setRunning(ctx, vmid, false);
  }
  const wasRunning = running;
  const targetCtx: Ctx = { ...ctx, node: target };
  try {
    phase1(ctx, targetCtx, vmid, conf, o, log);
  } catch (e) {
    // final_cleanup without a migrated conf: the lock goes, a restart-mode CT runs again here.
    conf.main.keys.delete("lock");
    saveConf(ctx, vmid, conf);
    if (o.restart && wasRunning) {
      log.push(stamp("info", "start container on source node"));
      setRunning(ctx, vmid, true);
    }
    throw e;
  }
  // final_cleanup on the target: `pct unlock`, then `pct start` in restart mode.
  const moved = loadConf(targetCtx, vmid).conf;
  moved.main.keys.delete("lock");
  if (o.restart && wasRunning) {
    log.push(stamp("info", "start container on target node"));
    // pct start applies pending changes first (vm_start).
    applyPending(targetCtx, moved);
    setRunning(targetCtx, vmid, true);
  }
  saveConf(targetCtx, vmid, moved);
}

function phase1(ctx: Ctx, targetCtx: Ctx, vmid: number, conf: ParsedConf, o: Opts, log: string[]): void {
  log.push(stamp("info", `starting migration of CT ${vmid} to node '${targetCtx.node}' (${targetCtx.node})`));
  conf.main.keys.set("lock", "migrate");
  saveConf(ctx, vmid, conf);
  const errors: [string, string][] = [];
  const local = new Map<string, string>();
  const test = (vol: string, snapshot: boolean): void => {
    if (mountKind(vol) !== "volume") return;
    const id = parseVolumeId(vol);
    if (!id) return;
    const fail = (msg: string) => errors.push([vol, msg]);
    const owner = volumeOwner(id.volname);
    if (owner !== vmid) {
      fail(`owned by other guest (owner = ${owner ?? ""})`);
      return;
    }
    local.set(vol, mapStorage(o.storagemap, id.storage));
    // Snapshots on local storage cannot move (only zfspool and btrfs could; the simulator has neither).
    if (snapshot) fail("non-migratable snapshot exists");
  };
  for (const s of conf.snapshots.values()) for (const [, , f] of volumeEntries(s)) if (f["volume"]) test(f["volume"], true);
  if (conf.pending) for (const [, , f] of volumeEntries(conf.pending)) if (f["volume"]) test(f["volume"], false);
  for (const [, , f] of volumeEntries(conf.main)) if (f["volume"]) test(f["volume"], false);
  for (const vol of [...local.keys()].sort()) log.push(stamp("info", `found local volume '${vol}' (in current VM config)`));
  for (const [vol, msg] of errors) log.push(stamp("err", `can't migrate local volume '${vol}': ${msg}`));
  if (errors.length) throw new SimError("can't migrate CT - check log");

  // storage_migrate for each local volume (allow_rename: a taken name on the target gets a free one).
  const volumeMap = new Map<string, string>();
  for (const [vol, targetSid] of [...local].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    const info = volumeInfo(ctx, vol);
    if (!info) throw new SimError(`storage migration for '${vol}' to storage '${targetSid}' failed - volume '${vol}' does not exist`);
    // The disk keeps its name (vm-VMID-disk-N) in the target storage's layout.
    const base = info.volname.replace(/^\d+\//, "").replace(/\.raw$/, "");
    const wanted = assertStorage(targetSid).type === "dir" ? `${vmid}/${base}.raw` : base;
    let newVol: string;
    try {
      newVol = allocDisk(targetCtx, targetSid, vmid, info.size, targetCtx.node, wanted);
    } catch {
      newVol = allocDisk(targetCtx, targetSid, vmid, info.size, targetCtx.node);
    }
    copyFileSync(info.path, volumeInfo(targetCtx, newVol)!.path);
    volumeMap.set(vol, newVol);
    log.push(stamp("info", `volume '${vol}' is '${newVol}' on the target`));
  }
  // update_volume_ids, write_config, move_config_to_node.
  const rewrite = (s: ConfSection): void => {
    for (const [key, fmt, f] of volumeEntries(s)) {
      const to = f["volume"] !== undefined ? volumeMap.get(f["volume"]) : undefined;
      if (to === undefined) continue;
      s.keys.set(key, fmt === "unused" ? to : printPropertyString(fmt, { ...f, volume: to }));
    }
  };
  rewrite(conf.main);
  if (conf.pending) rewrite(conf.pending);
  saveConf(targetCtx, vmid, conf);
  removeConf(ctx, vmid);
  writeVmlist(ctx);
  // phase3: the source copies go.
  for (const vol of volumeMap.keys()) freeVolume(ctx, vol);
}
