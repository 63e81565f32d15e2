// The simulated node's own filesystem (nodes/<node>/fs/, where dataset mountpoints live) as
// `chown` and `stat` see it. Ownership is kept in nodes/<node>/owners.json (path -> "uid:gid",
// default root's 0:0) rather than in the real inode, so it does not depend on the uid the tests
// run as. Texts are GNU coreutils' (chown.c / stat.c error messages).
import { existsSync, readFileSync, renameSync, statSync, writeFileSync } from "node:fs";
import { join, posix } from "node:path";
import { paths, type Ctx } from "./ctx.js";
import { SimError } from "./errors.js";
import { withInternalLock } from "./lock.js";

const ownersFile = (ctx: Ctx) => join(paths.nodeRoot(ctx.dir, ctx.node), "owners.json");

function readOwners(ctx: Ctx): Record<string, string> {
  try {
    return JSON.parse(readFileSync(ownersFile(ctx), "utf8")) as Record<string, string>;
  } catch {
    return {};
  }
}

function writeOwners(ctx: Ctx, owners: Record<string, string>): void {
  writeFileSync(ownersFile(ctx) + ".tmp", JSON.stringify(owners, null, 1) + "\n");
  renameSync(ownersFile(ctx) + ".tmp", ownersFile(ctx));
}

/** The simulator's file for a path of the node (absolute, normalised). */
export function nodeFsPath(ctx: Ctx, path: string): string {
  return join(paths.nodeRoot(ctx.dir, ctx.node), "fs", posix.normalize(path));
}

export function ownerOf(ctx: Ctx, path: string): { uid: number; gid: number } {
  const v = readOwners(ctx)[posix.normalize(path)] ?? "0:0";
  const [uid, gid] = v.split(":").map(Number) as [number, number];
  return { uid, gid };
}

/** A destroyed dataset's directory tree is gone, and so is what was recorded for it. */
export function forgetOwners(ctx: Ctx, mountpoint: string): void {
  withInternalLock(ctx.dir, `owners-${ctx.node}`, () => {
    const owners = readOwners(ctx);
    const mp = posix.normalize(mountpoint);
    for (const k of Object.keys(owners)) if (k === mp || k.startsWith(mp + "/")) delete owners[k];
    writeOwners(ctx, owners);
  });
}

/** `chown UID:GID PATH...` (numeric ids only: the simulated node has no user database to resolve names). */
export function runChown(ctx: Ctx, argv: string[]): number {
  const args = argv.filter((a) => a !== "--");
  if (args.length < 2)
    throw new SimError(args.length ? `chown: missing operand after '${args[0]}'\nTry 'chown --help' for more information.` : "chown: missing operand\nTry 'chown --help' for more information.", 1);
  const [spec, ...files] = args as [string, ...string[]];
  const m = /^(\d+)?(?::(\d+)?)?$/.exec(spec);
  if (!m || (m[1] === undefined && m[2] === undefined)) throw new SimError(`chown: invalid user: '${spec}'`, 1);
  let code = 0;
  withInternalLock(ctx.dir, `owners-${ctx.node}`, () => {
    const owners = readOwners(ctx);
    for (const f of files) {
      if (!f.startsWith("/") || !existsSync(nodeFsPath(ctx, f))) {
        ctx.err(`chown: cannot access '${f}': No such file or directory\n`);
        code = 1;
        continue;
      }
      const key = posix.normalize(f);
      const [uid, gid] = (owners[key] ?? "0:0").split(":");
      owners[key] = `${m[1] ?? uid}:${m[2] ?? gid}`;
    }
    writeOwners(ctx, owners);
  });
  return code;
}

/** `stat -c FORMAT` of a node path: %n, %u, %g, %F (directory / regular file), %a (mode 755). */
export function statNodePath(ctx: Ctx, format: string, path: string): string | undefined {
  if (!path.startsWith("/")) return undefined;
  const file = nodeFsPath(ctx, path);
  if (!existsSync(file)) return undefined;
  const st = statSync(file);
  const { uid, gid } = ownerOf(ctx, path);
  const fields: Record<string, string> = { n: path, u: String(uid), g: String(gid), F: st.isDirectory() ? "directory" : "regular file", a: st.isDirectory() ? "755" : "644" };
  return format.replace(/%([nugFa%])/g, (_, f: string) => (f === "%" ? "%" : fields[f]!));
}
