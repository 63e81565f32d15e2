// The cluster snapshot: every container config, run state and storage of the cluster a node
// belongs to, and each node's bridges, read in 2 + 3 x (number of nodes) processes however many
// containers there are, in one round of start-ups when the run knows the cluster's nodes.
import { confDigest, parseConf, type ParsedConf } from "../../src/pve/conf.js";
import type { RefreshContext } from "../../src/provider/types.js";
import type { Runner } from "../../src/exec/runner.js";
import {
  parseClusterResources,
  parseConfDump,
  parseNodeBridges,
  parseNodeLxcList,
  type ClusterResources,
  type ClusterStorage,
  type ConfFile,
  type NodeBridge,
  type NodeCtStatus,
} from "./snapshot-parse.js";
import { bridgesArgv, bridgesWanted, catalogueNodes, parseAvailable, plannedTemplateVolids } from "./snapshot-needs.js";
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
  /** Bridges per node (its network configuration); absent when not read (nothing is checked then). */
  bridges?: Map<string, NodeBridge[]>;
  /**
   * "node/storage" -> template volid -> size in bytes, for the storages listed (see
   * snapshot-needs.ts templatesWanted); a storage missing here was not listed.
   */
  templates?: Map<string, Map<string, number>>;
  /** "node/volid" of every template an lxc_template of the configuration puts on a node. */
  plannedTemplates?: Set<string>;
  /** node -> the template names its `pveam available` lists; read only for nodes with a new lxc_template. */
  catalogue?: Map<string, Set<string>>;
}

