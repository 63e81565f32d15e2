// `pct push <vmid> <file> <destination> [--user] [--group] [--perms]`: copies a file of the node
// into a running container. The simulated container has no filesystem, so each push is recorded
// (with its content) in DIR/log/push.jsonl for tests to read.
//
// Mirrors pve-container src/PVE/CLI/pct.pm, sub `push`: the running check dies before the task is
// forked ("can only push files to a running CT", exit 255); the file is opened inside the forked
// worker ("failed to open $file for reading"), and the `push` cmddef entry has no $upid_exit, so
// that failure is printed while the command still exits 0 (pve-reference.md, "resize, template,
// push and pull ... exit 0").
import { appendFileSync, mkdirSync, readFileSync } from "node:fs";
import { parseArgs, checkVmid, type VerbSpec } from "./args.js";
import { isRunning, loadConf } from "./cluster.js";
import { paths, type Ctx } from "./ctx.js";
import { SimError } from "./errors.js";

const PUSH: VerbSpec = {
  usage: "pct push <vmid> <file> <destination> [OPTIONS]",
  positional: ["vmid", "file", "destination"],
  options: { user: "string", group: "string", perms: "string" },
};

export interface PushRecord {
  node: string;
  vmid: number;
  destination: string;
  perms?: string;
  content: string;
}

export const pushLog = (dir: string): string => `${paths.logDir(dir)}/push.jsonl`;

export function pctPush(ctx: Ctx, argv: string[]): number {
  const a = parseArgs(PUSH, argv);
  const vmid = checkVmid(a.pos["vmid"]!, PUSH.usage);
  loadConf(ctx, vmid);
  if (!isRunning(ctx, vmid)) throw new SimError("can only push files to a running CT");
  let content: string;
  try {
    content = readFileSync(a.pos["file"]!, "utf8");
  } catch {
    ctx.err(`failed to open ${a.pos["file"]} for reading\n`);
    return 0;
  }
  const perms = a.opts.get("perms");
  const record: PushRecord = { node: ctx.node, vmid, destination: a.pos["destination"]!, ...(perms !== undefined ? { perms } : {}), content };
  mkdirSync(paths.logDir(ctx.dir), { recursive: true });
  appendFileSync(pushLog(ctx.dir), JSON.stringify(record) + "\n");
  return 0;
}

/** The pushes recorded so far (tests). */
export function readPushes(dir: string): PushRecord[] {
  let text: string;
  try {
    text = readFileSync(pushLog(dir), "utf8");
  } catch {
    return [];
  }
  return text
    .split("\n")
    .filter(Boolean)
    .map((l) => JSON.parse(l) as PushRecord);
}
