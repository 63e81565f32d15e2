// `flock -w SECS LOCKFILE CMD ARGS...` on the simulated node: runs CMD holding the simulator's CT
// config lock (the file pct takes, mapped from /run/lock/lxc/ into DIR/run/lock/lxc/).
import { basename, join } from "node:path";
import { paths, type Ctx } from "./ctx.js";
import { SimError } from "./errors.js";
import { tryLockFile } from "./lock.js";
import { rmSync } from "node:fs";

const USAGE = "usage: flock -w SECONDS LOCKFILE COMMAND [ARGS...]";

/** Where the simulator keeps the lock a real node keeps at `file`. */
export function simLockFile(ctx: Ctx, file: string): string {
  return file.startsWith("/run/lock/lxc/") ? join(paths.lockDir(ctx.dir), basename(file)) : file;
}

export function runFlock(ctx: Ctx, argv: string[]): number {
  let timeoutS = 30;
  let i = 0;
  if (argv[0] === "-w") {
    timeoutS = Number(argv[1]);
    i = 2;
    if (!Number.isFinite(timeoutS) || timeoutS < 0) throw new SimError(`flock: invalid timeout value: '${argv[1] ?? ""}'\n${USAGE}`, 64);
  }
  const [file, cmd, ...args] = argv.slice(i);
  if (!file || !cmd) throw new SimError(USAGE, 64);
  const lock = simLockFile(ctx, file);
  // flock(1) exits 1 on a timeout.
  if (!tryLockFile(lock, timeoutS * 1000)) throw new SimError(`flock: failed to get lock '${file}'`, 1);
  try {
    // loaded here, not at the top: importing child_process costs every simulated call ~3 ms
    const r = process.getBuiltinModule("node:child_process").spawnSync(cmd, args, { stdio: "inherit" });
    if (r.error) throw new SimError(`flock: failed to execute ${cmd}: ${r.error.message}`, 126);
    return r.status ?? 1;
  } finally {
    rmSync(lock, { force: true });
  }
}
