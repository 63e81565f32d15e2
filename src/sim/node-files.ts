// A simulated node's own configuration files outside pmxcfs (/etc/samba, /etc/exports,
// /etc/exports.d), kept in DIR/nodes/<node>/etc/..., and the coreutils calls that read and write
// them: `mkdir [-p]`, `dd of=FILE status=none`, `mv [-f] -T SRC DST`, `rm [-f] [--] FILE...` and
// `grep -rHs "" [--] PATH...`. Answers use GNU coreutils' and grep's texts (coreutils
// src/mkdir.c, dd.c, mv.c/copy.c, remove.c; grep src/grep.c) and exit statuses (1 for the
// coreutils, 2 for a grep error); other forms are refused as not simulated.
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Ctx } from "./ctx.js";
import { paths } from "./ctx.js";
import { SimError } from "./errors.js";
import { coreutilsOptions } from "./cfs-tools.js";

/** Node paths the simulator keeps per node; the bin scripts route a call naming one of these here. */
export const NODE_FILE_PREFIXES = ["/etc/samba/", "/etc/exports.d/", "/etc/exports"];

export const isNodeFilePath = (p: string): boolean => p === "/etc/samba" || p.startsWith("/etc/samba/") || p === "/etc/exports" || p === "/etc/exports.d" || p.startsWith("/etc/exports.d/");

/** Whether a coreutils call is about the node's own files (a path operand, or dd's of=). */
export const isNodeFileCall = (argv: string[]): boolean => argv.some((a) => isNodeFilePath(a.startsWith("of=") ? a.slice(3) : a));

/** Where a node path lives in the simulator; `..` and other trees are refused so nothing leaves DIR. */
export function nodeFile(ctx: Ctx, path: string): string {
  const clean = path.replace(/\/+$/, "");
  if (!isNodeFilePath(clean) || clean.split("/").some((c) => c === "." || c === "..")) {
    throw new SimError(`only paths under /etc/samba, /etc/exports and /etc/exports.d are simulated as node files (got '${path}')`, 2);
  }
  return join(paths.nodeRoot(ctx.dir, ctx.node), clean);
}

function fail(ctx: Ctx, text: string, code = 1): number {
  ctx.err(text + "\n");
  return code;
}

const isDir = (p: string): boolean => existsSync(p) && statSync(p).isDirectory();

export function runNodeFileTool(ctx: Ctx, tool: string, argv: string[]): number {
  switch (tool) {
    case "mkdir":
      return mkdir(ctx, argv);
    case "dd":
      return dd(ctx, argv);
    case "mv":
      return mv(ctx, argv);
    case "rm":
      return rm(ctx, argv);
    case "grep":
      return grep(ctx, argv);
    default:
      throw new SimError(`${tool}: not simulated for node files`, 2);
  }
}

function mkdir(ctx: Ctx, argv: string[]): number {
  const { flags, operands } = coreutilsOptions("mkdir", argv, "p", " for node files");
  let code = 0;
  for (const path of operands) {
    const real = nodeFile(ctx, path);
    if (isDir(real)) {
      if (!flags.has("p")) code = fail(ctx, `mkdir: cannot create directory '${path}': File exists`);
      continue;
    }
    if (existsSync(real)) {
      code = fail(ctx, `mkdir: cannot create directory '${path}': File exists`);
      continue;
    }
    if (!flags.has("p") && !isDir(join(real, ".."))) {
      code = fail(ctx, `mkdir: cannot create directory '${path}': No such file or directory`);
      continue;
    }
    mkdirSync(real, { recursive: flags.has("p") });
  }
  return code;
}

/** dd of=FILE status=none: stdin into FILE (created or truncated; the directory must exist). */
function dd(ctx: Ctx, argv: string[]): number {
  let of: string | undefined;
  let quiet = false;
  for (const a of argv) {
    if (a.startsWith("of=")) of = a.slice(3);
    else if (a === "status=none") quiet = true;
    else throw new SimError(`dd: operand '${a}' is not simulated for node files`, 2);
  }
  if (!of || !quiet) throw new SimError("dd: only `dd of=FILE status=none` is simulated for node files", 2);
  const real = nodeFile(ctx, of);
  if (isDir(real)) return fail(ctx, `dd: failed to open '${of}': Is a directory`);
  if (!isDir(join(real, ".."))) return fail(ctx, `dd: failed to open '${of}': No such file or directory`);
  writeFileSync(real, readFileSync(0));
  return 0;
}

/** mv [-f] -T SRC DST: rename(2), replacing DST (never into a directory). */
function mv(ctx: Ctx, argv: string[]): number {
  const { flags, operands } = coreutilsOptions("mv", argv, "fT", " for node files");
  if (operands.length !== 2 || !flags.has("T")) throw new SimError("mv: only `mv [-f] -T SRC DST` is simulated for node files", 2);
  const [from, to] = operands as [string, string];
  const src = nodeFile(ctx, from);
  const dst = nodeFile(ctx, to);
  if (!existsSync(src)) return fail(ctx, `mv: cannot stat '${from}': No such file or directory`);
  if (!isDir(join(dst, ".."))) return fail(ctx, `mv: cannot move '${from}' to '${to}': No such file or directory`);
  if (isDir(dst) && !isDir(src)) return fail(ctx, `mv: cannot overwrite directory '${to}' with non-directory`);
  renameSync(src, dst);
  return 0;
}

/** rm [-f] [--] FILE...: unlink each; -f ignores missing ones; directories are refused (no -r). */
function rm(ctx: Ctx, argv: string[]): number {
  const { flags, operands } = coreutilsOptions("rm", argv, "f", " for node files");
  let code = 0;
  for (const path of operands) {
    const real = nodeFile(ctx, path);
    if (!existsSync(real)) {
      if (!flags.has("f")) code = fail(ctx, `rm: cannot remove '${path}': No such file or directory`);
    } else if (isDir(real)) code = fail(ctx, `rm: cannot remove '${path}': Is a directory`);
    else rmSync(real);
  }
  return code;
}

/**
 * grep -rHs "" [--] PATH...: every line of every file, prefixed "PATH:"; directories recursively
 * (dot files included, as GNU grep -r). Exit 0 when a line was printed, 1 when none, 2 when a path
 * could not be read (-s only silences the message; grep.c still returns 2).
 */
function grep(ctx: Ctx, argv: string[]): number {
  const [opts, pattern, ...rest] = argv;
  if (opts !== "-rHs" || pattern !== "") throw new SimError('grep: only `grep -rHs "" [--] PATH...` is simulated for node files', 2);
  const operands = rest[0] === "--" ? rest.slice(1) : rest;
  let printed = false;
  let error = false;
  const emit = (shown: string, real: string): void => {
    const text = readFileSync(real, "utf8");
    if (text === "") return;
    const lines = text.endsWith("\n") ? text.slice(0, -1).split("\n") : text.split("\n");
    ctx.out(lines.map((l) => `${shown}:${l}\n`).join(""));
    printed = true;
  };
  const walk = (shown: string, real: string): void => {
    if (isDir(real)) {
      for (const e of readdirSync(real).sort()) walk(`${shown}/${e}`, join(real, e));
    } else emit(shown, real);
  };
  for (const path of operands) {
    const real = nodeFile(ctx, path);
    if (!existsSync(real)) {
      error = true;
      continue;
    }
    walk(path.replace(/\/+$/, ""), real);
  }
  return error ? 2 : printed ? 0 : 1;
}
