// The oci_container resource type: lxc_container's plan and pct calls with the image as template,
// plus the OCI runtime keys; an image change is a replace that keeps the data volumes.
import { Unknown, isUnknown } from "../../src/config/value.js";
import type { Attrs, Diff, DiffRequest, PlannedOperation, ProviderIssue, ResourceType } from "../../src/provider/types.js";
import { CONTAINER_COMPUTED_ATTRIBUTES, CONTAINER_HIDDEN_ATTRIBUTES, lxcContainer } from "../lxc/resource.js";
import { adoptSlotNames } from "../mounts/adopt.js";
import { diffContainer } from "../lxc/diff.js";
import { volumesDeletedWithContainer } from "../mounts/detached.js";
import { migratedPrior, planMigration } from "../lxc/migrate.js";
import { containerBlocks } from "../lxc/schema.js";
import { ociContainerSchema } from "./schema.js";
import { lxcConfigOf, ociAttrsFromConf, ociChanges, parseUser, plannedOci } from "./container-attrs.js";
import { ociCreateOperations, ociOperations, type ReplaceOperation } from "./container-operations.js";
import { createOci, deleteOci, replaceOci, updateOci } from "./container-apply.js";
import { asProxmoxSnapshot } from "./snapshot.js";
import { IMAGE_UNKNOWN_AT_IMPORT, explainOciImportMiss, generateOciConfig, importOciContainer, importableOciContainers, unexpressedOciAttrs } from "./import.js";
import { asSnapshot } from "../lxc/snapshot.js";
import { followMigration } from "../lxc/attrs.js";
import { recoverContainer } from "../lxc/recover.js";

type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj => (v && typeof v === "object" && !Array.isArray(v) && !isUnknown(v) ? (v as Obj) : {});
const known = (v: unknown) => v !== undefined && v !== null && !isUnknown(v);

export const IMAGE_REPLACE_REASON = "replace (image digest changed; data volumes are kept)";

function validate(config: Attrs): ProviderIssue[] {
  const issues = lxcContainer.validate?.(lxcConfigOf(config, null)) ?? [];
  if (config["unprivileged"] === false) {
    issues.push({
      severity: "error",
      path: ["unprivileged"],
      summary: "OCI containers must be unprivileged",
      detail: "Proxmox cannot run application containers as privileged containers. Remove unprivileged = false.",
    });
  }
  if (typeof config["user"] === "string" && !parseUser(config["user"])) {
    issues.push({
      severity: "error",
      path: ["user"],
      summary: "Invalid user",
      detail: `user "${config["user"]}" must be numeric, "UID" or "UID:GID" (names are resolved by Proxmox from the image only at create). Write e.g. user = "1000:1000".`,
    });
  }
  return issues;
}

function volumeWarnings(config: Attrs, snapshot: unknown): ProviderIssue[] {
  const image = config["image"];
  if (typeof image !== "string") return [];
  const volumes = asProxmoxSnapshot(snapshot).imageVolumes.get(image) ?? [];
  const paths = new Set(Object.values(obj(config["mount"])).map((m) => obj(m)["path"]));
  return volumes
    .filter((v) => !paths.has(v) && !paths.has(v.replace(/\/+$/, "")))
    .map((v) => ({
      severity: "warning" as const,
      path: ["image"],
      summary: "Image volume without a mount",
      detail: `The image declares the volume ${v}, but no mount is configured at that path, so its data lives in the container's root filesystem and is lost when the image changes. Add mount "data" { storage = "local-lvm"  size = "1G"  path = "${v}" }.`,
    }));
}

export function diffOci(req: DiffRequest): Diff {
  const { config } = req;
  const prior = req.prior && adoptSlotNames(config, req.prior);
  const adopted = prior !== req.prior ? { prior: prior! } : {};
  const issues = [...validate(config), ...volumeWarnings(config, req.snapshot)];
  const priorLxc = prior ? { ...prior, template: prior["image"] === IMAGE_UNKNOWN_AT_IMPORT ? undefined : prior["image"] } : null;

  // An imported container has no recorded image (pct does not store it), or the placeholder of
  // generated configuration: adopt the configured one.
  if (prior && known(config["image"]) && typeof prior["image"] === "string" && prior["image"] !== IMAGE_UNKNOWN_AT_IMPORT && config["image"] !== prior["image"]) {
    if (known(config["vmid"]) && config["vmid"] === prior["vmid"]) {
      issues.push({
        severity: "error",
        path: ["vmid"],
        summary: "An image change needs a new VMID",
        detail: `Changing the image creates a new container and moves the data volumes to it while the old one (VMID ${String(prior["vmid"])}) still exists. Remove vmid so pmxform picks a free one.`,
      });
    }
    const base = diffContainer({ ...req, config: lxcConfigOf(config, null), prior: priorLxc, forceReplace: true });
    const planned = plannedOci(config, null, base.planned);
    const notes: string[] = [];
    for (const [name, m] of Object.entries(obj(planned["mount"]))) {
      const p = obj(obj(prior["mount"])[name]);
      if (typeof p["volume"] === "string" && p["storage"] === obj(m)["storage"]) notes.push(`the data volume ${p["volume"]} (mount "${name}") moves to the new container`);
    }
    const volumeDeletions = volumesDeletedWithContainer(prior, movedVolumes(prior, planned));
    return {
      action: "replace",
      planned,
      reasons: [{ path: ["image"], reason: IMAGE_REPLACE_REASON }],
      issues: [...issues, ...base.issues],
      notes,
      ...(volumeDeletions.length ? { volumeDeletions } : {}),
      ...adopted,
      operations: replaceOperations(req, config, prior, base.planned, planned),
    };
  }

  const base = diffContainer({ ...req, config: lxcConfigOf(config, prior), prior: priorLxc });
  const planned = plannedOci(config, prior, base.planned);
  const ch = ociChanges(prior, planned);
  let action = base.action;
  if (action === "no-op" && prior && (ch.entrypoint !== undefined || ch.confEdit)) {
    action = "update";
    planned["digest"] = new Unknown("string");
  }
  const result: Diff = { ...base, action, planned, issues: [...issues, ...base.issues], ...adopted };
  if (action === "update" && prior) {
    const lxcOps = base.operations ?? [];
    // Only OCI keys change (lxc_container plans nothing): their writes still check the digest the plan read.
    const digest = !lxcOps.some((o) => o.op === "digest") && typeof prior["digest"] === "string" ? [{ op: "digest", digest: prior["digest"] }] : [];
    result.operations = [...digest, ...lxcOps, ...ociOperations(ch, prior, planned, req.sensitivePaths ?? [], config)];
  }
  if (action === "create") result.operations = ociCreateOperations({ lxcPlanned: base.planned, planned, config, sensitive: req.sensitivePaths ?? [], password: hasPassword(config) });
  if (action === "replace" && prior) {
    result.operations = replaceOperations(req, config, prior, base.planned, planned);
    const volumeDeletions = volumesDeletedWithContainer(prior, movedVolumes(prior, planned));
    if (volumeDeletions.length) result.volumeDeletions = volumeDeletions;
    else delete result.volumeDeletions;
  }
  return result;
}

