// Create, update and delete through pct, then read the container back with the snapshot's parser.
import { confDigest, parseConf } from "../../src/pve/conf.js";
import type { ApplyContext, Attrs, AttrPath, PlannedOperation } from "../../src/provider/types.js";
import { isUnknown } from "../../src/config/value.js";
import { CommandError, errorLines, type RunResult, type Runner } from "../../src/exec/runner.js";
import { withFileOnTarget } from "../../src/exec/place-file.js";
import { CARRIED, attrsFromConf } from "./attrs.js";
import { createValues, setValue } from "./conf-map.js";
import {
  chpasswdArgv,
  createArgvOf,
  destroyArgv,
  destroyHalfCreatedArgv,
  mkSshDirArgv,
  moveVolumeArgv,
  pushKeysArgv,
  rebootArgv,
  resizeArgv,
  setArgvOf,
  startArgv,
  stopArgv,
  unlockArgv,
} from "./argv.js";
import { beforeMoves, volumeMoves } from "./changes.js";
import { plannedAttrs, sha256 } from "./desired.js";
import type { PctOperation, SetPiece } from "./operations.js";
import { pctOperations, valueOf } from "./operations-check.js";
import { pveError, vmidTaken } from "./errors.js";
import { assertOwnContainer, markerFor } from "./identity.js";
import { editConf, readConfText, restoreConf, type ConfEdit, type ConfTarget } from "./conf-write.js";
import { mergeRawLines, normalizeRawLine, OCI_OWNED, OWNED_ELSEWHERE } from "../mounts/raw-lxc.js";
import { unusedKeysHolding } from "../mounts/detached.js";
import { asSnapshot, readNodeDevices } from "./snapshot.js";
import { isLegacy } from "../mounts/gpu.js";
import type { HostDevices } from "../mounts/host-devices.js";
import { followedTo, onCurrentNode } from "./snapshot-locate.js";
import { migrateArgv, migratedPrior, planMigration, type Migration } from "./migrate.js";
import { DigestChain, keysWritten, OutsideChange } from "./digest-chain.js";

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

/**
 * Steps of a type built on this one (oci_container's), run in their place in the list: `keys`,
 * the conf keys a step writes (the digest chain stops when someone else changes one of them
 * mid-update); `run` gets the chain of an update (absent in a create) for its writes' digests.
 */
export interface OtherSteps {
  ops: ReadonlySet<string>;
  keys: (op: PlannedOperation) => string[];
  run: (op: PlannedOperation, t: ConfTarget, chain?: DigestChain) => Promise<void>;
}

/** What may follow pct create in a create's steps (operations.ts createOperations). */
const CREATE_STEPS: ReadonlySet<string> = new Set(["raw_lxc", "start", "password", "stop"]);

/**
 * A create as the plan decided it: `operations` (operations.ts createOperations) are executed in
 * order. The configuration is read only for secrets and for the pieces the plan could not print,
 * which are printed from it by the plan's own mapping (conf-map.ts createValues). `other`: steps of
 * a type built on this one (oci_container's), run in their place in the list.
 */
