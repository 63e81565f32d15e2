// The simulated `zfs` executable: create, set, inherit, get, list, destroy and snapshot of
// filesystems, with OpenZFS's output formats and refusals (cmd/zfs/zfs_main.c for argument
// handling and the texts it prints itself; lib/libzfs libzfs_dataset.c / libzfs_util.c for the
// "cannot <action> '<name>': <reason>" errors, which zfs_verror prints as "%s: %s"). Errors exit
// 1; usage errors exit 2 (zfs_main.c usage(B_FALSE)). Volumes (-V) are not simulated.
import type { Ctx } from "./ctx.js";
import { SimError } from "./errors.js";
import { isUserProp, niceNum, propNamed, PropError, parseValue, GET_ALL_ORDER, type PropDef } from "./zfs-props.js";
import {
  allDatasets,
  allProps,
  ensureMountDir,
  isMounted,
  loadStore,
  mountDir,
  parentOf,
  poolOf,
  removeMountDir,
  resolveProp,
  usageOf,
  withStore,
  type DatasetRec,
  type ZfsStore,
} from "./zfs-store.js";
import { existsSync, mkdirSync, renameSync } from "node:fs";
import { dirname } from "node:path";
import { forgetOwners } from "./zfs-fs.js";

const USAGE: Record<string, string> = {
  create: "\tcreate [-Pnpuv] [-o property=value] ... <filesystem>",
  set: "\tset [-u] <property=value> ... <filesystem|volume|snapshot> ...",
  inherit: "\tinherit [-rS] <property> <filesystem|volume|snapshot> ...",
  get: '\tget [-rHp] [-j [--json-int]] [-d max] [-o "all" | field[,...]]\n\t    [-t type[,...]] [-s source[,...]]\n\t    <"all" | property[,...]> [filesystem|volume|snapshot|bookmark] ...',
  list: "\tlist [-Hp] [-j [--json-int]] [-r|-d max] [-o property[,...]] [-s property]...\n\t    [-S property]... [-t type[,...]] [filesystem|volume|snapshot] ...",
  destroy: "\tdestroy [-fnpRrv] <filesystem|volume>\n\tdestroy [-dnpRrv] <filesystem|volume>@<snap>[%<snap>][,...]",
  snapshot: "\tsnapshot [-r] [-o property=value] ... <filesystem|volume>@<snapname> ...",
};

function usageError(verb: string, message: string): SimError {
  return new SimError(`${message}\nusage:\n${USAGE[verb] ?? ""}\n\nFor the property list, run: zfs set|get\n`, 2);
}

/** GNU getopt as zfs_main.c uses it (operands may come before options; "--" ends options). */
function getopt(verb: string, argv: string[], flags: string, withArg: string): { opts: [string, string][]; operands: string[] } {
  const opts: [string, string][] = [];
  const operands: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === "--") {
      operands.push(...argv.slice(i + 1));
      break;
    }
    if (!a.startsWith("-") || a === "-") {
      operands.push(a);
      continue;
    }
    for (let j = 1; j < a.length; j++) {
      const c = a[j]!;
      if (withArg.includes(c)) {
        const val = j + 1 < a.length ? a.slice(j + 1) : argv[++i];
        if (val === undefined) throw usageError(verb, `missing argument for '${c}' option`);
        opts.push([c, val]);
        break;
      }
      if (!flags.includes(c)) throw usageError(verb, `invalid option '${c}'`);
      opts.push([c, ""]);
    }
  }
  return { opts, operands };
}

const has = (opts: [string, string][], c: string) => opts.some(([k]) => k === c);

/** zfs_main.c parseprop: "prop=value" into an ordered map, refusing repeats. */
function parseProps(verb: string, args: string[], into = new Map<string, string>()): Map<string, string> {
  for (const a of args) {
    const eq = a.indexOf("=");
    if (eq < 0) throw usageError(verb, "missing '=' for property=value argument");
    const k = a.slice(0, eq);
    if (into.has(k)) throw usageError(verb, `property '${k}' specified multiple times`);
    into.set(k, a.slice(eq + 1));
  }
  return into;
}

