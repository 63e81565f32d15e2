// `mkdir`, `touch` and `rmdir` on the simulated node for paths under /etc/pve/priv/lock: the argv a
// pmxform backend sends over its runner to take, renew and release a pmxcfs cluster lock
// (semantics in cfs-lock.ts), answered with GNU coreutils' texts and exit status 1 on failure.
import { cfsLockMkdir, cfsLockRmdir, cfsLockUtime, type LockErrno } from "./cfs-lock.js";
import type { Ctx } from "./ctx.js";
import { SimError } from "./errors.js";

const LOCK_PREFIX = "/etc/pve/priv/lock/";

const STRERROR: Record<LockErrno, string> = {
  EEXIST: "File exists",
  ENOENT: "No such file or directory",
  EACCES: "Permission denied",
  EINVAL: "Invalid argument",
};

function lockName(tool: string, path: string | undefined): string {
  if (!path || !path.startsWith(LOCK_PREFIX)) {
    throw new SimError(`${tool}: only paths under ${LOCK_PREFIX} are simulated (got '${path ?? ""}')`, 2);
  }
  return path.slice(LOCK_PREFIX.length);
}

function fail(ctx: Ctx, text: string): number {
  ctx.err(text + "\n");
  return 1;
}

export function runCfsTool(ctx: Ctx, tool: "mkdir" | "touch" | "rmdir", argv: string[]): number {
  if (tool === "mkdir" || tool === "rmdir") {
    if (argv.length !== 1) throw new SimError(`${tool}: exactly one PATH is simulated`, 2);
    const path = argv[0]!;
    const name = lockName(tool, path);
    const err = tool === "mkdir" ? cfsLockMkdir(ctx, name) : cfsLockRmdir(ctx, name);
    if (!err) return 0;
    return fail(ctx, tool === "mkdir" ? `mkdir: cannot create directory '${path}': ${STRERROR[err]}` : `rmdir: failed to remove '${path}': ${STRERROR[err]}`);
  }
  // touch [-c] [-d @EPOCH] PATH: renew (now or EPOCH); `-d @0` is pmxcfs's unlock request
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
  const err = cfsLockUtime(ctx, lockName("touch", path), when ?? Math.floor(Date.now() / 1000));
  if (err === "ENOENT") {
    if (noCreate) return 0;
    throw new SimError(`touch: creating a file under ${LOCK_PREFIX} is not simulated (pass -c)`, 2);
  }
  return err ? fail(ctx, `touch: cannot touch '${path}': ${STRERROR[err]}`) : 0;
}