export async function createContainer(address: string, config: Attrs, planned: Attrs, operations: readonly PlannedOperation[] | undefined, ctx: ApplyContext, other?: OtherSteps): Promise<Attrs> {
  const ops = pctOperations(address, operations, other?.ops);
  const create = ops[0];
  if (create?.op !== "create") throw new Error(`${address}: the plan's steps for this create do not begin with pct create. Nothing was done; run "pmxform plan" again.`);
  // Checked before anything runs: a step that belongs to an update would fail only once the container exists.
  const stray = ops.slice(1).find((o) => !CREATE_STEPS.has(o.op) && !other?.ops.has(o.op));
  if (stray) throw new Error(`${address}: the plan holds a step a create cannot carry out (${stray.op}). Nothing was done; run "pmxform plan" again.`);
  const node = typeof planned["node"] === "string" ? planned["node"] : String(config["node"]);
  const vmid = typeof create.vmid === "number" ? create.vmid : getPath(config, create.vmid.from);
  if (typeof vmid !== "number" || !Number.isInteger(vmid)) throw new Error(`${address}: the VMID is still unknown at apply. Nothing was done; run "pmxform plan" again.`);
  // What the configuration gives now, for the values the plan left to apply (computed once, when needed).
  let now: Attrs | undefined;
  const fromConfig = async (): Promise<Attrs> => (now ??= { ...plannedAttrs(config, null, vmid, address, await hostDevices(config, node, ctx)), marker: markerFor(ctx.lineage, address) });
  let printedNow: Map<string, string | undefined> | undefined;
  const printed = async (p: SetPiece): Promise<{ key: string; value: string }[]> => {
    if ("value" in p) return [{ key: p.key, value: p.value }];
    printedNow ??= new Map(createValues(await fromConfig()).map((v) => [v.key, v.value]));
    // A block unknown as a whole at plan time: every slot key of it the configuration gives now.
    const all = p.key.endsWith("*") ? [...printedNow].filter(([k]) => k.startsWith(p.key.slice(0, -1)) && /^\d+$/.test(k.slice(p.key.length - 1))) : [[p.key, printedNow.get(p.key)] as const];
    return all.map(([key, value]) => ({ key, value: valueOf({ key, from: p.from }, () => value) }));
  };
  const pieces = (await Promise.all(create.set.map(printed))).flat();
  const template = "value" in create.template ? create.template.value : getPath(await fromConfig(), create.template.from);
  if (typeof template !== "string") throw new Error(`${address}: the template is still unknown at apply. Nothing was done; run "pmxform plan" again.`);
  const keys = create.ssh_keys === undefined ? undefined : Array.isArray(create.ssh_keys) ? create.ssh_keys : getPath(config, create.ssh_keys.from);
  const t: Target = { address, node, vmid, run: ctx.runnerFor(node), ctx };
  const intent = { operation: "create", node, vmid };
  await ctx.recordIntent(intent);
  try {
    await withKeysFile(t, keys, (file) => pct(t, createArgvOf(vmid, template, pieces, file), "pct create"));
  } catch (err) {
    // Refused because the vmid exists: pct checked before writing anything, so nothing of ours
    // is there and the intent must not lead a later run to adopt the holder's container.
    if (vmidTaken(err)) await ctx.forgetIntent(intent);
    throw err;
  }
  let running = false;
  for (const op of ops.slice(1)) {
    if (other?.ops.has(op.op)) {
      await other.run(op, t);
      continue;
    }
    switch (op.op) {
      case "raw_lxc": {
        const lines = "lines" in op ? op.lines : rawLinesFrom(await fromConfig(), op.from);
        if (lines.length) await writeRawLxc(t, undefined, lines);
        break;
      }
      case "start":
        await pct(t, startArgv(vmid), "pct start");
        running = true;
        break;
      case "password": {
        const password = getPath(config, op.from);
        if (typeof password !== "string") throw new Error(`${address}: the plan sets the root password, but the configuration holds none now. Run "pmxform plan" again.`);
        await setPassword(t, password);
        break;
      }
      case "stop":
        await pct(t, stopArgv(vmid), "pct stop");
        running = false;
        break;
    }
  }
  // The read-back carries the plan's bookkeeping (slot names, managed keys, template...); where
  // the plan did not know a value (unknown, or a secret a saved plan nulled), the configuration's
  // now. Mounts carry only keep_on_remove: their volume ids, unknown until now, are read back.
  const carried: Attrs = { ...planned };
  for (const k of [...CARRIED, "mount_names", "device_names", "marker"]) if (hasUnknown(carried[k]) || carried[k] === null) carried[k] = (await fromConfig())[k];
  if (isUnknown(carried["mount"])) carried["mount"] = (await fromConfig())["mount"];
  return readBack(t, running, carried);
}