/** libzfs_dataset.c zfs_validate_name (+ zcommon entity_namecheck), aux texts. */
function nameProblem(name: string, snapshot: boolean): string | undefined {
  if (!snapshot && name.includes("@")) return "snapshot delimiter '@' is not expected here";
  if (snapshot && !name.includes("@")) return "missing '@' delimiter in snapshot name";
  if (name.includes("#")) return "bookmark delimiter '#' is not expected here";
  if (name.length >= 256) return "name is too long";
  if (name.startsWith("/")) return "leading slash in name";
  if (name.endsWith("/")) return "trailing slash in name";
  if ((name.match(/@/g) ?? []).length > 1) return "multiple '@' and/or '#' delimiters in name";
  for (const comp of name.split(/[/@]/)) {
    if (comp === "") return "empty component or misplaced '@' or '#' delimiter in name";
    if (comp === ".") return "self reference, '.' is found in name";
    if (comp === "..") return "parent reference, '..' is found in name";
    const bad = /[^A-Za-z0-9_.: -]/.exec(comp);
    if (bad) return `invalid character '${bad[0]}' in name`;
  }
  if (!/^[A-Za-z]/.test(name)) return "pool doesn't begin with a letter";
  return undefined;
}

const fail = (message: string): SimError => new SimError(message, 1);
const notFound = (name: string): SimError => fail(`cannot open '${name}': dataset does not exist`);

/**
 * zfs_valid_proplist for one property: user properties pass; unknown ones are "invalid
 * property"; readonly and (on an existing dataset) set-once ones are "'x' is readonly".
 */
function validProp(key: string, raw: string, creating: boolean): { key: string; value: string; def?: PropDef } {
  const def = propNamed(key);
  if (!def) {
    if (isUserProp(key)) {
      if (raw.length > 8192) throw new PropError(`property value '${raw}' is too long`);
      return { key, value: raw };
    }
    throw new PropError(`invalid property '${key}'`);
  }
  if (def.cls === "readonly" || (def.cls === "onetime" && !creating)) throw new PropError(`'${key}' is readonly`);
  return { key: def.name, value: parseValue(def, raw), def };
}

function validProps(props: Map<string, string>, creating: boolean, errbuf: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of props) {
    try {
      const p = validProp(k, v, creating);
      out[p.key] = p.value;
    } catch (e) {
      if (e instanceof PropError) throw fail(`${errbuf}: ${e.message}`);
      throw e;
    }
  }
  return out;
}

// ---------------------------------------------------------------- create

/** zfs_create's own checks in its order: name, pool, parent, exists, properties, encryption. */
function createOne(ctx: Ctx, store: ZfsStore, name: string, local: Record<string, string>, mount: boolean): void {
  const all = allDatasets(ctx, store);
  const errbuf = `cannot create '${name}'`;
  if (!(poolOf(name) in store.pools)) throw fail(`${errbuf}: no such pool '${poolOf(name)}'`);
  const parent = parentOf(name);
  if (parent === undefined) throw fail(`${errbuf}: missing dataset name`);
  if (!all.has(parent)) throw fail(`${errbuf}: parent does not exist`);
  if (all.has(name)) throw fail(`${errbuf}: dataset already exists`);
  // libzfs_crypto.c zfs_crypto_create: a new encryption root needs a key format.
  if (local["encryption"] && local["encryption"] !== "off" && !local["keyformat"]) throw fail("Encryption create error: Keyformat required for new encryption root.");
  // zfs_fill_zplprops: normalization, utf8only and casesensitivity come from the parent when not given.
  const fixed: Record<string, string> = {};
  for (const p of ["normalization", "utf8only", "casesensitivity", "encryption"]) {
    const v = local[p] ?? all.get(parent)!.local[p];
    if (v !== undefined) fixed[p] = v;
  }
  store.txg += 1;
  const rec: DatasetRec = {
    local: { ...local, ...fixed },
    creation: Math.floor(Date.now() / 1000),
    guid: String(Date.now() % 1e9) + String(store.txg).padStart(5, "0"),
    createtxg: store.txg,
    objsetid: 54 + store.txg,
    type: "filesystem",
    snapshots: {},
  };
  store.datasets[name] = rec;
  all.set(name, rec);
  if (mount && isMounted(all, name)) ensureMountDir(ctx, resolveProp(all, name, propNamed("mountpoint")!).value);
}

