// Apply: carries out the planned changes. This file runs the phases in order; each phase is a
// file of its own:
//   admission (apply-admission.ts: moves and imports written, references seeded) → leftovers of
//   interrupted runs removed (leftovers.ts) → ordering (apply-order.ts: the change graph) → the
//   walk, bounded overall and per Proxmox node, executing each change (apply-change.ts) and
//   saving the state after every finished operation (apply-record.ts) → outputs saved.
// Each resource's configuration is evaluated again right before its operation, so references to
// values created earlier in the run are known.
import { attributeSensitivePaths } from "./sensitive-paths.js";
import { runAbortController } from "../exec/abort.js";
import type { Diagnostic } from "../diag/diagnostic.js";
import { error } from "../diag/diagnostic.js";
import { walk, type NodeResult } from "../graph/walk.js";
import type { Change } from "../plan/change.js";
import type { ApplyContext, Attrs, AttrPath } from "../provider/types.js";
import { parseAddress } from "./address.js";
import { admitStateChanges, seedReferences } from "./apply-admission.js";
import { executeChange, type ChangeEnv } from "./apply-change.js";
import { changeGraph, changeId } from "./apply-order.js";
import { ApplyRecorder } from "./apply-record.js";
import { removeLeftovers } from "./leftovers.js";
import { SecretSet, redactingRunner } from "./secrets.js";
import type { Session } from "./session.js";
import type { StateHolder } from "./state-holder.js";
import { intentIdentity } from "./identity.js";
import type { Targets } from "./targets.js";
import { evaluateOutputs } from "./walk-config.js";
import { InconsistentResultError } from "./verify-result.js";

export { changeGraph, changeId } from "./apply-order.js";

export interface ApplyOptions {
  session: Session;
  changes: Change[];
  targets: Targets;
  state: StateHolder;
  snapshotFor: (type: string, node: string | undefined) => unknown;
  parallelism: number;
  perNodeLimit: number;
  signal: AbortSignal;
  out: (line: string) => void;
}

export interface ApplySummary {
  imported: number;
  added: number;
  changed: number;
  destroyed: number;
  failed: { address: string; message: string }[];
  skipped: { address: string; because: string }[];
  /** Addresses whose operation finished (what neither failed nor was skipped may not have started: a cycle). */
  completed: string[];
  diagnostics: Diagnostic[];
}

const VERB_OF: Record<string, string> = { create: "creation", update: "update", delete: "destruction", replace: "replacement" };

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