/** Writes the raw lxc.* lines into the conf (under the CT lock, digest checked). */
function writeRawLxc(t: Target, digest: string | undefined, lines: string[]): Promise<ConfEdit | undefined> {
  return editConf(
    t,
    digest,
    (conf) => {
      // Only an OCI container's conf has an entrypoint (pct create writes it from the image).
      conf.main.lxc = mergeRawLines(conf.main.lxc, lines, conf.main.keys.has("entrypoint") ? OCI_OWNED : OWNED_ELSEWHERE);
    },
    "writing raw lxc lines",
  );
}

/**
 * An update as the plan decided it: `operations` (providers/lxc/operations.ts) are executed in
 * order after the ownership check; nothing is worked out again from the configuration, which is
 * read only for secrets and for values the plan could not know.
 */
export async function updateContainer(
  address: string,
  config: Attrs,
  prior: Attrs,
  planned: Attrs,
  operations: readonly PlannedOperation[] | undefined,
  ctx: ApplyContext,
  other?: OtherSteps,
): Promise<Attrs> {
  const ops = pctOperations(address, operations, other?.ops);
  return onCurrentNode(address, prior, ctx, async (p) => {
    // A migration is done only when the plan made one and the container is not already there (a
    // container merely followed elsewhere gets the planned change where it is).
    const m = ops.find((o) => o.op === "migrate");
    const migrates = m !== undefined && m.to !== prior["node"] && m.to !== p["node"];
    const here = migrates ? await migrateContainer(address, { ...config, node: m.to }, p, ctx, m) : p;
    return followedTo(await runUpdate(address, config, here, planned, ops, !migrates, ctx, other), prior, config);
  });
}

/**
 * `pct migrate` on the node that holds the container, then its conf read on the target. A running
 * container that the configuration stops is stopped first and moved offline; one that keeps
 * running moves with --restart (the plan allowed it: restart_on_change). `planned`: the plan's
 * migrate step (an update); without one (an oci_container replacement) it is worked out here.
 */
export async function migrateContainer(
  address: string,
  config: Attrs,
  prior: Attrs,
  ctx: ApplyContext,
  planned?: { to: string; restart: boolean; stop_first: boolean; storage_map: [string, string][] },
): Promise<Attrs> {
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
  const m: Migration = planned ? { from, to: planned.to, restart: planned.restart, storageMap: planned.storage_map } : planMigration(prior, config, running && stays);
  if (planned ? planned.stop_first && running : running && !stays) await pct(t, stopArgv(vmid), "pct stop");
  const intent = { operation: `migrate to ${m.to}`, node: from, vmid };
  await ctx.recordIntent(intent);
  await pct(t, migrateArgv(vmid, m), `pct migrate to node ${m.to}`);
  // Done: refresh finds the container on any node, so nothing is left to check. Kept, it would
  // outlive an oci_container replacement that records a new vmid (nothing answers it then).
  await ctx.forgetIntent(intent);
  const there: Target = { ...t, node: m.to, run: ctx.runnerFor(m.to) };
  return readBack(there, m.restart, migratedPrior(prior, m));
}

/**
 * Executes the plan's steps on the container `read` (where it is now). `planDigest`: the first
 * write checks the digest the plan read; after a migration (which checked it itself before
 * moving) the conf read back on the target stands in for it. The digest survives pct stop, which
 * does not write the conf (pve-container LXC.pm vm_stop; the simulator's pct stop), so an outside
 * change made between the plan and the stop is still refused. Every later write checks the digest
 * of a read made after pmxform's previous write (digest-chain.ts), so a key someone else changes
 * between two steps is never overwritten.
 */
