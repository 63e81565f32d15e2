// The check after create/update/replace that the provider did what the plan showed (Terraform's
// "Provider produced inconsistent result after apply", internal/plans/objchange): every value the
// plan knew must be what the read-back object holds. Values planned unknown are whatever apply
// made them; attributes the plan did not mention are not checked. A mismatch is a bug in the
// provider's plan; the object is already saved to the state when this runs (apply.ts finish).
// Except when every differing attribute is one the plan left as it was (prior value = planned
// value): pmxform wrote nothing there, so someone changed the object outside pmxform while the
// apply ran, and the message says that instead of blaming the provider.
import type { Diagnostic } from "../diag/diagnostic.js";
import { error } from "../diag/diagnostic.js";
import { isUnknown } from "../config/value.js";
import type { Attrs, AttrPath } from "../provider/types.js";

export interface Mismatch {
  path: AttrPath;
  planned: unknown;
  actual: unknown;
}

/** What a change counted for the summary (the object was saved even when the result differs). */
export interface SavedCounts {
  added: number;
  changed: number;
  destroyed: number;
}

/** Carries the diagnostic of an inconsistent result from the apply walk to the summary. */
export class InconsistentResultError extends Error {
  constructor(
    readonly diagnostic: Diagnostic,
    readonly counts: SavedCounts = { added: 0, changed: 0, destroyed: 0 },
  ) {
    super(diagnostic.detail ?? diagnostic.summary);
    this.name = "InconsistentResultError";
  }
}

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === "object" && !Array.isArray(v) && !isUnknown(v);
const absent = (v: unknown) => v === undefined || v === null;
const under = (path: AttrPath, prefix: AttrPath) => prefix.length <= path.length && prefix.every((p, i) => String(p) === String(path[i]));

/**
 * Every known planned value that the read-back `actual` differs from, outermost first. Null and
 * absent are the same (a plan file writes absent values as null). A sensitive value nulled in a
 * saved plan is unknown to it, so it is not compared.
 */
export function mismatches(planned: unknown, actual: unknown, sensitive: readonly AttrPath[] = [], path: AttrPath = []): Mismatch[] {
  if (isUnknown(planned)) return [];
  if (absent(planned)) {
    if (absent(actual) || sensitive.some((s) => under(path, s))) return [];
    return [{ path, planned, actual }];
  }
  if (isObject(planned)) {
    if (!isObject(actual)) return [{ path, planned, actual }];
    // Own keys only: a user's map key may be "constructor" or "__proto__" (absent is absent).
    return Object.keys(planned).flatMap((k) => mismatches(planned[k], Object.hasOwn(actual, k) ? actual[k] : undefined, sensitive, [...path, k]));
  }
  if (Array.isArray(planned)) {
    if (!Array.isArray(actual) || actual.length !== planned.length) return [{ path, planned, actual }];
    const inner = planned.flatMap((v, i) => mismatches(v, actual[i], sensitive, [...path, i]));
    // One line for a list that differs: "tags: planned [a, b], actual [b]" says more than items.
    return inner.length ? [{ path, planned, actual }] : [];
  }
  return planned === actual ? [] : [{ path, planned, actual }];
}

const MAX_SHOWN = 20;

const MAX_VALUE = 200;

function show(v: unknown): string {
  if (v === undefined || v === null) return "null";
  const text = JSON.stringify(v, (_k, x: unknown) => (isUnknown(x) ? "(known after apply)" : x));
  return text.length > MAX_VALUE ? `${text.slice(0, MAX_VALUE)}...` : text;
}

/** The value at `path` inside `v`, undefined when a step is missing. */
function valueAt(v: unknown, path: AttrPath): unknown {
  let here: unknown = v;
  for (const step of path) {
    if (here === null || typeof here !== "object") return undefined;
    here = (here as Record<string, unknown>)[String(step)];
  }
  return here;
}

/** True when the plan left the attribute as the prior object had it: pmxform did not write it. */
const untouchedByPlan = (prior: Attrs, m: Mismatch) => mismatches(m.planned, valueAt(prior, m.path)).length === 0 && mismatches(valueAt(prior, m.path), m.planned).length === 0;

const pathText = (p: AttrPath) => (p.length ? p.map(String).join(".") : "(the whole object)");

/**
 * The diagnostic for a result that differs from the plan, or undefined when it does not. Values
 * at sensitive paths are never printed.
 */
export function verifyResult(args: {
  address: string;
  /** The object before the change (null for a create): tells outside changes from provider bugs. */
  prior?: Attrs | null;
  planned: Attrs | null;
  actual: Attrs;
  sensitivePaths: readonly AttrPath[];
  deviations?: readonly AttrPath[];
}): Diagnostic | undefined {
  if (!args.planned) return undefined;
  // What the provider said it left the plan for (ApplyContext.deviates), and everything under it.
  const found = mismatches(args.planned, args.actual, args.sensitivePaths).filter((m) => !(args.deviations ?? []).some((d) => under(m.path, d)));
  if (!found.length) return undefined;
  const secret = (p: AttrPath) => args.sensitivePaths.some((s) => under(p, s) || under(s, p));
  const lines = found
    .slice(0, MAX_SHOWN)
    .map((m) =>
      secret(m.path)
        ? `  ${pathText(m.path)}: planned (sensitive value), but the object now has another (sensitive value)`
        : `  ${pathText(m.path)}: planned ${show(m.planned)}, but the object now has ${show(m.actual)}`,
    );
  if (found.length > MAX_SHOWN) lines.push(`  ... and ${found.length - MAX_SHOWN} more`);
  const prior = args.prior;
  if (prior && found.every((m) => untouchedByPlan(prior, m))) {
    return error(
      "Object changed outside pmxform during apply",
      `While applying changes to ${args.address}, someone or something changed the object outside pmxform: these attributes were not part of the plan's changes, yet they now differ from it:\n${lines.join("\n")}\n\npmxform's own changes were made and the object was saved to the state as it is now, outside change included. Run "pmxform plan" to see what differs from the configuration, then apply again to put it back (or update the configuration to keep the outside value).`,
      undefined,
      args.address,
    );
  }
  return error(
    "Provider produced inconsistent result after apply",
    `When applying changes to ${args.address}, the provider produced a result that differs from the plan:\n${lines.join("\n")}\n\nThe object was saved to the state as it is now, so pmxform keeps track of it, but the plan did not say what apply would do. This is a bug in pmxform's plan for this resource type: run "pmxform plan" to see what still differs and apply again, and report this message as a pmxform issue.`,
    undefined,
    args.address,
  );
}
