// What zfs_dataset needs from a node, read in a fixed number of processes however many datasets
// there are: one `zfs get -Hp ... all` for every property of every filesystem, one
// `zfs list -t snapshot` for all snapshots, then one `stat` for the owners of all mountpoints.
// Only nodes with a recorded or configured zfs_dataset are read (a cluster without any costs
// nothing). The parsers are pure and tested on recorded output.
import type { RefreshContext } from "../../src/provider/types.js";
import { nodeCommand } from "../lxc/conf-write.js";
import { hostIds, type OwnerConfig } from "./access.js";
import { inheritedMountpoint } from "./mountpoint.js";

export interface PropValue {
  value: string;
  /** "local", "default", "-", "inherited from X", "received", "temporary" */
  source: string;
}

export interface DatasetView {
  name: string;
  props: Map<string, PropValue>;
  snapshots: string[];
  /** Owner of the mountpoint directory, when mounted and statted. */
  owner?: { uid: number; gid: number };
}

export interface ZfsNodeView {
  datasets: Map<string, DatasetView>;
  /** mountpoint -> the host owner a configured zfs_dataset gives it (for datasets not created yet). */
  plannedOwners?: Map<string, { dataset: string; uid: number; gid: number }>;
}

/** node -> its datasets; a node missing here was not read (its datasets keep their recorded state). */
export type ZfsSnapshot = Map<string, ZfsNodeView>;

export const ZFS_GET_ARGV = ["zfs", "get", "-Hp", "-o", "name,property,value,source", "-t", "filesystem", "all"];
export const ZFS_SNAPSHOTS_ARGV = ["zfs", "list", "-Hp", "-t", "snapshot", "-o", "name"];
export const OWNER_FORMAT = "%u:%g:%n";

/** `zfs get -Hp -o name,property,value,source ...`: tab-separated, one property per line. */
export function parseZfsGet(stdout: string): Map<string, DatasetView> {
  const out = new Map<string, DatasetView>();
  for (const line of stdout.split("\n")) {
    if (!line) continue;
    const cols = line.split("\t");
    if (cols.length < 4) continue;
    const [name, property, value, source] = cols as [string, string, string, string];
    let d = out.get(name);
    if (!d) out.set(name, (d = { name, props: new Map(), snapshots: [] }));
    d.props.set(property, { value, source });
  }
  return out;
}

/** `zfs list -Hp -t snapshot -o name`: DATASET@SNAP per line, added to their datasets. */
export function addSnapshots(datasets: Map<string, DatasetView>, stdout: string): void {
  for (const line of stdout.split("\n")) {
    const at = line.indexOf("@");
    if (at < 0) continue;
    datasets.get(line.slice(0, at))?.snapshots.push(line.slice(at + 1));
  }
}

/** `stat -c %u:%g:%n PATH...`: uid:gid:path per line (a path holding ':' keeps the rest). */
export function parseOwners(stdout: string): Map<string, { uid: number; gid: number }> {
  const out = new Map<string, { uid: number; gid: number }>();
  for (const line of stdout.split("\n")) {
    const m = /^(\d+):(\d+):(.+)$/.exec(line);
    if (m) out.set(m[3]!, { uid: Number(m[1]), gid: Number(m[2]) });
  }
  return out;
}

/** The mountpoint a mounted filesystem's files are at; undefined for none/legacy/unmounted. */
export function mountedPath(d: DatasetView): string | undefined {
  const mp = d.props.get("mountpoint")?.value;
  const mounted = d.props.get("mounted")?.value;
  return mp?.startsWith("/") && mounted === "yes" ? mp : undefined;
}

/** Proxmox's own datasets: the root filesystem and storage volumes are never zfs_dataset's to manage. */
export function isSystemDataset(name: string): boolean {
  return !name.includes("/") || /^rpool\/ROOT(\/|$)/.test(name) || /(^|\/)(subvol|vm|base|basevol)-\d+-disk-\d+$/.test(name) || name === "rpool/data" || name === "rpool/var-lib-vz";
}

