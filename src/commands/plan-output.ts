// Shared by plan/apply/show: the render context, the JSON form of a plan (terraform show -json
// shaped), and saving a plan file.
import { outputChanges } from "../engine/output-changes.js";
import { describeObject } from "../engine/identity.js";
import type { OutputChange } from "../plan/change.js";
import { writePlanFile } from "../plan/file.js";
import { credentialVariables } from "../state/backends/settings.js";
import type { PlanFile } from "../plan/types.js";
import type { StateFile } from "../state/types.js";
import type { ProviderRegistry } from "../provider/registry.js";
import type { RenderContext } from "../plan/render.js";
import { summaryCounts } from "../plan/render.js";
import { changeToFile, buildPlanFile } from "../engine/planfile.js";
import { configurationJson, mirror, planRepresentation, resourceChangeJson, type HiddenOf, type PlanJsonExtras } from "./plan-json.js";
import type { PlanRun } from "../engine/run.js";
import { configDigest, cwdDigest, variablesDigest } from "../plan/admission.js";
import { splitUnknown } from "../plan/attr-diff.js";
import { containsSensitive, putKey, unmark } from "../config/value.js";
import { pmxformVersion } from "../state/version.js";

export function renderContext(registry: ProviderRegistry, color: boolean): RenderContext {
  return {
    color,
    blocksOf: (type) => registry.resourceType(type)?.blocks ?? {},
    hiddenOf: (type) => registry.resourceType(type)?.hiddenAttributes ?? [],
    describeObject: (type, attrs) => describeObject(registry, type, attrs),
  };
}

/** The state the plan was computed from: the recorded one with every refreshed resource's values as read. */
function refreshedPriorState(r: PlanRun): StateFile {
  return { ...r.state, resources: r.result.refreshedPrior.map((p) => ({ ...r.state.resources.find((x) => x.address === p.address)!, ...p })) };
}

export async function savePlan(path: string, r: PlanRun): Promise<void> {
  const file = buildPlanFile({
    state: r.state,
    isNewState: r.state.serial === 0 && r.state.resources.length === 0,
    changes: r.result.changes,
    configDigest: configDigest(r.session.sources),
    variablesDigest: variablesDigest(r.session.variables),
    options: r.options,
    refreshedPrior: refreshedPriorState(r),
    workingDir: cwdDigest(r.session.dir),
  });
  const extras = planExtras(r);
  // Variables that feed the backend or encryption blocks are credentials: never in a plan file.
  for (const name of credentialVariables(r.session.module)) if (extras.variables?.[name]) extras.variables[name] = { sensitive: true };
  await writePlanFile(path, { ...file, ...extras, backend: r.location.backend, workspace: r.location.workspace }, r.location.encryption);
}

/** Everything of a plan's JSON document that its changes and prior state do not hold (saved in plan files). */
export function planExtras(r: PlanRun): PlanJsonExtras {
  const variables: PlanJsonExtras["variables"] = {};
  for (const [name, value] of [...r.session.variables].sort(([a], [b]) => (a < b ? -1 : 1))) {
    variables[name] = r.session.module.variables.get(name)?.sensitive || containsSensitive(value) ? { sensitive: true } : { value: unmark(value) };
  }
  const planned_outputs: PlanJsonExtras["planned_outputs"] = {};
  const output_changes: PlanJsonExtras["output_changes"] = {};
  const changed = new Map(plannedOutputChanges(r).map((c) => [c.name, c]));
  const shown = (v: unknown, sensitive: boolean) => (sensitive ? null : splitUnknown(v).value);
  for (const [name, o] of [...r.result.outputs].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const sensitive = o.sensitive || containsSensitive(o.value);
    const split = splitUnknown(unmark(o.value));
    putKey(planned_outputs, name, sensitive || split.unknown.length ? { sensitive } : { sensitive, value: split.value });
    const c = changed.get(name);
    const after = unmark(o.value);
    putKey(output_changes, name, {
      actions: [c?.action ?? "no-op"],
      before: c ? shown(c.before, sensitive) : shown(after, sensitive),
      after: shown(after, sensitive),
      after_unknown: sensitive ? false : mirror(split.value, split.unknown),
      before_sensitive: c ? Boolean(Object.hasOwn(r.state.outputs, name) && r.state.outputs[name]?.sensitive) : sensitive,
      after_sensitive: sensitive,
    });
  }
  for (const c of changed.values()) {
    if (c.action === "delete")
      putKey(output_changes, c.name, { actions: ["delete"], before: c.sensitive ? null : c.before, after: null, after_unknown: false, before_sensitive: c.sensitive, after_sensitive: false });
  }
  const resource_drift = r.result.drift.map((d) => {
    const s = r.state.resources.find((x) => x.address === d.address);
    const type = s?.type ?? d.address.split(".")[0]!;
    return resourceChangeJson(
      {
        address: d.address,
        type,
        name: s?.name ?? d.address.slice(type.length + 1),
        ...(s?.index !== undefined ? { index: s.index } : {}),
        actions: [d.kind === "deleted" ? "delete" : "update"],
        before: d.before,
        after: d.after,
        after_unknown: [],
        reasons: [],
        sensitive_paths: s?.sensitive_attributes ?? [],
      },
      hiddenOf(r.registry),
    );
  });
  return { variables, planned_outputs, output_changes, resource_drift, configuration: configurationJson(r.session.module) };
}

export function hiddenOf(registry: ProviderRegistry): HiddenOf {
  return (type) => registry.resourceType(type)?.hiddenAttributes ?? [];
}

/** The outputs this plan changes against the state; none for destroy and refresh-only plans. */
export function plannedOutputChanges(r: PlanRun): OutputChange[] {
  return r.options.destroy || r.options.refreshOnly ? [] : outputChanges(r.result.outputs, r.state.outputs);
}

/** The JSON document of a saved plan (`show --json PLANFILE`, `apply PLANFILE --json`). */
export function savedPlanRepresentation(plan: PlanFile, registry: ProviderRegistry) {
  const extras: PlanJsonExtras = {
    variables: plan.variables ?? {},
    planned_outputs: (plan.planned_outputs ?? {}) as PlanJsonExtras["planned_outputs"],
    output_changes: (plan.output_changes ?? {}) as PlanJsonExtras["output_changes"],
    resource_drift: plan.resource_drift ?? [],
    configuration: plan.configuration ?? {},
  };
  return planRepresentation({ pmxformVersion: plan.pmxform_version, changes: plan.changes, priorState: plan.prior_state, extras, hiddenOf: hiddenOf(registry), timestamp: plan.created });
}

/** `plan --json`: Terraform's plan representation (docs/json-output.md) plus pmxform's summary. */
export function planJson(r: PlanRun) {
  const doc = planRepresentation({
    pmxformVersion: pmxformVersion(),
    changes: r.result.changes.map(changeToFile),
    priorState: refreshedPriorState(r),
    extras: planExtras(r),
    hiddenOf: hiddenOf(r.registry),
    timestamp: new Date().toISOString(),
  });
  return { ...doc, summary: summaryCounts(r.result.changes), errored: false };
}
