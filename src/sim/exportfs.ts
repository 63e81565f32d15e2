// The simulated `exportfs -ra` / `exportfs -v` (nfs-utils utils/exportfs/exportfs.c): reads
// /etc/exports and every /etc/exports.d/*.exports (not dot files: support/export/export.c
// export_d_read), parses each entry per exports(5) (support/nfs/exports.c getexportent, parseopts)
// and, when every entry parses, makes them the node's export table (DIR/nodes/<node>/var/lib/nfs/etab).
// Texts are nfs-utils' ("FILE:LINE: unknown keyword", "bad anonuid", the sync/async warning);
// where real exportfs exports the good entries beside a bad one, the simulator keeps the previous
// table and exits 1, so a broken file is never mistaken for a working one.
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Ctx } from "./ctx.js";
import { paths } from "./ctx.js";
import { SimError } from "./errors.js";
import { nodeFile } from "./node-files.js";

/** parseopts' keywords without a value, and those that take one (exports.c). */
const FLAGS = new Set([
  "ro",
  "rw",
  "secure",
  "insecure",
  "sync",
  "async",
  "wdelay",
  "no_wdelay",
  "hide",
  "nohide",
  "crossmnt",
  "nocrossmnt",
  "subtree_check",
  "no_subtree_check",
  "auth_nlm",
  "no_auth_nlm",
  "secure_locks",
  "insecure_locks",
  "root_squash",
  "no_root_squash",
  "all_squash",
  "no_all_squash",
  "acl",
  "no_acl",
  "mp",
  "mountpoint",
  "nordirplus",
  "security_label",
  "pnfs",
  "no_pnfs",
]);
const VALUED = new Set(["anonuid", "anongid", "fsid", "mp", "mountpoint", "refer", "replicas", "sec", "xprtsec"]);
const SEC_FLAVORS = new Set(["sys", "krb5", "krb5i", "krb5p", "none", "unix"]);

export const etabPath = (dir: string, node: string): string => join(paths.nodeRoot(dir, node), "var", "lib", "nfs", "etab");

interface Entry {
  path: string;
  client: string;
  options: string[];
}

function parseOptions(where: string, text: string, errors: string[]): string[] | undefined {
  const opts = text.split(",").filter(Boolean);
  for (const o of opts) {
    const eq = o.indexOf("=");
    const [k, v] = eq < 0 ? [o, undefined] : [o.slice(0, eq), o.slice(eq + 1)];
    if (v === undefined ? !FLAGS.has(k) : !VALUED.has(k)) {
      errors.push(`exportfs: ${where}: unknown keyword "${o}"`);
      return undefined;
    }
    if ((k === "anonuid" || k === "anongid") && !/^-?\d+$/.test(v!)) {
      errors.push(`exportfs: ${where}: bad ${k} "${v}"`);
      return undefined;
    }
    if (k === "sec" && !v!.split(":").every((f) => SEC_FLAVORS.has(f))) {
      errors.push(`exportfs: ${where}: unknown flavor "${v}"`);
      return undefined;
    }
  }
  return opts;
}

function parseFile(shown: string, text: string, errors: string[], warnings: string[]): Entry[] {
  const out: Entry[] = [];
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    let line = lines[i]!;
    const lineNo = i + 1;
    while (line.endsWith("\\") && i + 1 < lines.length) line = line.slice(0, -1) + " " + lines[++i]!;
    line = line.replace(/#.*$/, "").trim();
    if (!line) continue;
    const tokens = line.split(/\s+/);
    const path = tokens.shift()!.replace(/^"(.*)"$/, "$1");
    const where = `${shown}:${lineNo}`;
    if (!path.startsWith("/")) {
      errors.push(`exportfs: ${where}: bad export path "${path}"`);
      continue;
    }
    let defaults: string[] = [];
    if (tokens[0]?.startsWith("-")) defaults = parseOptions(where, tokens.shift()!.slice(1), errors) ?? [];
    if (tokens.length === 0) tokens.push("*");
    for (const t of tokens) {
      const m = /^([^(]*)(?:\(([^)]*)\))?$/.exec(t);
      if (!m) {
        errors.push(`exportfs: ${where}: bad option list "${t}"`);
        continue;
      }
      const opts = parseOptions(where, m[2] ?? "", errors);
      if (!opts) continue;
      const all = [...defaults, ...opts];
      const client = m[1] || "*";
      if (!all.includes("sync") && !all.includes("async")) {
        warnings.push(
          `exportfs: No 'sync' or 'async' option specified for export "${client}:${path}".\n  Assuming default behaviour ('sync').\n  NOTE: this default has changed since nfs-utils version 1.0.x`,
        );
      }
      out.push({ path, client, options: all });
    }
  }
  return out;
}

function readExports(ctx: Ctx, errors: string[], warnings: string[]): Entry[] {
  const entries: Entry[] = [];
  const main = nodeFile(ctx, "/etc/exports");
  if (existsSync(main)) entries.push(...parseFile("/etc/exports", readFileSync(main, "utf8"), errors, warnings));
  const d = nodeFile(ctx, "/etc/exports.d");
  if (existsSync(d)) {
    for (const f of readdirSync(d).sort()) {
      if (f.startsWith(".") || !f.endsWith(".exports")) continue;
      entries.push(...parseFile(`/etc/exports.d/${f}`, readFileSync(join(d, f), "utf8"), errors, warnings));
    }
  }
  return entries;
}

const etabLine = (e: Entry): string => `${e.path}\t${e.client}(${e.options.join(",")})`;

export function runExportfs(ctx: Ctx, argv: string[]): number {
  const flags = argv.join(" ");
  if (flags === "-v") {
    const etab = etabPath(ctx.dir, ctx.node);
    if (existsSync(etab)) ctx.out(readFileSync(etab, "utf8"));
    return 0;
  }
  if (flags !== "-ra" && flags !== "-r" && flags !== "-rav") throw new SimError("exportfs: only -ra, -rav and -v are simulated", 2);
  const errors: string[] = [];
  const warnings: string[] = [];
  const entries = readExports(ctx, errors, warnings);
  for (const w of warnings) ctx.err(w + "\n");
  if (errors.length) {
    ctx.err(errors.join("\n") + "\n");
    return 1;
  }
  const etab = etabPath(ctx.dir, ctx.node);
  mkdirSync(join(etab, ".."), { recursive: true });
  writeFileSync(etab, entries.map((e) => etabLine(e) + "\n").join(""));
  if (flags === "-rav") for (const e of entries) ctx.out(`exporting ${e.client}:${e.path}\n`);
  return 0;
}
