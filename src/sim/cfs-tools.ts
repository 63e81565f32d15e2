// `mkdir`, `touch`, `rmdir`, `dd`, `mv` and `rm` on the simulated node for paths in pmxcfs's private
// tree (/etc/pve/priv, or DIR/etc/pve/priv as a runner sees a simulated node): the argv a pmxform
// state backend sends over its runner to take, renew and release cluster locks (cfs-lock.ts) and
// to write, swap and remove its files (cfs-files.ts). Answers use GNU coreutils' texts and exit
// status 1 on failure; the bin scripts run the system's tool for every other path.
import { readFileSync } from "node:fs";
import { cfsLockMkdir, cfsLockRmdir, cfsLockUtime } from "./cfs-lock.js";
import { cfsMkdir, cfsRename, cfsRmdir, cfsUnlink, cfsWriteFile } from "./cfs-files.js";
import { lockNameOf, pveRelative } from "./cfs-path.js";
import type { Ctx } from "./ctx.js";
import { SimError } from "./errors.js";

export type CfsTool = "mkdir" | "touch" | "rmdir" | "dd" | "mv" | "rm";

const STRERROR: Record<string, string> = {
  EEXIST: "File exists",
  ENOENT: "No such file or directory",
  EACCES: "Permission denied",
  EINVAL: "Invalid argument",
  ENOTDIR: "Not a directory",
  EISDIR: "Is a directory",
  ENOTEMPTY: "Directory not empty",
  EFBIG: "File too large",
};

/** The path relative to etc/pve, which must lie in priv/ (the only part simulated for coreutils). */
function privPath(ctx: Ctx, tool: string, path: string | undefined): string {
  const rel = path === undefined ? undefined : pveRelative(ctx, path);
  if (!rel || !(rel === "priv" || rel.startsWith("priv/"))) {
    throw new SimError(`${tool}: only paths under /etc/pve/priv/ are simulated (got '${path ?? ""}')`, 2);
  }
  return rel;
}

function fail(ctx: Ctx, text: string): number {
  ctx.err(text + "\n");
  return 1;
}

/**
 * Splits a coreutils argv's leading options (single letters, `--` ends them) from its operands;
 * a letter outside `allowed` is refused as not simulated (`where` says for which paths).
 */
export function coreutilsOptions(tool: string, argv: string[], allowed: string, where = ""): { flags: Set<string>; operands: string[] } {
  const flags = new Set<string>();
  let i = 0;
  for (; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === "--") {
      i++;
      break;
    }
    if (!a.startsWith("-") || a === "-") break;
    for (const f of a.slice(1)) {
      if (!allowed.includes(f)) throw new SimError(`${tool}: option -${f} is not simulated${where}`, 2);
      flags.add(f);
    }
  }
  return { flags, operands: argv.slice(i) };
}

export function runCfsTool(ctx: Ctx, tool: CfsTool, argv: string[]): number {
  switch (tool) {
    case "mkdir":
      return mkdir(ctx, argv);
    case "rmdir":
      return rmdir(ctx, argv);
    case "touch":
      return touch(ctx, argv);
    case "dd":
      return dd(ctx, argv);
    case "mv":
      return mv(ctx, argv);
    case "rm":
      return rm(ctx, argv);
  }
}

function mkdir(ctx: Ctx, argv: string[]): number {
  const { flags, operands } = coreutilsOptions("mkdir", argv, "p");
  if (operands.length !== 1) throw new SimError("mkdir: exactly one PATH is simulated", 2);
  const path = operands[0]!;
  const rel = privPath(ctx, "mkdir", path);
  const lock = lockNameOf(rel);
  // `mkdir -p` on a lock would report success for a lock someone else holds: never what a caller means.
  if (lock && flags.has("p")) throw new SimError("mkdir: -p on a cluster lock is not simulated (it cannot tell a taken lock from a held one)", 2);
  const err = lock ? cfsLockMkdir(ctx, lock) : cfsMkdir(ctx, rel, flags.has("p"));
  return err ? fail(ctx, `mkdir: cannot create directory '${path}': ${STRERROR[err]}`) : 0;
}

