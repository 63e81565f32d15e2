// Carrying out a zfs_dataset plan on the node: the planned operations as zfs/chown argv (never a
// shell string), then one read-back of the dataset (its properties, snapshots and owner) that the
// engine checks against the plan. Destroy re-reads the dataset first and refuses data or
// snapshots that appeared since the plan unless destroy_with_data opted in; it never uses -r on
// children.
import type { ApplyContext, Attrs, PlannedOperation } from "../../src/provider/types.js";
import type { Runner } from "../../src/exec/runner.js";
import { nodeCommand } from "../lxc/conf-write.js";
import { attrsFromView, holdsData } from "./attrs.js";
import { addSnapshots, mountedPath, OWNER_FORMAT, parseOwners, parseZfsGet, type DatasetView } from "./snapshot.js";

const KNOWN_OPS = new Set(["zfs create", "zfs set", "zfs inherit", "chown"]);

export function createArgv(op: PlannedOperation): string[] {
  const props = Object.entries((op["properties"] ?? {}) as Record<string, string>).flatMap(([k, v]) => ["-o", `${k}=${v}`]);
  return ["zfs", "create", ...props, String(op["name"])];
}

export const parentsArgv = (name: string): string[] => ["zfs", "create", "-p", name.slice(0, name.lastIndexOf("/"))];
export const setArgv = (op: PlannedOperation): string[] => ["zfs", "set", ...Object.entries(op["properties"] as Record<string, string>).map(([k, v]) => `${k}=${v}`), String(op["name"])];
export const inheritArgv = (op: PlannedOperation): string[] => ["zfs", "inherit", String(op["property"]), String(op["name"])];

function stderrOf(err: unknown): string {
  return String((err as { stderr?: unknown }).stderr ?? (err as Error).message)
    .trim()
    .split("\n")
    .filter(Boolean)
    .join("; ");
}

async function runStep(address: string, node: string, run: Runner, argv: string[], ctx: ApplyContext): Promise<void> {
  try {
    await run.run(argv, { signal: ctx.signal });
  } catch (err) {
    throw new Error(`${address}: ${argv.join(" ")} on node ${node} failed: ${stderrOf(err)}`, { cause: err });
  }
}

/** The dataset as the node has it now: 2 zfs calls and a stat (none when it does not exist). */
export async function readDataset(node: string, name: string, ctx: ApplyContext): Promise<DatasetView | undefined> {
  const run = ctx.runnerFor(node);
  let got;
  try {
    got = await run.run(["zfs", "get", "-Hp", "-o", "name,property,value,source", "all", name], { signal: ctx.signal });
  } catch (err) {
    if (/dataset does not exist/.test(stderrOf(err))) return undefined;
    throw err;
  }
  const d = parseZfsGet(got.stdout).get(name);
  if (!d) return undefined;
  const snaps = await run.run(["zfs", "list", "-Hp", "-t", "snapshot", "-o", "name", "-d", "1", name], { signal: ctx.signal, okCodes: [0, 1] });
  addSnapshots(new Map([[name, d]]), snaps.stdout);
  const p = mountedPath(d);
  if (p) {
    const st = await run.run([nodeCommand(ctx.pveRootFor?.(node) ?? "/etc/pve", "stat"), "-c", OWNER_FORMAT, p], { signal: ctx.signal, okCodes: [0, 1] });
    const o = parseOwners(st.stdout).get(p);
    if (o) d.owner = o;
  }
  return d;
}

function checkOperations(address: string, ops: PlannedOperation[] | undefined, needCreate: boolean): PlannedOperation[] {
  if (!ops || (needCreate && !ops.some((o) => o.op === "zfs create")))
    throw new Error(`${address}: the plan carries no zfs operations for this change (made by another pmxform version?); run pmxform plan again`);
  const bad = ops.find((o) => !KNOWN_OPS.has(o.op));
  if (bad) throw new Error(`${address}: the plan holds an operation this pmxform does not know ("${bad.op}"); run pmxform plan again`);
  return ops;
}

async function execute(address: string, node: string, ops: PlannedOperation[], ctx: ApplyContext): Promise<void> {
  const run = ctx.runnerFor(node);
  for (const op of ops) {
    const name = String(op["name"]);
    if (op.op === "zfs create") {
      if (op["parents"] === true) await runStep(address, node, run, parentsArgv(name), ctx);
      // Never -p on the dataset itself: `zfs create -p` of an existing dataset succeeds silently
      // without setting anything (zfs_main.c zfs_do_create), hiding a dataset made since the plan.
      await runStep(address, node, run, createArgv(op), ctx);
    } else if (op.op === "zfs set") await runStep(address, node, run, setArgv(op), ctx);
    else if (op.op === "zfs inherit") await runStep(address, node, run, inheritArgv(op), ctx);
    else if (op.op === "chown") {
      const d = await readDataset(node, name, ctx);
      const path = d ? mountedPath(d) : undefined;
      if (!path) throw new Error(`${address}: ${name} on node ${node} is not mounted, so its owner cannot be set; mount it (zfs mount ${name}) and apply again`);
      await runStep(address, node, run, ["chown", `${String(op["uid"])}:${String(op["gid"])}`, path], ctx);
    }
  }
}

export async function applyDataset(req: { address: string; planned: Attrs; operations?: PlannedOperation[] }, ctx: ApplyContext, creating: boolean): Promise<Attrs> {
  const node = String(req.planned["node"]);
  const name = String(req.planned["name"]);
  const ops = checkOperations(req.address, req.operations, creating);
  if (creating) await ctx.recordIntent({ operation: "create", node, file: `zfs:${name}` });
  await execute(req.address, node, ops, ctx);
  const d = await readDataset(node, name, ctx);
  if (!d) throw new Error(`${req.address}: ${name} is not on node ${node} after zfs reported success`);
  return attrsFromView(node, d, req.planned);
}

/** Destroys the dataset (its snapshots first when opted in); never its children. */
export async function deleteDataset(address: string, prior: Attrs, ctx: ApplyContext): Promise<void> {
  const node = String(prior["node"]);
  const name = String(prior["name"]);
  const d = await readDataset(node, name, ctx);
  if (!d) return; // already gone
  const now = attrsFromView(node, d, prior);
  const why = holdsData(now);
  if (why && prior["destroy_with_data"] !== true) {
    throw new Error(
      `${address}: ${node}/${name} now holds data (${why}), which it did not when the plan was made; nothing was destroyed. Set destroy_with_data = true and apply, or move the data away, then plan again`,
    );
  }
  const run = ctx.runnerFor(node);
  for (const s of d.snapshots) await runStep(address, node, run, ["zfs", "destroy", `${name}@${s}`], ctx);
  await runStep(address, node, run, ["zfs", "destroy", name], ctx);
}
