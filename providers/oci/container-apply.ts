// oci_container apply: lxc_container's pct calls, then the OCI runtime keys (pct set --entrypoint;
// env / lxc.init.* written into the conf, since argv cannot carry several NUL-separated env
// entries), and the image replace that moves data volumes to the new container.
import { confDigest, parseConf } from "../../src/pve/conf.js";
import type { ApplyContext, Attrs, PlannedOperation } from "../../src/provider/types.js";
import { isUnknown, putKey } from "../../src/config/value.js";
import { createContainer, deleteContainer, migrateContainer, updateContainer, type OtherSteps } from "../lxc/apply.js";
import { destroyArgv, startArgv, stopArgv } from "../lxc/argv.js";
import { pveError } from "../lxc/errors.js";
import { editConf, readConfText, type ConfTarget } from "../lxc/conf-write.js";
import { followedTo, onCurrentNode } from "../lxc/snapshot-locate.js";
import { assertOwnContainer } from "../lxc/identity.js";
import { DigestChain, OutsideChange, refusedDigest } from "../lxc/digest-chain.js";
import { lxcConfigOf, ociAttrsFromConf, parseUser, writeOciKeys, type OciKeys } from "./container-attrs.js";
import { OCI_OPS, ociKeysWritten, ociSteps, type OciOperation, type PlannedValue, type ReplaceOperation } from "./container-operations.js";

type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj => (v && typeof v === "object" && !Array.isArray(v) && !isUnknown(v) ? (v as Obj) : {});

type Ct = ConfTarget;

async function readBack(t: Ct, running: boolean, carried: Attrs): Promise<Attrs> {
  const text = await readConfText(t);
  const a = ociAttrsFromConf(t.vmid, t.node, parseConf(text, String(t.vmid)), running, carried, confDigest(text));
  delete a["template"];
  return a;
}

async function pct(t: Ct, argv: string[], doing: string): Promise<void> {
  try {
    await t.run.run(argv, { signal: t.ctx.signal });
  } catch (err) {
    throw pveError(err, t.address, doing);
  }
}

/** The OCI steps in lxc_container's list: run in their place, their conf keys known to the digest chain. */
function ociStepsOf(config: Attrs): OtherSteps {
  return { ops: OCI_OPS, keys: ociKeysWritten, run: (op, t, chain) => runOciStep(t, config, op as unknown as OciOperation, chain) };
}

/**
 * Creates as the plan decided (its steps: lxc_container's create of a stopped container, the OCI
 * keys, then the start when wanted, since the env must be there at start). The image is the
 * template pct create used: the plan's, or where the plan could not know it, what the create
 * step read from the configuration (lxc's createContainer carries it back as `template`).
 */
export async function createOci(address: string, config: Attrs, planned: Attrs, operations: readonly PlannedOperation[] | undefined, ctx: ApplyContext): Promise<Attrs> {
  ociSteps(address, operations ?? []);
  const created = await createContainer(address, lxcConfigOf(config, null), { ...planned, template: planned["image"] }, operations, ctx, ociStepsOf(config));
  const t: Ct = { address, node: String(created["node"]), vmid: Number(created["vmid"]), run: ctx.runnerFor(String(created["node"])), ctx };
  return readBack(t, created["started"] === true, { ...created, ...pick(planned), image: created["template"] });
}

/** A value of the plan's step: as printed, or read from the configuration evaluated at apply. */
function resolved(t: Ct, config: Attrs, v: PlannedValue | null, what: string): string | undefined {
  if (v === null) return undefined;
  if (typeof v === "string") return v;
  let cur: unknown = config;
  for (const seg of v.from) cur = cur !== null && typeof cur === "object" && !isUnknown(cur) ? (cur as Obj)[String(seg)] : undefined;
  if (typeof cur !== "string") throw new Error(`${t.address}: ${what} is still unknown at apply. Run "pmxform plan" again.`);
  return cur;
}

/**
 * One OCI step of the plan: pct set --entrypoint, or the conf edit of env, working_dir and user
 * (values the plan left to apply read from the configuration now). In an update each write takes
 * part in the digest chain: pct set carries the digest, the conf edit is made only over a conf that
 * has it (conf-write.ts checks it again under the CT lock).
 */
