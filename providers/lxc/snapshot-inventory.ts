// One node's part of a cluster snapshot as `pmxform nodes` lists it: its storages (type,
// content, space), bridges, templates and containers.
import type { NodeInventory } from "../../src/provider/inventory.js";
import { asSnapshot } from "./snapshot.js";
import { containerId } from "./identity.js";

export function nodeInventory(snapshot: unknown, node: string): NodeInventory {
  const snap = asSnapshot(snapshot);
  const storages = snap.storages
    .filter((s) => s.node === node)
    .map((s) => ({
      name: s.storage,
      ...(s.plugintype ? { type: s.plugintype } : {}),
      content: [...(s.content ?? [])].sort(),
      shared: s.shared === true,
      status: s.status ?? "available",
      ...(s.total !== undefined ? { total: s.total } : {}),
      ...(s.used !== undefined ? { used: s.used } : {}),
      ...(s.total !== undefined && s.used !== undefined ? { free: Math.max(0, s.total - s.used) } : {}),
    }))
    .sort((a, b) => (a.name < b.name ? -1 : 1));
  const templates = [...(snap.templates ?? new Map<string, Map<string, number>>())]
    .filter(([key]) => key.startsWith(`${node}/`))
    .flatMap(([key, listing]) => [...listing].map(([volid, size]) => ({ volid, id: `${node}/${volid}`, storage: key.slice(node.length + 1), size })))
    .sort((a, b) => (a.volid < b.volid ? -1 : 1));
  const containers = [...snap.containers]
    .filter(([, c]) => c.node === node)
    .sort(([a], [b]) => a - b)
    .map(([vmid, c]) => {
      const hostname = c.conf.main.keys.get("hostname");
      const entrypoint = c.conf.main.keys.get("entrypoint");
      return {
        vmid,
        id: containerId({ node, vmid }) ?? `${node}/${vmid}`,
        ...(hostname ? { hostname } : {}),
        status: c.running ? ("running" as const) : ("stopped" as const),
        // pct create writes entrypoint only for OCI images (docs/decisions.md, Import and drift)
        kind: entrypoint && entrypoint !== "/sbin/init" ? "oci" : "lxc",
        ...(c.lock ? { lock: c.lock } : {}),
      };
    });
  const bridges = snap.bridges?.get(node);
  return { storages, ...(bridges ? { bridges: bridges.map((b) => ({ ...b })) } : {}), templates, containers };
}
