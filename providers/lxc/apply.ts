// Create, update and delete through pct, then read the container back with the snapshot's parser.
import { confDigest, parseConf } from "../../src/pve/conf.js";
import type { ApplyContext, Attrs } from "../../src/provider/types.js";
import { CommandError, errorLines, type RunResult, type Runner } from "../../src/exec/runner.js";
import { withFileOnTarget } from "../../src/exec/place-file.js";
import { attrsFromConf } from "./attrs.js";
import {
  chpasswdArgv,
  createArgv,
  destroyArgv,
  destroyHalfCreatedArgv,
  mkSshDirArgv,
  moveVolumeArgv,
  pushKeysArgv,
  rebootArgv,
  resizeArgv,
  setArgv,
  startArgv,
  stopArgv,
  unlockArgv,
} from "./argv.js";
import { beforeMoves, computeChanges, setDisksAgain } from "./changes.js";
import { pveKeysFromAttrs } from "./conf-map.js";
import { adoptSlotNames } from "../mounts/adopt.js";
import { plannedAttrs } from "./desired.js";
import { pveError, vmidTaken } from "./errors.js";
import { unprotectFirst } from "./protection.js";
import { assertOwnContainer, markerFor } from "./identity.js";
import { editConf, readConfText, restoreConf, type ConfEdit } from "./conf-write.js";
import { mergeRawLines } from "../mounts/raw-lxc.js";
import { unusedKeysHolding } from "../mounts/detached.js";
import { asSnapshot, readNodeDevices } from "./snapshot.js";
import { isLegacy } from "../mounts/gpu.js";
import type { HostDevices } from "../mounts/host-devices.js";
import { followedTo, onCurrentNode } from "./snapshot-locate.js";
import { migrateArgv, migratedPrior, planMigration } from "./migrate.js";

interface Target {
  address: string;
  node: string;
  vmid: number;
  run: Runner;
  ctx: ApplyContext;
}

async function pct(t: Target, argv: string[], doing: string, opts: { stdin?: string; redact?: string[] } = {}): Promise<RunResult> {
  try {
    return await t.run.run(argv, { signal: t.ctx.signal, ...opts });
  } catch (err) {
    throw pveError(err, t.address, doing);
  }
}

/**
 * A pct verb whose worker task has no $upid_exit (push): a failure inside the task is printed
 * while pct still exits 0 (pve-reference.md), so its error text is the failure.
 */
async function pctTask(t: Target, argv: string[], doing: string): Promise<void> {
  const r = await pct(t, argv, doing);
  if (!errorLines(r.stderr)) return;
  throw pveError(new CommandError({ argv, exitCode: r.exitCode, stdout: r.stdout, stderr: r.stderr, timedOut: false, node: t.run.description }), t.address, doing);
}

/**
 * The node's GPU device nodes (legacy lines need their numbers; nvidia passes the caps nodes the
 * node has): as the plan's refresh read them, or read now when there was none (a saved plan).
 */
async function hostDevices(config: Attrs, node: string, ctx: ApplyContext): Promise<HostDevices | undefined> {
  const gpu = config["gpu"] as Record<string, unknown> | undefined;
  if (!isLegacy(gpu) && gpu?.["vendor"] !== "nvidia") return undefined;
  const known = asSnapshot(ctx.snapshot).devices.get(node);
  if (known) return known;
  // Without the numbers legacy lines cannot be written; optional caps nodes fall back to the prior's.
  return isLegacy(gpu) ? readNodeDevices(node, ctx) : readNodeDevices(node, ctx).catch(() => undefined);
}

/** Reads the container's config file back (one process) and turns it into attributes. */
export async function readBack(t: Target, running: boolean, carried: Attrs): Promise<Attrs> {
  const root = t.ctx.pveRootFor?.(t.node) ?? "/etc/pve";
  let text: string;
  try {
    text = (await t.run.run(["cat", `${root}/nodes/${t.node}/lxc/${t.vmid}.conf`], { signal: t.ctx.signal })).stdout;
  } catch (err) {
    throw pveError(err, t.address, "reading the container's configuration back");
  }
  return attrsFromConf(t.vmid, t.node, parseConf(text, String(t.vmid)), running, carried, confDigest(text));
}

