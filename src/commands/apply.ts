// `pmxform apply [PLANFILE]`: with a saved plan, carries out exactly that plan after checking it
// is still valid; without one, plans, shows the plan and asks for approval.
import { runAbortController } from "../exec/abort.js";
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { recordRun, type RunFacts } from "../audit/append.js";
import { canonicalDigest } from "../plan/canonical.js";
import type { StateStore } from "../state/store.js";
import { hasErrors, error } from "../diag/diagnostic.js";
import type { Diagnostic } from "../diag/diagnostic.js";
import type { Value } from "../config/value.js";
import { PlanFileError, readPlanFile } from "../plan/file.js";
import { EncryptionError } from "../state/encryption.js";
import { planDecryptor } from "./state-read.js";
import { erroredStateDiagnostic } from "./errored-state.js";
import { renderPlan } from "../plan/render.js";
import { hasChanges } from "../engine/plan.js";
import { changeFromFile } from "../engine/planfile.js";
import { refreshProgressOption } from "./refresh-progress.js";
import { openForPlanning, openState, runPlan, type PlanRun, type RunOptions } from "../engine/run.js";
import { inputsMismatch, locationMismatch, stateMismatch } from "../plan/admission.js";
import type { ApplySummary } from "../engine/apply.js";
import { confirm, execute, printOutputs, printSummary } from "./apply-run.js";
import { applyJson, savedPlanJson } from "./apply-json.js";
import { planJson, plannedOutputChanges, renderContext } from "./plan-output.js";
import { printDiagnostics, useColor } from "./output-format.js";
import { planningOptionProblems } from "./planning-options.js";

/** The exit status of an apply whose state could not be saved to the backend (kept in the errored file). */
export const ERRORED_EXIT = 3;

export interface ApplyOpts extends RunOptions {
  autoApprove?: boolean;
}

/** The option parser (src/program.ts) has already refused anything but a whole number >= 1. */
function parallelismOf(opts: RunOptions): number {
  return Number(opts.parallelism ?? "10");
}

export async function run(opts: ApplyOpts, args: string[]): Promise<number> {
  const planFile = args[0];
  return planFile ? applySaved(opts, planFile) : applyFresh(opts, false);
}

