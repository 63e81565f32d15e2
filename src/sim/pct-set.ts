// `pct set`: validation, --delete/--revert/--digest, protection and locks, and the hot-plug rules
// deciding what is applied at once and what waits in [pve:pending] on a running CT (§3.7).
import { emptySection, type ParsedConf } from "../pve/conf.js";
import { lookupKey, validateOptionAll } from "../pve/schema.js";
import { parseArgs, checkVmid, type VerbSpec } from "./args.js";
import { isRunning, loadConf, saveConf } from "./cluster.js";
import type { Ctx } from "./ctx.js";
import { ParamError, SimError } from "./errors.js";
import { withConfigLock } from "./lock.js";
import { normalizeValue, sectionGet, sectionSet, type NormalizeOptions } from "./normalize.js";
import { checkLock, cleanupPending, clearFromPending, deleteKeyNow, isMountKey } from "./ct.js";
import { checkNamedFormat } from "../pve/check.js";
import { parsePropertyString } from "../pve/propstring.js";
import { mountKind, parseVolumeId } from "../pve/volid.js";
import { statSync } from "node:fs";
import { assertStorage, freeVolume, volumePath } from "./storage.js";
import { checkLxcNetworks, readBridgeMtu } from "./network.js";

export const SET_SPEC: VerbSpec = {
  usage: "pct set <vmid> [OPTIONS]",
  positional: ["vmid"],
  options: { delete: "list", revert: "list", digest: "string" },
  configKeys: true,
};

const REQUIRED = new Set(["memory", "rootfs", "ostype"]);

function splitList(v: string | undefined): string[] {
  return v ? v.split(/[,; ]+/).filter(Boolean) : [];
}

/** Whether a change of `key` on a running CT waits in [pve:pending]. */
function goesPending(key: string, conf: ParsedConf, isDelete: boolean): boolean {
  const found = lookupKey(key);
  if (!found) return true;
  switch (found.def.hotplug) {
    case "immediate":
      return false;
    case "live":
      return isDelete && found.base === "net" && (found.index ?? 0) >= 10;
    case "live-add-only":
      return isDelete || conf.main.keys.has(key);
    default:
      return true;
  }
}

export function pctSet(ctx: Ctx, argv: string[]): number {
  const a = parseArgs(SET_SPEC, argv);
  const vmid = checkVmid(a.pos["vmid"]!, SET_SPEC.usage);
  const deletes = splitList(a.opts.get("delete"));
  const reverts = splitList(a.opts.get("revert"));
  const sets: [string, string][] = [...a.opts].filter(([k]) => !(k in SET_SPEC.options));
  const errors: [string, string][] = [];
  for (const [k, v] of sets) errors.push(...validateOptionAll(k, v));
  // pve-common JSONSchema.pm pve_verify_configid: the `pve-configid-list` format of delete/revert
  for (const [opt, list] of [
    ["delete", deletes],
    ["revert", reverts],
  ] as const) {
    const bad = list.find((id) => checkNamedFormat("pve-configid", id) !== undefined);
    if (bad !== undefined) errors.push([opt, `invalid format - invalid configuration ID '${bad}'`]);
  }
  if (errors.length) throw new ParamError(errors, SET_SPEC.usage);
  if (!sets.length && !deletes.length && !reverts.length) throw new SimError("no options specified");

  return withConfigLock(ctx, vmid, () => {
    const { conf, digest } = loadConf(ctx, vmid);
    checkLock(conf);
    const want = a.opts.get("digest");
    if (want !== undefined && want !== digest) throw new SimError("detected modified configuration - file changed by other user? Try again.");
    checkDeleteRevert(sets, deletes, reverts);
    const running = isRunning(ctx, vmid);
    const toDelete = checkDeletes(ctx, vmid, conf, deletes);
    // update_pct_config walks the new values in `sort keys %$param` order
    const sorted = [...sets].sort((x, y) => (x[0] < y[0] ? -1 : x[0] > y[0] ? 1 : 0));
    for (const [k, v] of sorted) checkSetValue(ctx, vmid, conf, k, v);
    const pending = (): NonNullable<ParsedConf["pending"]> => (conf.pending ??= emptySection());

    // Only now does anything change: a refused option above leaves config and volumes untouched.
    for (const r of reverts) clearFromPending(conf, r);
    for (const d of toDelete) {
      const inMain = sectionGet(conf.main, d) !== undefined;
      if (running && inMain && goesPending(d, conf, true)) {
        clearFromPending(conf, d);
        const p = pending();
        p.delete = [...(p.delete ?? []), d];
      } else {
        clearFromPending(conf, d);
        deleteKeyNow(ctx, conf, d);
      }
    }
    const o: NormalizeOptions = { vmid, create: false, defaultStorage: "local", allocated: [] };
    try {
      for (const [k, v] of sorted) {
        const stored = normalizeValue(ctx, k, v, o);
        if (running && goesPending(k, conf, false)) {
          clearFromPending(conf, k);
          sectionSet(pending(), k, stored);
        } else {
          clearFromPending(conf, k);
          sectionSet(conf.main, k, stored);
        }
      }
    } catch (e) {
      for (const v of o.allocated) freeVolume(ctx, v);
      throw e;
    }
    // A stopped CT applies only the options of this call (Config.pm update_pct_config passes
    // $modified as the selection of vmconfig_apply_pending): older pending values stay pending.
    cleanupPending(conf);
    saveConf(ctx, vmid, conf);
    // API2/LXC/Config.pm update_vm calls update_lxc_config after write_config: the config is
    // written even when this fails (a missing bridge, an MTU above the bridge's).
    checkLxcNetworks(ctx, conf.main);
    return 0;
  });
}

