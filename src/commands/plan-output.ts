// Shared by plan/apply/show: the render context, the JSON form of a plan (terraform show -json
// shaped), and saving a plan file.
import { outputChanges, type OutputChange } from "../engine/output-changes.js";
import { createHash } from "node:crypto";
import { realpathSync } from "node:fs";
import { writePlanFile } from "../plan/file.js";
import type { ProviderRegistry } from "../provider/registry.js";
import type { RenderContext } from "../plan/render.js";
import { summaryCounts } from "../plan/render.js";
import { changeToFile, buildPlanFile } from "../engine/planfile.js";
import { configDigest, variablesDigest, type PlanRun } from "../engine/run.js";
import type { Change, DriftEntry } from "../engine/change.js";
import { splitUnknown } from "../engine/attr-diff.js";
import { containsSensitive, unmark } from "../config/value.js";
import { pmxformVersion } from "../state/version.js";

export function renderContext(registry: ProviderRegistry, color: boolean): RenderContext {
  return { color, blocksOf: (type) => registry.resourceType(type)?.blocks ?? {}, hiddenOf: (type) => registry.resourceType(type)?.hiddenAttributes ?? [] };
}

export function cwdDigest(dir: string): string {
  let real = dir;
  try {
    real = realpathSync(dir);
  } catch {
    /* a missing directory keeps its given path */
  }
  return createHash("sha256").update(real).digest("hex");
}

export async function savePlan(path: string, r: PlanRun): Promise<void> {
  const refreshedPrior = { ...r.state, resources: r.result.refreshedPrior.map((p) => ({ ...r.state.resources.find((x) => x.address === p.address)!, ...p })) };
  const file = buildPlanFile({
    state: r.state,
    isNewState: r.state.serial === 0 && r.state.resources.length === 0,
    changes: r.result.changes,
    configDigest: configDigest(r.session),
    variablesDigest: variablesDigest(r.session.variables),
    options: r.options,
    refreshedPrior,
    workingDir: cwdDigest(r.session.dir),
  });
  await writePlanFile(path, file);
}

export function changesJson(changes: readonly Change[], drift: readonly DriftEntry[]) {
  return {
    resource_changes: changes.map((c) => {
      const f = changeToFile(c);
      return {
        address: f.address,
        type: f.type,
        name: f.name,
        ...(f.index !== undefined ? { index: f.index } : {}),
        ...(f.deposed ? { deposed: f.deposed } : {}),
        provider_name: "proxmox",
        change: { actions: f.actions, before: f.before, after: f.after, after_unknown: f.after_unknown, before_sensitive: f.sensitive_paths, after_sensitive: f.sensitive_paths, replace_paths: c.reasons.filter((x) => x.reason === "forces replacement").map((x) => x.path) },
        ...(f.moved_from ? { previous_address: f.moved_from } : {}),
        ...(c.action === "replace" ? { action_reason: c.replaceCause === "requested" ? "replace_by_request" : c.replaceCause === "replace_triggered_by" ? "replace_by_triggers" : "replace_because_cannot_update" } : {}),
        ...(c.reasons.length ? { reasons: c.reasons } : {}),
      };
    }),
    volume_deletions: changes.flatMap((c) => (c.volumeDeletions ?? []).map((d) => ({ address: c.address, ...d }))),
    resource_drift: drift.map((d) => ({ address: d.address, change: { actions: d.kind === "deleted" ? ["delete"] : ["update"], before: d.before, after: d.after, paths: d.paths } })),
  };
}

/** The outputs this plan changes against the state; none for destroy and refresh-only plans. */
export function plannedOutputChanges(r: PlanRun): OutputChange[] {
  return r.options.destroy || r.options.refreshOnly ? [] : outputChanges(r.result.outputs, r.state.outputs);
}

export function planJson(r: PlanRun) {
  const outputs: Record<string, { sensitive: boolean; value?: unknown; unknown?: boolean }> = {};
  for (const [name, o] of r.result.outputs) {
    const sensitive = o.sensitive || containsSensitive(o.value);
    const split = splitUnknown(unmark(o.value));
    outputs[name] = sensitive ? { sensitive: true } : { sensitive: false, value: split.value, ...(split.unknown.length ? { unknown: true } : {}) };
  }
  return {
    format_version: "1.0",
    pmxform_version: pmxformVersion(),
    ...changesJson(r.result.changes, r.result.drift),
    output_changes: outputs,
    summary: summaryCounts(r.result.changes),
    errored: false,
  };
}
