// `pct` in the simulator: the verb table and the lifecycle/read verbs (config, list, status,
// start, stop, shutdown, reboot, destroy, pending, unlock, exec). Create/set/disks/snapshots live apart.
import { appendFileSync, mkdirSync } from "node:fs";
import { encodeText, perlCompare } from "../pve/text.js";
import type { ConfSection } from "../pve/conf.js";
import { parseArgs, checkVmid, type VerbSpec } from "./args.js";
import { isRunning, listGuests, loadConf, removeConf, saveConf, setRunning, writeVmlist } from "./cluster.js";
import { paths, type Ctx } from "./ctx.js";
import { ParamError, SimError, taskError } from "./errors.js";
import { checkLxcNetworks } from "./network.js";
import { withConfigLock } from "./lock.js";
import { applyPending, checkLock, mergedSection, ownedVolumes } from "./ct.js";
import { freeVolume, listVolumes, volumePath, STORAGES } from "./storage.js";
import { vmStatus } from "./status.js";
import { pctCreate } from "./pct-create.js";
import { pctSet } from "./pct-set.js";
import { pctSnapshot, pctRollback, pctDelsnapshot, pctListsnapshot } from "./pct-snap.js";
import { pctResize, pctMoveVolume } from "./pct-disk.js";
import { pctPush } from "./pct-push.js";
import { pctMigrate } from "./pct-migrate.js";
import { pctHelp } from "./pct-help.js";

type Verb = (ctx: Ctx, argv: string[]) => number;

const spec = (usage: string, positional: string[], options: VerbSpec["options"] = {}): VerbSpec => ({ usage, positional, options });

const VERBS: Record<string, Verb> = {
  create: pctCreate,
  set: pctSet,
  config: pctConfig,
  list: pctList,
  status: pctStatus,
  start: pctStart,
  stop: pctStop,
  shutdown: pctShutdown,
  reboot: pctReboot,
  destroy: pctDestroy,
  pending: pctPending,
  unlock: pctUnlock,
  exec: pctExec,
  push: pctPush,
  resize: pctResize,
  "move-volume": pctMoveVolume,
  move_volume: pctMoveVolume,
  migrate: pctMigrate,
  help: (ctx, argv) => pctHelp(ctx, argv, VERBS),
  snapshot: pctSnapshot,
  rollback: pctRollback,
  delsnapshot: pctDelsnapshot,
  listsnapshot: pctListsnapshot,
};

export function runPct(ctx: Ctx, argv: string[]): number {
  const [verb, ...rest] = argv;
  const fn = verb && Object.hasOwn(VERBS, verb) ? VERBS[verb] : undefined;
  if (!fn) {
    const what = verb ? `unknown command 'pct ${verb}'` : "no command specified";
    throw new SimError(
      `ERROR: ${what}\nUSAGE: pct <COMMAND> [ARGS] [OPTIONS]\n${Object.keys(VERBS)
        .map((v) => `       pct ${v}`)
        .join("\n")}`,
    );
  }
  return fn(ctx, rest);
}

/** `key: value` lines as pct config prints them: sorted keys (description encoded), then lxc. */
export function formatConfigLines(s: ConfSection, extra: [string, string][] = []): string {
  const entries: [string, string][] = [...s.keys.entries(), ...extra];
  if (s.description !== undefined) entries.push(["description", encodeText(s.description)]);
  if (s.env.length) entries.push(["env", s.env.join("\0")]);
  entries.sort((a, b) => perlCompare(a[0], b[0]));
  let out = "";
  for (const [k, v] of entries) if (k !== "digest") out += `${k}: ${v}\n`;
  for (const [k, v] of s.lxc) out += `${k}: ${v}\n`;
  return out;
}

const CONFIG_SPEC = spec("pct config <vmid> [OPTIONS]", ["vmid"], { current: "boolean", snapshot: "string" });

function pctConfig(ctx: Ctx, argv: string[]): number {
  const a = parseArgs(CONFIG_SPEC, argv);
  const vmid = checkVmid(a.pos["vmid"]!, CONFIG_SPEC.usage);
  const snap = a.opts.get("snapshot");
  if (snap !== undefined && a.opts.get("current") === "1") {
    throw new ParamError([["snapshot", "cannot use 'snapshot' parameter with 'current'"]], CONFIG_SPEC.usage);
  }
  const { conf } = loadConf(ctx, vmid);
  let section: ConfSection;
  if (snap !== undefined) {
    const s = conf.snapshots.get(snap);
    if (!s) throw new SimError(`snapshot '${snap}' does not exist`);
    section = s;
  } else {
    section = a.opts.get("current") === "1" ? conf.main : mergedSection(conf);
  }
  ctx.out(formatConfigLines(section));
  return 0;
}