async function runUpdate(address: string, config: Attrs, read: Attrs, planned: Attrs, ops: readonly PctOperation[], planDigest: boolean, ctx: ApplyContext, other?: OtherSteps): Promise<Attrs> {
  const node = String(read["node"]);
  const vmid = Number(read["vmid"]);
  const t: Target = { address, node, vmid, run: ctx.runnerFor(node), ctx };
  const first = await assertOwnContainer(t, read);
  const checked = ops.find((o) => o.op === "digest");
  const isOther = (o: { op: string }) => other?.ops.has(o.op) === true;
  const written = [...keysWritten(ops.filter((o) => !isOther(o))), ...ops.flatMap((o) => (isOther(o) ? other!.keys(o as unknown as PlannedOperation) : []))];
  const chain = new DigestChain(t, planDigest ? checked?.digest : typeof read["digest"] === "string" ? read["digest"] : undefined, first, written);
  let running = read["started"] === true;
  // Values the plan left to apply (unknown then, or secret): printed from the configuration now,
  // by the plan's own mapping (a moved volume still where it is; disks echo their grown size).
  let fromConfig: Attrs | undefined;
  const grown = new Map(ops.flatMap((o) => (o.op === "resize" ? [[o.disk, o.size] as const] : [])));
  const resolve = (key: string): string | undefined => {
    if (!fromConfig) {
      const p = plannedAttrs(config, read, vmid, address);
      fromConfig = beforeMoves(read, p, volumeMoves(read, p));
    }
    return setValue(key, fromConfig, read, grown);
  };
  let raw: ConfEdit | undefined;
  let setDone = false;
  const stale: SetPiece[] = [];
  const runSet = async (pieces: readonly SetPiece[], del: string[]) => {
    const all = [...pieces, ...stale.filter((s) => !pieces.some((p) => p.key === s.key))];
    const printed = all.map((p) => ({ key: p.key, value: valueOf(p, resolve) }));
    await chain.write([...printed.map((p) => p.key), ...del], (digest) => pct(t, setArgvOf(vmid, digest, printed, del), "pct set"));
    stale.length = 0;
    setDone = true;
  };
  try {
    for (const op of ops) {
      if (stale.length && op.op !== "resize" && op.op !== "set") await runSet([], []);
      if (isOther(op)) {
        await other!.run(op, t, chain);
        continue;
      }
      switch (op.op) {
        case "digest":
        case "migrate": // done above, before anything on this node
          break;
        case "stop":
          await pct(t, stopArgv(vmid), "pct stop");
          running = false;
          break;
        case "raw_lxc": {
          const lines = "lines" in op ? op.lines : rawLinesFrom(config, op.from);
          // The conf is edited only while it has the chain's digest (conf-write.ts checks it at
          // the read and again under the CT lock at the write).
          raw = await chain.write(["lxc"], (digest) => writeRawLxc(t, digest, lines));
          if (raw) chain.wrote(raw.after);
          break;
        }
        case "unprotect":
          await chain.write(["protection"], (digest) => pct(t, setArgvOf(vmid, digest, [{ key: "protection", value: "0" }], []), "pct set --protection 0"));
          break;
        case "resize":
          try {
            await chain.write([op.disk], (digest) => t.run.run(resizeArgv(vmid, op.disk, op.size, digest), { signal: t.ctx.signal }));
          } catch (err) {
            if (err instanceof OutsideChange) throw err;
            // The volume has the size already and only the conf's size= lags (a pending value with an
            // old size= applied over a resize, as apply before this order left it): pct refuses
            // before writing anything, and pct set stores the true size= (the plan's if_already).
            if (!/disk is already at specified size/.test(String((err as { stderr?: unknown }).stderr ?? "")) || !op.if_already) throw pveError(err, address, `growing ${op.disk} to ${op.size}`);
            stale.push(op.if_already);
          }
          break;
        case "set":
          await runSet(op.set, op.delete);
          break;
        case "move_volume":
          // pct move-volume checks --digest under the CT lock before copying (argv.ts), so the
          // volume moves only out of the conf the chain expects; the write also drops the old
          // volume (--delete 1) and gives mpN its new volume id, pmxform's own change.
          await chain.write([op.disk], (digest) => pct(t, moveVolumeArgv(vmid, op.disk, op.storage, digest), `moving ${op.disk} to storage ${op.storage}`));
          break;
        case "start":
          await pct(t, startArgv(vmid), "pct start");
          chain.unchecked(chain.pendingKeys());
          running = true;
          break;
        case "password": {
          const password = getPath(config, op.from);
          if (typeof password !== "string") throw new Error(`${address}: the plan sets the root password, but the configuration holds none now. Run "pmxform plan" again.`);
          await setPassword(t, password);
          break;
        }
        case "ssh_keys":
          await pushKeys(t, "keys" in op ? op.keys : getPath(config, op.from));
          break;
        case "reboot":
          await pct(t, rebootArgv(vmid), "pct reboot");
          chain.unchecked(chain.pendingKeys());
          running = true;
          break;
        case "pending":
          ctx.log(`${address}: ${op.keys.join(", ")} take effect when the container restarts (set restart_on_change = true to let pmxform restart it)`);
          break;
        case "delete_detached":
          await deleteDetachedVolumes(t, chain, op.volumes);
          break;
      }
    }
    if (stale.length) await runSet([], []);
  } catch (err) {
    // Nothing written half: the raw lines go back out when pct refuses what follows them up to
    // the set (restoreConf leaves a conf a resize has written since: its size= is true now).
    if (raw && !setDone) await restoreConf(t, raw).catch(() => undefined);
    throw err;
  }
  // The record of volumes to delete goes on for those not detached yet (the read drops the rest).
  const carried = carriedAttrs(planned, config);
  const doomed = ops.find((o) => o.op === "delete_detached");
  if (doomed) carried["volumes_to_delete"] = doomed.volumes;
  return readBack(t, running, carried);
}