/** Plans, shows and (after approval) applies; shared with `pmxform destroy`. */
export async function applyFresh(opts: ApplyOpts, destroy: boolean): Promise<number> {
  const color = useColor(opts);
  const parallelism = parallelismOf(opts);
  const json = Boolean(opts.json);
  if (json && !opts.autoApprove) {
    // As Terraform: the question would corrupt the machine-readable output.
    printDiagnostics(
      [
        error(
          "Approval required",
          `pmxform cannot ask for approval when --json is set. Add --auto-approve, or save a plan with pmxform plan --out FILE and run pmxform ${destroy ? "apply --destroy" : "apply"} FILE.`,
        ),
      ],
      opts,
    );
    return 1;
  }
  const refused = planningOptionProblems(opts, destroy || Boolean(opts.destroy));
  if (refused.length) return (printDiagnostics(refused, opts), 1);
  const ac = runAbortController();
  const { run: r, diagnostics, sources } = await runPlan({ ...opts, ...refreshProgressOption(), destroy: destroy || opts.destroy }, destroy ? "destroy" : "apply", ac.signal);
  try {
    if (!r || hasErrors(diagnostics)) {
      printDiagnostics(diagnostics, opts, r?.session.sources ?? sources);
      return 1;
    }
    const planned = r;
    const operation = planned.options.refreshOnly ? "refresh-only" : planned.options.destroy ? "destroy" : "apply";
    const report = (summary?: ApplySummary): void => {
      process.stdout.write(
        applyJson({
          operation,
          plan: planJson(planned),
          changes: planned.result.changes,
          ...(summary ? { summary } : {}),
          ...(operation === "apply" ? { outputs: planned.state.outputs } : {}),
          diagnostics,
        }),
      );
    };
    const progressToStderr = json;
    if (!json) {
      printDiagnostics(diagnostics, opts, r.session.sources);
      process.stdout.write(renderPlan(r.result.changes, r.result.drift, renderContext(r.registry, color), { refreshOnly: r.options.refreshOnly, outputs: plannedOutputChanges(r) }));
    }
    if (r.options.refreshOnly) {
      if (!r.result.drift.length) {
        if (json) report();
        return 0;
      }
      if (!opts.autoApprove) {
        const c = await confirm(
          "Would you like to update the pmxform state to reflect these detected changes?",
          "pmxform will write these changes to the state without modifying any real infrastructure.",
        );
        if (!c.ok) return refuse(c.diagnostic, opts);
      }
      r.state.resources = r.state.resources
        .filter((s) => r.result.refreshedPrior.some((p) => p.address === s.address))
        .map((s) => ({ ...s, attributes: r.result.refreshedPrior.find((p) => p.address === s.address)!.attributes }));
      await r.store.write(r.state);
      await audit(r.store, { operation, planHash: inlinePlanHash(planned), planSource: "inline" }, opts);
      if (json) report();
      else process.stdout.write(`\nApply complete! Resources: 0 added, 0 changed, 0 destroyed.\n`);
      return 0;
    }
    const nothingToDo = !hasChanges(r.result.changes) && !r.result.changes.some((c) => c.movedFrom);
    if (nothingToDo) {
      // Only drift to record: no question to ask, and no summary line to print.
      if (r.result.drift.length) {
        r.state.resources = r.result.refreshedPrior.map((p) => ({ ...r.state.resources.find((s) => s.address === p.address)!, attributes: p.attributes }));
      }
    } else {
      if (!opts.autoApprove) {
        const c = await confirm(
          destroy ? "Do you really want to destroy all resources?" : "Do you want to perform these actions?",
          destroy ? "pmxform will destroy all your managed containers. There is no undo." : "pmxform will perform the actions described above.",
        );
        if (!c.ok) return refuse(c.diagnostic, opts);
      }
      // Refreshed values of untouched resources are recorded as well.
      r.state.resources = r.state.resources.map((s) => ({ ...s, attributes: r.result.refreshedPrior.find((p) => p.address === s.address)?.attributes ?? s.attributes }));
    }
    const summary = await execute({
      session: r.session,
      targets: r.targets,
      store: r.store,
      state: r.state,
      changes: r.result.changes,
      snapshotFor: r.snapshotFor,
      parallelism,
      color,
      destroy,
      progressToStderr,
    });
    await audit(r.store, { operation, planHash: inlinePlanHash(planned), planSource: "inline", summary }, opts);
    if (json) report(summary);
    else {
      if (!nothingToDo) printSummary(summary, { ...opts, destroy }, r.session.sources);
      if (!summary.failed.length && !planned.options.destroy) printOutputs(r.state, color);
    }
    if (r.store.errored) return (printDiagnostics([erroredStateDiagnostic(r.store)], opts), ERRORED_EXIT);
    return summary.failed.length || summary.skipped.length || summary.diagnostics.length ? 1 : 0;
  } finally {
    await r?.store.release();
  }
}

/** sha256 of the plan as `plan --json` shows it (secrets already left out), without its timestamp. */
function inlinePlanHash(r: PlanRun): string {
  const { timestamp: _when, ...plan } = planJson(r);
  return canonicalDigest(plan);
}

/** Appends the run to the audit log while the exclusive lock is still held; a failure to do so is a warning. */
async function audit(store: StateStore, facts: RunFacts, opts: ApplyOpts): Promise<void> {
  const { diagnostic } = await recordRun(store, facts);
  if (diagnostic) printDiagnostics([diagnostic], { ...opts, json: false });
}

function refuse(d: Diagnostic | undefined, opts: ApplyOpts): number {
  if (d) {
    printDiagnostics([d], opts);
    return 1;
  }
  process.stdout.write("Apply cancelled.\n");
  return 1;
}

