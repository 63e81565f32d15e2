// Converts between the engine's in-memory plan (Unknown values, sensitive attributes present)
// and the plan file contract (architecture §4): unknowns become null + paths, secrets are
// nulled (apply re-evaluates them from the configuration), lineage/serial/digests recorded.
import { pmxformVersion } from "../state/version.js";
import { Unknown } from "../config/value.js";
import type { PlanFile, PlannedChange } from "../plan/types.js";
import type { StateFile } from "../state/types.js";
import type { Attrs, AttrPath, PlannedOperation, VolumeDeletion } from "../provider/types.js";
import { redactPaths, splitUnknown } from "../plan/attr-diff.js";
import type { Change, ChangeAction } from "../plan/change.js";
import type { PlanOptions } from "./plan-types.js";

const ACTIONS: Record<ChangeAction, PlannedChange["actions"]> = {
  create: ["create"],
  update: ["update"],
  delete: ["delete"],
  replace: ["delete", "create"],
  "no-op": ["no-op"],
  read: ["read"],
};

function toFileAttrs(a: Attrs | null, sensitive: AttrPath[]): { value: Attrs | null; unknown: AttrPath[] } {
  if (!a) return { value: null, unknown: [] };
  const split = splitUnknown(a);
  return { value: redactPaths(split.value as Attrs, sensitive), unknown: split.unknown };
}

export function changeToFile(c: Change): PlannedChange {
  const before = toFileAttrs(c.before, c.sensitivePaths);
  const after = toFileAttrs(c.after, c.sensitivePaths);
  const actions = c.action === "replace" && c.createBeforeDestroy ? (["create", "delete"] as PlannedChange["actions"]) : ACTIONS[c.action];
  return {
    address: c.address,
    type: c.type,
    name: c.decl.slice(c.decl.lastIndexOf(".") + 1),
    ...(c.index !== undefined ? { index: c.index } : {}),
    ...(c.node ? { node: c.node } : {}),
    actions,
    before: before.value,
    after: after.value,
    after_unknown: after.unknown,
    reasons: c.reasons.map((r) => ({ path: r.path.map(String), reason: r.reason })),
    sensitive_paths: c.sensitivePaths,
    ...(c.movedFrom ? { moved_from: c.movedFrom } : {}),
    ...(c.importId !== undefined ? { import_id: c.importId } : {}),
    ...(c.deposedKey ? { deposed: c.deposedKey } : {}),
    ...(c.operations ? { operations: c.operations } : {}),
    provider_data: {
      decl: c.decl,
      dependencies: c.dependencies,
      notes: c.notes,
      ...(c.volumeDeletions?.length ? { volume_deletions: c.volumeDeletions } : {}),
      ...(c.deleteReason ? { delete_reason: c.deleteReason } : {}),
      ...(c.createBeforeDestroy ? { create_before_destroy: true } : {}),
      ...(c.replaceCause ? { replace_cause: c.replaceCause } : {}),
    },
  };
}

function setPath(obj: Attrs, path: AttrPath, value: unknown): void {
  let cur: Record<string | number, unknown> = obj;
  for (let i = 0; i < path.length - 1; i++) {
    const next = cur[path[i]!];
    if (!next || typeof next !== "object") return;
    cur = next as Record<string | number, unknown>;
  }
  const last = path[path.length - 1];
  if (last !== undefined) cur[last] = value;
}

export function changeFromFile(p: PlannedChange): Change {
  const data = (p.provider_data ?? {}) as {
    decl?: string;
    dependencies?: string[];
    notes?: string[];
    volume_deletions?: VolumeDeletion[];
    delete_reason?: string;
    create_before_destroy?: boolean;
    replace_cause?: Change["replaceCause"];
  };
  const after = p.after ? (JSON.parse(JSON.stringify(p.after)) as Attrs) : null;
  if (after) for (const path of p.after_unknown) setPath(after, path, new Unknown());
  const a = p.actions;
  const action: ChangeAction = a.length === 2 ? "replace" : (a[0] as ChangeAction);
  return {
    address: p.address,
    type: p.type,
    decl: data.decl ?? `${p.type}.${p.name}`,
    ...(p.index !== undefined ? { index: p.index } : {}),
    ...(p.node ? { node: p.node } : {}),
    action,
    before: p.before ?? null,
    after,
    afterUnknown: p.after_unknown,
    sensitivePaths: p.sensitive_paths ?? [],
    reasons: p.reasons,
    notes: data.notes ?? [],
    ...(data.volume_deletions?.length ? { volumeDeletions: data.volume_deletions } : {}),
    dependencies: data.dependencies ?? [],
    ...(p.moved_from ? { movedFrom: p.moved_from } : {}),
    ...(p.import_id !== undefined ? { importId: p.import_id } : {}),
    ...(p.deposed ? { deposedKey: p.deposed } : {}),
    ...(p.operations ? { operations: p.operations as PlannedOperation[] } : {}),
    ...(data.delete_reason ? { deleteReason: data.delete_reason } : {}),
    ...(data.create_before_destroy || (a[0] === "create" && a[1] === "delete") ? { createBeforeDestroy: true } : {}),
    ...(data.replace_cause ? { replaceCause: data.replace_cause } : {}),
  };
}

export function buildPlanFile(args: {
  state: StateFile;
  isNewState: boolean;
  changes: Change[];
  configDigest: string;
  variablesDigest: string;
  options: PlanOptions;
  refreshedPrior: StateFile;
  workingDir: string;
}): Omit<PlanFile, "checksum"> {
  return {
    format_version: 1,
    pmxform_version: pmxformVersion(),
    created: new Date().toISOString(),
    lineage: args.isNewState ? null : args.state.lineage,
    serial: args.isNewState ? null : args.state.serial,
    config_digest: args.configDigest,
    variables_digest: args.variablesDigest,
    cwd_digest: args.workingDir,
    prior_state: args.refreshedPrior,
    changes: args.changes.map(changeToFile),
    options: { destroy: args.options.destroy, refresh_only: args.options.refreshOnly, targets: args.options.targets, replace: args.options.replace },
  };
}
