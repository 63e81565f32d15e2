// The pure plan of one lxc_container: create, no-op, update (with restart notes) or replace
// (with the attribute that forces it), plus the problems only a plan can see.
import { Unknown, isUnknown } from "../../src/config/value.js";
import { parseDiskSize } from "../../src/pve/size.js";
import type { Attrs, ChangeReason, Diff, DiffRequest, ProviderIssue } from "../../src/provider/types.js";
import type { Obj } from "../mounts/slots.js";
import { computeChanges, isEmpty } from "./changes.js";
import { pathOfPveKey } from "./conf-map.js";
import { plannedAttrs } from "./desired.js";
import { markerFor } from "./identity.js";
import { allocateVmid, asSnapshot } from "./snapshot.js";
import { unprivilegedBindIssues } from "../mounts/validate.js";
import { ALLOW_VOLUME_REMOVAL, removedVolumeNotes, updateVolumeDeletions, volumeRemovalIssue, volumesDeletedWithContainer } from "../mounts/detached.js";
import { adoptSlotNames } from "../mounts/adopt.js";
import { gpuDevicePaths, isLegacy, legacyGpuLines, missingGpuDeviceIssues } from "../mounts/gpu.js";
import type { HostDevices } from "../mounts/host-devices.js";
import { TEMPLATE_UNKNOWN_AT_IMPORT } from "./template-placeholder.js";
import { REPLACED_WHEN_CHANGED } from "./fields/index.js";
import { protectionIssues } from "./protection.js";
import { nodeChecks } from "./node-checks.js";
import { datasetAccessWarnings } from "../zfs/mount-check.js";
import { migratedPrior, migrationIssues, migrationNote, planMigration, volumesRenamed, type Migration } from "./migrate.js";
import { createOperations, updateOperations } from "./operations.js";

const obj = (v: unknown): Obj => (v && typeof v === "object" && !Array.isArray(v) && !isUnknown(v) ? (v as Obj) : {});
const known = (v: unknown) => v !== undefined && v !== null && !isUnknown(v);

/** Planned values as Proxmox stores them: an empty description is no description key at all. */
function asStored(planned: Attrs): void {
  if (planned["description"] === "") delete planned["description"];
}

/** Attributes that cannot change on an existing container. */
function replaceReasons(config: Attrs, prior: Attrs): ChangeReason[] {
  const out: ChangeReason[] = [];
  const force = (path: (string | number)[]) => out.push({ path, reason: "forces replacement" });
  // Left half-made by an interrupted pct create: nothing about it can be trusted or updated.
  if (prior["lock"] === "create") force(["lock"]);
  if (known(config["vmid"]) && config["vmid"] !== prior["vmid"]) force(["vmid"]);
  // An imported container has no recorded template: adopt the configured one.
  // The placeholder of generated configuration, once recorded, is no more known than no template.
  if (known(config["template"]) && typeof prior["template"] === "string" && prior["template"] !== TEMPLATE_UNKNOWN_AT_IMPORT && config["template"] !== prior["template"]) force(["template"]);
  for (const { attr, absentMeans } of REPLACED_WHEN_CHANGED) if (known(config[attr]) && config[attr] !== (prior[attr] ?? absentMeans)) force([attr]);
  const cr = obj(config["rootfs"]);
  const pr = obj(prior["rootfs"]);
  // Without a volume id (an unusual rootfs) there is nothing pct move-volume could move.
  if (known(cr["storage"]) && pr["storage"] !== undefined && cr["storage"] !== pr["storage"] && typeof pr["volume"] !== "string") force(["rootfs", "storage"]);
  if (typeof cr["size"] === "string" && typeof pr["size"] === "string") {
    const want = parseDiskSize(cr["size"]);
    const have = parseDiskSize(pr["size"]);
    if (want !== undefined && have !== undefined && want < have) force(["rootfs", "size"]);
  }
  return out;
}

function configIssues(config: Attrs, prior: Attrs | null): ProviderIssue[] {
  const issues: ProviderIssue[] = [];
  const unprivileged = known(config["unprivileged"]) ? config["unprivileged"] : (prior?.["unprivileged"] ?? true);
  if (unprivileged === true) {
    issues.push(...unprivilegedBindIssues(obj(config["mount"]) as Record<string, Obj>));
    if (obj(config["rootfs"])["quota"] === true) {
      issues.push({
        severity: "error",
        path: ["rootfs", "quota"],
        summary: "Quotas need a privileged container",
        detail: 'Proxmox refuses to start an unprivileged container with quota=1 ("Quotas are not supported by unprivileged containers"). Remove quota, or set unprivileged = false.',
      });
    }
    for (const [name, m] of Object.entries(obj(config["mount"]))) {
      if (obj(m)["quota"] === true) {
        issues.push({
          severity: "error",
          path: ["mount", name, "quota"],
          summary: "Quotas need a privileged container",
          detail: "Proxmox refuses to start an unprivileged container with quota=1 on a mount point. Remove quota, or set unprivileged = false.",
        });
      }
    }
  }
  return issues;
}

