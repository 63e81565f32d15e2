// Direct edits of a container's conf file, for what pct cannot set (raw lxc.* lines): read, check
// the digest the plan was made from, write the new text with dd while holding the CT's config
// lock (flock on /run/lock/lxc/pve-config-VMID.lock, the lock pct itself takes).
import { join } from "node:path";
import { confDigest, parseConf, writeConf, type ParsedConf } from "../../src/pve/conf.js";
import type { ApplyContext } from "../../src/provider/types.js";
import type { Runner } from "../../src/exec/runner.js";
import { pveError } from "./errors.js";

export interface ConfTarget {
  address: string;
  node: string;
  vmid: number;
  run: Runner;
  ctx: ApplyContext;
}

const REAL_ROOT = "/etc/pve";

export function confPathOf(root: string, node: string, vmid: number): string {
  return `${root}/nodes/${node}/lxc/${vmid}.conf`;
}

/** A node tool the simulator provides itself (flock, stat): its DIR/bin copy when the root is DIR/etc/pve. */
export function nodeCommand(root: string, tool: "flock" | "stat"): string {
  return root === REAL_ROOT ? tool : join(root, "..", "..", "bin", tool);
}

/**
 * `flock -w 30 LOCK dd of=CONF`. On the simulator (its /etc/pve lives at DIR/etc/pve) the
 * simulator's own flock takes the same lock its pct takes.
 */
export function lockedWriteArgv(root: string, node: string, vmid: number): string[] {
  return [nodeCommand(root, "flock"), "-w", "30", `/run/lock/lxc/pve-config-${vmid}.lock`, "dd", `of=${confPathOf(root, node, vmid)}`, "status=none"];
}

const rootOf = (t: ConfTarget) => t.ctx.pveRootFor?.(t.node) ?? REAL_ROOT;

export async function readConfText(t: ConfTarget): Promise<string> {
  try {
    return (await t.run.run(["cat", confPathOf(rootOf(t), t.node, t.vmid)], { signal: t.ctx.signal })).stdout;
  } catch (err) {
    throw pveError(err, t.address, "reading the container's configuration");
  }
}

export interface ConfEdit {
  /** The text before the edit (to restore it when a later step fails). */
  before: string;
  /** The digest of the written text (for the next `pct set --digest`). */
  digest: string;
  /** The written text (what the next step's changes are measured from). */
  after: string;
}

/**
 * Applies `edit` to the conf when its digest is still `expected` (undefined: whatever it is now).
 * Returns undefined when the edit changes nothing.
 */
export async function editConf(t: ConfTarget, expected: string | undefined, edit: (conf: ParsedConf) => void, doing: string): Promise<ConfEdit | undefined> {
  const before = await readConfText(t);
  if (expected !== undefined && confDigest(before) !== expected) {
    throw new Error(`${t.address}: the container's configuration changed outside pmxform since the plan (while ${doing}). Run "pmxform plan" again.`);
  }
  const conf = parseConf(before, String(t.vmid));
  edit(conf);
  const after = writeConf(conf);
  if (after === before) return undefined;
  await writeLocked(t, after, doing);
  return { before, digest: confDigest(after), after };
}

/** Puts `text` back when the conf still holds what `edit` wrote (best effort after a failure). */
export async function restoreConf(t: ConfTarget, edit: ConfEdit): Promise<void> {
  const now = await readConfText(t);
  if (confDigest(now) === edit.digest) await writeLocked(t, edit.before, "restoring the configuration after a failed change");
}

async function writeLocked(t: ConfTarget, text: string, doing: string): Promise<void> {
  try {
    await t.run.run(lockedWriteArgv(rootOf(t), t.node, t.vmid), { stdin: text, signal: t.ctx.signal });
  } catch (err) {
    throw pveError(err, t.address, doing);
  }
}
