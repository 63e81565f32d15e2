// Carrying out a share's planned operations on its node, through the runner only (argv arrays,
// contents on stdin). A new file is staged next to the live one, checked (testparm for Samba,
// on the whole configuration as it would be), then renamed over the live file (rename(2) is
// atomic: Samba and exportfs read the old file or the new one, never half of one) and the
// service told. When the check fails the live file is untouched and apply fails with the tool's
// words; when exportfs refuses the new exports the previous file is put back.
import type { Runner } from "../../src/exec/runner.js";
import type { ApplyContext, PlannedOperation } from "../../src/provider/types.js";
import { CommandError } from "../../src/exec/runner.js";
import { EXPORTS_DIR, SMB_CONF, SMB_DIR, SMB_INDEX } from "./paths.js";
import { includeProblem, includesIndex, indexIncludes, readNodeShares } from "./snapshot.js";

export const SMB_OPS = ["smb-stage", "testparm", "smb-commit", "reload"];
export const NFS_OPS = ["nfs-stage", "nfs-commit", "exportfs"];

const CHECK_INDEX = "/etc/samba/.pmxform.conf.check";
const CHECK_CONF = "/etc/samba/.smb.conf.pmxform-check";
const INDEX_NEW = "/etc/samba/.pmxform.conf.new";

/** The index pmxform writes: one include per share file, sorted. */
export function indexText(files: string[]): string {
  return ["# pmxform: the Samba shares it manages, one file each. Managed by pmxform.", ...[...new Set(files)].sort().map((f) => `include = ${f}`)].join("\n") + "\n";
}

/** smb.conf as testparm checks it: the user's text with its include of the index pointed at `candidateIndex`. */
export function checkConfigText(smbConf: string, candidateIndex: string): string {
  return smbConf
    .split("\n")
    .map((l) => (includesIndex(l) ? `include = ${candidateIndex}` : l))
    .join("\n");
}

/** The staged file of `file`: a dot file in the same directory (same file system, so mv is a rename; Samba and exportfs skip it). */
export const stagedOf = (file: string): string => file.replace(/\/([^/]+)$/, "/.$1.new");

/** One pmxform process changes a node's Samba index one share at a time (the index is read, changed and written). */
const nodeLocks = new Map<string, Promise<unknown>>();
export async function underNodeLock<T>(node: string, fn: () => Promise<T>): Promise<T> {
  const before = nodeLocks.get(node) ?? Promise.resolve();
  const run = before.then(fn, fn);
  nodeLocks.set(
    node,
    run.catch(() => undefined),
  );
  return run;
}

export class ShareApplyError extends Error {}

function textOf(e: unknown): string {
  if (e instanceof CommandError) return (e.stderr || e.stdout || e.message).trim();
  return (e as Error).message;
}

async function write(run: Runner, path: string, content: string, signal: AbortSignal): Promise<void> {
  await run.run(["dd", `of=${path}`, "status=none"], { stdin: content, signal });
}

async function rename(run: Runner, from: string, to: string, signal: AbortSignal): Promise<void> {
  await run.run(["mv", "-f", "-T", from, to], { signal });
}

async function remove(run: Runner, paths: string[]): Promise<void> {
  // Not under the apply's signal: an interrupted apply still removes what it staged.
  await run.run(["rm", "-f", "--", ...paths]).catch(() => undefined);
}

/** The lines of testparm's stderr that say what is wrong (not its banner). */
export function testparmProblem(stderr: string, exitCode: number): string | undefined {
  const lines = stderr.split("\n").filter((l) => l.trim() && !/^Load smb config files from|^Loaded services file OK|^Weak crypto is allowed|^Server role:/.test(l));
  // Samba 4.17's testparm ignores an unknown parameter and a global one in a share (exit 0): pmxform
  // writes neither, so one means the new configuration would not be what the plan showed.
  if (exitCode !== 0 || lines.some((l) => /^Unknown parameter encountered|^Global parameter .* found in service section!/.test(l)))
    return lines.join("\n") || `testparm exited with status ${exitCode}`;
  return undefined;
}

export function checkOperations(address: string, ops: PlannedOperation[] | undefined, known: string[]): PlannedOperation[] {
  if (!ops || ops.length === 0) throw new ShareApplyError(`${address}: the plan holds no operations for this change; run pmxform plan again.`);
  const bad = ops.find((o) => !known.includes(o.op));
  if (bad) throw new ShareApplyError(`${address}: the plan holds an operation this version does not know ("${bad.op}"); run pmxform plan again.`);
  return ops;
}

