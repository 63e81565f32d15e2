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
import { applyPending, checkLock, clearFromPending, deleteKeyNow, isMountKey } from "./ct.js";

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
  for (const d of deletes) {
    if (sets.some(([k]) => k === d)) errors.push(["delete", `you can't use '-${d}' and '-delete ${d}' at the same time`]);
    if (!lookupKey(d)) errors.push(["delete", `invalid configuration ID '${d}'`]);
  }
  for (const r of reverts) {
    if (sets.some(([k]) => k === r)) errors.push(["revert", `you can't use '-${r}' and '-revert ${r}' at the same time`]);
  }
  if (errors.length) throw new ParamError(errors, SET_SPEC.usage);
  if (!sets.length && !deletes.length && !reverts.length) throw new SimError("no options specified");
  for (const [k] of sets) if (k === "unprivileged") throw new SimError(`unable to modify read-only option: '${k}'`);
  for (const d of deletes) {
    if (REQUIRED.has(d)) throw new SimError(`unable to delete required option '${d}'`);
    if (d === "unprivileged") throw new SimError(`unable to delete read-only option: '${d}'`);
  }

  return withConfigLock(ctx, vmid, () => {
    const { conf, digest } = loadConf(ctx, vmid);
    const want = a.opts.get("digest");
    if (want !== undefined && want !== digest) throw new SimError("detected modified configuration - file changed by other user? Try again.");
    checkLock(conf);
    const running = isRunning(ctx, vmid);
    const protectedCt = conf.main.keys.get("protection") === "1";
    const pending = (): NonNullable<ParsedConf["pending"]> => (conf.pending ??= emptySection());

    for (const d of deletes) {
      if (protectedCt && isMountKey(d) && conf.main.keys.has(d)) throw new SimError(`can't update CT ${vmid} drive '${d}' - protection mode enabled`);
      const inMain = sectionGet(conf.main, d) !== undefined;
      const inPending = conf.pending !== undefined && sectionGet(conf.pending, d) !== undefined;
      if (!inMain && !inPending) {
        ctx.err(`cannot delete '${d}' - not set in current configuration!\n`);
        continue;
      }
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
    for (const [k, v] of sets) {
      if (protectedCt && isMountKey(k) && conf.main.keys.has(k)) throw new SimError(`can't update CT ${vmid} drive '${k}' - protection mode enabled`);
      const stored = normalizeValue(ctx, k, v, o);
      if (running && goesPending(k, conf, false)) {
        clearFromPending(conf, k);
        sectionSet(pending(), k, stored);
      } else {
        clearFromPending(conf, k);
        sectionSet(conf.main, k, stored);
      }
    }
    for (const r of reverts) clearFromPending(conf, r);
    if (!running) applyPending(ctx, conf);
    if (conf.pending && !conf.pending.keys.size && !conf.pending.delete?.length && !conf.pending.env.length && conf.pending.description === undefined) delete conf.pending;
    saveConf(ctx, vmid, conf);
    return 0;
  });
}