function zfsCreate(ctx: Ctx, argv: string[]): number {
  const { opts, operands } = getopt("create", argv, "Ppnuv", "o");
  if (opts.some(([k]) => k === "V")) throw fail("volumes are not simulated");
  if (operands.length === 0) throw usageError("create", "missing filesystem argument");
  if (operands.length > 1) throw usageError("create", "too many arguments");
  const props = parseProps(
    "create",
    opts.filter(([k]) => k === "o").map(([, v]) => v),
  );
  const name = operands[0]!;
  const bad = nameProblem(name, false);
  if (bad) throw fail(`cannot create '${name}': ${bad}`);
  return withStore(ctx, (store) => {
    const all = allDatasets(ctx, store);
    if (has(opts, "p")) {
      // zfs_main.c zfs_do_create: with -p an existing dataset is success, and nothing is set.
      if (all.has(name)) return 0;
      const missing: string[] = [];
      for (let p = parentOf(name); p !== undefined && !all.has(p); p = parentOf(p)) missing.unshift(p);
      if (missing.length && !(poolOf(name) in store.pools)) throw fail(`cannot create '${name}': no such pool '${poolOf(name)}'`);
      // zfs_create_ancestors makes each missing parent with no properties and mounts it.
      for (const p of missing) createOne(ctx, store, p, {}, true);
    }
    const local = validProps(props, true, `cannot create '${name}'`);
    createOne(ctx, store, name, local, !has(opts, "u"));
    return 0;
  });
}

// ---------------------------------------------------------------- set / inherit

/** Moves a dataset's files (and its children's) when its mountpoint changes, as a remount does. */
function remount(ctx: Ctx, before: Map<string, string>, store: ZfsStore): void {
  const all = allDatasets(ctx, store);
  for (const [name, oldMp] of before) {
    if (!all.has(name)) continue;
    const mp = isMounted(all, name) ? resolveProp(all, name, propNamed("mountpoint")!).value : "";
    if (mp === oldMp) continue;
    const from = mountDir(ctx, oldMp);
    const to = mountDir(ctx, mp);
    if (to && !existsSync(to)) {
      mkdirSync(dirname(to), { recursive: true });
      if (from && existsSync(from) && !to.startsWith(from + "/")) renameSync(from, to);
      else mkdirSync(to, { recursive: true });
    }
  }
}

function mountpoints(ctx: Ctx, store: ZfsStore): Map<string, string> {
  const all = allDatasets(ctx, store);
  return new Map([...all.keys()].map((n) => [n, isMounted(all, n) ? resolveProp(all, n, propNamed("mountpoint")!).value : ""]));
}

function zfsSet(ctx: Ctx, argv: string[]): number {
  const { operands } = getopt("set", argv, "u", "");
  if (operands.length < 1) throw usageError("set", "missing arguments");
  if (operands.length < 2) throw usageError("set", operands[0]!.includes("=") ? "missing dataset name(s)" : "missing property=value argument(s)");
  const dsStart = operands.findIndex((a) => !a.includes("="));
  if (dsStart < 0) throw usageError("set", "missing dataset name(s)");
  if (operands.slice(dsStart).some((a) => a.includes("="))) throw usageError("set", "invalid argument order");
  const props = parseProps("set", operands.slice(0, dsStart));
  let code = 0;
  withStore(ctx, (store) => {
    for (const name of operands.slice(dsStart)) {
      const all = allDatasets(ctx, store);
      const rec = all.get(name);
      if (!rec) {
        ctx.err(notFound(name).message + "\n");
        code = 1;
        continue;
      }
      const errbuf = `cannot set property for '${name}'`;
      let local: Record<string, string>;
      try {
        local = validProps(props, false, errbuf);
        checkSpace(ctx, store, all, name, local, errbuf);
      } catch (e) {
        if (!(e instanceof SimError)) throw e;
        ctx.err(e.render());
        code = 1;
        continue;
      }
      const before = mountpoints(ctx, store);
      const own = store.datasets[name] ?? (store.datasets[name] = { ...rec, local: {} });
      own.local = { ...own.local, ...local };
      remount(ctx, before, store);
    }
  });
  return code;
}

