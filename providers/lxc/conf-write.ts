// Direct edits of a container's conf file, for what pct cannot set (raw lxc.* lines, an OCI
// container's env and lxc.init.*): read, check the digest expected of it, and write the new text
// with dd while holding the CT's config lock (flock on /run/lock/lxc/pve-config-VMID.lock, the
// lock pct itself takes), after checking under that lock that the conf is still the one read.
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

/** What the locked write prints when the conf is no longer the text it was to replace. */
const CHANGED_MARK = "pmxform: configuration changed since it was read";

/**
 * Under the lock: the conf's SHA-1 (the digest Proxmox computes of the file's bytes) must still be
 * the one read, else nothing is written. The path and digest are positional arguments, never
 * part of the script text.
 */
const COMPARE_AND_WRITE = `[ "$(sha1sum < "$1")" = "$2  -" ] || { echo "${CHANGED_MARK}" >&2; exit 3; }; exec dd of="$1" status=none`;

/**
 * `flock -w 30 LOCK sh -c 'compare; dd of=CONF' sh CONF DIGEST`: the text on stdin replaces the
 * conf only if the conf still has `digest`, checked while holding the lock pct takes for every
 * write of it (PVE::LXC::Config lock_config), so no pct write can land between the check and the
 * write. On the simulator (its /etc/pve lives at DIR/etc/pve) its own flock takes the same lock
 * its pct takes.
 */
export function lockedWriteArgv(root: string, node: string, vmid: number, digest: string): string[] {
  return [nodeCommand(root, "flock"), "-w", "30", `/run/lock/lxc/pve-config-${vmid}.lock`, "sh", "-c", COMPARE_AND_WRITE, "sh", confPathOf(root, node, vmid), digest];
}

/**
 * The conf is not the one the write was computed from (someone wrote it in between): nothing was
 * written. The digest chain (digest-chain.ts) treats it as pct's refusal of a stale --digest.
 */
export class ConfChanged extends Error {}

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
  if (expected !== undefined && confDigest(before) !== expected) throw changed(t, doing);
  const conf = parseConf(before, String(t.vmid));
  edit(conf);
  const after = writeConf(conf);
  if (after === before) return undefined;
  // Written only over the text just read: a write someone made since is never overwritten.
  await writeLocked(t, after, confDigest(before), doing);
  return { before, digest: confDigest(after), after };
}

/** Puts `text` back when the conf still holds what `edit` wrote (best effort after a failure). */
export async function restoreConf(t: ConfTarget, edit: ConfEdit): Promise<void> {
  const now = await readConfText(t);
  if (confDigest(now) === edit.digest) await writeLocked(t, edit.before, edit.digest, "restoring the configuration after a failed change");
}

const changed = (t: ConfTarget, doing: string) =>
  new ConfChanged(`${t.address}: the container's configuration was changed outside pmxform (found while ${doing}); pmxform wrote nothing over it. Run "pmxform plan" again.`);

async function writeLocked(t: ConfTarget, text: string, digest: string, doing: string): Promise<void> {
  try {
    await t.run.run(lockedWriteArgv(rootOf(t), t.node, t.vmid, digest), { stdin: text, signal: t.ctx.signal });
  } catch (err) {
    if (String((err as { stderr?: unknown }).stderr ?? "").includes(CHANGED_MARK)) throw changed(t, doing);
    throw pveError(err, t.address, doing);
  }
}
