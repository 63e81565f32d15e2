// Plan phase 2, drift: the refreshed view of every prior resource (after moves). What changed
// outside pmxform is drift (reported, and what --refresh-only saves); an object that is no
// longer the one its entry recorded (another owner's container at that id) gets no change of any
// kind and an error.
import type { Diagnostic } from "../diag/diagnostic.js";
import type { ProviderRegistry } from "../provider/registry.js";
import type { Attrs } from "../provider/types.js";
import { changedPaths } from "../plan/attr-diff.js";
import type { DriftEntry } from "../plan/change.js";
import { conflictError, conflictOf } from "./identity.js";
import type { Moved } from "./plan-moves.js";
import type { PlanInput, PriorResource } from "./plan-types.js";

export interface Refreshed {
  /** The prior state after refresh and moves (what --refresh-only would save). */
  refreshedPrior: PriorResource[];
  drift: DriftEntry[];
  /** Each prior address's object as it is now: null = gone. */
  current: Map<string, Attrs | null>;
  /** Addresses nothing may be planned for: unreachable nodes and objects owned by someone else. */
  untouchable: Map<string, string>;
}

export function refreshPrior(input: PlanInput, registry: ProviderRegistry, moved: Moved, diagnostics: Diagnostic[]): Refreshed {
  const untouchable = new Map(input.unreachable);
  const refreshedPrior: PriorResource[] = [];
  const drift: DriftEntry[] = [];
  const current = new Map<string, Attrs | null>();
  for (const r of moved.prior.values()) {
    const oldAddr = moved.movedFrom.get(r.address) ?? r.address;
    const fresh = input.refreshed.has(oldAddr) ? input.refreshed.get(oldAddr)! : r.attributes;
    const conflict = conflictOf(registry, r, fresh);
    if (conflict) {
      untouchable.set(r.address, "its object is not the one the state recorded");
      diagnostics.push(conflictError(r.address, conflict));
      refreshedPrior.push(r);
      current.set(r.address, r.attributes);
      continue;
    }
    current.set(r.address, fresh);
    if (fresh === null) {
      drift.push({ address: r.address, kind: "deleted", paths: [], before: r.attributes, after: null });
      continue;
    }
    // Only what the user could care about: bookkeeping attributes of the type are not drift.
    const hidden = registry.resourceType(r.type)?.hiddenAttributes ?? [];
    const paths = changedPaths(r.attributes, fresh).filter((p) => !hidden.includes(String(p[0])));
    if (paths.length) drift.push({ address: r.address, kind: "changed", paths, before: r.attributes, after: fresh });
    refreshedPrior.push({ ...r, attributes: fresh });
  }
  return { refreshedPrior, drift, current, untouchable };
}
