// `pct snapshot|rollback|delsnapshot|listsnapshot`: snapshot sections of the conf with their
// parent chain; volume snapshots are only checked for storage support, not stored.
import { checkNamedFormat } from "../pve/check.js";
import { cloneSection, type ConfSection } from "../pve/conf.js";
import { parseArgs, checkVmid, type VerbSpec } from "./args.js";
import { isRunning, loadConf, saveConf, setRunning } from "./cluster.js";
import type { Ctx } from "./ctx.js";
import { ParamError, SimError } from "./errors.js";
import { withConfigLock } from "./lock.js";
import { addUnused, checkLock, volumeOf } from "./ct.js";
import { volumePath } from "./storage.js";

const spec = (usage: string, options: VerbSpec["options"] = {}): VerbSpec => ({ usage, positional: ["vmid", "snapname"], options });
const SNAPSHOT = spec("pct snapshot <vmid> <snapname> [OPTIONS]", { description: "string" });
const ROLLBACK = spec("pct rollback <vmid> <snapname> [OPTIONS]", { start: "boolean" });
const DELSNAP = spec("pct delsnapshot <vmid> <snapname> [OPTIONS]", { force: "boolean" });

function args(s: VerbSpec, argv: string[]): { vmid: number; name: string; opts: Map<string, string> } {
  const a = parseArgs(s, argv);
  const vmid = checkVmid(a.pos["vmid"]!, s.usage);
  const name = a.pos["snapname"]!;
  const err = checkNamedFormat("pve-configid", name);
  if (err) throw new ParamError([["snapname", `invalid format - ${err}`]], s.usage);
  return { vmid, name, opts: a.opts };
}

export function pctSnapshot(ctx: Ctx, argv: string[]): number {
  const { vmid, name, opts } = args(SNAPSHOT, argv);
  if (name === "current" || name === "vzdump") throw new SimError(`invalid snapshot name '${name}'`);
  return withConfigLock(ctx, vmid, () => {
    const { conf } = loadConf(ctx, vmid);
    checkLock(conf);
    if (conf.snapshots.has(name)) throw new SimError(`snapshot name '${name}' already used`);
    for (const [k, v] of conf.main.keys) {
      const vol = volumeOf(k, v);
      if (!vol || k.startsWith("unused")) continue;
      // pve-storage LvmThinPlugin.pm / ZFSPoolPlugin.pm volume_has_feature: both snapshot
      if (volumePath(ctx, vol).storage.type === "dir") throw new SimError("snapshot feature is not available");
    }
    const snap = cloneSection(conf.main);
    delete snap.description;
    const d = opts.get("description");
    if (d) snap.description = d;
    snap.keys.delete("lock");
    snap.keys.set("snaptime", String(Math.floor(Date.now() / 1000)));
    conf.snapshots.set(name, snap);
    conf.main.keys.set("parent", name);
    saveConf(ctx, vmid, conf);
    return 0;
  });
}

export function pctRollback(ctx: Ctx, argv: string[]): number {
  const { vmid, name, opts } = args(ROLLBACK, argv);
  return withConfigLock(ctx, vmid, () => {
    const { conf } = loadConf(ctx, vmid);
    const snap = conf.snapshots.get(name);
    if (!snap) throw new SimError(`snapshot '${name}' does not exist`);
    checkLock(conf);
    if (isRunning(ctx, vmid)) setRunning(ctx, vmid, false);
    const restored = cloneSection(snap);
    restored.keys.delete("snaptime");
    restored.keys.delete("snapstate");
    restored.keys.set("parent", name);
    if (conf.main.description !== undefined) restored.description = conf.main.description;
    else delete restored.description;
    const keep = new Set([...restored.keys].map(([k, v]) => volumeOf(k, v)).filter(Boolean));
    for (const [k, v] of conf.main.keys) {
      const vol = volumeOf(k, v);
      if (vol && !keep.has(vol)) addUnused(restored, vol);
    }
    conf.main = restored;
    delete conf.pending;
    saveConf(ctx, vmid, conf);
    if (opts.get("start") === "1") setRunning(ctx, vmid, true);
    return 0;
  });
}

export function pctDelsnapshot(ctx: Ctx, argv: string[]): number {
  const { vmid, name } = args(DELSNAP, argv);
  return withConfigLock(ctx, vmid, () => {
    const { conf } = loadConf(ctx, vmid);
    const snap = conf.snapshots.get(name);
    if (!snap) throw new SimError(`snapshot '${name}' does not exist`);
    checkLock(conf);
    const parent = snap.keys.get("parent");
    const reparent = (s: ConfSection): void => {
      if (s.keys.get("parent") !== name) return;
      if (parent) s.keys.set("parent", parent);
      else s.keys.delete("parent");
    };
    conf.snapshots.delete(name);
    reparent(conf.main);
    for (const s of conf.snapshots.values()) reparent(s);
    saveConf(ctx, vmid, conf);
    return 0;
  });
}

function timeString(epoch: string | undefined): string {
  if (!epoch) return "";
  const d = new Date(Number(epoch) * 1000);
  const p = (n: number): string => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
}

export function pctListsnapshot(ctx: Ctx, argv: string[]): number {
  const s: VerbSpec = { usage: "pct listsnapshot <vmid>", positional: ["vmid"], options: {} };
  const a = parseArgs(s, argv);
  const vmid = checkVmid(a.pos["vmid"]!, s.usage);
  const { conf } = loadConf(ctx, vmid);
  interface Node {
    name: string;
    parent?: string;
    snaptime?: string;
    description: string;
  }
  const nodes: Node[] = [...conf.snapshots].map(([n, sec]) => {
    const node: Node = { name: n, description: sec.description?.split("\n")[0] || "no-description" };
    const parent = sec.keys.get("parent");
    if (parent) node.parent = parent;
    const t = sec.keys.get("snaptime");
    if (t) node.snaptime = t;
    return node;
  });
  const current: Node = { name: "current", description: "You are here!" };
  const mainParent = conf.main.keys.get("parent");
  if (mainParent) current.parent = mainParent;
  nodes.push(current);
  const known = new Set(nodes.map((n) => n.name));
  const children = (p: string | undefined): Node[] =>
    nodes
      .filter((n) => (p === undefined ? !n.parent || !known.has(n.parent) : n.parent === p))
      .sort((x, y) => (x.name === "current" ? 1 : y.name === "current" ? -1 : Number(x.snaptime ?? 0) - Number(y.snaptime ?? 0)));
  const print = (n: Node, indent: number): void => {
    const prefix = " ".repeat(indent) + "`->";
    const len = 30 - prefix.length;
    ctx.out(`${prefix} ${n.name.padEnd(len)} ${timeString(n.snaptime).padEnd(23)} ${n.description}\n`);
    if (n.name !== "current") for (const c of children(n.name)) print(c, indent + 1);
  };
  for (const r of children(undefined)) print(r, 0);
  return 0;
}
