// The check after create/update/replace that the provider did what the plan showed (Terraform's
// "Provider produced inconsistent result after apply", internal/plans/objchange): every value the
// plan knew must be what the read-back object holds. Values planned unknown are whatever apply
// made them; attributes the plan did not mention are not checked. A mismatch is a bug in the
// provider's plan; the object is already saved to the state when this runs (apply.ts finish).
import type { Diagnostic } from "../diag/diagnostic.js";
import { error } from "../diag/diagnostic.js";
import { isUnknown } from "../config/value.js";
import type { Attrs, AttrPath } from "../provider/types.js";

export interface Mismatch {
  path: AttrPath;
  planned: unknown;
  actual: unknown;
}

/** Carries the diagnostic of an inconsistent result from the apply walk to the summary. */
export class InconsistentResultError extends Error {
  constructor(readonly diagnostic: Diagnostic) {
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

const pathText = (p: AttrPath) => (p.length ? p.map(String).join(".") : "(the whole object)");

/**
 * The diagnostic for a result that differs from the plan, or undefined when it does not. Values
 * at sensitive paths are never printed.
 */
export function verifyResult(args: { address: string; planned: Attrs | null; actual: Attrs; sensitivePaths: readonly AttrPath[]; deviations?: readonly AttrPath[] }): Diagnostic | undefined {
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
  return error(
    "Provider produced inconsistent result after apply",
    `When applying changes to ${args.address}, the provider produced a result that differs from the plan:\n${lines.join("\n")}\n\nThe object was saved to the state as it is now, so pmxform keeps track of it, but the plan did not say what apply would do. This is a bug in pmxform's plan for this resource type: run "pmxform plan" to see what still differs and apply again, and report this message as a pmxform issue.`,
    undefined,
    args.address,
  );
}