/** libzfs_util.c zfs_setprop_error ENOSPC: a quota below what is used, a reservation above what is free. */
function checkSpace(ctx: Ctx, store: ZfsStore, all: Map<string, DatasetRec>, name: string, local: Record<string, string>, errbuf: string): void {
  const u = usageOf(ctx, store, all).get(name)!;
  const q = Number(local["quota"] ?? 0);
  const rq = Number(local["refquota"] ?? 0);
  if ((q > 0 && q < u.used) || (rq > 0 && rq < u.referenced)) throw fail(`${errbuf}: size is less than current used or reserved space`);
  for (const k of ["reservation", "refreservation"]) {
    const r = Number(local[k] ?? 0);
    if (r > u.available + u.used) throw fail(`${errbuf}: size is greater than available space`);
  }
}

function zfsInherit(ctx: Ctx, argv: string[]): number {
  const { opts, operands } = getopt("inherit", argv, "rS", "");
  if (operands.length < 1) throw usageError("inherit", "missing property argument");
  if (operands.length < 2) throw usageError("inherit", "missing dataset argument");
  const [key, ...names] = operands as [string, ...string[]];
  const def = propNamed(key);
  if (def) {
    // zfs_main.c zfs_do_inherit: zfs_prop_readonly covers set-once properties too.
    if (def.cls === "readonly" || def.cls === "onetime") throw fail(`${key} property is read-only`);
    if (def.cls === "default" && !has(opts, "S")) {
      const quotaLike = ["quota", "reservation", "refquota", "refreservation"].includes(def.name);
      throw fail(`'${key}' property cannot be inherited` + (quotaLike ? `\nuse 'zfs set ${key}=none' to clear\nuse 'zfs inherit -S ${key}' to revert to received value` : ""));
    }
  } else if (!isUserProp(key)) throw usageError("inherit", `invalid property '${key}'`);
  const prop = def?.name ?? key;
  let code = 0;
  withStore(ctx, (store) => {
    const all = allDatasets(ctx, store);
    const before = mountpoints(ctx, store);
    for (const name of names) {
      if (!all.has(name)) {
        ctx.err(notFound(name).message + "\n");
        code = 1;
        continue;
      }
      const targets = has(opts, "r") ? [...all.keys()].filter((n) => n === name || n.startsWith(name + "/")) : [name];
      for (const t of targets) {
        const rec = store.datasets[t];
        if (rec) delete rec.local[prop];
      }
    }
    remount(ctx, before, store);
  });
  return code;
}

// ---------------------------------------------------------------- get / list

function splitList(v: string): string[] {
  return v.split(",").filter((s) => s !== "");
}