/** The gpu block against the node's device nodes (read during refresh). */
function gpuIssues(config: Attrs, devices: HostDevices | undefined): ProviderIssue[] {
  if (config["gpu"] === undefined || config["gpu"] === null) return [];
  const gpu = obj(config["gpu"]);
  const node = String(config["node"]);
  const missing = missingGpuDeviceIssues(gpu, node, devices);
  if (missing.length || !isLegacy(gpu) || !gpuDevicePaths(gpu) || legacyGpuLines(gpu, devices)) return missing;
  return [
    {
      severity: "error",
      path: ["gpu", "legacy"],
      summary: "GPU device numbers unknown",
      detail: `The legacy recipe needs the device numbers of the GPU's device nodes, and node ${node} could not be asked for them during refresh (stat /dev/nvidia-uvm ...). Make sure the node is reachable and has coreutils' stat, or remove legacy = true on Proxmox 8.1 and later.`,
    },
  ];
}

function mountIssues(prior: Attrs, planned: Attrs): ProviderIssue[] {
  const issues: ProviderIssue[] = [];
  const before = obj(prior["mount"]);
  for (const [name, m] of Object.entries(obj(planned["mount"]))) {
    const p = obj(before[name]);
    const mo = obj(m);
    if (p["slot"] === undefined || p["slot"] !== mo["slot"]) continue;
    if (typeof p["host_path"] === "string" && mo["host_path"] === undefined) {
      issues.push({
        severity: "error",
        path: ["mount", name],
        summary: "Cannot turn a bind mount into a volume",
        detail: `Mount "${name}" is a bind mount of ${p["host_path"]}. Give the volume mount another name.`,
      });
    }
  }
  return issues;
}