/** The keys as an authorized_keys file on the container's node (pct reads the path there). */
function withKeysFile<T>(t: Target, keys: unknown, fn: (file: string | undefined) => Promise<T>): Promise<T> {
  if (!Array.isArray(keys) || keys.length === 0) return fn(undefined);
  return withFileOnTarget(t.run, keys.map(String).join("\n") + "\n", { purpose: "keys", signal: t.ctx.signal }, fn);
}

async function setPassword(t: Target, password: string): Promise<void> {
  // Never on a command line: chpasswd reads "root:<password>" from stdin inside the container.
  await pct(t, chpasswdArgv(t.vmid), "setting the root password", { stdin: `root:${password}\n`, redact: [password] });
}

async function pushKeys(t: Target, keys: unknown): Promise<void> {
  await withKeysFile(t, keys, async (file) => {
    if (!file) return;
    await pct(t, mkSshDirArgv(t.vmid), "creating /root/.ssh");
    await pctTask(t, pushKeysArgv(t.vmid, file), "installing SSH keys");
  });
}

export async function createContainer(address: string, config: Attrs, planned: Attrs, ctx: ApplyContext): Promise<Attrs> {
  const node = String(config["node"]);
  const vmid = typeof planned["vmid"] === "number" ? planned["vmid"] : Number(config["vmid"]);
  if (!Number.isInteger(vmid)) throw new Error(`${address}: no VMID was planned; run "pmxform plan" again`);
  const desired: Attrs = { ...plannedAttrs(config, null, vmid, address, await hostDevices(config, node, ctx)), marker: markerFor(ctx.lineage, address) };
  const t: Target = { address, node, vmid, run: ctx.runnerFor(node), ctx };
  const intent = { operation: "create", node, vmid };
  await ctx.recordIntent(intent);
  try {
    await withKeysFile(t, config["ssh_public_keys"], (file) => pct(t, createArgv(vmid, desired, file ? { sshKeysFile: file } : {}), "pct create"));
  } catch (err) {
    // Refused because the vmid exists: pct checked before writing anything, so nothing of ours
    // is there and the intent must not lead a later run to adopt the holder's container.
    if (vmidTaken(err)) await ctx.forgetIntent(intent);
    throw err;
  }
  if (Array.isArray(desired["raw_lxc"]) && desired["raw_lxc"].length) await writeRawLxc(t, undefined, desired["raw_lxc"].map(String));
  const password = typeof config["password"] === "string" ? config["password"] : undefined;
  const wantRunning = desired["started"] === true;
  if (wantRunning || password) await pct(t, startArgv(vmid), "pct start");
  if (password) await setPassword(t, password);
  if (password && !wantRunning) await pct(t, stopArgv(vmid), "pct stop");
  return readBack(t, wantRunning, desired);
}

/** Writes the raw lxc.* lines into the conf (under the CT lock, digest checked). */
function writeRawLxc(t: Target, digest: string | undefined, lines: string[]): Promise<ConfEdit | undefined> {
  return editConf(t, digest, (conf) => {
    conf.main.lxc = mergeRawLines(conf.main.lxc, lines);
  }, "writing raw lxc lines");
}

export function updateContainer(address: string, config: Attrs, prior: Attrs, plannedNode: unknown, ctx: ApplyContext): Promise<Attrs> {
  return onCurrentNode(address, prior, ctx, async (p) => {
    // A migration is done only when the plan made one (its planned node is another than its
    // prior's); a container merely followed elsewhere gets the planned change where it is.
    const migrates = typeof plannedNode === "string" && plannedNode !== prior["node"] && plannedNode !== p["node"];
    const here = migrates ? await migrateContainer(address, { ...config, node: plannedNode }, p, ctx) : p;
    return followedTo(await updateOn(address, config, here, ctx), prior, config);
  });
}

/**
 * `pct migrate` on the node that holds the container, then its conf read on the target. A running
 * container that the configuration stops is stopped first and moved offline; one that keeps
 * running moves with --restart (the plan allowed it: restart_on_change).
 */
