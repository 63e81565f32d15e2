// Visits the declarations of a module in dependency order: evaluates locals, expands and
// evaluates resource instances, and lets the caller decide what each instance's value is
// (validate: unknown; plan: the planned attributes; apply: the real ones).
import type { Diagnostic } from "../diag/diagnostic.js";
import { hasErrors } from "../diag/diagnostic.js";
import type { ResourceDecl } from "../config/module.js";
import type { Value } from "../config/value.js";
import { Unknown } from "../config/value.js";
import type { InstanceKey } from "./address.js";
import { withCallSite } from "../config/modules/call-site.js";
import type { ConfigEvaluation, DeclGraph, InstanceConfig } from "./evaluation.js";

export interface ResourceVisit {
  decl: ResourceDecl;
  /** Instances that evaluated cleanly. */
  instances: InstanceConfig[];
  /** Keys whose evaluation failed (their diagnostics are in the result). */
  failedKeys: InstanceKey[];
  expansionFailed: boolean;
}

export function walkConfig(
  ev: ConfigEvaluation,
  onResource: (visit: ResourceVisit) => void,
  /** The declaration graph when the caller already built it. */
  graph: DeclGraph = ev.declGraph(),
): { diagnostics: Diagnostic[]; order: string[] } {
  const { dag } = graph;
  const diagnostics = [...graph.diagnostics];
  if (hasErrors(diagnostics)) return { diagnostics, order: [] };
  const order = graph.order ?? dag.topoOrder();
  for (const id of order) {
    const evaluated = ev.evaluateNode(id);
    if (evaluated) {
      diagnostics.push(...evaluated);
      continue;
    }
    const decl = ev.module.resources.get(id);
    if (!decl) continue;
    const callSite = ev.frame(decl.module ?? "")?.callSite;
    const expansion = ev.expand(decl);
    diagnostics.push(...withCallSite(expansion.diagnostics, callSite));
    const visit: ResourceVisit = { decl, instances: [], failedKeys: [], expansionFailed: hasErrors(expansion.diagnostics) };
    for (const key of expansion.keys) {
      const r = ev.evaluateInstance(decl, key, typeof key === "string" ? expansion.eachValues.get(key) : undefined);
      diagnostics.push(...withCallSite(r.diagnostics, callSite));
      if (r.instance) visit.instances.push(r.instance);
      else visit.failedKeys.push(key);
    }
    if (visit.expansionFailed) ev.setUnknown(decl);
    onResource(visit);
  }
  return { diagnostics, order };
}

/** Evaluates every output with the values recorded so far. */
export function evaluateOutputs(ev: ConfigEvaluation): { values: Map<string, { value: Value; sensitive: boolean }>; diagnostics: Diagnostic[] } {
  const values = new Map<string, { value: Value; sensitive: boolean }>();
  const diagnostics: Diagnostic[] = [];
  // Module outputs the root's outputs read are evaluated again with the values recorded by now
  // (a refresh-only plan records them without walking the configuration).
  if (ev.module.frames?.size) {
    const graph = ev.declGraph();
    for (const id of graph.order ?? []) ev.evaluateNode(id);
  }
  for (const o of ev.module.outputs.values()) {
    const r = ev.eval(o.value, ev.scope());
    diagnostics.push(...r.diagnostics);
    values.set(o.name, { value: r.value, sensitive: o.sensitive });
  }
  return { values, diagnostics };
}

/**
 * The configuration check of `validate`, which `destroy` runs too (Terraform refuses to destroy
 * with a broken configuration): every resource body against its schema and every output, with
 * every resource value unknown. `ev` should be lenient, so an unknown count/for_each is not an error.
 */
export function validateWithUnknowns(ev: ConfigEvaluation): Diagnostic[] {
  const walked = walkConfig(ev, (visit) => {
    for (const inst of visit.instances) ev.setInstanceValue(visit.decl, inst.key, new Unknown("object"));
  });
  if (hasErrors(walked.diagnostics)) return walked.diagnostics;
  return [...walked.diagnostics, ...evaluateOutputs(ev).diagnostics];
}

/**
 * The instances of `type` evaluated with every resource value unknown (`ev` lenient), for reads
 * before planning that need what only the configuration names; instances that do not evaluate are
 * left out (plan reports them).
 */
export function instancesOfType(ev: ConfigEvaluation, type: string): { address: string; config: InstanceConfig["config"] }[] {
  const out: { address: string; config: InstanceConfig["config"] }[] = [];
  walkConfig(ev, (visit) => {
    for (const inst of visit.instances) {
      ev.setInstanceValue(visit.decl, inst.key, new Unknown("object"));
      if (visit.decl.type === type) out.push({ address: inst.address, config: inst.config });
    }
  });
  return out;
}
