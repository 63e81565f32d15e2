// The one JSON document `apply --json` and `destroy --json` print: the plan (as plan --json shows
// it), what became of each resource, the counts, the outputs and every diagnostic. The errored
// document of a run that stopped before applying ({format_version, errored, diagnostics}) is a
// subset of it, so a reader handles both with one parser.
import { hasErrors, type Diagnostic } from "../diag/diagnostic.js";
import { changeId, type ApplySummary } from "../engine/apply.js";
import type { Change } from "../plan/change.js";
import { changeToFile } from "../engine/planfile.js";
import { summaryCounts } from "../plan/render.js";
import { pmxformVersion } from "../state/version.js";
import type { StateFile } from "../state/types.js";
import { savedPlanRepresentation } from "./plan-output.js";
import type { PlanFile } from "../plan/types.js";
import type { ProviderRegistry } from "../provider/registry.js";
import { diagnosticsJson } from "./output-format.js";
import { putKey } from "../config/value.js";

export type ApplyOperation = "apply" | "destroy" | "refresh-only";

export interface ResourceOutcome {
  address: string;
  /** Set for a deposed object's destroy (as in plan --json). */
  deposed?: string;
  actions: string[];
  status: "complete" | "failed" | "skipped" | "not_started";
  error?: string;
  skipped_because?: string;
}

export interface ApplyJsonInput {
  operation: ApplyOperation;
  /** The plan part; plan --json's document for a fresh plan, the saved plan's changes otherwise. */
  plan: object;
  changes: readonly Change[];
  /** Absent when nothing was carried out (refresh-only). */
  summary?: ApplySummary;
  /** The state's outputs after the run; omitted for destroy and after a failure, as the human output does. */
  outputs?: StateFile["outputs"];
  /** Diagnostics from before the run (plan warnings); the run's own come with `summary`. */
  diagnostics: readonly Diagnostic[];
}

/** The plan part of a saved plan being applied: what `show --json PLANFILE` prints, with the summary. */
export function savedPlanJson(plan: PlanFile, changes: readonly Change[], registry: ProviderRegistry): object {
  return { ...savedPlanRepresentation(plan, registry), summary: summaryCounts(changes) };
}

export function outcomes(changes: readonly Change[], s: ApplySummary): ResourceOutcome[] {
  const failed = new Map(s.failed.map((f) => [f.address, f.message]));
  const skipped = new Map(s.skipped.map((k) => [k.address, k.because]));
  const completed = new Set(s.completed);
  const out: ResourceOutcome[] = [];
  for (const c of changes) {
    // Moves and imports are state edits done before the walk; no-ops are not reported.
    const walked = c.action !== "no-op" && c.action !== "read";
    if (!walked && c.movedFrom === undefined && c.importId === undefined) continue;
    const { actions } = changeToFile(c);
    // The walk knows a deposed object's destroy by its own id, not by the address it shares.
    const id = changeId(c);
    const base = { address: c.address, ...(c.deposedKey ? { deposed: c.deposedKey } : {}), actions: c.importId !== undefined && !walked ? ["import"] : actions };
    if (!walked) out.push({ ...base, status: "complete" });
    else if (failed.has(id)) out.push({ ...base, status: "failed", error: failed.get(id)! });
    else if (skipped.has(id)) out.push({ ...base, status: "skipped", skipped_because: skipped.get(id)! });
    else out.push({ ...base, status: completed.has(id) ? "complete" : "not_started" });
  }
  return out;
}

export function applyJson(input: ApplyJsonInput): string {
  const s = input.summary;
  const diagnostics = [...input.diagnostics, ...(s?.diagnostics ?? [])];
  const errored = hasErrors(diagnostics) || Boolean(s && (s.failed.length || s.skipped.length));
  const outputs: Record<string, { sensitive: boolean; value: unknown }> = {};
  for (const [n, o] of Object.entries(input.outputs ?? {}).sort(([a], [b]) => (a < b ? -1 : 1))) putKey(outputs, n, { sensitive: o.sensitive, value: o.sensitive ? null : o.value });
  // plan --json's own `errored` and `diagnostics` give way to the run's.
  const { errored: _planErrored, diagnostics: _planDiagnostics, ...plan } = input.plan as Record<string, unknown>;
  const doc = {
    ...plan,
    pmxform_version: pmxformVersion(),
    resource_outcomes: s ? outcomes(input.changes, s) : [],
    apply_summary: {
      operation: input.operation,
      import: s?.imported ?? 0,
      add: s?.added ?? 0,
      change: s?.changed ?? 0,
      destroy: s?.destroyed ?? 0,
      failed: s?.failed.length ?? 0,
      skipped: s?.skipped.length ?? 0,
    },
    // As the human output: no outputs after a failure (they may name what was never created).
    ...(input.outputs && !errored ? { outputs } : {}),
    errored,
    diagnostics: diagnosticsJson(diagnostics),
  };
  return JSON.stringify(doc, null, 2) + "\n";
}