async function runOciStep(t: Ct, config: Attrs, op: OciOperation, chain?: DigestChain): Promise<void> {
  if (op.op === "entrypoint") {
    const set = (digest: string | undefined) => pct(t, ["pct", "set", String(t.vmid), ...(digest ? ["--digest", digest] : []), "--entrypoint", op.value], "pct set --entrypoint");
    await (chain ? chain.write(["entrypoint"], set) : set(undefined));
    return;
  }
  const env: Record<string, string> = { ...op.env };
  for (const k of op.env_from) {
    const configured = obj(config["env"]);
    const v = Object.hasOwn(configured, k) ? configured[k] : undefined;
    if (typeof v !== "string") throw new Error(`${t.address}: env ${k} is still unknown at apply. Run "pmxform plan" again.`);
    putKey(env, k, v);
  }
  const keys: OciKeys = { env, remove: op.remove_env };
  const cwd = resolved(t, config, op.working_dir, "working_dir");
  const user = resolved(t, config, op.user, "user");
  if (cwd !== undefined) keys.working_dir = cwd;
  if (user !== undefined) {
    if (!parseUser(user)) throw new Error(`${t.address}: user "${user}" must be numeric, "UID" or "UID:GID". Nothing of it was written; fix it and run "pmxform plan" again.`);
    keys.user = user;
  }
  const doing = "writing env/working_dir/user into the container's configuration";
  const edit = (digest: string | undefined) => editConf(t, digest, (conf) => writeOciKeys(conf, keys), doing);
  if (!chain) {
    await edit(undefined);
    return;
  }
  const done = await chain.write(ociKeysWritten(op as unknown as PlannedOperation), edit);
  if (done) chain.wrote(done.after);
}

function pick(p: Attrs): Attrs {
  const out: Attrs = {};
  for (const k of ["image", "env", "address", "managed_keys", "mount_names", "device_names"]) if (p[k] !== undefined && !isUnknown(p[k])) out[k] = p[k];
  return out;
}

/**
 * An update as the plan decided it: lxc_container's steps with the OCI steps in their place
 * (updateContainer follows a container moved since the plan, and runs every write of both in one
 * digest chain). The image does not change in an update (that is a replacement).
 */
export async function updateOci(address: string, config: Attrs, prior: Attrs, planned: Attrs, operations: readonly PlannedOperation[] | undefined, ctx: ApplyContext): Promise<Attrs> {
  ociSteps(address, operations ?? []);
  const image = typeof planned["image"] === "string" ? planned["image"] : prior["image"];
  const lxcAttrs = await updateContainer(address, lxcConfigOf(config, prior), { ...prior, template: image }, { ...planned, template: image }, operations, ctx, ociStepsOf(config));
  const node = String(lxcAttrs["node"] ?? prior["node"]);
  const t: Ct = { address, node, vmid: Number(prior["vmid"]), run: ctx.runnerFor(node), ctx };
  const attrs = await readBack(t, lxcAttrs["started"] === true, { ...lxcAttrs, ...pick(planned), image });
  return followedTo(attrs, prior, config);
}

export const deleteOci = deleteContainer;

/**
 * Image change (or another replacement) as the plan decided it (container-attrs.ts
 * replaceOperations): its first step says the order and which mounts' volumes the new container
 * takes over; the rest build the new container. Create first: the new container from the new
 * image (without the volumes to keep, stopped), stop the old one, move each kept volume over with
 * `pct move-volume --target-vmid`, start the new one (the plan's last step), and only then
 * destroy the old one. Any failure leaves both containers and every volume. Delete first (the
 * vmid stays): destroy, then create.
 */
