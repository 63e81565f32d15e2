// `pct resize` and `pct move-volume` (to another storage, or to another CT on this node).
import { parsePropertyString, printPropertyString } from "../pve/propstring.js";
import { formatSize, parseResizeArg } from "../pve/size.js";
import { parseArgs, checkVmid, type VerbSpec } from "./args.js";
import { isRunning, loadConf, saveConf } from "./cluster.js";
import type { Ctx } from "./ctx.js";
import { ParamError, SimError } from "./errors.js";
import { withConfigLock } from "./lock.js";
import { addUnused, checkLock, volumeOf } from "./ct.js";
import { allocDisk, assertStorage, freeVolume, reassignDisk, resizeDisk, volumeInfo } from "./storage.js";

const RESIZE: VerbSpec = { usage: "pct resize <vmid> <disk> <size> [OPTIONS]", positional: ["vmid", "disk", "size"], options: { digest: "string" } };

function diskEnumError(disk: string): string {
  const all = ["rootfs", ...Array.from({ length: 256 }, (_, i) => `mp${i}`)];
  return `value '${disk}' does not have a value in the enumeration '${all.join(", ")}'`;
}

export function pctResize(ctx: Ctx, argv: string[]): number {
  const a = parseArgs(RESIZE, argv);
  const vmid = checkVmid(a.pos["vmid"]!, RESIZE.usage);
  const disk = a.pos["disk"]!;
  const sizeArg = parseResizeArg(a.pos["size"]!);
  const errors: [string, string][] = [];
  if (!/^(?:rootfs|mp(?:\d|[1-9]\d|1\d\d|2[0-4]\d|25[0-5]))$/.test(disk)) errors.push(["disk", diskEnumError(disk)]);
  if (!sizeArg) errors.push(["size", "value does not match the regex pattern"]);
  if (errors.length || !sizeArg) throw new ParamError(errors, RESIZE.usage);
  return withConfigLock(ctx, vmid, () => {
    const { conf, digest } = loadConf(ctx, vmid);
    const want = a.opts.get("digest");
    if (want !== undefined && want !== digest) throw new SimError(MODIFIED);
    checkLock(conf);
    const value = conf.main.keys.get(disk);
    if (value === undefined) throw new SimError(`unable to parse config: disk '${disk}' does not exist`);
    const vol = volumeOf(disk, value);
    const info = vol ? volumeInfo(ctx, vol) : undefined;
    if (!vol || !info) throw new SimError(`can't resize mount point '${disk}': not a storage volume`);
    const target = sizeArg.relative ? info.size + sizeArg.bytes : sizeArg.bytes;
    if (target < info.size) throw new SimError("unable to shrink disk size");
    if (target === info.size) throw new SimError("disk is already at specified size");
    resizeDisk(ctx, vol, target);
    // Only the current section gets the new size=, running or not; a value of the same key waiting
    // in [pve:pending] keeps its old size= and replaces this one at the next start
    // (pve-container API2/LXC.pm resize_vm: `$conf->{$disk} = print_ct_mountpoint(...)`).
    const fmt = disk === "rootfs" ? "rootfs" : "mp";
    const v = parsePropertyString(fmt, value).value;
    v["size"] = formatSize(target);
    conf.main.keys.set(disk, printPropertyString(fmt, v));
    saveConf(ctx, vmid, conf);
    // pve-storage ZFSPoolPlugin.pm volume_resize only sets refquota (zfs set prints nothing), and
    // pve-container API2/LXC.pm resize_vm skips the filesystem resize for a subvol
    if (info.storage.type !== "zfspool") ctx.out(`  Size of logical volume ${info.volname} changed from ${formatSize(info.size)} to ${formatSize(target)}.\n`);
    return 0;
  });
}

/** PVE::Tools::assert_if_modified's refusal (pve-common src/PVE/Tools.pm). */
const MODIFIED = "detected modified configuration - file changed by other user? Try again.";

const MOVE: VerbSpec = {
  usage: "pct move-volume <vmid> <volume> [<storage>] [<target-vmid>] [<target-volume>] [OPTIONS]",
  positional: ["vmid", "volume"],
  optionalPositional: ["storage", "target-vmid", "target-volume"],
  options: { delete: "boolean", bwlimit: "string", digest: "string", "target-digest": "string", storage: "string", "target-vmid": "string", "target-volume": "string" },
};