/** API2/LXC/Config.pm update_vm: the revert loop, then the delete loop, each dying at its first error. */
function checkDeleteRevert(sets: [string, string][], deletes: string[], reverts: string[]): void {
  const given = (k: string): boolean => sets.some(([s]) => s === k);
  const fail = (opt: string, msg: string): never => {
    throw new ParamError([[opt, msg]], SET_SPEC.usage);
  };
  for (const r of reverts) {
    if (!lookupKey(r)) fail("revert", `unknown option '${r}'`);
    if (given(r)) fail("revert", `you can't use '-${r}' and '-revert ${r}' at the same time`);
  }
  for (const d of deletes) {
    if (!lookupKey(d)) fail("delete", `unknown option '${d}'`);
    // sic: the real message lacks the quote before -delete
    if (given(d)) fail("delete", `you can't use '-${d}' and -delete ${d}' at the same time`);
    if (reverts.includes(d)) fail("delete", `you can't use '-delete ${d}' and '-revert ${d}' at the same time`);
  }
}

/**
 * Config.pm update_pct_config, delete loop: an unset key only warns; required and read-only keys
 * and (with protection) mount points and unusedN are refused. Returns the keys to delete.
 */
function checkDeletes(ctx: Ctx, vmid: number, conf: ParsedConf, deletes: string[]): string[] {
  const out: string[] = [];
  for (const d of deletes) {
    const inMain = sectionGet(conf.main, d) !== undefined;
    const inPending = conf.pending !== undefined && sectionGet(conf.pending, d) !== undefined;
    if (!inMain && !inPending) {
      ctx.err(`cannot delete '${d}' - not set in current configuration!\n`);
      continue;
    }
    if (REQUIRED.has(d)) throw new SimError(`unable to delete required option '${d}'`);
    if (/^(?:unused|mp)\d+$/.test(d)) checkProtection(conf, `can't remove CT ${vmid} drive '${d}'`);
    if (d === "unprivileged") throw new SimError(`unable to delete read-only option: '${d}'`);
    out.push(d);
  }
  return out;
}

/** AbstractConfig.pm check_protection (pve-guest-common): the CT's current flag, not this call's. */
function checkProtection(conf: ParsedConf, what: string): void {
  if (conf.main.keys.get("protection") === "1") throw new SimError(`${what} - protection mode enabled`);
}

/** Config.pm update_pct_config, add/change loop: the checks made before anything is written. */
function checkSetValue(ctx: Ctx, vmid: number, conf: ParsedConf, key: string, value: string): void {
  if (isMountKey(key)) {
    checkProtection(conf, `can't update CT ${vmid} drive '${key}'`);
    const volume = parsePropertyString(key === "rootfs" ? "rootfs" : "mp", value).value["volume"] ?? "";
    // $check_content_type: PVE::Storage::storage_config dies for an unknown storage id
    const sid = mountKind(volume) === "volume" ? parseVolumeId(volume)?.storage : undefined;
    if (sid !== undefined) {
      const s = assertStorage(sid);
      if (!s.content.includes("rootdir")) throw new SimError(`storage '${sid}' does not allow content type 'rootdir' (Container)`);
    }
  } else if (key === "hookscript") {
    checkHookscript(ctx, value);
  } else if (/^net\d+$/.test(key)) {
    const net = parsePropertyString("net", value).value;
    if (net["mtu"]) {
      const bridgeMtu = readBridgeMtu(ctx, net["bridge"]);
      if (Number(net["mtu"]) > bridgeMtu) throw new SimError(`${key}: MTU size '${net["mtu"]}' is bigger than bridge MTU '${bridgeMtu}'`);
    }
    if (net["link_down"] !== "1" && net["host-managed"] === "1" && net["ip6"] === "auto") {
      throw new SimError(`${key}: SLAAC is not supported for host-managed network configuration.`);
    }
  } else if (key === "unprivileged") {
    throw new SimError(`unable to modify read-only option: '${key}'`);
  }
}

/** pve-guest-common GuestHelpers.pm check_hookscript: a file in a snippets directory, executable. */
function checkHookscript(ctx: Ctx, volid: string): void {
  const loc = volumePath(ctx, volid);
  if (loc.kind !== "snippets") throw new SimError(`'${volid}' is not in the snippets directory`);
  let st;
  try {
    st = statSync(loc.path);
  } catch {
    throw new SimError(`script '${volid}' does not exist`);
  }
  if (!st.isFile()) throw new SimError(`script '${volid}' does not exist`);
  if ((st.mode & 0o111) === 0) throw new SimError(`script '${volid}' is not executable`);
}