function pctList(ctx: Ctx, argv: string[]): number {
  parseArgs(spec("pct list", []), argv);
  const rows = listGuests(ctx.dir, ctx.cfg.nodes).filter((g) => g.node === ctx.node && g.type === "lxc");
  if (!rows.length) return 0;
  const fmt = (a: string, b: string, c: string, d: string): string => `${a.padEnd(10)} ${b.padEnd(10)} ${c.padEnd(12)} ${d.padEnd(20)}\n`;
  let out = fmt("VMID", "Status", "Lock", "Name");
  for (const g of rows) {
    let conf;
    try {
      conf = loadConf(ctx, g.vmid).conf;
    } catch {
      continue;
    }
    const st = vmStatus(ctx, ctx.node, g.vmid, conf);
    out += fmt(String(g.vmid), String(st["status"]), conf.main.keys.get("lock") ?? "", String(st["name"]));
  }
  ctx.out(out);
  return 0;
}

const STATUS_SPEC = spec("pct status <vmid> [OPTIONS]", ["vmid"], { verbose: "boolean" });

function pctStatus(ctx: Ctx, argv: string[]): number {
  const a = parseArgs(STATUS_SPEC, argv);
  const vmid = checkVmid(a.pos["vmid"]!, STATUS_SPEC.usage);
  const { conf } = loadConf(ctx, vmid);
  const st = vmStatus(ctx, ctx.node, vmid, conf);
  if (a.opts.get("verbose") !== "1") {
    ctx.out(`status: ${st["status"]}\n`);
    return 0;
  }
  let out = "";
  for (const k of Object.keys(st).sort()) if (k !== "cpu") out += `${k}: ${st[k]}\n`;
  ctx.out(out);
  return 0;
}

const START_SPEC = spec("pct start <vmid> [OPTIONS]", ["vmid"], { debug: "boolean", skiplock: "boolean" });

function pctStart(ctx: Ctx, argv: string[]): number {
  const a = parseArgs(START_SPEC, argv);
  const vmid = checkVmid(a.pos["vmid"]!, START_SPEC.usage);
  return withConfigLock(ctx, vmid, () => {
    const { conf } = loadConf(ctx, vmid);
    if (isRunning(ctx, vmid)) throw new SimError(`CT ${vmid} already running`);
    checkLock(conf, a.opts.get("skiplock") === "1");
    if (conf.main.keys.get("template") === "1") throw new SimError("you can't start a CT if it's a template");
    if (conf.pending) {
      applyPending(ctx, conf);
      saveConf(ctx, vmid, conf);
    }
    // LXC.pm vm_start -> update_lxc_config: a missing bridge stops the start
    try {
      checkLxcNetworks(ctx, conf.main);
    } catch (e) {
      throw e instanceof SimError ? taskError(e.message) : e;
    }
    setRunning(ctx, vmid, true);
    return 0;
  });
}

const STOP_SPEC = spec("pct stop <vmid> [OPTIONS]", ["vmid"], { "overrule-shutdown": "boolean", skiplock: "boolean" });

function pctStop(ctx: Ctx, argv: string[]): number {
  const a = parseArgs(STOP_SPEC, argv);
  const vmid = checkVmid(a.pos["vmid"]!, STOP_SPEC.usage);
  return withConfigLock(ctx, vmid, () => {
    const { conf } = loadConf(ctx, vmid);
    if (!isRunning(ctx, vmid)) throw new SimError(`CT ${vmid} not running`);
    checkLock(conf, a.opts.get("skiplock") === "1");
    setRunning(ctx, vmid, false);
    return 0;
  });
}

const SHUTDOWN_SPEC = spec("pct shutdown <vmid> [OPTIONS]", ["vmid"], { timeout: "string", forceStop: "boolean" });

function pctShutdown(ctx: Ctx, argv: string[]): number {
  const a = parseArgs(SHUTDOWN_SPEC, argv);
  const vmid = checkVmid(a.pos["vmid"]!, SHUTDOWN_SPEC.usage);
  const timeout = a.opts.get("timeout");
  if (timeout !== undefined && !/^\d+$/.test(timeout)) throw new ParamError([["timeout", `type check ('integer') failed - got '${timeout}'`]], SHUTDOWN_SPEC.usage);
  return withConfigLock(ctx, vmid, () => {
    const { conf } = loadConf(ctx, vmid);
    if (!isRunning(ctx, vmid)) throw new SimError(`CT ${vmid} not running`);
    checkLock(conf);
    setRunning(ctx, vmid, false);
    return 0;
  });
}

const REBOOT_SPEC = spec("pct reboot <vmid> [OPTIONS]", ["vmid"], { timeout: "string" });

function pctReboot(ctx: Ctx, argv: string[]): number {
  const a = parseArgs(REBOOT_SPEC, argv);
  const vmid = checkVmid(a.pos["vmid"]!, REBOOT_SPEC.usage);
  return withConfigLock(ctx, vmid, () => {
    const { conf } = loadConf(ctx, vmid);
    if (!isRunning(ctx, vmid)) throw new SimError(`VM ${vmid} not running`);
    checkLock(conf);
    if (conf.pending) {
      applyPending(ctx, conf);
      saveConf(ctx, vmid, conf);
    }
    setRunning(ctx, vmid, false);
    setRunning(ctx, vmid, true);
    return 0;
  });
}

