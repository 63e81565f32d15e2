// Saved-plan admission: whether `apply PLANFILE` may carry out a plan file. It was made in this
// working directory, from these configuration files and variable values (digests recorded at
// plan time), and against the state as it is now (lineage and serial: a plan applied once, or
// overtaken by another run, is stale). Pure checks over data; the command reads the files.
import { createHash } from "node:crypto";
import { realpathSync } from "node:fs";
import type { Diagnostic } from "../diag/diagnostic.js";
import { error } from "../diag/diagnostic.js";
import { unmark, type Value } from "../config/value.js";
import type { StateFile } from "../state/types.js";
import type { PlanFile } from "./types.js";

/** What a plan was made from, as the digests a plan file records. */
export interface PlanInputs {
  /** The working directory (the configuration's directory). */
  dir: string;
  /** Configuration file path -> its text. */
  sources: ReadonlyMap<string, string>;
  variables: ReadonlyMap<string, Value>;
}

/** Digest of the configuration files' contents (sorted by path). */
export function configDigest(sources: ReadonlyMap<string, string>): string {
  const h = createHash("sha256");
  for (const [path, text] of [...sources.entries()].sort(([a], [b]) => (a < b ? -1 : 1))) h.update(path).update("\0").update(text).update("\0");
  return h.digest("hex");
}

/** Digest of the variable values (secrets included, but only as part of a one-way hash). */
export function variablesDigest(values: ReadonlyMap<string, Value>): string {
  const h = createHash("sha256");
  for (const [k, v] of [...values.entries()].sort(([a], [b]) => (a < b ? -1 : 1)))
    h.update(k)
      .update("\0")
      .update(JSON.stringify(unmark(v)) ?? "null")
      .update("\0");
  return h.digest("hex");
}

/** Digest of the working directory's real path (a missing directory keeps its given path). */
export function cwdDigest(dir: string): string {
  let real = dir;
  try {
    real = realpathSync(dir);
  } catch {
    /* a missing directory keeps its given path */
  }
  return createHash("sha256").update(real).digest("hex");
}

/** "Saved plan does not match": the plan was made elsewhere, from other files or other variable values. */
export function inputsMismatch(plan: PlanFile, inputs: PlanInputs, path: string): Diagnostic | undefined {
  const problems: string[] = [];
  if (plan.cwd_digest && plan.cwd_digest !== cwdDigest(inputs.dir)) problems.push("it was created in another working directory");
  if (plan.config_digest !== configDigest(inputs.sources)) problems.push("the configuration files changed since it was created");
  if (plan.variables_digest !== variablesDigest(inputs.variables)) problems.push("the variable values differ from the ones it was planned with");
  if (!problems.length) return undefined;
  return error("Saved plan does not match", `The plan file ${path} cannot be applied: ${problems.join("; ")}. Create a new plan with pmxform plan --out ${path}.`);
}

/**
 * "Saved plan is stale": the state is no longer the one planned against. A plan made without a
 * state fits only a state nothing was written to yet.
 */
export function stateMismatch(plan: PlanFile, state: StateFile, path: string): Diagnostic | undefined {
  const fresh = state.serial === 0 && state.resources.length === 0;
  const matches = plan.lineage === null ? fresh : plan.lineage === state.lineage && plan.serial === state.serial;
  if (matches) return undefined;
  return error(
    "Saved plan is stale",
    `The state changed since ${path} was created (it was already applied, or another run changed the state${plan.lineage !== null && plan.lineage !== state.lineage ? "; the plan belongs to a different state lineage" : ""}). Create a new plan with pmxform plan --out ${path}.`,
  );
}

/** "Saved plan is for another state": planned against another backend or workspace (plans older than backends: the local default). */
export function locationMismatch(plan: PlanFile, location: { backend: string; workspace: string }, path: string): Diagnostic | undefined {
  const planBackend = plan.backend ?? location.backend;
  const planWorkspace = plan.workspace ?? "default";
  if (planBackend === location.backend && planWorkspace === location.workspace) return undefined;
  return error(
    "Saved plan is for another state",
    `${path} was planned against ${planBackend}, workspace ${planWorkspace}; this run uses ${location.backend}, workspace ${location.workspace}. Select that workspace (pmxform workspace select ${planWorkspace}) or create a new plan with pmxform plan --out ${path}.`,
  );
}