export async function replaceOci(address: string, config: Attrs, prior: Attrs, planned: Attrs, operations: readonly PlannedOperation[] | undefined, ctx: ApplyContext): Promise<Attrs> {
  const how = replaceStep(address, operations);
  // Before anything is created: where is the old container now? Moved since the plan with its
  // configuration unchanged, the replacement follows it there (volumes move only within a node);
  // changed there, nothing is done and the error says to plan again.
  const here = await onCurrentNode(address, prior, ctx, async (p) => {
    const node = String(p["node"]);
    // Read now, and only the container this entry recorded (its marker) is replaced.
    await assertOwnContainer({ address, node, vmid: Number(p["vmid"]), run: ctx.runnerFor(node), ctx }, p);
    return p;
  });
  // A planned node change: pct migrate first, so the data volumes are on the node of the new container.
  const to = planned["node"];
  const migrates = typeof to === "string" && to !== prior["node"] && to !== here["node"];
  const at = migrates ? await migrateContainer(address, { ...config, node: to }, here, ctx) : here;
  const steps = (operations ?? []).slice(1);
  if (at["node"] === prior["node"] || at["node"] === to) return followedTo(await replaceOn(address, config, at, planned, how, steps, ctx), prior, config);
  const moved = { node: at["node"] };
  return followedTo(await replaceOn(address, { ...config, ...moved }, at, { ...planned, ...moved }, how, steps, ctx), prior, config);
}

/** The plan's first step of a replacement, checked. */
function replaceStep(address: string, operations: readonly PlannedOperation[] | undefined): ReplaceOperation {
  const o = operations?.[0];
  const ok = o?.op === "replace" && typeof o["delete_first"] === "boolean" && Array.isArray(o["keep"]) && o["keep"].every((k) => typeof k === "string");
  if (!ok) throw new Error(`${address}: the plan carries no replacement steps this pmxform can carry out (it was made by another pmxform version). Nothing was done; run "pmxform plan" again.`);
  return o as unknown as ReplaceOperation;
}