const DESTROY_SPEC = spec("pct destroy <vmid> [OPTIONS]", ["vmid"], { purge: "boolean", force: "boolean", "destroy-unreferenced-disks": "boolean" });

function pctDestroy(ctx: Ctx, argv: string[]): number {
  const a = parseArgs(DESTROY_SPEC, argv);
  const vmid = checkVmid(a.pos["vmid"]!, DESTROY_SPEC.usage);
  return withConfigLock(ctx, vmid, () => {
    const { conf } = loadConf(ctx, vmid);
    if (conf.main.keys.get("protection") === "1") throw new SimError(`can't remove CT ${vmid} - protection mode enabled`);
    checkLock(conf);
    if (isRunning(ctx, vmid)) {
      if (a.opts.get("force") !== "1") throw new SimError(`unable to destroy CT ${vmid} - container is running`);
      setRunning(ctx, vmid, false);
    }
    const volumes = new Set(ownedVolumes(conf, vmid));
    if (a.opts.get("destroy-unreferenced-disks") === "1") {
      for (const s of STORAGES) for (const v of listVolumes(ctx, s.id)) if (v.kind === "disk" && v.vmid === vmid) volumes.add(v.volid);
    }
    for (const v of volumes) {
      const loc = volumePath(ctx, v);
      if (freeVolume(ctx, v) && loc.storage.type === "lvmthin") ctx.out(`  Logical volume "${loc.volname}" successfully removed.\n`);
    }
    removeConf(ctx, vmid);
    writeVmlist(ctx);
    return 0;
  });
}

function pctPending(ctx: Ctx, argv: string[]): number {
  const s = spec("pct pending <vmid>", ["vmid"]);
  const a = parseArgs(s, argv);
  const vmid = checkVmid(a.pos["vmid"]!, s.usage);
  const { conf } = loadConf(ctx, vmid);
  for (const item of pendingItems(conf.main, conf.pending)) {
    if (item.key === "digest") continue;
    const enc = (v: string): string => (item.key === "description" ? encodeText(v) : v);
    if (item.delete !== undefined) {
      if (item.value !== undefined) ctx.out(`del ${item.key}: ${enc(item.value)}\n`);
    } else if (item.pending !== undefined) {
      if (item.value !== undefined) ctx.out(`cur ${item.key}: ${enc(item.value)}\n`);
      ctx.out(`new ${item.key}: ${enc(item.pending)}\n`);
    } else if (item.value !== undefined) {
      ctx.out(`cur ${item.key}: ${enc(item.value)}\n`);
    }
  }
  return 0;
}

export interface PendingItem {
  key: string;
  value?: string;
  pending?: string;
  delete?: number;
}

/** The API's pending list (GuestHelpers config_with_pending_array), sorted by key. */
export function pendingItems(main: ConfSection, pending: ConfSection | undefined): PendingItem[] {
  const flat = (s: ConfSection | undefined): Map<string, string> => {
    const m = new Map(s?.keys ?? []);
    if (s?.description !== undefined) m.set("description", s.description);
    if (s?.env.length) m.set("env", s.env.join("\0"));
    return m;
  };
  const cur = flat(main);
  const pen = flat(pending);
  const dels = new Map((pending?.delete ?? []).map((d) => [d.replace(/^!/, ""), d.startsWith("!") ? 2 : 1]));
  const keys = [...new Set([...cur.keys(), ...pen.keys(), ...dels.keys()])].sort(perlCompare);
  return keys.map((key) => {
    const item: PendingItem = { key };
    const v = cur.get(key);
    if (v !== undefined) item.value = v;
    const p = pen.get(key);
    if (p !== undefined) item.pending = p;
    const d = dels.get(key);
    if (d !== undefined) item.delete = d;
    return item;
  });
}

function pctUnlock(ctx: Ctx, argv: string[]): number {
  const s = spec("pct unlock <vmid>", ["vmid"]);
  const a = parseArgs(s, argv);
  const vmid = checkVmid(a.pos["vmid"]!, s.usage);
  return withConfigLock(ctx, vmid, () => {
    const { conf } = loadConf(ctx, vmid);
    conf.main.keys.delete("lock");
    saveConf(ctx, vmid, conf);
    return 0;
  });
}

const EXEC_SPEC: VerbSpec = { usage: "pct exec <vmid> [<extra-args>] [OPTIONS]", positional: ["vmid"], options: { "keep-env": "boolean" }, rest: true };

function pctExec(ctx: Ctx, argv: string[]): number {
  const a = parseArgs(EXEC_SPEC, argv);
  const vmid = checkVmid(a.pos["vmid"]!, EXEC_SPEC.usage);
  loadConf(ctx, vmid);
  if (!isRunning(ctx, vmid)) throw new SimError(`container '${vmid}' not running!`);
  mkdirSync(paths.logDir(ctx.dir), { recursive: true });
  appendFileSync(paths.execLog(ctx.dir), JSON.stringify({ ts: new Date().toISOString(), node: ctx.node, vmid, command: a.rest }) + "\n");
  return 0;
}