export async function migrateContainer(address: string, config: Attrs, prior: Attrs, ctx: ApplyContext): Promise<Attrs> {
  const from = String(prior["node"]);
  const vmid = Number(prior["vmid"]);
  const t: Target = { address, node: from, vmid, run: ctx.runnerFor(from), ctx };
  // Before the first pct: the container read back after the move is whatever was at the vmid, so
  // checking only afterwards would let a saved plan migrate (and then change) another's container.
  const text = await assertOwnContainer(t, prior);
  // pct migrate takes no digest: a container changed since the plan is refused here, as the
  // digest-checked pct set refuses it, instead of having the change after the move undo it.
  if (typeof prior["digest"] === "string" && confDigest(text) !== prior["digest"]) {
    throw new Error(`${address}: the container was changed outside pmxform since the plan was made. Run "pmxform plan" again.`);
  }
  const running = prior["started"] === true;
  const stays = config["started"] !== false;
  if (running && !stays) await pct(t, stopArgv(vmid), "pct stop");
  const m = planMigration(prior, config, running && stays);
  const intent = { operation: `migrate to ${m.to}`, node: from, vmid };
  await ctx.recordIntent(intent);
  await pct(t, migrateArgv(vmid, m), `pct migrate to node ${m.to}`);
  // Done: refresh finds the container on any node, so nothing is left to check. Kept, it would
  // outlive an oci_container replacement that records a new vmid (nothing answers it then).
  await ctx.forgetIntent(intent);
  const there: Target = { ...t, node: m.to, run: ctx.runnerFor(m.to) };
  return readBack(there, running && stays, migratedPrior(prior, m));
}

async function updateOn(address: string, config: Attrs, read: Attrs, ctx: ApplyContext): Promise<Attrs> {
  const prior = adoptSlotNames(config, read);
  const node = String(prior["node"]);
  const vmid = Number(prior["vmid"]);
  const t: Target = { address, node, vmid, run: ctx.runnerFor(node), ctx };
  await assertOwnContainer(t, prior);
  const desired = plannedAttrs(config, prior, vmid, address, await hostDevices(config, node, ctx));
  const cs = computeChanges(prior, desired);
  const running = prior["started"] === true;
  const stopping = cs.start === false && running;
  // Volumes move only while the container is stopped; it runs again afterwards.
  const cycling = cs.moves.length > 0 && running && cs.start === undefined;
  if (stopping || cycling) await pct(t, stopArgv(vmid), "pct stop");
  // After a stop the plan's digest is not passed on; only each write's own edit is checked. (This
  // said stopping applies pending changes; neither Proxmox nor the simulator does. Whether the
  // digest can be kept here belongs to issue 21, which moves digests into the planned operations.)
  let digest = typeof prior["digest"] === "string" && !stopping && !cycling ? prior["digest"] : undefined;
  const raw = cs.rawLxc ? await writeRawLxc(t, digest, cs.rawLxc) : undefined;
  if (raw) digest = raw.digest;
  if (unprotectFirst(prior, cs)) {
    // Proxmox checks the protection the container has, not the one this pct set brings.
    await pct(t, ["pct", "set", String(vmid), ...(digest ? ["--digest", digest] : []), "--protection", "0"], "pct set --protection 0");
    digest = undefined;
  }
  try {
    // Grown before pct set: resize writes size= into the current section only, so a pct set
    // before it would leave a pending value with the old size that the next start applies over
    // the grown one (providers/lxc/changes.ts). After the resize, the set echoes the grown size.
    // Only the first write checks the plan's digest; each write changes it.
    const stale: string[] = [];
    for (const g of cs.grow) {
      try {
        await t.run.run(resizeArgv(vmid, g.disk, g.size, digest), { signal: t.ctx.signal });
        digest = undefined;
      } catch (err) {
        // The volume has the size already and only the conf's size= lags (a pending value with an
        // old size= applied over a resize, as apply before this order left it): pct refuses
        // before writing anything, and pct set stores the true size= below.
        if (!/disk is already at specified size/.test(String((err as { stderr?: unknown }).stderr ?? ""))) throw pveError(err, address, `growing ${g.disk} to ${g.size}`);
        stale.push(g.disk);
      }
    }
    const setAttrs = beforeMoves(prior, desired, cs.moves);
    setDisksAgain(cs, pveKeysFromAttrs(setAttrs), stale);
    const set = setArgv(vmid, digest, cs, prior, setAttrs);
    if (set) await pct(t, set, "pct set");
  } catch (err) {
    // Nothing written half: the raw lines go back out when pct refuses the rest (restoreConf
    // leaves a conf a resize has written since: its size= is true now).
    if (raw) await restoreConf(t, raw).catch(() => undefined);
    throw err;
  }
  for (const m of cs.moves) await pct(t, moveVolumeArgv(vmid, m.disk, m.storage), `moving ${m.disk} to storage ${m.storage}`);
  const nowRunning = cs.start ?? running;
  if (cs.start === true || cycling) await pct(t, startArgv(vmid), "pct start");
  const password = typeof config["password"] === "string" ? config["password"] : undefined;
  if (cs.password && password) await setPassword(t, password);
  if (cs.sshKeys) await pushKeys(t, config["ssh_public_keys"]);
  const pendingBefore = (prior["pending_keys"] as string[] | undefined) ?? [];
  const waiting = [...cs.restartKeys, ...(cs.rawLxc ? ["raw_lxc"] : [])];
  const needsRestart = running && cs.start === undefined && !cycling && (waiting.length > 0 || pendingBefore.length > 0);
  if (needsRestart) {
    if (desired["restart_on_change"] === true) await pct(t, rebootArgv(vmid), "pct reboot");
    else if (waiting.length) ctx.log(`${address}: ${waiting.join(", ")} take effect when the container restarts (set restart_on_change = true to let pmxform restart it)`);
  }
  await deleteDetachedVolumes(t, desired["volumes_to_delete"]);
  return readBack(t, nowRunning, desired);
}

