// The cluster snapshot: every container config, run state and storage of the cluster a node
// belongs to, read in 2 + (number of nodes) processes however many containers there are.
import { confDigest, parseConf, type ParsedConf } from "../../src/pve/conf.js";
import type { RefreshContext } from "../../src/provider/types.js";
import {
  parseClusterResources,
  parseConfDump,
  parseNodeLxcList,
  type ClusterResources,
  type ClusterStorage,
  type ConfFile,
  type NodeCtStatus,
} from "./snapshot-parse.js";
import { deviceStatArgv, parseDeviceStat, type HostDevices } from "../mounts/host-devices.js";
import { nodeCommand } from "./conf-write.js";

export interface SnapshotContainer {
  node: string;
  conf: ParsedConf;
  digest: string;
  running: boolean;
  lock?: string;
}

export interface LxcSnapshot {
  nodes: string[];
  containers: Map<number, SnapshotContainer>;
  /** QEMU guests: their vmids are taken too. */
  vms: Set<number>;
  storages: ClusterStorage[];
  /** GPU device nodes per node; absent when the node could not be asked (nothing is checked then). */
  devices: Map<string, HostDevices>;
}

export function emptySnapshot(nodes: string[] = []): LxcSnapshot {
  return { nodes: [...nodes], containers: new Map(), vms: new Set(), storages: [], devices: new Map() };
}

/** Pure: combines the parsed reads. Conf files win over the (possibly lagging) resource list. */
export function buildSnapshot(resources: ClusterResources, confs: ConfFile[], status: NodeCtStatus[][]): LxcSnapshot {
  const snap = emptySnapshot(resources.nodes);
  snap.storages = resources.storages;
  const running = new Map<number, NodeCtStatus>();
  for (const list of status) for (const s of list) running.set(s.vmid, s);
  for (const g of resources.guests) if (g.type === "qemu") snap.vms.add(g.vmid);
  const nodes = new Set(snap.nodes);
  for (const f of confs) {
    const st = running.get(f.vmid);
    const c: SnapshotContainer = {
      node: f.node,
      conf: parseConf(f.text, String(f.vmid)),
      digest: confDigest(f.text),
      running: st?.running ?? false,
    };
    const lock = st?.lock ?? c.conf.main.keys.get("lock");
    if (lock) c.lock = lock;
    snap.containers.set(f.vmid, c);
    nodes.add(f.node);
  }
  // A container listed by the cluster but with an unreadable/empty conf still holds its vmid.
  for (const g of resources.guests) {
    if (g.type === "lxc" && !snap.containers.has(g.vmid)) {
      const c: SnapshotContainer = { node: g.node, conf: parseConf("", String(g.vmid)), digest: confDigest(""), running: running.get(g.vmid)?.running ?? false };
      if (g.lock) c.lock = g.lock;
      snap.containers.set(g.vmid, c);
    }
  }
  snap.nodes = [...nodes].sort();
  return snap;
}

/** The argv of the single read of every container config in the cluster. */
export function confDumpArgv(pveRoot: string): string[] {
  return ["grep", "-a", "-r", "-H", "-e", "", "--include=*.conf", `${pveRoot.replace(/\/+$/, "")}/nodes`];
}

/**
 * `alongside` starts as soon as the resource list is read and runs in parallel with the per-node
 * status reads (callers that need more per-storage reads save a round of process start-ups).
 */
export async function takeSnapshot<T = undefined>(
  node: string,
  ctx: RefreshContext,
  alongside?: (resources: ClusterResources) => Promise<T>,
): Promise<{ snapshot: LxcSnapshot; nodes: string[]; extra: T | undefined }> {
  const run = ctx.runnerFor(node);
  const pveRoot = ctx.pveRootFor?.(node) ?? "/etc/pve";
  const signal = ctx.signal;
  const [resOut, dumpOut] = await Promise.all([
    run.run(["pvesh", "get", "/cluster/resources", "--output-format", "json"], { signal }),
    // grep exits 1 when there is no file at all, 2 when a file vanished while reading (a destroy
    // racing the refresh): both still leave a usable dump.
    run.run(confDumpArgv(pveRoot), { signal, okCodes: [0, 1, 2] }),
  ]);
  if (dumpOut.exitCode === 2 && !/\.conf: No such file or directory/.test(dumpOut.stderr)) {
    throw new Error(`cannot read the container configs under ${pveRoot}/nodes on node ${node}: ${dumpOut.stderr.trim()}`);
  }
  const resources = parseClusterResources(resOut.stdout);
  const confs = parseConfDump(dumpOut.stdout);
  const nodes = new Set([node, ...resources.nodes, ...confs.map((c) => c.node)]);
  // pvesh proxies /nodes/<other>/... itself, so one runner serves every node of the cluster. A
  // node that is down or gone from the cluster fails only its own list: the snapshot then does
  // not cover it, so the engine asks that node itself, and only its resources go unrefreshed.
  const [lists, devices, extra] = await Promise.all([
    Promise.all(
      [...nodes].sort().map(async (n) => {
        try {
          return { node: n, status: parseNodeLxcList((await run.run(["pvesh", "get", `/nodes/${n}/lxc`, "--output-format", "json"], { signal })).stdout) };
        } catch (e) {
          if (n === node || signal.aborted) throw e;
          return { node: n, status: undefined };
        }
      }),
    ),
    readHostDevices([...nodes], ctx),
    alongside?.(resources),
  ]);
  const snapshot = buildSnapshot({ ...resources, nodes: [...nodes].sort() }, confs, lists.map((l) => l.status ?? []));
  snapshot.devices = devices;
  const unread = new Set(lists.filter((l) => !l.status).map((l) => l.node));
  return { snapshot, nodes: snapshot.nodes.filter((n) => !unread.has(n)), extra };
}

/** One `stat` per node (each through its own runner): which GPU device nodes it has. */
async function readHostDevices(nodes: string[], ctx: RefreshContext): Promise<Map<string, HostDevices>> {
  const out = new Map<string, HostDevices>();
  await Promise.all(
    nodes.map(async (n) => {
      try {
        out.set(n, await readNodeDevices(n, ctx));
      } catch {
        // An undeclared or unreachable node, or one without stat: its GPUs are not checked.
      }
    }),
  );
  return out;
}

/** The lowest vmid ≥ 100 not used by a container, a VM, or another resource of this plan. */
export function allocateVmid(snap: LxcSnapshot, claimed: Set<number>): number {
  let id = 100;
  while (snap.containers.has(id) || snap.vms.has(id) || claimed.has(id)) id++;
  claimed.add(id);
  return id;
}

/** The snapshot handed around by the engine is opaque: accept ours, or an empty one. */
export function asSnapshot(s: unknown): LxcSnapshot {
  if (s && typeof s === "object" && (s as LxcSnapshot).containers instanceof Map) return s as LxcSnapshot;
  return emptySnapshot();
}

/** `stat` over the GPU device candidates of `node`, through that node's own runner. */
export async function readNodeDevices(node: string, ctx: Pick<RefreshContext, "runnerFor" | "pveRootFor" | "signal">): Promise<HostDevices> {
  const argv = deviceStatArgv(nodeCommand(ctx.pveRootFor?.(node) ?? "/etc/pve", "stat"));
  return parseDeviceStat((await ctx.runnerFor(node).run(argv, { signal: ctx.signal, okCodes: [0, 1], timeoutMs: 60_000 })).stdout);
}