const hasPassword = (config: Attrs) => config["password"] !== undefined && config["password"] !== null;

/**
 * A replacement's steps (replaceOci carries them out): with a new vmid the new container is
 * created first and takes over the data volumes that stay on their storage; keeping the vmid,
 * the old one must go first and every volume is new.
 */
function replaceOperations(req: DiffRequest, config: Attrs, prior: Attrs, lxcPlanned: Attrs, planned: Attrs): PlannedOperation[] {
  const deleteFirst = typeof planned["vmid"] !== "number" || planned["vmid"] === prior["vmid"];
  const keep = deleteFirst ? new Set<string>() : movedVolumes(prior, planned);
  const how: ReplaceOperation = { op: "replace", delete_first: deleteFirst, keep: [...keep].sort() };
  return [how, ...ociCreateOperations({ lxcPlanned, planned, config, sensitive: req.sensitivePaths ?? [], password: hasPassword(config), keep })];
}

/**
 * Mounts whose volume a replacement moves to the new container (replaceOn: new vmid, same
 * storage). A planned node change is a pct migrate first (replaceOci), so the volumes are
 * compared where the migration puts them.
 */
function movedVolumes(prior: Attrs, planned: Attrs): Set<string> {
  if (planned["vmid"] === prior["vmid"]) return new Set();
  const there = planned["node"] !== prior["node"] ? migratedPrior(prior, planMigration(prior, planned, false)) : prior;
  const before = obj(there["mount"]);
  return new Set(
    Object.entries(obj(planned["mount"]))
      .filter(([name, m]) => typeof obj(before[name])["volume"] === "string" && obj(before[name])["storage"] === obj(m)["storage"])
      .map(([name]) => name),
  );
}

export const ociContainer: ResourceType = {
  type: "oci_container",
  blocks: containerBlocks,
  schema: ociContainerSchema,
  // The arguments it shares with lxc_container, from the same field table.
  sensitiveAttributes: lxcContainer.sensitiveAttributes,
  hiddenAttributes: CONTAINER_HIDDEN_ATTRIBUTES,
  // The image brings its entrypoint, environment, working directory and user.
  computedAttributes: [...CONTAINER_COMPUTED_ATTRIBUTES, "entrypoint", "env", "working_dir", "user", "cmode"],
  nodeOf: (config, prior) => lxcContainer.nodeOf(config, prior),
  validate,
  diff: diffOci,
  read({ prior, snapshot }) {
    const snap = asProxmoxSnapshot(snapshot);
    const vmid = Number(prior["vmid"]);
    const ct = snap.containers.get(vmid);
    if (!ct) return null;
    return followMigration(ociAttrsFromConf(vmid, ct.node, ct.conf, ct.running, prior, ct.digest), prior);
  },
  create: ({ address, config, planned, operations }, ctx) => createOci(address, config, planned, operations, ctx),
  update: ({ address, config, prior, planned, operations }, ctx) => updateOci(address, config, prior, planned, operations, ctx),
  replace: ({ address, config, prior, planned, operations }, ctx) => replaceOci(address, config, prior, planned, operations, ctx),
  delete: ({ address, prior }, ctx) => deleteOci(address, prior, ctx),
  volumesDeletedWith: (prior) => volumesDeletedWithContainer(prior),
  import: ({ address, id, snapshot }) => importOciContainer(address, id, asSnapshot(snapshot)),
  generateConfig: generateOciConfig,
  importable: importableOciContainers,
  explainImportMiss: explainOciImportMiss,
  unexpressed: unexpressedOciAttrs,
  // Created with pct like lxc_container: the same lineage-bound marker, checks and recovery.
  recover: ({ address, intent, snapshot, lineage }) => recoverContainer(address, intent, snapshot, lineage, importOciContainer),
  identityConflict: (req) => lxcContainer.identityConflict!(req),
  objectId: (attrs) => lxcContainer.objectId!(attrs),
  objectKey: (attrs) => lxcContainer.objectKey!(attrs),
  intentObject: (intent) => lxcContainer.intentObject!(intent),
  objectNoun: lxcContainer.objectNoun,
  identityAttributes: lxcContainer.identityAttributes,
  progressId: (attrs) => lxcContainer.progressId!(attrs),
  importNode: (id) => lxcContainer.importNode!(id),
  foreignOwner: (req) => lxcContainer.foreignOwner!(req),
};