/** Deletes removed mounts' volumes that Proxmox has detached to unusedN by now (one cat, one pct set). */
async function deleteDetachedVolumes(t: Target, doomed: unknown): Promise<void> {
  if (!Array.isArray(doomed) || doomed.length === 0) return;
  const keys = unusedKeysHolding(parseConf(await readConfText(t), String(t.vmid)), doomed.map(String));
  if (keys.length) await pct(t, ["pct", "set", String(t.vmid), "--delete", keys.join(",")], `deleting the volumes of removed mounts (${keys.join(", ")})`);
}

export async function deleteContainer(address: string, prior: Attrs, ctx: ApplyContext): Promise<void> {
  await ctx.recordIntent({ operation: "delete", node: String(prior["node"]), vmid: Number(prior["vmid"]) });
  // Gone from its node and from the cluster: already destroyed. Moved: destroyed where it is.
  await onCurrentNode(address, prior, ctx, (p) => deleteOn(address, p, ctx), () => undefined);
}

async function deleteOn(address: string, prior: Attrs, ctx: ApplyContext): Promise<void> {
  const node = String(prior["node"]);
  const vmid = Number(prior["vmid"]);
  const t: Target = { address, node, vmid, run: ctx.runnerFor(node), ctx };
  // Destroy only the container this entry recorded (marker), never one that took its vmid since.
  await assertOwnContainer(t, prior);
  const halfCreated = prior["lock"] === "create";
  if (halfCreated) {
    // pct destroy refuses a locked container; this lock belongs to a create that was killed.
    // (A container gone meanwhile fails here with "does not exist", which onCurrentNode handles.)
    try {
      await t.run.run(unlockArgv(vmid), { signal: ctx.signal });
    } catch (err) {
      throw pveError(err, address, "pct unlock");
    }
  }
  if (prior["started"] === true) {
    try {
      await t.run.run(stopArgv(vmid), { signal: ctx.signal });
    } catch (err) {
      if (!/not running/.test(String((err as { stderr?: unknown }).stderr ?? ""))) throw pveError(err, address, "pct stop");
    }
  }
  try {
    await t.run.run(halfCreated ? destroyHalfCreatedArgv(vmid) : destroyArgv(vmid), { signal: ctx.signal });
  } catch (err) {
    throw pveError(err, address, "pct destroy");
  }
}
