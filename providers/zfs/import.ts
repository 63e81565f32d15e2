// Adopting existing datasets: `pmxform import zfs_dataset.NAME NODE/POOL/PATH`, `import --all`
// (every dataset that is not Proxmox's own and not marked by another pmxform state), and the
// configuration that reproduces an imported dataset. Pure.
import type { Attrs, ImportCandidate } from "../../src/provider/types.js";
import { asProxmoxSnapshot } from "../oci/snapshot.js";
import { attrsFromView } from "./attrs.js";
import { DATASET_NAME } from "./schema.js";
import { isSystemDataset } from "./snapshot.js";
import { zfsViewOf } from "./view.js";

export function parseDatasetId(id: string): { node: string; name: string } | undefined {
  const slash = id.indexOf("/");
  if (slash <= 0) return undefined;
  const node = id.slice(0, slash);
  const name = id.slice(slash + 1);
  return DATASET_NAME.test(name) ? { node, name } : undefined;
}

export function importDataset(id: string, snapshot: unknown): Attrs | null {
  const p = parseDatasetId(id);
  if (!p) throw new Error(`"${id}" is not a dataset id; write NODE/POOL/PATH, e.g. pve1/tank/media`);
  const d = zfsViewOf(snapshot, p.node)?.datasets.get(p.name);
  return d ? attrsFromView(p.node, d, null) : null;
}

export function explainDatasetMiss(id: string, snapshot: unknown): string {
  const p = parseDatasetId(id);
  if (!p) return `"${id}" is not a dataset id (NODE/POOL/PATH)`;
  const view = zfsViewOf(snapshot, p.node);
  if (!view) return `the datasets of node ${p.node} could not be read (is it declared, and does it have zfs?)`;
  return `node ${p.node} has no filesystem ${p.name} (zfs list -r ${p.name.split("/")[0]!} on the node shows what is there)`;
}

/** Every dataset of the snapshot's nodes that import --all may adopt; another state's are skipped with the reason. */
export function importableDatasets(snapshot: unknown): ImportCandidate[] {
  const out: ImportCandidate[] = [];
  for (const [node, view] of asProxmoxSnapshot(snapshot).zfs ?? []) {
    for (const d of view.datasets.values()) {
      if (isSystemDataset(d.name)) continue;
      const marker = d.props.get("pmxform:owner");
      // This state's own datasets are in its state (import --all passes over them before this);
      // a marker here is another project's (or one forgotten with state rm): import it by address.
      const foreign = marker?.source === "local" ? `it was created by a pmxform state (lineage ${marker.value})` : undefined;
      // identity is what objectKey reads (node + name); a taken name gets the dataset's path as suffix.
      out.push({
        id: `${node}/${d.name}`,
        node,
        identity: { node, name: d.name },
        name: d.name,
        suffix: d.name.replace(/[^A-Za-z0-9]+/g, "_"),
        namePrefix: "ds",
        ...(foreign ? { skip: foreign } : {}),
      });
    }
  }
  return out;
}

/** Configuration for an imported dataset: what it holds, so the next plan says No changes. */
export function datasetConfig(attrs: Attrs): Attrs {
  const body: Attrs = { node: attrs["node"], name: attrs["name"] };
  const props = (attrs["properties"] ?? {}) as Record<string, string>;
  if (Object.keys(props).length) body["properties"] = props;
  for (const k of ["quota", "refquota", "reservation"]) if (typeof attrs[k] === "string") body[k] = attrs[k];
  if (attrs["mountpoint_local"] === true) body["mountpoint"] = attrs["mountpoint"];
  const o = attrs["owner"] as Attrs | null;
  if (o) body["owner"] = { uid: o["uid"], gid: o["gid"], ...(o["unprivileged"] === true ? { unprivileged: true } : {}), ...(typeof o["idmap"] === "string" ? { idmap: o["idmap"] } : {}) };
  return body;
}
