// `pct create`: validation, cluster-wide vmid check, `lock: create` while the "worker" runs,
// volume allocation, template (or OCI image) handling, defaults and normalisation on save.
import { existsSync, statSync } from "node:fs";
import { emptySection, type ParsedConf } from "../pve/conf.js";
import { lookupKey, validateOptionAll } from "../pve/schema.js";
import { ostypeFromTemplateName, parseVolumeId } from "../pve/volid.js";
import { parseArgs, checkVmid, type VerbSpec } from "./args.js";
import { assertVmidUnused, removeConf, saveConf, setRunning, writeVmlist } from "./cluster.js";
import type { Ctx } from "./ctx.js";
import { ParamError, SimError, taskError } from "./errors.js";
import { withConfigLock } from "./lock.js";
import { normalizeValue, sectionSet, type NormalizeOptions } from "./normalize.js";
import { detectOci, readOciImage, osReleaseFromTar } from "./oci.js";
import { ociUserLines } from "./oci-user.js";
import { freeVolume, getStorage, volumePath } from "./storage.js";

export const CREATE_SPEC: VerbSpec = {
  usage: "pct create <vmid> <ostemplate> [OPTIONS]",
  positional: ["vmid", "ostemplate"],
  options: {
    storage: "string",
    password: "string",
    "ssh-public-keys": "string",
    start: "boolean",
    "ha-managed": "boolean",
    pool: "string",
    force: "boolean",
    "ignore-unpack-errors": "boolean",
    bwlimit: "string",
    unique: "boolean",
    restore: "boolean",
  },
  configKeys: true,
};

export function isConfigOption(name: string): boolean {
  return !(name in CREATE_SPEC.options) && lookupKey(name) !== undefined;
}

export function pctCreate(ctx: Ctx, argv: string[]): number {
  const a = parseArgs(CREATE_SPEC, argv);
  const vmid = checkVmid(a.pos["vmid"]!, CREATE_SPEC.usage);
  const ostemplate = a.pos["ostemplate"]!;
  const errors: [string, string][] = [];
  const config: [string, string][] = [];
  for (const [k, v] of a.opts) {
    if (!isConfigOption(k)) continue;
    if (k === "lock") continue;
    errors.push(...validateOptionAll(k, v));
    config.push([k, v]);
  }
  const storageId = a.opts.get("storage") ?? "local";
  const storage = getStorage(storageId);
  if (!storage) errors.push(["storage", `storage '${storageId}' does not exist`]);
  else if (!storage.content.includes("rootdir")) errors.push(["storage", `storage '${storageId}' does not support container directories`]);
  const password = a.opts.get("password");
  if (password !== undefined && password.length < 5) errors.push(["password", "value must have at least 5 characters"]);
  if (errors.length) throw new ParamError(errors, CREATE_SPEC.usage);
  const keysFile = a.opts.get("ssh-public-keys");
  if (keysFile !== undefined && !existsSync(keysFile)) throw new SimError(`unable to open file '${keysFile}' - No such file or directory`, 2);
  const has = (k: string): boolean => config.some(([ck]) => ck === k);
  if (!has("rootfs") && config.some(([k]) => /^mp\d+$/.test(k))) throw new SimError("mount points configured, but 'rootfs' not set - aborting");

  assertVmidUnused(ctx, vmid);
  return withConfigLock(ctx, vmid, () => {
    assertVmidUnused(ctx, vmid, `unable to create CT ${vmid} - `);
    const locked: ParsedConf = { main: emptySection(), snapshots: new Map(), warnings: [] };
    locked.main.keys.set("lock", "create");
    saveConf(ctx, vmid, locked);
    writeVmlist(ctx);
    const o: NormalizeOptions = { vmid, create: true, defaultStorage: storageId, allocated: [] };
    try {
      const conf = buildConfig(ctx, vmid, ostemplate, config, o);
      saveConf(ctx, vmid, conf);
    } catch (e) {
      for (const v of o.allocated) freeVolume(ctx, v);
      removeConf(ctx, vmid);
      writeVmlist(ctx);
      const msg = e instanceof SimError ? e.message : (e as Error).message;
      throw taskError(`unable to create CT ${vmid} - ${msg}`);
    }
    // .vmlist already lists the CT: it was written when the locked conf appeared
    if (a.opts.get("start") === "1") setRunning(ctx, vmid, true);
    return 0;
  });
}