export function diffContainer(req: DiffRequest): Diff {
  const { address } = req;
  let { config } = req;
  const prior = req.prior && adoptSlotNames(config, req.prior);
  const adopted = prior !== req.prior ? { prior: prior! } : {};
  const snap = asSnapshot(req.snapshot);
  const issues = configIssues(config, prior);
  const migration = prior ? migrationOf(address, config, prior, issues) : undefined;
  // Not movable now (a running container without permission to restart it): it stays where it is.
  if (prior && !migration && known(config["node"])) config = { ...config, node: prior["node"] };
  const devices = typeof config["node"] === "string" ? snap.devices.get(config["node"]) : undefined;
  issues.push(...gpuIssues(config, devices));
  issues.push(...nodeChecks(config, prior, req.snapshot));
  issues.push(...datasetAccessWarnings(config, req.snapshot));

  const createPlan = (reasons: ChangeReason[], action: "create" | "replace"): Diff => {
    const vmid = known(config["vmid"]) ? (config["vmid"] as number) : isUnknown(config["vmid"]) ? new Unknown("number") : allocateVmid(snap, req.claimedVmids);
    if (typeof vmid === "number" && action === "create" && known(config["vmid"])) {
      const holder = snap.containers.get(vmid);
      if (holder || snap.vms.has(vmid)) {
        issues.push({
          severity: "error",
          path: ["vmid"],
          summary: "VMID already in use",
          detail: `VMID ${vmid} is already used by ${holder ? `container ${vmid} on node ${holder.node}` : `virtual machine ${vmid}`}. Choose another vmid, remove it to let pmxform pick a free one, or import the existing container with "pmxform import ${address} ${holder?.node ?? ""}/${vmid}".`,
        });
      }
    }
    const planned = plannedAttrs(config, null, vmid, address, devices);
    planned["marker"] = req.lineage !== undefined ? markerFor(req.lineage, address) : new Unknown("string");
    const mountNames = Object.keys(obj(config["mount"]));
    if (mountNames.length && config["rootfs"] === undefined) {
      issues.push({
        severity: "error",
        path: ["mount", mountNames[0]!],
        summary: "Mounts need a rootfs block",
        detail: `pct create refuses mount points without an explicit root disk ("mount points configured, but 'rootfs' not set - aborting"). Add rootfs { storage = "local-lvm"  size = "8G" }.`,
      });
    }
    const notes: string[] = [];
    if (action === "replace" && prior?.["lock"] === "create") {
      notes.push(`an interrupted pct create left CT ${String(prior["vmid"])} half-made (lock: create); it is unlocked, destroyed with any volumes it allocated, and created again`);
    }
    // pct create gets --unprivileged 1 when it is not configured: the replacement's value is known.
    if (action === "replace" && !known(planned["unprivileged"])) planned["unprivileged"] = true;
    const volumeDeletions = action === "replace" && prior ? volumesDeletedWithContainer(prior) : [];
    if (typeof planned["started"] !== "boolean") planned["started"] = false;
    asStored(planned);
    const password = config["password"] !== undefined && config["password"] !== null;
    const operations = createOperations({ planned, sensitive: req.sensitivePaths ?? [], password });
    return { action, planned, reasons, issues, ...(notes.length ? { notes } : {}), ...(volumeDeletions.length ? { volumeDeletions } : {}), ...adopted, operations };
  };

  if (!prior) return createPlan([], "create");

  const forced = replaceReasons(config, prior);
  if (req.forceReplace) forced.push({ path: [], reason: "replacement requested with --replace" });
  if (forced.length) return createPlan(forced, "replace");

  // A migration first puts the container on the other node; the rest is planned from there. A
  // running container the configuration stops is stopped before it moves (offline).
  const stopFirst = migration !== undefined && prior["started"] === true && config["started"] === false;
  const base = migration ? { ...migratedPrior(prior, migration), ...(stopFirst ? { started: false } : {}) } : prior;
  const planned = plannedAttrs(config, base, prior["vmid"] as number, address, devices);
  issues.push(...mountIssues(prior, planned));
  asStored(planned);
  const cs = computeChanges(base, planned);
  const reasons: ChangeReason[] = [];
  const notes: string[] = [];
  if (migration) {
    reasons.push({ path: ["node"], reason: "migrates" });
    notes.push(migrationNote(migration));
    const renamed = volumesRenamed(migration);
    // A volume's name on the target is known only once it is there: what pct set writes for it is printed then.
    const later = (disk: string) => {
      const w = cs.written.get(disk);
      if (w) cs.written.set(disk, { path: w.path });
    };
    if (renamed(planned["rootfs"])) {
      (planned["rootfs"] as Obj)["volume"] = new Unknown("string");
      later("rootfs");
    }
    for (const m of Object.values(obj(planned["mount"])))
      if (renamed(m)) {
        (m as Obj)["volume"] = new Unknown("string");
        later(`mp${String((m as Obj)["slot"])}`);
      }
  }
  for (const s of cs.shrink) {
    issues.push({
      severity: "error",
      path: s.path,
      summary: "Cannot shrink a mount volume",
      detail: `Proxmox can only grow volumes (pct resize). Keep size at least ${String(obj(obj(prior["mount"])[String(s.path[1])])["size"])}, or give the mount a new name to get a new, empty volume.`,
    });
  }
  const running = base["started"] === true;
  const willRun = planned["started"] !== false;
  if ((cs.password || cs.sshKeys) && !willRun) {
    issues.push({
      severity: "error",
      path: [cs.password ? "password" : "ssh_public_keys"],
      summary: "The container must run to change its login secrets",
      detail: "The root password and SSH keys of an existing container are changed inside it (pct exec / pct push). Set started = true for this apply.",
    });
  }
  const restartAllowed = planned["restart_on_change"] === true;
  // Proxmox detaches a running CT's mount only when it restarts; then its volume can go.
  const cycling = running && willRun && cs.moves.length > 0;
  const detachesNow = !running || !willRun || restartAllowed || cycling;
  for (const m of cs.moves) {
    if (cycling) reasons.push({ path: m.path, reason: "container will be stopped to move volume" });
    const what = m.disk === "rootfs" ? "rootfs" : `mount "${String(m.path[1])}" (${m.disk})`;
    notes.push(`${what} moves to storage ${m.storage} with pct move-volume (the old volume is deleted)${cycling ? "; apply stops the container for it and starts it again" : ""}`);
  }
  notes.push(...removedVolumeNotes(prior, planned));
  const volumeDeletions = updateVolumeDeletions(prior, planned, detachesNow);
  // Deleting data is never the silent consequence of leaving a block out: the resource opts in.
  if (volumeDeletions.length && config[ALLOW_VOLUME_REMOVAL] !== true) issues.push(volumeRemovalIssue(prior, volumeDeletions));
  const deletes = volumeDeletions.length ? { volumeDeletions } : {};
  const guarded = protectionIssues(prior, planned, cs);
  issues.push(...guarded.issues);
  notes.push(...guarded.notes);

  let restart = running && willRun && !cycling && (cs.restartKeys.length > 0 || cs.rawLxc !== undefined);
  const priorPending = (base["pending_keys"] as string[] | undefined) ?? [];
  if (running && willRun && restartAllowed && priorPending.length) restart = true;
  if (restart) {
    for (const k of new Set([...cs.restartKeys, ...(restartAllowed ? priorPending : [])])) reasons.push({ path: pathOfPveKey(k, planned), reason: "requires restart" });
    if (cs.rawLxc) reasons.push({ path: ["raw_lxc"], reason: "requires restart" });
    if (restartAllowed) {
      planned["pending_keys"] = [];
      notes.push("apply restarts the container (restart_on_change = true)");
    } else {
      planned["pending_keys"] = [...new Set([...priorPending, ...cs.restartKeys])].sort();
      notes.push("these changes wait for the next restart of the container; set restart_on_change = true to let apply restart it");
    }
  } else if (running && priorPending.length && !restartAllowed) {
    notes.push(`pending changes (${priorPending.join(", ")}) wait for a restart of the container`);
  }
  if (!running || !willRun) {
    // pct set on a stopped CT applies only the keys it names (Config.pm vmconfig_apply_pending
    // with a selection); the rest of [pve:pending] waits for a start.
    const touched = new Set([...cs.set.keys(), ...cs.del]);
    planned["pending_keys"] = !running && cs.start === true ? [] : priorPending.filter((k) => !touched.has(k));
  }
  if (cycling) planned["pending_keys"] = [];
  // A volume whose conf lags behind its size (left by an older apply) refuses the resize, and its
  // value is set again instead (the resize step's if_already), which a running container keeps
  // pending: only apply can tell, so what waits for a restart is known then.
  if (running && willRun && !cycling && !(restart && restartAllowed) && cs.grow.some((g) => !cs.set.has(g.disk))) planned["pending_keys"] = new Unknown();

  if (isEmpty(cs) && !(restart && restartAllowed) && !migration) {
    return { action: "no-op", planned, reasons: [], issues, ...(notes.length ? { notes } : {}), ...deletes, ...adopted };
  }
  const operations = updateOperations({
    base,
    planned,
    cs,
    ...(typeof prior["digest"] === "string" ? { digest: prior["digest"] } : {}),
    ...(migration ? { migration: { ...migration, stopFirst } } : {}),
    cycling,
    sensitive: req.sensitivePaths ?? [],
  });
  // Volumes Proxmox detaches in this apply are deleted by it (the delete_detached step): what
  // stays to delete later is only what waits for a restart.
  if (detachesNow) delete planned["volumes_to_delete"];
  planned["digest"] = new Unknown("string");
  if (migration) delete planned["migrated_from"];
  if (prior["lock"]) notes.push(`the container is locked (${String(prior["lock"])}); apply will fail until the lock is gone`);
  return { action: "update", planned, reasons, issues, ...(notes.length ? { notes } : {}), ...deletes, ...adopted, operations };
}