/** The datasets an iteration visits: named ones (and with -r/-d their descendants), or all. */
function selected(all: Map<string, DatasetRec>, names: string[], recurse: boolean, depth: number | undefined, types: Set<string>, errors: string[]): string[] {
  const sorted = [...all.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const snaps = (n: string) =>
    Object.keys(all.get(n)!.snapshots)
      .sort()
      .map((s) => `${n}@${s}`);
  const expand = (list: string[]) => list.flatMap((n) => [...(types.has(all.get(n)!.type) ? [n] : []), ...(types.has("snapshot") ? snaps(n) : [])]);
  if (names.length === 0) return expand(sorted);
  const out: string[] = [];
  for (const n of names) {
    if (n.includes("@")) {
      const [ds, snap] = n.split("@") as [string, string];
      if (all.get(ds)?.snapshots[snap]) out.push(n);
      else errors.push(`cannot open '${n}': dataset does not exist`);
      continue;
    }
    if (!all.has(n)) {
      errors.push(`cannot open '${n}': dataset does not exist`);
      continue;
    }
    const base = n.split("/").length;
    const level = (d: string) => d.split("/").length - base;
    const within = sorted.filter((d) => d === n || ((recurse || depth !== undefined) && d.startsWith(n + "/") && (depth === undefined || level(d) <= depth)));
    // zfs_iter: a snapshot is one level below its dataset, so -d 1 lists the dataset's own snapshots and its children.
    out.push(
      ...within.flatMap((d) => [
        ...(types.has(all.get(d)!.type) ? [d] : []),
        ...(types.has("snapshot") && (depth === undefined || level(d) < depth || (!recurse && depth === undefined)) ? snaps(d) : []),
      ]),
    );
  }
  return [...new Set(out)];
}

function parseTypes(verb: string, v: string | undefined, dflt: string[]): Set<string> {
  if (v === undefined) return new Set(dflt);
  const out = new Set<string>();
  for (const t of splitList(v)) {
    if (t === "all") ["filesystem", "volume", "snapshot"].forEach((x) => out.add(x));
    else if (["filesystem", "volume", "snapshot", "bookmark"].includes(t)) out.add(t);
    else if (t === "fs") out.add("filesystem");
    else if (t === "snap") out.add("snapshot");
    else if (t === "vol") out.add("volume");
    else throw usageError(verb, `invalid type '${t}'`);
  }
  return out;
}

interface Row {
  property: string;
  value: string;
  source: string;
}

function snapshotRows(all: Map<string, DatasetRec>, full: string): Row[] {
  const [ds, snap] = full.split("@") as [string, string];
  const s = all.get(ds)!.snapshots[snap]!;
  return [
    { property: "type", value: "snapshot", source: "-" },
    { property: "creation", value: String(s.creation), source: "-" },
    { property: "used", value: "0", source: "-" },
    { property: "referenced", value: String(s.referenced), source: "-" },
    { property: "guid", value: s.guid, source: "-" },
    { property: "createtxg", value: String(s.createtxg), source: "-" },
  ];
}

/** How `zfs get`/`zfs list` print a value without -p: sizes as zfs_nicenum, quotas of 0 as "none". */
function human(property: string, value: string): string {
  const def = propNamed(property);
  if (property === "creation") return ctimeOf(Number(value));
  if (property === "compressratio") return `${value}x`;
  if (!def || def.kind !== "number" || ["guid", "createtxg", "objsetid", "creation"].includes(property)) return value;
  if (def.noneIsZero && value === "0") return "none";
  return /^\d+$/.test(value) ? niceNum(Number(value)) : value;
}

/** zfs_prop_get ZFS_PROP_CREATION: strftime "%a %b %e %H:%M %Y" in local time. */
function ctimeOf(epoch: number): string {
  const d = new Date(epoch * 1000);
  const day = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"][d.getDay()]!;
  const mon = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"][d.getMonth()]!;
  const two = (n: number) => String(n).padStart(2, "0");
  return `${day} ${mon} ${String(d.getDate()).padStart(2, " ")} ${two(d.getHours())}:${two(d.getMinutes())} ${d.getFullYear()}`;
}

function printTable(ctx: Ctx, header: string[], rows: string[][], scripted: boolean): void {
  if (scripted) {
    ctx.out(rows.map((r) => r.join("\t") + "\n").join(""));
    return;
  }
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (r: string[]) =>
    r
      .map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!)))
      .join("  ")
      .trimEnd() + "\n";
  ctx.out([header, ...rows].map(line).join(""));
}

const SOURCES: Record<string, (s: string) => boolean> = {
  local: (s) => s === "local",
  default: (s) => s === "default",
  inherited: (s) => s.startsWith("inherited"),
  temporary: (s) => s === "temporary",
  received: (s) => s === "received",
  none: (s) => s === "-",
};