function resolveTemplate(ctx: Ctx, ostemplate: string): { path: string; file: string } {
  if (ostemplate.startsWith("/")) {
    if (!existsSync(ostemplate)) throw new SimError(`can't find file '${ostemplate}'`);
    return { path: ostemplate, file: ostemplate.split("/").pop()! };
  }
  if (!parseVolumeId(ostemplate)) throw new SimError(`unable to parse volume ID '${ostemplate}'`);
  const loc = volumePath(ctx, ostemplate);
  if (loc.kind !== "vztmpl") throw new SimError(`unable to parse directory volume name '${loc.volname}'`);
  if (!existsSync(loc.path)) {
    ctx.out(`can't find file '${ostemplate}'\n`);
    throw new SimError(`can't find file '${ostemplate}'`);
  }
  return { path: loc.path, file: loc.volname.slice("vztmpl/".length) };
}

function buildConfig(ctx: Ctx, vmid: number, ostemplate: string, config: [string, string][], o: NormalizeOptions): ParsedConf {
  const tpl = resolveTemplate(ctx, ostemplate);
  const main = emptySection();
  const conf: ParsedConf = { main, snapshots: new Map(), warnings: [] };
  const given = new Map(config);
  let ostype = given.get("ostype");
  let arch = given.get("arch");
  const isOci = tpl.file.endsWith(".tar") && detectOci(tpl.path);
  if (isOci) {
    ctx.out("Detected OCI archive\n");
    const image = readOciImage(tpl.path);
    ctx.out(`unpacking OCI image into rootfs of CT ${vmid}\n`);
    for (const vol of image.volumes) ctx.out(`creating base directory for volume at ${vol}\n`);
    if (image.entrypoint !== undefined) {
      main.keys.set("entrypoint", image.entrypoint);
      main.keys.set("cmode", "console");
      o.hostManaged = true;
    }
    if (image.env.length) main.env = [...image.env];
    // Create.pm restore_oci_archive pushes User's lines, then WorkingDir's, then the halt signal.
    if (image.user) main.lxc.push(...ociUserLines(image.user));
    if (image.workingDir) main.lxc.push(["lxc.init.cwd", image.workingDir]);
    main.lxc.push(["lxc.signal.halt", image.stopSignal]);
    if (!ostype) {
      ostype = image.ostype ?? "unmanaged";
      if (!image.ostype) ctx.out("WARN: /etc/os-release not found in image, using ostype 'unmanaged'\n");
    }
    arch ??= image.arch;
  } else {
    ctx.out(`extracting archive '${tpl.path}'\n`);
    ctx.out(`Total bytes read: ${statSync(tpl.path).size}\n`);
    ostype ??= ostypeFromTemplateName(tpl.file) ?? (tpl.file.endsWith(".tar") ? osReleaseFromTar(tpl.path) : undefined) ?? "unmanaged";
  }
  arch ??= /_(arm64|i386|armhf)\./.exec(tpl.file)?.[1] ?? "amd64";
  ctx.out(`Detected container architecture: ${arch}\n`);
  if (!given.has("rootfs")) given.set("rootfs", `${o.defaultStorage}:4`);
  // volumes are allocated in foreach_volume order: rootfs, then mp0, mp1, ...
  const rank = (k: string): number => (k === "rootfs" ? -1 : /^mp\d+$/.test(k) ? Number(k.slice(2)) : 1000);
  const ordered = [...given].sort((x, y) => rank(x[0]) - rank(y[0]));
  for (const [k, v] of ordered) {
    if (/^unused\d+$/.test(k)) {
      ctx.out(`WARN: ignoring '${k}', cannot create/restore with unused volume\n`);
      continue;
    }
    sectionSet(main, k, normalizeValue(ctx, k, v, o));
  }
  if (o.hostManaged) {
    for (const [k, v] of main.keys) if (/^net\d+$/.test(k)) main.keys.set(k, normalizeValue(ctx, k, v, o));
  }
  main.keys.set("arch", arch);
  main.keys.set("ostype", ostype);
  if (!main.keys.has("hostname")) main.keys.set("hostname", `CT${vmid}`);
  if (!main.keys.has("memory")) main.keys.set("memory", "512");
  if (!main.keys.has("swap")) main.keys.set("swap", "512");
  if (!main.keys.has("unprivileged")) main.keys.set("unprivileged", "1");
  return conf;
}