/** The raw lxc lines the configuration holds now (a step the plan could not print). */
function rawLinesFrom(config: Attrs, from: AttrPath): string[] {
  const v = getPath(config, from);
  if (!Array.isArray(v) || v.some((l) => typeof l !== "string")) throw new Error("the raw lxc lines are still unknown at apply");
  return v.map((l) => normalizeRawLine(l as string));
}

/**
 * What the read-back carries over from the plan (names of slots, managed keys, the template...):
 * the planned values, and where the plan did not know one, the configuration's now.
 */
function carriedAttrs(planned: Attrs, config: Attrs): Attrs {
  const out: Attrs = { ...planned };
  for (const k of CARRIED) if (hasUnknown(out[k])) out[k] = k === "password_sha256" ? (typeof config["password"] === "string" ? sha256(config["password"]) : undefined) : config[k];
  return out;
}

function getPath(a: Attrs, path: AttrPath): unknown {
  let cur: unknown = a;
  for (const seg of path) cur = cur !== null && typeof cur === "object" ? (cur as Record<string, unknown>)[String(seg)] : undefined;
  return cur;
}

const hasUnknown = (v: unknown): boolean => isUnknown(v) || (Array.isArray(v) ? v.some(hasUnknown) : v !== null && typeof v === "object" ? Object.values(v).some(hasUnknown) : false);

/**
 * Deletes removed mounts' volumes that Proxmox has detached to unusedN by now: the unusedN keys are
 * found in the conf the chain read, and the pct set --delete carries that conf's digest, so a key
 * renumbered or reused by someone else in between is refused instead of deleting another volume.
 */
async function deleteDetachedVolumes(t: Target, chain: DigestChain, doomed: readonly string[]): Promise<void> {
  if (doomed.length === 0) return;
  await chain.write([], async (digest) => {
    const keys = unusedKeysHolding(parseConf(chain.text() ?? (await readConfText(t)), String(t.vmid)), [...doomed]);
    if (keys.length) await pct(t, setArgvOf(t.vmid, digest, [], keys), `deleting the volumes of removed mounts (${keys.join(", ")})`);
  });
}

export async function deleteContainer(address: string, prior: Attrs, ctx: ApplyContext): Promise<void> {
  await ctx.recordIntent({ operation: "delete", node: String(prior["node"]), vmid: Number(prior["vmid"]) });
  // Gone from its node and from the cluster: already destroyed. Moved: destroyed where it is.
  await onCurrentNode(
    address,
    prior,
    ctx,
    (p) => deleteOn(address, p, ctx),
    () => undefined,
  );
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