export function pctMoveVolume(ctx: Ctx, argv: string[]): number {
  const a = parseArgs(MOVE, argv);
  const vmid = checkVmid(a.pos["vmid"]!, MOVE.usage);
  const key = a.pos["volume"]!;
  const storage = a.opts.get("storage") ?? a.pos["storage"];
  const targetVmidText = a.opts.get("target-vmid") ?? a.pos["target-vmid"];
  if (!/^(?:rootfs|mp\d+|unused\d+)$/.test(key)) throw new ParamError([["volume", `invalid format - invalid volume key '${key}'`]], MOVE.usage);
  if (targetVmidText !== undefined) {
    const target = checkVmid(targetVmidText, MOVE.usage, "target-vmid");
    return moveToCt(ctx, vmid, key, target, a.opts.get("target-volume") ?? a.pos["target-volume"] ?? key, a.opts.get("digest"), a.opts.get("target-digest"));
  }
  if (storage === undefined) throw new ParamError([["storage", "property is missing and it is not optional"]], MOVE.usage);
  return withConfigLock(ctx, vmid, () => {
    const { conf, digest } = loadConf(ctx, vmid);
    checkLock(conf);
    const value = conf.main.keys.get(key);
    if (value === undefined) throw new SimError(`no such volume '${key}'`);
    if (isRunning(ctx, vmid) && !key.startsWith("unused")) throw new SimError("cannot move volumes of a running container");
    // pve-container src/PVE/API2/LXC.pm move_volume, $move_to_storage_checks: under the CT lock,
    // after check_lock and the running check, PVE::Tools::assert_if_modified($digest, $conf->{digest})
    // refuses a stale --digest before anything is copied (an empty one checks nothing: pve-common
    // src/PVE/Tools.pm assert_if_modified compares only when both digests are true).
    const want = a.opts.get("digest");
    if (want && want !== digest) throw new SimError(MODIFIED);
    const vol = volumeOf(key, value);
    const info = vol ? volumeInfo(ctx, vol) : undefined;
    if (!vol || !info) throw new SimError(`cannot move volume '${key}' - not a storage volume`);
    assertStorage(storage);
    if (info.storage.id === storage) throw new SimError(`volume '${vol}' is already on storage '${storage}'`);
    const newVol = allocDisk(ctx, storage, vmid, info.size);
    ctx.out(`moving volume '${vol}' to '${newVol}'\n`);
    if (key.startsWith("unused")) conf.main.keys.set(key, newVol);
    else {
      const fmt = key === "rootfs" ? "rootfs" : "mp";
      const v = parsePropertyString(fmt, value).value;
      v["volume"] = newVol;
      v["size"] = formatSize(info.size);
      conf.main.keys.set(key, printPropertyString(fmt, v));
    }
    if (a.opts.get("delete") === "1") freeVolume(ctx, vol);
    else addUnused(conf.main, vol);
    saveConf(ctx, vmid, conf);
    return 0;
  });
}

function moveToCt(ctx: Ctx, vmid: number, key: string, target: number, targetKey: string, digest?: string, targetDigest?: string): number {
  if (key === "rootfs" || targetKey === "rootfs") throw new SimError("Cannot move to/from 'rootfs'");
  if (!/^(?:mp\d+|unused\d+)$/.test(targetKey)) throw new SimError(`invalid target volume key '${targetKey}'`);
  return withConfigLock(ctx, vmid, () =>
    withConfigLock(ctx, target, () => {
      const source = loadConf(ctx, vmid);
      const dest = loadConf(ctx, target);
      const src = source.conf;
      const dst = dest.conf;
      checkLock(src);
      checkLock(dst);
      // pve-container src/PVE/API2/LXC.pm move_volume, $load_and_check_reassign_configs: after the
      // check_lock of both, `--digest` is checked against the source conf and `--target-digest`
      // against the target's, each refusal prefixed with its container.
      if (digest && digest !== source.digest) throw new SimError(`Container ${vmid}: ${MODIFIED}`);
      if (targetDigest && targetDigest !== dest.digest) throw new SimError(`Container ${target}: ${MODIFIED}`);
      const value = src.main.keys.get(key);
      if (value === undefined) throw new SimError(`no such volume '${key}'`);
      if (!key.startsWith("unused") && isRunning(ctx, vmid)) throw new SimError("cannot move volumes of a running container");
      if (dst.main.keys.has(targetKey)) throw new SimError(`target CT ${target} already has '${targetKey}'`);
      const vol = volumeOf(key, value);
      if (!vol) throw new SimError(`cannot move volume '${key}' - bind or device mount points are not allowed`);
      for (const s of src.snapshots.values()) {
        for (const [k, v] of s.keys) if (volumeOf(k, v) === vol) throw new SimError(`cannot move volume '${key}' - volume is used by a snapshot`);
      }
      const mp: Record<string, string> = key.startsWith("unused") ? { volume: vol } : parsePropertyString("mp", value).value;
      if (!targetKey.startsWith("unused") && !mp["mp"]) throw new SimError(`cannot move unused volume to '${targetKey}' without a mount point path`);
      const newVol = reassignDisk(ctx, vol, target);
      src.main.keys.delete(key);
      if (targetKey.startsWith("unused")) dst.main.keys.set(targetKey, newVol);
      else {
        mp["volume"] = newVol;
        dst.main.keys.set(targetKey, printPropertyString("mp", mp));
      }
      saveConf(ctx, vmid, src);
      saveConf(ctx, target, dst);
      return 0;
    }),
  );
}