export async function applyChanges(opts: ApplyOptions): Promise<ApplySummary> {
  const { session, targets, state } = opts;
  const ev = session.evaluation;
  const registry = session.registry;
  state.useIdentity(intentIdentity(registry));
  const summary: ApplySummary = { imported: 0, added: 0, changed: 0, destroyed: 0, failed: [], skipped: [], completed: [], diagnostics: [] };
  const byId = new Map(opts.changes.map((c) => [changeId(c), c]));

  summary.imported = await admitStateChanges(session, state, opts.changes, opts.out);
  seedReferences(session, state, opts.changes);

  // Operations already running are never cut short by a graceful interrupt (a half-run
  // `pct create` leaves a locked container behind); only the walk stops starting new ones.
  const operationSignal = runAbortController().signal;
  const secrets = new SecretSet();
  // Attributes a provider declared it left the plan for, knowingly (ApplyContext.deviates).
  const deviations = new Map<string, AttrPath[]>();
  const env: ChangeEnv = {
    recorder: new ApplyRecorder(session, state),
    contextFor: (c) => contextFor(c, opts, secrets, operationSignal, (path) => void deviations.set(changeId(c), [...(deviations.get(changeId(c)) ?? []), path])),
    evaluateNow: (c) => evaluateNow(session, c),
    addSecrets: (attrs, paths) => secrets.addFrom(attrs, paths),
    out: opts.out,
    deviationsOf: (c) => deviations.get(changeId(c)) ?? [],
  };
  const visit = async (id: string): Promise<void> => {
    const c = byId.get(id)!;
    const type = registry.resourceType(c.type);
    if (!type) throw new Error(`unknown resource type ${c.type}`);
    const n = await executeChange(c, type, env).catch((e: unknown) => {
      // The object was saved although its result differs from the plan: count what was saved.
      if (e instanceof InconsistentResultError) for (const k of ["added", "changed", "destroyed"] as const) summary[k] += e.counts[k];
      throw e;
    });
    summary.added += n.added;
    summary.changed += n.changed;
    summary.destroyed += n.destroyed;
  };

  await removeLeftovers({ registry, state, targets, signal: operationSignal, out: opts.out });
  let results: Map<string, NodeResult>;
  try {
    results = await walk(changeGraph(opts.changes), visit, {
      parallelism: Math.max(1, opts.parallelism),
      groupOf: (id) => byId.get(id)?.node,
      groupLimit: Math.max(1, opts.perNodeLimit),
      signal: opts.signal,
    });
  } catch (e) {
    summary.diagnostics.push(error("Cannot apply: the changes depend on each other in a cycle", message(e)));
    return summary;
  }
  for (const [id, r] of results) {
    if (r.status === "failed") {
      const why = secrets.redact(message(r.error));
      summary.failed.push({ address: id, message: why });
      const decl = session.module.resources.get(byId.get(id)?.decl ?? "");
      if (r.error instanceof InconsistentResultError) summary.diagnostics.push({ ...r.error.diagnostic, detail: why, ...(decl ? { subject: decl.declRange } : {}) });
      else summary.diagnostics.push(error(`${id}: ${VERB_OF[byId.get(id)?.action ?? "update"] ?? "apply"} failed`, why, decl?.declRange, id));
    } else if (r.status === "skipped") summary.skipped.push({ address: id, because: r.because });
    else summary.completed.push(id);
  }

  // Outputs from the values now known.
  const o = evaluateOutputs(ev);
  state.setOutputs(o.values);
  await state.save();
  return summary;
}

/** The provider's view of the run for one change: redacting runners, its snapshot, intents recorded in the state. */
function contextFor(c: Change, opts: ApplyOptions, secrets: SecretSet, signal: AbortSignal, deviates: (path: AttrPath) => void): ApplyContext {
  const { targets, state } = opts;
  return {
    runnerFor: (node: string) => redactingRunner(targets.runnerFor(node), secrets),
    pveRootFor: targets.pveRootFor,
    snapshot: opts.snapshotFor(c.type, c.node),
    log: (m: string) => opts.out(`${c.address}: ${m}`),
    recordIntent: async (intent) => {
      await state.recordIntent({ address: c.address, ...intent });
    },
    forgetIntent: async (intent) => {
      state.forgetIntent({ address: c.address, ...intent });
      await state.save();
    },
    lineage: state.file.lineage,
    deviates,
    signal,
  };
}

/** The change's resource configuration evaluated now; an error when it no longer evaluates. */
function evaluateNow(session: Session, c: Change): { config?: Attrs; sensitivePaths: AttrPath[] } {
  const ev = session.evaluation;
  const p = parseAddress(c.address);
  const decl = p && session.module.resources.get(p.decl);
  if (!decl || !p) return { sensitivePaths: c.sensitivePaths };
  // Locals (and module arguments and outputs) may depend on resources finished earlier in this run.
  ev.refreshDerived();
  const eachValue = typeof p.key === "string" ? ev.expand(decl).eachValues.get(p.key) : undefined;
  const r = ev.evaluateInstance(decl, p.key, eachValue);
  if (!r.instance) {
    const first = r.diagnostics.find((d) => d.severity === "error");
    throw new Error(first ? `${first.summary}: ${first.detail ?? ""}` : "its configuration could not be evaluated");
  }
  return { config: r.instance.config, sensitivePaths: attributeSensitivePaths(session.registry.resourceType(decl.type), r.instance.sensitivePaths) };
}
