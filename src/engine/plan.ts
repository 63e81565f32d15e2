// Planning: a pure function of the configuration evaluation, the prior state and the refreshed
// view of the cluster. It decides for every resource instance whether to create, update,
// replace, delete or leave it, in Terraform's semantics (moved blocks, lifecycle rules,
// --target, --replace, --destroy, --refresh-only). This file runs the phases in order; each
// phase is a file of its own:
//   moves (plan-moves.ts) → drift (plan-drift.ts) → per-instance diff (plan-instances.ts, with
//   plan-lifecycle.ts and plan-imports.ts) → orphans and deposed objects (plan-orphans.ts) →
//   targets (plan-target-filter.ts) → outputs.
import type { Diagnostic } from "../diag/diagnostic.js";
import { hasErrors } from "../diag/diagnostic.js";
import type { Value } from "../config/value.js";
import type { Change } from "../plan/change.js";
import { parseAddress } from "./address.js";
import { ConfigEvaluation } from "./evaluation.js";
import { refreshPrior, type Refreshed } from "./plan-drift.js";
import { ImportBlocks } from "./plan-imports.js";
import { diffInstances } from "./plan-instances.js";
import { applyMoves } from "./plan-moves.js";
import { deposedChanges, orphanChanges } from "./plan-orphans.js";
import { checkReplaceAddresses, keepTargeted } from "./plan-target-filter.js";
import type { PlanInput, PlanResult } from "./plan-types.js";
import { evaluateOutputs, validateWithUnknowns } from "./walk-config.js";

export type { DeposedObject, PlanInput, PlanOptions, PlanResult, PriorResource } from "./plan-types.js";

export function plan(input: PlanInput): PlanResult {
  const { session, options } = input;
  const diagnostics: Diagnostic[] = [];
  const moved = applyMoves(session.module.moved, input.prior, diagnostics);
  const refreshed = refreshPrior(input, session.registry, moved, diagnostics);
  const { drift, refreshedPrior } = refreshed;

  if (options.refreshOnly) return { changes: [], drift, outputs: plannedOutputs(input, refreshed, diagnostics), diagnostics, refreshedPrior, generated: [] };

  const graph = session.evaluation.declGraph();
  if (hasErrors(graph.diagnostics)) return { changes: [], drift, outputs: new Map(), diagnostics: [...diagnostics, ...graph.diagnostics], refreshedPrior, generated: [] };

  let changes: Change[] = [];
  let configured = new Set<string>();
  let generated: PlanResult["generated"] = [];
  if (!options.destroy) {
    const imports = new ImportBlocks(input, diagnostics);
    ({ changes, configured } = diffInstances(input, graph, moved, refreshed, imports, diagnostics));
    generated = imports.withoutResourceBlock(configured, moved.prior, Boolean(options.generateConfig));
  } else {
    // Destroying evaluates no resource body, but a mistake in one is still refused, as plan
    // reports it; values of what is being destroyed may be unknown here.
    const lenient = new ConfigEvaluation(session.module, session.variables, session.registry, session.dir, true);
    diagnostics.push(...validateWithUnknowns(lenient));
  }
  changes.push(...orphanChanges(input, moved, refreshed, configured, diagnostics), ...deposedChanges(input));

  const kept = keepTargeted(changes, options.targets, diagnostics);
  checkReplaceAddresses(changes, options, diagnostics);
  return { changes: kept, drift, outputs: plannedOutputs(input, refreshed, diagnostics), diagnostics, refreshedPrior, generated };
}

/** The outputs with the planned values (--refresh-only: the refreshed ones); none for --destroy. */
function plannedOutputs(input: PlanInput, refreshed: Refreshed, diagnostics: Diagnostic[]): Map<string, { value: Value; sensitive: boolean }> {
  const { session, options } = input;
  const ev = session.evaluation;
  if (options.destroy) return new Map();
  if (options.refreshOnly) {
    for (const r of refreshed.refreshedPrior) {
      const p = parseAddress(r.address);
      const decl = p && session.module.resources.get(p.decl);
      if (decl) ev.setInstanceAttributes(decl, p.key, session.registry.resourceType(decl.type), r.attributes as Value, false, r.sensitive_attributes);
    }
  }
  const o = evaluateOutputs(ev);
  diagnostics.push(...o.diagnostics);
  return o.values;
}

/** Whether applying `changes` would do anything (an import or move alone counts). */
export function hasChanges(changes: readonly Change[]): boolean {
  return changes.some((c) => (c.action !== "no-op" && c.action !== "read") || c.movedFrom !== undefined || c.importId !== undefined);
}