export function emptySnapshot(nodes: string[] = []): LxcSnapshot {
  return { nodes: [...nodes], containers: new Map(), vms: new Set(), storages: [], devices: new Map(), bridges: new Map(), plannedTemplates: new Set() };
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

/** One node's `pvesh get /nodes/<n>/lxc`, settled: a failure is a value, decided on by the caller. */
type NodeList = { node: string; status: NodeCtStatus[] } | { node: string; error: unknown };

function readNodeList(run: Runner, n: string, signal: AbortSignal): Promise<NodeList> {
  return run.run(["pvesh", "get", `/nodes/${n}/lxc`, "--output-format", "json"], { signal }).then(
    (r) => ({ node: n, status: parseNodeLxcList(r.stdout) }),
    (error: unknown) => ({ node: n, error }),
  );
}

/**
 * One round of process start-ups in the usual case: the per-node reads of the nodes the run
 * expects (ctx.expectedNodes) start together with the cluster-wide reads; only a node the cluster
 * reveals beyond those costs a second round. An expected node the cluster does not hold (a
 * standalone host of its own) has its reads cancelled and ignored: its own snapshot covers it.
 * `alongside` starts as soon as the resource list is read and runs in parallel with the second
 * round, if any.
 */
export async function takeSnapshot<T = undefined>(
  node: string,
  ctx: RefreshContext,
  alongside?: (resources: ClusterResources) => Promise<T>,
): Promise<{ snapshot: LxcSnapshot; nodes: string[]; extra: T | undefined }> {
  const run = ctx.runnerFor(node);
  const pveRoot = ctx.pveRootFor?.(node) ?? "/etc/pve";
  const signal = ctx.signal;
  // Each speculative node has its own cancel switch: only the ones the cluster lacks are cancelled.
  const cancel = new Map<string, AbortController>();
  const signalFor = (n: string): AbortSignal => {
    if (n === node) return signal;
    const c = new AbortController();
    cancel.set(n, c);
    return AbortSignal.any([signal, c.signal]);
  };
  const lists = new Map<string, Promise<NodeList>>();
  const devices = new Map<string, Promise<HostDevices | undefined>>();
  const bridges = new Map<string, Promise<NodeBridge[] | undefined>>();
  const readBridges = bridgesWanted(ctx) ? (n: string, s: AbortSignal) => bridges.set(n, readNodeBridges(run, n, s)) : () => undefined;
  for (const n of [...new Set([node, ...(ctx.expectedNodes ?? [])])].sort()) {
    const s = signalFor(n);
    lists.set(n, readNodeList(run, n, s));
    devices.set(n, readHostDevice(n, { ...ctx, signal: s }));
    readBridges(n, s);
  }
  const cancelExcept = (keep: ReadonlySet<string>): void => {
    for (const [n, c] of cancel) if (!keep.has(n)) c.abort();
  };
  let resOut, dumpOut;
  try {
    [resOut, dumpOut] = await Promise.all([
      run.run(["pvesh", "get", "/cluster/resources", "--output-format", "json"], { signal }),
      // grep exits 1 when there is no file at all, 2 when a file vanished while reading (a destroy
      // racing the refresh): both still leave a usable dump.
      run.run(confDumpArgv(pveRoot), { signal, okCodes: [0, 1, 2] }),
    ]);
  } catch (e) {
    cancelExcept(new Set());
    throw e;
  }
  if (dumpOut.exitCode === 2 && !/\.conf: No such file or directory/.test(dumpOut.stderr)) {
    cancelExcept(new Set());
    throw new Error(`cannot read the container configs under ${pveRoot}/nodes on node ${node}: ${dumpOut.stderr.trim()}`);
  }
  const resources = parseClusterResources(resOut.stdout);
  const confs = parseConfDump(dumpOut.stdout);
  const nodes = [...new Set([node, ...resources.nodes, ...confs.map((c) => c.node)])].sort();
  cancelExcept(new Set(nodes));
  for (const n of nodes) {
    if (!lists.has(n)) lists.set(n, readNodeList(run, n, signal));
    if (!devices.has(n)) devices.set(n, readHostDevice(n, ctx));
    if (!bridges.has(n)) readBridges(n, signal);
  }
  // pvesh proxies /nodes/<other>/... itself, so one runner serves every node of the cluster. A
  // node that is down or gone from the cluster fails only its own list: the snapshot then does
  // not cover it, so the engine asks that node itself, and only its resources go unrefreshed.
  const catalogue = readCatalogues(catalogueNodes(ctx), ctx);
  const [read, stats, nets, extra] = await Promise.all([
    Promise.all(nodes.map((n) => lists.get(n)!)),
    Promise.all(nodes.map(async (n) => [n, await devices.get(n)!] as const)),
    Promise.all(nodes.map(async (n) => [n, await bridges.get(n)] as const)),
    alongside?.(resources),
  ]);
  for (const l of read) if ("error" in l && (l.node === node || signal.aborted)) throw l.error;
  const snapshot = buildSnapshot(
    { ...resources, nodes },
    confs,
    read.map((l) => ("status" in l ? l.status : [])),
  );
  for (const [n, d] of stats) if (d) snapshot.devices.set(n, d);
  snapshot.bridges = new Map(nets.filter((e): e is readonly [string, NodeBridge[]] => e[1] !== undefined));
  snapshot.plannedTemplates = plannedTemplateVolids(ctx);
  snapshot.catalogue = await catalogue;
  const unread = new Set(read.filter((l) => "error" in l).map((l) => l.node));
  return { snapshot, nodes: snapshot.nodes.filter((n) => !unread.has(n)), extra };
}

/** `pveam available` on each node (its own runner: pveam does not proxy); a node that cannot answer is left out. */
async function readCatalogues(nodes: string[], ctx: RefreshContext): Promise<Map<string, Set<string>>> {
  const out = new Map<string, Set<string>>();
  await Promise.all(
    nodes.map(async (n) => {
      try {
        out.set(n, parseAvailable((await ctx.runnerFor(n).run(["pveam", "available"], { signal: ctx.signal, timeoutMs: 60_000 })).stdout));
      } catch {
        // unchecked: pveam download says it at apply
      }
    }),
  );
  return out;
}

/** The bridges of node `n`; undefined when they cannot be read (its bridges are not checked then). */
function readNodeBridges(run: Runner, n: string, signal: AbortSignal): Promise<NodeBridge[] | undefined> {
  return run.run(bridgesArgv(n), { signal }).then(
    (r) => parseNodeBridges(r.stdout),
    () => undefined,
  );
}

/** The GPU device nodes `n` has; undefined when it cannot be asked (an undeclared or unreachable
 * node, or one without stat): its GPUs are not checked then. */
function readHostDevice(n: string, ctx: Pick<RefreshContext, "runnerFor" | "pveRootFor" | "signal">): Promise<HostDevices | undefined> {
  return readNodeDevices(n, ctx).catch(() => undefined);
}

/** Where the search for a free vmid resumes, per plan (claimed set) and cluster (snapshot). */
interface VmidCursor {
  /** Every vmid in [100, next) is taken by a container, a VM or a claim. */
  next: number;
  /** claimed.size when `next` was found: claims are only ever added during a plan. */
  claims: number;
}
const cursors = new WeakMap<Set<number>, WeakMap<LxcSnapshot, VmidCursor>>();

/**
 * The lowest vmid ≥ 100 not used by a container, a VM, or another resource of this plan. The
 * search resumes where the previous one of the same plan and cluster stopped (nothing below it
 * can have become free), so planning n new containers is linear, not quadratic, in n.
 */
export function allocateVmid(snap: LxcSnapshot, claimed: Set<number>): number {
  let perSnap = cursors.get(claimed);
  if (!perSnap) cursors.set(claimed, (perSnap = new WeakMap()));
  const cursor = perSnap.get(snap);
  // A claim taken back (size shrank) could free a vmid below the cursor: search from the start.
  let id = cursor && claimed.size >= cursor.claims ? cursor.next : 100;
  while (snap.containers.has(id) || snap.vms.has(id) || claimed.has(id)) id++;
  claimed.add(id);
  perSnap.set(snap, { next: id + 1, claims: claimed.size });
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