/** Nodes whose datasets the run needs: those of recorded and configured zfs_dataset resources. */
export function zfsNodesWanted(ctx: RefreshContext, clusterNodes: readonly string[]): string[] {
  const nodes = new Set<string>();
  for (const r of ctx.priorResources ?? []) if (r.type === "zfs_dataset" && typeof r.attributes["node"] === "string") nodes.add(r.attributes["node"]);
  const configured = !ctx.configuredTypes || ctx.configuredTypes.has("zfs_dataset");
  if (configured && ctx.configuredInstances) for (const { config } of ctx.configuredInstances("zfs_dataset")) if (typeof config["node"] === "string") nodes.add(config["node"]);
  // `import` runs without configured instances: every node of the cluster it was asked about.
  if (!ctx.configuredInstances && ctx.configuredTypes === undefined) for (const n of ctx.expectedNodes ?? []) nodes.add(n);
  return [...nodes].filter((n) => clusterNodes.includes(n)).sort();
}

async function readNode(node: string, ctx: RefreshContext): Promise<ZfsNodeView | undefined> {
  const run = ctx.runnerFor(node);
  try {
    const [get, snaps] = await Promise.all([run.run(ZFS_GET_ARGV, { signal: ctx.signal }), run.run(ZFS_SNAPSHOTS_ARGV, { signal: ctx.signal })]);
    const datasets = parseZfsGet(get.stdout);
    addSnapshots(datasets, snaps.stdout);
    const paths = [...datasets.values()].filter((d) => !isSystemDataset(d.name)).flatMap((d) => mountedPath(d) ?? []);
    if (paths.length) {
      const stat = nodeCommand(ctx.pveRootFor?.(node) ?? "/etc/pve", "stat");
      // A mountpoint that vanished (unmounted by hand) makes stat exit 1; the others still print.
      const r = await run.run([stat, "-c", OWNER_FORMAT, ...paths], { signal: ctx.signal, okCodes: [0, 1] });
      const owners = parseOwners(r.stdout);
      for (const d of datasets.values()) {
        const p = mountedPath(d);
        const o = p ? owners.get(p) : undefined;
        if (o) d.owner = o;
      }
    }
    return { datasets };
  } catch {
    // A node without ZFS tools or unreachable: its datasets are "could not be refreshed".
    return undefined;
  }
}

export async function takeZfsSnapshot(clusterNodes: readonly string[], ctx: RefreshContext): Promise<ZfsSnapshot> {
  const out: ZfsSnapshot = new Map();
  await Promise.all(
    zfsNodesWanted(ctx, clusterNodes).map(async (n) => {
      const v = await readNode(n, ctx);
      if (v) out.set(n, v);
    }),
  );
  addPlannedOwners(out, ctx);
  return out;
}

/**
 * The owners configured datasets will have, by mountpoint (the configured one, or the one the name
 * inherits from its nearest existing ancestor), so a container mounting a dataset created in the
 * same plan is checked too.
 */
function addPlannedOwners(out: ZfsSnapshot, ctx: RefreshContext): void {
  if (!ctx.configuredInstances || (ctx.configuredTypes && !ctx.configuredTypes.has("zfs_dataset"))) return;
  for (const { config } of ctx.configuredInstances("zfs_dataset")) {
    const view = typeof config["node"] === "string" ? out.get(config["node"]) : undefined;
    const o = config["owner"] as Record<string, unknown> | undefined;
    if (!view || typeof config["name"] !== "string") continue;
    // Without an owner block a new dataset's root directory is root's (zfs mount makes it 0:0).
    if (!o && view.datasets.has(config["name"])) continue;
    const h = !o ? { uid: 0, gid: 0 } : typeof o["uid"] === "number" && typeof o["gid"] === "number" ? hostIds(o as unknown as OwnerConfig) : undefined;
    const mp = typeof config["mountpoint"] === "string" ? config["mountpoint"] : inheritedMountpoint(view, config["name"]);
    if (!h || "error" in h || typeof mp !== "string") continue;
    (view.plannedOwners ??= new Map()).set(mp, { dataset: config["name"], uid: h.uid, gid: h.gid });
  }
}