async function applySaved(opts: ApplyOpts, path: string): Promise<number> {
  const color = useColor(opts);
  const parallelism = parallelismOf(opts);
  let plan;
  let planHash: string;
  try {
    plan = await readPlanFile(path, planDecryptor(opts, path));
    // The audit log names the plan by its bytes, as pmxform approve and the MCP server do.
    planHash = createHash("sha256").update(readFileSync(path)).digest("hex");
  } catch (e) {
    // A PlanFileError's or EncryptionError's message already says how to fix it.
    printDiagnostics(
      [
        error(
          "Failed to load the saved plan",
          e instanceof PlanFileError || e instanceof EncryptionError ? e.message : `${e instanceof Error ? e.message : String(e)}. Create a new plan with pmxform plan --out ${path}.`,
        ),
      ],
      opts,
    );
    return 1;
  }
  // The plan's own variable values (sensitive ones are not in it: they come from this run's inputs).
  const saved = new Map(Object.entries(plan.variables ?? {}).flatMap(([k, v]) => ("value" in v ? [[k, v.value as Value] as const] : [])));
  const opened = await openForPlanning({ ...opts, savedVariables: saved });
  if (!opened.session || !opened.targets || hasErrors(opened.diagnostics)) {
    printDiagnostics(opened.diagnostics, opts, opened.session?.sources);
    return 1;
  }
  const { session, targets } = opened;
  const mismatch = inputsMismatch(plan, session, path);
  if (mismatch) {
    printDiagnostics([mismatch], opts);
    return 1;
  }
  const st = await openState({ session, targets, opts }, { ...(opts.lockTimeout ? { lockTimeout: opts.lockTimeout } : {}), ...(opts.lock ? { lock: opts.lock } : {}), operation: "apply" });
  if (!st.store || !st.state || !st.location) {
    printDiagnostics(st.diagnostics, opts);
    return 1;
  }
  try {
    const state = st.state;
    const elsewhere = locationMismatch(plan, st.location, path);
    const stale = elsewhere ?? stateMismatch(plan, state, path);
    if (stale) {
      printDiagnostics([stale], opts);
      return 1;
    }
    const changes = plan.changes.map(changeFromFile);
    const prior = plan.prior_state;
    // A plan from no state planned its creations for the lineage the new state gets now, so the
    // containers carry the markers the plan computed.
    if (plan.lineage === null && prior?.lineage) state.lineage = prior.lineage;
    if (prior) state.resources = prior.resources;
    const operation = plan.options.refresh_only ? "refresh-only" : plan.options.destroy ? "destroy" : "apply";
    const report = (summary?: ApplySummary): void => {
      process.stdout.write(
        applyJson({
          operation,
          plan: savedPlanJson(plan, changes, opened.registry),
          changes,
          ...(summary ? { summary } : {}),
          ...(operation === "apply" ? { outputs: state.outputs } : {}),
          diagnostics: opened.diagnostics,
        }),
      );
    };
    if (plan.options.refresh_only) {
      await st.store.write(state);
      await audit(st.store, { operation, planHash, planSource: "file" }, opts);
      if (opts.json) report();
      else process.stdout.write("\nApply complete! Resources: 0 added, 0 changed, 0 destroyed.\n");
      return 0;
    }
    const summary = await execute({
      session,
      targets,
      store: st.store,
      state,
      changes,
      snapshotFor: () => undefined,
      parallelism,
      color,
      destroy: plan.options.destroy,
      progressToStderr: Boolean(opts.json),
    });
    // Recording the plan's digest writes the state even when nothing changed, which raises the
    // serial: the same plan file is stale from now on.
    state.applied_plan = createHash("sha256").update(plan.checksum).digest("hex").slice(0, 16);
    await st.store.write(state);
    await audit(st.store, { operation, planHash, planSource: "file", summary }, opts);
    if (opts.json) report(summary);
    else {
      printSummary(summary, { ...opts, destroy: plan.options.destroy }, session.sources);
      if (!summary.failed.length && !plan.options.destroy) printOutputs(state, color);
    }
    if (st.store.errored) return (printDiagnostics([erroredStateDiagnostic(st.store)], opts), ERRORED_EXIT);
    return summary.failed.length || summary.skipped.length || summary.diagnostics.length ? 1 : 0;
  } finally {
    await st.store.release();
  }
}
