// The cross-type check between containers and datasets: a container bind-mounting a dataset's
// mountpoint (read-write) whose mapped ids cannot write it gets a plan warning, because an
// unprivileged container's root is host uid 100000 and a dataset created by root is 0:0. Called
// from the container diff (providers/lxc/diff.ts) with the shared snapshot, which holds the
// datasets' owners as read, and the owners the configuration gives datasets not created yet.
import { isUnknown } from "../../src/config/value.js";
import type { Attrs, ProviderIssue } from "../../src/provider/types.js";
import type { ProxmoxSnapshot } from "../oci/snapshot.js";
import { canWrite, containerUidRanges } from "./access.js";

const str = (v: unknown): string | undefined => (typeof v === "string" && !isUnknown(v) ? v : undefined);

/** The dataset owning `path` on `node`: its mountpoint and owner (read, or planned by a zfs_dataset). */
function ownerAt(snapshot: unknown, node: string, path: string): { dataset: string; mountpoint: string; uid: number; gid: number } | undefined {
  // Read straight from the snapshot: asProxmoxSnapshot copies it, once per mount of every container.
  const view = (snapshot as { zfs?: ProxmoxSnapshot["zfs"] } | undefined)?.zfs?.get(node);
  if (!view) return undefined;
  const planned = view.plannedOwners?.get(path);
  if (planned) return { dataset: planned.dataset, mountpoint: path, uid: planned.uid, gid: planned.gid };
  for (const d of view.datasets.values()) {
    const mp = d.props.get("mountpoint")?.value;
    if (mp === path && d.owner) return { dataset: d.name, mountpoint: mp, ...d.owner };
  }
  return undefined;
}

export function datasetAccessWarnings(config: Attrs, snapshot: unknown): ProviderIssue[] {
  const node = str(config["node"]);
  const mounts = config["mount"];
  if (!node || !mounts || typeof mounts !== "object" || isUnknown(mounts)) return [];
  const unprivileged = config["unprivileged"] !== false; // pct create's default is 1
  const issues: ProviderIssue[] = [];
  for (const [label, m] of Object.entries(mounts as Record<string, Attrs>)) {
    const path = str(m["host_path"]);
    if (!path || m["read_only"] === true) continue;
    const owner = ownerAt(snapshot, node, path.replace(/\/+$/, "") || "/");
    if (!owner) continue;
    const ranges = containerUidRanges(unprivileged, str(m["idmap"]));
    if (canWrite(ranges, owner)) continue;
    issues.push({
      severity: "warning",
      path: ["mount", label, "host_path"],
      summary: "Container cannot write the dataset",
      detail: `${owner.dataset} (${owner.mountpoint}) belongs to host uid ${owner.uid}, gid ${owner.gid}, but this unprivileged container's users are host uids ${
        ranges === "all"
          ? "any"
          : ranges
              .filter((r) => r.kind === "u")
              .map((r) => `${r.host}-${r.host + r.count - 1}`)
              .join(", ")
      }: writes will fail with "Permission denied". Give the dataset owner { uid = ${owner.uid >= 100000 ? owner.uid - 100000 : 0}, gid = ${owner.gid >= 100000 ? owner.gid - 100000 : 0}, unprivileged = true } (host ${owner.uid >= 100000 ? owner.uid : 100000}:${owner.gid >= 100000 ? owner.gid : 100000}), or mount it read_only = true.`,
    });
  }
  return issues;
}
