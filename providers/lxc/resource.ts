// The lxc_container resource type: wires schema, snapshot reads, the pure diff and pct calls.
import type { Attrs, ProviderIssue, ResourceType } from "../../src/provider/types.js";
import { isUnknown } from "../../src/config/value.js";
import { containerBlocks, lxcContainerSchema } from "./schema.js";
import { SENSITIVE_ATTRIBUTES } from "./fields/index.js";
import { attrsFromConf, followMigration } from "./attrs.js";
import { diffContainer } from "./diff.js";
import { createContainer, deleteContainer, updateContainer } from "./apply.js";
import { explainImportMiss, generateConfig, importContainer, importableContainers, unexpressedAttrs } from "./import.js";
import { asSnapshot } from "./snapshot.js";
import { hostPathIssues } from "../mounts/validate.js";
import { volumesDeletedWithContainer } from "../mounts/detached.js";
import { recoverContainer } from "./recover.js";
import { containerId, containerKey, containerOfIntent, containerProgressId, importIdNode, ownerConflict, foreignOwner } from "./identity.js";

function validate(config: Attrs): ProviderIssue[] {
  const issues: ProviderIssue[] = [];
  const mounts = (config["mount"] ?? {}) as Record<string, Record<string, unknown>>;
  if (isUnknown(mounts)) return issues;
  const paths = new Map<string, string>();
  for (const [name, m] of Object.entries(mounts)) {
    const hasHost = m["host_path"] !== undefined;
    const hasStorage = m["storage"] !== undefined;
    if (hasHost === hasStorage) {
      issues.push({ severity: "error", path: ["mount", name], summary: "Invalid mount", detail: `Mount "${name}" needs exactly one of host_path (a bind mount) or storage with size (a new volume).` });
    } else if (hasStorage && m["size"] === undefined) {
      issues.push({
        severity: "error",
        path: ["mount", name],
        summary: "Missing required argument",
        detail: `Mount "${name}" allocates a volume on storage ${String(m["storage"])}; add size = "8G" or similar.`,
      });
    }
    if (typeof m["path"] === "string") {
      const other = paths.get(m["path"]);
      if (other)
        issues.push({
          severity: "error",
          path: ["mount", name, "path"],
          summary: "Two mounts at one path",
          detail: `Mounts "${other}" and "${name}" both mount at ${m["path"]}. Give each a different path.`,
        });
      paths.set(m["path"], name);
    }
  }
  issues.push(...hostPathIssues(mounts));
  const network = (config["network"] ?? {}) as Record<string, unknown>;
  if (!isUnknown(network) && Object.keys(network).length > 32) {
    issues.push({ severity: "error", path: ["network"], summary: "Too many network interfaces", detail: "Proxmox allows at most 32 interfaces (net0..net31). Remove some network blocks." });
  }
  return issues;
}

/** Bookkeeping kept in state but never shown in plans; shared by every container type. */
export const CONTAINER_HIDDEN_ATTRIBUTES = ["address", "managed_keys", "mount_names", "device_names", "pending_keys", "password_sha256", "digest", "volumes_to_delete", "marker", "migrated_from"];

/** What Proxmox (or pmxform's read of it) fills in when a container's configuration leaves it out. */
export const CONTAINER_COMPUTED_ATTRIBUTES = ["hostname", "memory", "swap", "arch", "ostype", "unprivileged", "tags", "started"];

export const lxcContainer: ResourceType = {
  type: "lxc_container",
  blocks: containerBlocks,
  schema: lxcContainerSchema,
  sensitiveAttributes: [...SENSITIVE_ATTRIBUTES],
  hiddenAttributes: CONTAINER_HIDDEN_ATTRIBUTES,
  computedAttributes: CONTAINER_COMPUTED_ATTRIBUTES,
  nodeOf(config, prior) {
    const n = config?.["node"] ?? prior?.["node"];
    return typeof n === "string" ? n : undefined;
  },
  validate,
  diff: diffContainer,
  read({ prior, snapshot }) {
    const snap = asSnapshot(snapshot);
    const vmid = Number(prior["vmid"]);
    const ct = snap.containers.get(vmid);
    if (!ct) return null;
    // Follow a container migrated to another node: the vmid is cluster-unique.
    return followMigration(attrsFromConf(vmid, ct.node, ct.conf, ct.running, prior, ct.digest), prior);
  },
  create: ({ address, config, planned, operations }, ctx) => createContainer(address, config, planned, operations, ctx),
  update: ({ address, config, prior, planned, operations }, ctx) => updateContainer(address, config, prior, planned, operations, ctx),
  delete: ({ address, prior }, ctx) => deleteContainer(address, prior, ctx),
  volumesDeletedWith: (prior) => volumesDeletedWithContainer(prior),
  import: ({ address, id, snapshot }) => importContainer(address, id, asSnapshot(snapshot)),
  generateConfig,
  importable: (snapshot) => importableContainers(asSnapshot(snapshot)),
  explainImportMiss: (id, snapshot) => explainImportMiss(id, asSnapshot(snapshot)),
  unexpressed: unexpressedAttrs,
  recover: ({ address, intent, snapshot, lineage }) => recoverContainer(address, intent, snapshot, lineage),
  identityConflict: ({ address, recorded, live }) => ownerConflict(address, recorded, live),
  objectId: containerId,
  objectKey: containerKey,
  intentObject: containerOfIntent,
  objectNoun: "container",
  identityAttributes: ["node", "vmid"],
  progressId: containerProgressId,
  importNode: importIdNode,
  foreignOwner: ({ address, attrs, lineage }) => foreignOwner(address, attrs, lineage),
};