function zfsGet(ctx: Ctx, argv: string[]): number {
  const { opts, operands } = getopt("get", argv, "rHp", "dots");
  const opt = (c: string) => opts.filter(([k]) => k === c).pop()?.[1];
  let fields = ["name", "property", "value", "source"];
  const o = opt("o");
  if (o !== undefined) {
    fields = [];
    for (const f of splitList(o)) {
      if (f === "all") fields = ["name", "property", "value", "received", "source"];
      else if (["name", "property", "value", "received", "source"].includes(f)) fields.push(f);
      else throw usageError("get", `invalid column name '${f}'`);
    }
  }
  const sources = opt("s") !== undefined ? splitList(opt("s")!) : undefined;
  for (const s of sources ?? []) if (!SOURCES[s]) throw usageError("get", `invalid source '${s}'`);
  const types = parseTypes("get", opt("t"), ["filesystem", "volume", "snapshot"]);
  if (operands.length === 0) throw usageError("get", "missing property argument");
  const [propArg, ...names] = operands as [string, ...string[]];
  let wanted: string[] | "all";
  if (propArg === "all") wanted = "all";
  else {
    wanted = [];
    for (const p of splitList(propArg)) {
      const def = propNamed(p);
      if (!def && !isUserProp(p)) throw usageError("get", `bad property list: invalid property '${p}'`);
      wanted.push(def?.name ?? p);
    }
  }
  const store = loadStore(ctx);
  const all = allDatasets(ctx, store);
  const usage = usageOf(ctx, store, all);
  const errors: string[] = [];
  const depth = opt("d") !== undefined ? Number(opt("d")) : undefined;
  const list = selected(all, names, has(opts, "r"), depth, types, errors);
  const rows: string[][] = [];
  const scripted = has(opts, "H");
  const parsable = has(opts, "p");
  for (const n of list) {
    const props = n.includes("@") ? snapshotRows(all, n) : allProps(ctx, all, usage, n);
    const byName = new Map(props.map((r) => [r.property, r]));
    const chosen = wanted === "all" ? props : wanted.map((p) => byName.get(p) ?? { property: p, value: "-", source: "-" });
    for (const r of chosen) {
      if (sources && !sources.some((s) => SOURCES[s]!(r.source))) continue;
      const value = parsable ? r.value : human(r.property, r.value);
      const cells: Record<string, string> = { name: n, property: r.property, value, received: "-", source: r.source };
      rows.push(fields.map((f) => cells[f]!));
    }
  }
  printTable(
    ctx,
    fields.map((f) => f.toUpperCase()),
    rows,
    scripted,
  );
  for (const e of errors) ctx.err(e + "\n");
  return errors.length ? 1 : 0;
}

function zfsList(ctx: Ctx, argv: string[]): number {
  const { opts, operands } = getopt("list", argv, "rHp", "dostS");
  const opt = (c: string) => opts.filter(([k]) => k === c).pop()?.[1];
  const fields = opt("o") !== undefined ? splitList(opt("o")!) : ["name", "used", "available", "referenced", "mountpoint"];
  for (const f of fields) if (f !== "name" && !propNamed(f) && !isUserProp(f)) throw usageError("list", `invalid property '${f}'`);
  const types = parseTypes("list", opt("t"), ["filesystem", "volume"]);
  const store = loadStore(ctx);
  const all = allDatasets(ctx, store);
  const usage = usageOf(ctx, store, all);
  const errors: string[] = [];
  const depth = opt("d") !== undefined ? Number(opt("d")) : undefined;
  const list = selected(all, operands, has(opts, "r"), depth, types, errors);
  const parsable = has(opts, "p");
  const rows = list.map((n) => {
    const props = n.includes("@") ? snapshotRows(all, n) : allProps(ctx, all, usage, n);
    const byName = new Map(props.map((r) => [r.property, r]));
    return fields.map((f) => {
      if (f === "name") return n;
      const p = propNamed(f)?.name ?? f;
      const v = byName.get(p)?.value ?? "-";
      return parsable ? v : human(p, v);
    });
  });
  const header = fields.map((f) => (f === "available" ? "AVAIL" : f === "referenced" ? "REFER" : f.toUpperCase()));
  if (rows.length === 0 && errors.length === 0 && operands.length === 0) ctx.out("no datasets available\n");
  else printTable(ctx, header, rows, has(opts, "H"));
  for (const e of errors) ctx.err(e + "\n");
  return errors.length ? 1 : 0;
}

// ---------------------------------------------------------------- destroy / snapshot

