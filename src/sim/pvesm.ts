// `pvesm status|list|path|alloc|free` over the simulator's storages.
import { parseDiskSize } from "../pve/size.js";
import { parseArgs, checkVmid, type VerbSpec } from "./args.js";
import type { Ctx } from "./ctx.js";
import { ParamError, SimError } from "./errors.js";
import { formatOf } from "./pvesh.js";
import { allocDisk, assertStorage, freeVolume, listVolumes, volumePath } from "./storage.js";
import { nodeStorages } from "./storage-status.js";

const spec = (usage: string, positional: string[], options: VerbSpec["options"] = {}): VerbSpec => ({ usage, positional, options });

export function runPvesm(ctx: Ctx, argv: string[]): number {
  const [verb, ...rest] = argv;
  switch (verb) {
    case "status":
      return status(ctx, rest);
    case "list":
      return list(ctx, rest);
    case "path":
      return path(ctx, rest);
    case "alloc":
      return alloc(ctx, rest);
    case "free":
      return free(ctx, rest);
    default:
      throw new SimError(`ERROR: unknown command 'pvesm ${verb ?? ""}'\nUSAGE: pvesm <COMMAND> [ARGS] [OPTIONS]`);
  }
}

function status(ctx: Ctx, argv: string[]): number {
  const a = parseArgs(spec("pvesm status [OPTIONS]", [], { storage: "string", content: "string", enabled: "boolean", target: "string", format: "boolean" }), argv);
  const only = a.opts.get("storage");
  if (only) assertStorage(only);
  const rows = nodeStorages(ctx, ctx.node, a.opts.get("content")).filter((s) => !only || s.storage === only);
  const w = Math.max(4, ...rows.map((s) => s.storage.length));
  let out = `${"Name".padEnd(w)} ${"Type".padStart(10)} ${"Status".padStart(10)} ${"Total".padStart(15)} ${"Used".padStart(15)} ${"Available".padStart(15)} ${"%".padStart(8)}\n`;
  const kib = (b: number): string => String(Math.floor(b / 1024));
  for (const s of rows) {
    const pct = (s.used_fraction * 100).toFixed(2) + "%";
    out += `${s.storage.padEnd(w)} ${s.type.padStart(10)} ${"active".padStart(10)} ${kib(s.total).padStart(15)} ${kib(s.used).padStart(15)} ${kib(s.avail).padStart(15)} ${pct.padStart(8)}\n`;
  }
  ctx.out(out);
  return 0;
}

function list(ctx: Ctx, argv: string[]): number {
  const a = parseArgs(spec("pvesm list <storage> [OPTIONS]", ["storage"], { content: "string", vmid: "string" }), argv);
  const content = a.opts.get("content");
  const vmid = a.opts.get("vmid");
  const vols = listVolumes(ctx, a.pos["storage"]!)
    .map((v) => ({ v, type: v.kind === "vztmpl" ? "vztmpl" : "images" }))
    .filter(({ v, type }) => (!content || type === content || (content === "rootdir" && type === "images")) && (!vmid || String(v.vmid) === vmid));
  const w = Math.max(5, ...vols.map(({ v }) => v.volid.length));
  let out = `${"Volid".padEnd(w)} ${"Format".padEnd(6)} ${"Type".padEnd(9)} ${"Size".padStart(12)} VMID\n`;
  for (const { v, type } of vols) out += `${v.volid.padEnd(w)} ${formatOf(v.volname).padEnd(6)} ${type.padEnd(9)} ${String(v.size).padStart(12)} ${v.vmid ?? ""}\n`;
  ctx.out(out);
  return 0;
}

function path(ctx: Ctx, argv: string[]): number {
  const a = parseArgs(spec("pvesm path <volume>", ["volume"]), argv);
  ctx.out(volumePath(ctx, a.pos["volume"]!).path + "\n");
  return 0;
}

function alloc(ctx: Ctx, argv: string[]): number {
  const s = spec("pvesm alloc <storage> <vmid> <filename> <size> [OPTIONS]", ["storage", "vmid", "filename", "size"], { format: "string" });
  // pve-storage ZFSPoolPlugin.pm plugindata: a zfspool's default format is raw (a zvol, vm-VMID-*)
  const a = parseArgs(s, argv);
  const vmid = checkVmid(a.pos["vmid"]!, s.usage);
  const sizeText = a.pos["size"]!;
  // pvesm alloc sizes without a unit are KiB
  const bytes = /^\d+$/.test(sizeText) ? Number(sizeText) * 1024 : parseDiskSize(sizeText);
  if (bytes === undefined) throw new ParamError([["size", "value does not match the regex pattern"]], s.usage);
  const filename = a.pos["filename"]!;
  const st = assertStorage(a.pos["storage"]!);
  let wanted: string | undefined;
  if (filename) {
    if (!filename.startsWith(`vm-${vmid}-`) && !filename.startsWith(`subvol-${vmid}-`)) throw new SimError(`illegal name '${filename}' - should be 'vm-${vmid}-*'`);
    wanted = st.type === "dir" ? `${vmid}/${filename.includes(".") ? filename : filename + ".raw"}` : filename;
  }
  const volid = allocDisk(ctx, st.id, vmid, bytes, ctx.node, wanted, a.opts.get("format") === "subvol" ? "subvol" : "raw");
  ctx.out(`successfully created '${volid}'\n`);
  return 0;
}

function free(ctx: Ctx, argv: string[]): number {
  const a = parseArgs(spec("pvesm free <volume> [OPTIONS]", ["volume"], { storage: "string", delay: "string" }), argv);
  const volid = a.pos["volume"]!;
  const loc = volumePath(ctx, volid);
  if (!freeVolume(ctx, volid)) throw new SimError(`volume '${volid}' does not exist`);
  if (loc.storage.type === "lvmthin") ctx.out(`  Logical volume "${loc.volname}" successfully removed.\n`);
  return 0;
}