function rmdir(ctx: Ctx, argv: string[]): number {
  const { operands } = coreutilsOptions("rmdir", argv, "");
  if (operands.length !== 1) throw new SimError("rmdir: exactly one PATH is simulated", 2);
  const path = operands[0]!;
  const rel = privPath(ctx, "rmdir", path);
  const lock = lockNameOf(rel);
  const err = lock ? cfsLockRmdir(ctx, lock) : cfsRmdir(ctx, rel);
  return err ? fail(ctx, `rmdir: failed to remove '${path}': ${STRERROR[err]}`) : 0;
}

/** touch [-c] [-d @EPOCH] LOCK: renew (now or EPOCH); `-d @0` is pmxcfs's unlock request. */
function touch(ctx: Ctx, argv: string[]): number {
  let noCreate = false;
  let when: number | undefined;
  const rest: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === "-c") noCreate = true;
    else if (a === "-d") {
      const m = /^@(\d+)$/.exec(argv[++i] ?? "");
      if (!m) throw new SimError("touch: only -d @EPOCH is simulated", 2);
      when = Number(m[1]);
    } else rest.push(a);
  }
  if (rest.length !== 1) throw new SimError("touch: exactly one PATH is simulated", 2);
  const path = rest[0]!;
  const lock = lockNameOf(privPath(ctx, "touch", path));
  if (!lock) throw new SimError("touch: only cluster locks (/etc/pve/priv/lock/NAME) are simulated", 2);
  const err = cfsLockUtime(ctx, lock, when ?? Math.floor(Date.now() / 1000));
  if (err === "ENOENT") {
    if (noCreate) return 0;
    throw new SimError(`touch: creating a file under /etc/pve/priv/lock is not simulated (pass -c)`, 2);
  }
  return err ? fail(ctx, `touch: setting times of '${path}': ${STRERROR[err]}`) : 0;
}

/** dd of=FILE [bs=N] [status=none]: stdin into FILE, written in blocks of bs (default 512) bytes. */
function dd(ctx: Ctx, argv: string[]): number {
  let of: string | undefined;
  let bs = 512;
  let quiet = false;
  for (const a of argv) {
    const [k, v] = [a.slice(0, a.indexOf("=")), a.slice(a.indexOf("=") + 1)];
    if (k === "of") of = v;
    else if (k === "bs" && /^\d+$/.test(v)) bs = Number(v);
    else if (k === "status" && v === "none") quiet = true;
    else throw new SimError(`dd: operand '${a}' is not simulated`, 2);
  }
  if (!of || !quiet) throw new SimError("dd: only `dd of=FILE [bs=N] status=none` is simulated", 2);
  const rel = privPath(ctx, "dd", of);
  if (lockNameOf(rel)) return fail(ctx, `dd: failed to open '${of}': Is a directory`);
  const data = readFileSync(0);
  const err = cfsWriteFile(ctx, rel, data, bs || 512);
  if (!err) return 0;
  return fail(ctx, err === "EFBIG" ? `dd: error writing '${of}': ${STRERROR[err]}` : `dd: failed to open '${of}': ${STRERROR[err]}`);
}

/** mv [-f] -T SRC DST within the private tree (rename(2)). */
function mv(ctx: Ctx, argv: string[]): number {
  const { flags, operands } = coreutilsOptions("mv", argv, "fT");
  if (operands.length !== 2 || !flags.has("T")) throw new SimError("mv: only `mv [-f] -T SRC DST` is simulated", 2);
  const [from, to] = operands as [string, string];
  const err = cfsRename(ctx, privPath(ctx, "mv", from), privPath(ctx, "mv", to));
  if (!err) return 0;
  return fail(ctx, err === "ENOENT" ? `mv: cannot stat '${from}': ${STRERROR[err]}` : `mv: cannot move '${from}' to '${to}': ${STRERROR[err]}`);
}

/** rm [-f] PATH...: unlink each; -f ignores missing ones. */
function rm(ctx: Ctx, argv: string[]): number {
  const { flags, operands } = coreutilsOptions("rm", argv, "f");
  let code = 0;
  for (const path of operands) {
    const err = cfsUnlink(ctx, privPath(ctx, "rm", path));
    if (!err || (err === "ENOENT" && flags.has("f"))) continue;
    code = fail(ctx, `rm: cannot remove '${path}': ${STRERROR[err]}`);
  }
  return code;
}