/** Writes one Samba share file (staged, checked with testparm, renamed), adds it to the index and reloads Samba. */
export async function applySmb(address: string, node: string, file: string, content: string, ops: PlannedOperation[], ctx: ApplyContext): Promise<void> {
  const run = ctx.runnerFor(node);
  const signal = ctx.signal;
  const staged = stagedOf(file);
  await underNodeLock(node, async () => {
    const live = await readNodeShares(run, signal);
    if (live.smbConf === undefined || includeProblem(live.smbConf)) {
      throw new ShareApplyError(
        `${address}: ${SMB_CONF} on node ${node} no longer ends with the line "include = ${SMB_INDEX}" (it did when the plan was made); put it back at the end of the file and apply again.`,
      );
    }
    const files = indexIncludes(live.index);
    const newIndex = indexText([...files, file]);
    try {
      for (const op of ops) {
        if (op.op === "smb-stage") {
          await run.run(["mkdir", "-p", SMB_DIR], { signal });
          await write(run, staged, content, signal);
        } else if (op.op === "testparm") {
          // The configuration Samba will load, with the staged file in place of the live one.
          await write(run, CHECK_INDEX, indexText([...files.filter((f) => f !== file), staged]), signal);
          await write(run, CHECK_CONF, checkConfigText(live.smbConf, CHECK_INDEX), signal);
          const r = await run.run(["testparm", "-s", CHECK_CONF], { signal, okCodes: [0, 1] });
          const problem = testparmProblem(r.stderr, r.exitCode);
          if (problem) throw new ShareApplyError(`${address}: testparm on node ${node} refused the new share; ${file} was left as it was:\n${problem}`);
        } else if (op.op === "smb-commit") {
          await rename(run, staged, file, signal);
          if (newIndex !== live.index) {
            await write(run, INDEX_NEW, newIndex, signal);
            await rename(run, INDEX_NEW, SMB_INDEX, signal);
          }
        } else if (op.op === "reload") {
          await reloadSamba(run, node, ctx);
        }
      }
    } finally {
      await remove(run, [staged, CHECK_INDEX, CHECK_CONF, INDEX_NEW]);
    }
  });
}

async function reloadSamba(run: Runner, node: string, ctx: ApplyContext): Promise<void> {
  try {
    await run.run(["smbcontrol", "all", "reload-config"], { signal: ctx.signal });
  } catch (e) {
    // The files are in place; a Samba that is not running reads them when it starts.
    ctx.log(`Warning: smbcontrol all reload-config on node ${node} failed (${textOf(e)}); Samba reads the new configuration when it next starts.`);
  }
}

/** Takes a Samba share out of the index, removes its file and reloads Samba. */
export async function deleteSmb(node: string, file: string, ctx: ApplyContext): Promise<void> {
  const run = ctx.runnerFor(node);
  const signal = ctx.signal;
  await underNodeLock(node, async () => {
    const live = await readNodeShares(run, signal);
    const files = indexIncludes(live.index);
    if (files.includes(file)) {
      try {
        await write(run, INDEX_NEW, indexText(files.filter((f) => f !== file)), signal);
        await rename(run, INDEX_NEW, SMB_INDEX, signal);
      } finally {
        await remove(run, [INDEX_NEW]);
      }
    }
    await run.run(["rm", "-f", "--", file], { signal });
    await reloadSamba(run, node, ctx);
  });
}

/** Writes one exports file (staged, renamed) and re-exports; when exportfs refuses it the previous file comes back. */
export async function applyNfs(address: string, node: string, file: string, content: string, ops: PlannedOperation[], ctx: ApplyContext): Promise<void> {
  const run = ctx.runnerFor(node);
  const signal = ctx.signal;
  const staged = stagedOf(file);
  const previous = (await readNodeShares(run, signal)).nfs.get(file.slice(EXPORTS_DIR.length + 1));
  try {
    for (const op of ops) {
      if (op.op === "nfs-stage") {
        await run.run(["mkdir", "-p", EXPORTS_DIR], { signal });
        await write(run, staged, content, signal);
      } else if (op.op === "nfs-commit") {
        await rename(run, staged, file, signal);
      } else if (op.op === "exportfs") {
        try {
          await run.run(["exportfs", "-ra"], { signal });
        } catch (e) {
          if (previous !== undefined) {
            await write(run, staged, previous, signal);
            await rename(run, staged, file, signal);
          } else await run.run(["rm", "-f", "--", file]);
          await run.run(["exportfs", "-ra"]).catch(() => undefined);
          throw new ShareApplyError(
            `${address}: exportfs -ra on node ${node} refused the new exports; ${previous !== undefined ? `${file} was put back as it was` : `${file} was removed`}:\n${textOf(e)}`,
          );
        }
      }
    }
  } finally {
    await remove(run, [staged]);
  }
}

export async function deleteNfs(node: string, file: string, ctx: ApplyContext): Promise<void> {
  const run = ctx.runnerFor(node);
  await run.run(["rm", "-f", "--", file], { signal: ctx.signal });
  await run.run(["exportfs", "-ra"], { signal: ctx.signal });
}

/** The node's share files after a write (one process), for the attributes apply returns. */
export const readBack = (ctx: ApplyContext, node: string) => readNodeShares(ctx.runnerFor(node), ctx.signal);