async function replaceOn(address: string, config: Attrs, prior: Attrs, planned: Attrs, how: ReplaceOperation, steps: PlannedOperation[], ctx: ApplyContext): Promise<Attrs> {
  const node = String(prior["node"]);
  const oldVmid = Number(prior["vmid"]);
  if (how.delete_first) {
    // Volumes move only between containers of one node, and a vmid cannot be held twice.
    await deleteOci(address, prior, ctx);
    return createOci(address, config, planned, steps, ctx);
  }
  if (planned["node"] !== node || planned["vmid"] === oldVmid) throw new Error(`${address}: CT ${oldVmid} is no longer where the plan found it. Nothing was done; run "pmxform plan" again.`);
  const run = ctx.runnerFor(node);
  const priorMounts = obj(prior["mount"]);
  const plannedMounts = obj(planned["mount"]);
  const keep = how.keep.map((name) => ({ name, to: obj(plannedMounts[name]), from: obj(priorMounts[name]) }));
  const lost = keep.find((k) => typeof k.from["volume"] !== "string");
  if (lost) throw new Error(`${address}: the volume of mount "${lost.name}" that the plan moves to the new container is gone from CT ${oldVmid}. Nothing was done; run "pmxform plan" again.`);
  const keepNames = new Set(how.keep);
  const cfgMounts = obj(config["mount"]);
  // Pin the slots the plan chose, so the new volumes never take a slot a moved volume needs.
  const createCfg: Attrs = {
    ...config,
    mount: Object.fromEntries(
      Object.entries(cfgMounts)
        .filter(([n]) => !keepNames.has(n))
        .map(([n, m]) => [n, { ...obj(m), slot: obj(plannedMounts[n])["slot"] }]),
    ),
  };
  const createPlanned: Attrs = { ...planned, mount: Object.fromEntries(Object.entries(plannedMounts).filter(([n]) => !keepNames.has(n))) };
  // The old container as the plan saw it, or nothing is created: it is destroyed at the end.
  const oldCt: Ct = { address: `${address}: CT ${oldVmid}`, node, vmid: oldVmid, run, ctx };
  const oldText = await readConfText(oldCt);
  if (typeof prior["digest"] === "string" && confDigest(oldText) !== prior["digest"])
    throw new Error(`${address}: the configuration of CT ${oldVmid} was changed outside pmxform since the plan was made. Nothing was done; run "pmxform plan" again to see the difference.`);
  // The plan's last step starts the new container: here, once the volumes are in it.
  const wantRunning = steps.at(-1)?.op === "start";
  const created = await createOci(address, createCfg, { ...createPlanned, started: false }, wantRunning ? steps.slice(0, -1) : steps, ctx);
  const newVmid = Number(created["vmid"]);
  const newCt: Ct = { address: `${address}: CT ${newVmid}`, node, vmid: newVmid, run, ctx };
  // One digest chain per container (digest-chain.ts), every key watched ("*"): the old one is
  // destroyed at the end and the new one becomes the resource, so any change someone else makes
  // to either between pmxform's steps stops the replacement before its next step.
  const chains = [new DigestChain(oldCt, undefined, oldText, ["*"]), new DigestChain(newCt, undefined, await readConfText(newCt), ["*"])] as const;
  const where = (step: string) =>
    `${address}: replacing CT ${oldVmid} with CT ${newVmid} stopped at "${step}"; both containers still exist and no volume was deleted. Fix the cause, then move the remaining volumes with "pct move-volume ${oldVmid} mpN --target-vmid ${newVmid} --target-volume mpN" or destroy CT ${newVmid} and apply again.`;
  const step = async (name: string, argv: string[]) => {
    await ctx.recordIntent({ operation: `replace: ${name}`, node, vmid: newVmid });
    try {
      await run.run(argv, { signal: ctx.signal });
    } catch (err) {
      throw new Error(`${where(name)} Cause: ${pveError(err, address, name).message}`, { cause: err });
    }
  };
  /** The chains' reads before step `name`: an outside change stops it, said with where it stopped. */
  const checked = async <T>(name: string, fn: () => Promise<T>): Promise<T> => {
    try {
      return await fn();
    } catch (err) {
      if (err instanceof OutsideChange) throw new Error(`${where(name)} Cause: ${err.message}`, { cause: err });
      throw err;
    }
  };
  if (prior["started"] === true) await step(`pct stop ${oldVmid}`, stopArgv(oldVmid));
  for (const k of keep) {
    const from = `mp${String(k.from["slot"])}`;
    const to = `mp${String(k.to["slot"])}`;
    const name = `move ${from} to CT ${newVmid} ${to}`;
    // pct move-volume checks --digest against the source conf and --target-digest against the
    // target's under both CT locks (pve-container LXC.pm move_volume): each is the digest of the
    // read after pmxform's previous step there. Refused (someone wrote in between): both read
    // again; a change of theirs stops it, a bare unusedN shuffle is retried (bounded).
    for (let attempt = 0; ; attempt++) {
      const [digest, targetDigest] = await checked(name, async () => [await chains[0].current(), await chains[1].current()]);
      try {
        await step(name, ["pct", "move-volume", String(oldVmid), from, "--target-vmid", String(newVmid), "--target-volume", to, "--digest", digest!, "--target-digest", targetDigest!]);
      } catch (err) {
        if (!refusedDigest(err) || attempt >= 2) throw err;
        for (const c of chains) c.unchecked([]);
        continue;
      }
      // pmxform's own change: mpN left the old conf and arrived in the new one.
      chains[0].unchecked([from]);
      chains[1].unchecked([to]);
      break;
    }
  }
  // Both read once more before the start and the destroy (also with no volume to move): a change
  // since pmxform's last step stops here. pct destroy takes no digest, so a change landing
  // between this read and the destroy is the one window left.
  for (const c of chains) c.unchecked([]);
  await checked(wantRunning ? `pct start ${newVmid}` : `pct destroy ${oldVmid}`, async () => Promise.all(chains.map((c) => c.current())));
  if (wantRunning) await step(`pct start ${newVmid}`, startArgv(newVmid));
  await step(`pct destroy ${oldVmid}`, destroyArgv(oldVmid));
  const t: Ct = { address, node, vmid: newVmid, run, ctx };
  // The planned mounts carry keep_on_remove (configuration only) for the volumes moved in above.
  return readBack(t, wantRunning, { ...created, mount_names: planned["mount_names"], mount: planned["mount"], ...pick(planned), image: created["image"] });
}