/**
 * A configured node other than the container's: a migration when pct migrate can do it (stopped,
 * to be stopped, or running with restart_on_change), otherwise a plan-time diagnostic. A container
 * migrated outside pmxform (HA, pct migrate) while running is left where it is with a warning
 * rather than failing every plan; one that can move is migrated back, since the configuration says
 * where it belongs.
 */
function migrationOf(address: string, config: Attrs, prior: Attrs, issues: ProviderIssue[]): Migration | undefined {
  const to = config["node"];
  const from = String(prior["node"]);
  if (typeof to !== "string" || to === from) return undefined;
  const running = prior["started"] === true;
  const stays = config["started"] !== false;
  const outside = prior["migrated_from"] === to;
  if (running && stays && config["restart_on_change"] !== true) {
    if (outside) {
      issues.push({
        severity: "warning",
        path: ["node"],
        summary: "Container migrated outside pmxform",
        detail: `${address} now runs on ${from} (it was on ${to}). It is running, and moving it back needs a restart, so pmxform leaves it there. Set node = "${from}" to match, or set restart_on_change = true to let apply move it back with pct migrate --restart.`,
      });
    } else {
      issues.push({
        severity: "error",
        path: ["node"],
        summary: "Moving a running container needs a restart",
        detail: `Proxmox cannot live-migrate containers ("lxc live migration is currently not implemented"): pct migrate moves a running container only by shutting it down and starting it on ${to} (--restart). Set restart_on_change = true to allow that, or started = false to stop it and move it offline, or keep node = "${from}".`,
      });
    }
    return undefined;
  }
  const m = planMigration(prior, config, running && stays);
  if (outside)
    issues.push({
      severity: "warning",
      path: ["node"],
      summary: "Container migrated outside pmxform",
      detail: `${address} was moved from ${to} to ${from} outside pmxform; this plan migrates it back to ${to}, as the configuration says. To keep it on ${from}, set node = "${from}".`,
    });
  const refused = migrationIssues(prior, m);
  issues.push(...refused);
  return m;
}
