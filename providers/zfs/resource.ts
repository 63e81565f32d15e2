// The zfs_dataset resource type: a ZFS filesystem on a node, its properties (a profile plus the
// user's own), space limits, mountpoint and owner. Plans carry zfs create/set/inherit and chown
// operations; destroying a dataset that holds data or snapshots needs destroy_with_data = true.
import type { Attrs, ResourceType } from "../../src/provider/types.js";
import { deleteDataset, applyDataset } from "./apply.js";
import { attrsFromView } from "./attrs.js";
import { validateDataset } from "./desired.js";
import { destroyRefusal, diffDataset } from "./diff.js";
import { datasetConfig, explainDatasetMiss, importableDatasets, importDataset, parseDatasetId } from "./import.js";
import { zfsDatasetBlocks, zfsDatasetSchema } from "./schema.js";
import { zfsViewOf } from "./view.js";
import { MARKER } from "./fields.js";

function readDataset(prior: Attrs, snapshot: unknown): Attrs | null {
  const node = String(prior["node"]);
  const view = zfsViewOf(snapshot, node);
  if (!view) return prior; // not read: kept as recorded
  const d = view.datasets.get(String(prior["name"]));
  return d ? attrsFromView(node, d, prior) : null;
}

export const zfsDataset: ResourceType = {
  type: "zfs_dataset",
  blocks: zfsDatasetBlocks,
  schema: zfsDatasetSchema,
  sensitiveAttributes: [],
  // Live space figures change with every write: referenceable outputs, but neither drift nor shown.
  hiddenAttributes: ["marker", "mountpoint_local", "used", "available", "referenced"],
  computedAttributes: ["mountpoint", "used", "available", "referenced", "snapshot_count"],
  nodeOf(config, prior) {
    const n = config?.["node"] ?? prior?.["node"];
    return typeof n === "string" ? n : undefined;
  },
  validate: validateDataset,
  diff: diffDataset,
  read: ({ prior, snapshot }) => readDataset(prior, snapshot),
  create: (req, ctx) => applyDataset(req, ctx, true),
  update: (req, ctx) => applyDataset(req, ctx, false),
  delete: ({ address, prior }, ctx) => deleteDataset(address, prior, ctx),
  deleteIssues: ({ address, prior }) => {
    const r = destroyRefusal(address, prior, prior["destroy_with_data"]);
    return r ? [r] : [];
  },
  import: ({ id, snapshot }) => importDataset(id, snapshot),
  importNode: (id) => parseDatasetId(id)?.node,
  importable: importableDatasets,
  explainImportMiss: explainDatasetMiss,
  generateConfig: datasetConfig,
  // node and name say which dataset it is: ignore_changes = all still takes them from the configuration.
  identityAttributes: ["node", "name"],
  objectNoun: "dataset",
  objectId: (attrs) => (typeof attrs["node"] === "string" && typeof attrs["name"] === "string" ? `${attrs["node"]}/${attrs["name"]}` : undefined),
  objectKey: (attrs) => (typeof attrs["node"] === "string" && typeof attrs["name"] === "string" ? `dataset ${attrs["node"]}/${attrs["name"]}` : undefined),
  progressId: (attrs) => (typeof attrs["name"] === "string" ? `dataset=${attrs["name"]}` : undefined),
  identityConflict: ({ recorded, live }) =>
    typeof recorded["marker"] === "string" && typeof live["marker"] === "string" && recorded["marker"] !== live["marker"]
      ? `${String(live["name"])} now carries another pmxform state's marker (lineage ${live["marker"]}): it was destroyed and created again by another project`
      : undefined,
  // A killed create: the dataset it left is this state's when it carries this lineage's marker
  // (set by the same `zfs create` that made it), never one that merely has the name.
  recover: ({ intent, snapshot, lineage }) => {
    const name = intent.file?.startsWith("zfs:") ? intent.file.slice(4) : undefined;
    const d = name ? zfsViewOf(snapshot, intent.node)?.datasets.get(name) : undefined;
    if (!name || !d) return { found: "nothing" };
    const marker = d.props.get(MARKER);
    if (marker?.source === "local" && marker.value === lineage) return { found: "ours", attrs: attrsFromView(intent.node, d, null) };
    return {
      found: "nothing",
      note: `${name} on ${intent.node} exists but was not created by this state (it carries ${marker?.source === "local" ? `lineage ${marker.value}` : "no pmxform marker"}); it is left alone`,
    };
  },
  foreignOwner: ({ attrs, lineage }) =>
    typeof attrs["marker"] === "string" && attrs["marker"] !== lineage ? `${String(attrs["name"])} was created by another pmxform state (lineage ${attrs["marker"]})` : undefined,
};