function zfsDestroy(ctx: Ctx, argv: string[]): number {
  const { opts, operands } = getopt("destroy", argv, "fnpRrvd", "");
  if (operands.length === 0) throw usageError("destroy", "missing dataset argument");
  if (operands.length > 1) throw usageError("destroy", "too many arguments");
  const name = operands[0]!;
  const recurse = has(opts, "r") || has(opts, "R");
  return withStore(ctx, (store) => {
    const all = allDatasets(ctx, store);
    if (name.includes("@")) {
      const [ds, snap] = name.split("@") as [string, string];
      const rec = store.datasets[ds];
      if (!rec?.snapshots[snap]) throw fail("could not find any snapshots to destroy; check snapshot names.");
      if (!has(opts, "n")) delete rec.snapshots[snap];
      return 0;
    }
    if (!all.has(name)) throw notFound(name);
    // zfs_main.c zfs_do_destroy: a pool's root filesystem is never destroyed.
    if (!name.includes("/") && !recurse) {
      throw fail(
        `cannot destroy '${name}': operation does not apply to pools\nuse 'zfs destroy -r ${name}' to destroy all datasets in the pool\nuse 'zpool destroy ${name}' to destroy the pool itself`,
      );
    }
    const descendants = [...all.keys()].filter((n) => n.startsWith(name + "/")).sort();
    const snapshots = [name, ...descendants].flatMap((n) => Object.keys(all.get(n)!.snapshots).map((s) => `${n}@${s}`));
    if (!recurse && (descendants.length || snapshots.length)) {
      // destroy_check_dependent: children and snapshots are both dependents listed by name.
      throw fail(`cannot destroy '${name}': filesystem has children\nuse '-r' to destroy the following datasets:\n${[...snapshots, ...descendants].join("\n")}`);
    }
    if (has(opts, "n")) return 0;
    const gone = name.includes("/") ? [...descendants.reverse(), name] : descendants.reverse();
    const mps = mountpoints(ctx, store);
    for (const n of gone) {
      const mp = mps.get(n) ?? "";
      if (mp) {
        removeMountDir(ctx, mp);
        forgetOwners(ctx, mp);
      }
      delete store.datasets[n];
    }
    return 0;
  });
}

function zfsSnapshot(ctx: Ctx, argv: string[]): number {
  const { opts, operands } = getopt("snapshot", argv, "r", "o");
  if (operands.length === 0) throw usageError("snapshot", "missing snapshot argument");
  return withStore(ctx, (store) => {
    const all = allDatasets(ctx, store);
    const usage = usageOf(ctx, store, all);
    for (const full of operands) {
      const bad = nameProblem(full, true);
      if (bad) throw fail(`cannot create snapshot '${full}': ${bad}`);
      const [ds, snap] = full.split("@") as [string, string];
      const targets = has(opts, "r") ? [...all.keys()].filter((n) => n === ds || n.startsWith(ds + "/")) : [ds];
      if (!all.has(ds)) throw fail(`cannot open '${ds}': dataset does not exist\nusage:\n${USAGE["snapshot"]}`);
      for (const t of targets) {
        const rec = store.datasets[t] ?? (store.datasets[t] = { ...all.get(t)!, local: {} });
        if (rec.snapshots[snap]) throw fail(`cannot create snapshot '${t}@${snap}': dataset already exists`);
        store.txg += 1;
        rec.snapshots[snap] = { creation: Math.floor(Date.now() / 1000), guid: String(Date.now() % 1e9) + String(store.txg), createtxg: store.txg, referenced: usage.get(t)?.referenced ?? 0 };
      }
    }
    return 0;
  });
}

export function runZfs(ctx: Ctx, argv: string[]): number {
  const [verb, ...rest] = argv;
  switch (verb) {
    case "create":
      return zfsCreate(ctx, rest);
    case "set":
      return zfsSet(ctx, rest);
    case "inherit":
      return zfsInherit(ctx, rest);
    case "get":
      return zfsGet(ctx, rest);
    case "list":
      return zfsList(ctx, rest);
    case "destroy":
      return zfsDestroy(ctx, rest);
    case "snapshot":
    case "snap":
      return zfsSnapshot(ctx, rest);
    case undefined:
      throw new SimError(`usage: zfs command args ...\nwhere 'command' is one of the following:\n\n${Object.values(USAGE).join("\n")}\n`, 2);
    default:
      throw new SimError(`unrecognized command '${verb}'\nusage: zfs command args ...\n`, 2);
  }
}

/** For tests and `zfs get` users: the order `zfs get all` prints. */
export { GET_ALL_ORDER };
