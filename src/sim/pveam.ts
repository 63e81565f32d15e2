// `pveam available|download|list|remove|update` over the built-in catalogue (aplinfo.ts), as
// pve-manager PVE/CLI/pveam.pm and API2/Nodes.pm apl_download do, with the checksum handling of
// pve-common PVE/Tools.pm download_file_from_url.
import { createHash } from "node:crypto";
import { existsSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join, resolve, sep } from "node:path";
import { parseArgs, type VerbSpec } from "./args.js";
import { paths, type Ctx } from "./ctx.js";
import { ParamError, SimError } from "./errors.js";
import { assertStorage, listVolumes, volumePath } from "./storage.js";
import { CATALOGUE, findAppliance, templateBytes } from "./aplinfo.js";
import { parseVolumeId } from "../pve/volid.js";

const spec = (usage: string, positional: string[], options: VerbSpec["options"] = {}): VerbSpec => ({ usage, positional, options });
const SECTIONS = ["system", "mail", "turnkeylinux"];

export function runPveam(ctx: Ctx, argv: string[]): number {
  const [verb, ...rest] = argv;
  switch (verb) {
    case "list":
      return list(ctx, rest);
    case "download":
      return download(ctx, rest);
    case "available":
      return available(ctx, rest);
    case "remove":
      return remove(ctx, rest);
    case "update":
      parseArgs(spec("pveam update", []), rest);
      ctx.out("update successful\n");
      return 0;
    default:
      throw new SimError(`ERROR: unknown command 'pveam ${verb ?? ""}'\nUSAGE: pveam <COMMAND> [ARGS] [OPTIONS]`);
  }
}

/** pveam.pm available: "%-15s %-60s %s\n" (section, template, architecture), sorted by section then name. */
function available(ctx: Ctx, argv: string[]): number {
  const usage = "pveam available  [OPTIONS]";
  const a = parseArgs(spec(usage, [], { section: "string" }), argv);
  const section = a.opts.get("section");
  if (section !== undefined && !SECTIONS.includes(section)) throw new ParamError([["section", `value '${section}' does not have a value in the enumeration '${SECTIONS.join(", ")}'`]], usage);
  let out = "";
  for (const s of [...new Set(CATALOGUE.map((x) => x.section))].sort()) {
    if (section && s !== section) continue;
    for (const t of CATALOGUE.filter((x) => x.section === s).sort((x, y) => (x.template < y.template ? -1 : 1))) {
      out += `${s.padEnd(15)} ${t.template.padEnd(60)} ${t.architecture}\n`;
    }
  }
  ctx.out(out);
  return 0;
}

/** pveam.pm index: "Storage does not support templates!" for a storage without vztmpl. */
function list(ctx: Ctx, argv: string[]): number {
  const a = parseArgs(spec("pveam list <storage>", ["storage"]), argv);
  const s = assertStorage(a.pos["storage"]!);
  if (!s.content.includes("vztmpl")) throw new SimError("Storage does not support templates!");
  let out = `${"NAME".padEnd(60)} ${"SIZE".padEnd(6)}\n`;
  for (const v of listVolumes(ctx, s.id).filter((x) => x.kind === "vztmpl")) {
    out += `${v.volid.padEnd(60)} ${(v.size / 1024 / 1024).toFixed(2)}MB\n`;
  }
  ctx.out(out);
  return 0;
}

const sha512 = (data: string | Buffer): string => createHash("sha512").update(data).digest("hex");

/**
 * API2/Nodes.pm apl_download: the template must be in the catalogue ("no such template"), the
 * storage exist and hold vztmpl; then Tools.pm download_file_from_url with hash_required: an
 * existing file with the expected sha512 is kept, one with another checksum aborts, a fresh
 * download is checked before it is renamed into place.
 */
function download(ctx: Ctx, argv: string[]): number {
  const usage = "pveam download <storage> <template>";
  const a = parseArgs(spec(usage, ["storage", "template"]), argv);
  const template = a.pos["template"]!;
  const appliance = findAppliance(template);
  if (!appliance) throw new ParamError([["template", "no such template"]], usage);
  const s = assertStorage(a.pos["storage"]!);
  if (!s.content.includes("vztmpl")) throw new SimError(`storage '${s.id}' does not support templates`);
  const dest = join(paths.templateDir(ctx.dir, ctx.node), template);
  ctx.out(`downloading ${appliance.location} to ${dest}\n`);
  if (existsSync(dest)) {
    ctx.out("calculating checksum of existing file...");
    const got = sha512(readFileSync(dest));
    if (got === appliance.sha512sum) {
      ctx.out("OK, got correct file already, no need to download\nTASK OK\n");
      return 0;
    }
    ctx.out("\n");
    throw new SimError(`TASK ERROR: checksum mismatch: got '${got}' != expect '${appliance.sha512sum}', aborting`);
  }
  const tmp = `${dest}.tmp_dwnl.${process.pid}`;
  const bytes = templateBytes(template);
  writeFileSync(tmp, bytes);
  ctx.out("calculating checksum...");
  const got = sha512(readFileSync(tmp));
  if (got !== appliance.sha512sum) {
    rmSync(tmp, { force: true });
    ctx.out("\n");
    throw new SimError(`TASK ERROR: checksum mismatch: got '${got}' != expect '${appliance.sha512sum}'`);
  }
  ctx.out("OK, checksum verified\n");
  renameSync(tmp, dest);
  ctx.out(`download of '${appliance.location}' to '${dest}' finished\nTASK OK\n`);
  return 0;
}

/**
 * pveam.pm remove: Storage.pm check_volume_access with type vztmpl ("content type needs to be"),
 * then abs_filesystem_path, which dies "can't find file" when the template is not there.
 */
function remove(ctx: Ctx, argv: string[]): number {
  const a = parseArgs(spec("pveam remove <template_path>", ["template_path"]), argv);
  const volid = a.pos["template_path"]!;
  if (parseVolumeId(volid)) {
    const loc = volumePath(ctx, volid);
    if (loc.kind !== "vztmpl") throw new SimError(`unable to use volume ${volid} - content type needs to be 'vztmpl'`);
    if (!existsSync(loc.path)) throw new SimError(`can't find file '${volid}'`);
    rmSync(loc.path);
    return 0;
  }
  // A plain path: root may pass one (check_volume_access) and it must be a file
  // (abs_filesystem_path). The simulator removes only files of its own cluster directory.
  const abs = resolve(volid);
  if (!abs.startsWith(resolve(ctx.dir) + sep) || !existsSync(abs) || !statSync(abs).isFile()) throw new SimError(`can't find file '${volid}'`);
  rmSync(abs);
  return 0;
}
