// Plan phase 4, orphans: every state entry the configuration no longer declares (every entry,
// for --destroy) is planned as a destroy, and so is every deposed object a create_before_destroy
// replacement set aside, as in Terraform. Entries on unreadable nodes or owned by someone else
// get a no-op instead (never a destroy by mistake).
import type { Diagnostic } from "../diag/diagnostic.js";
import { error } from "../diag/diagnostic.js";
import type { Change } from "../plan/change.js";
import { parseAddress } from "./address.js";
import type { Moved } from "./plan-moves.js";
import type { Refreshed } from "./plan-drift.js";
import { notRefreshed } from "./plan-instances.js";
import { preventsDestroy } from "./plan-lifecycle.js";
import type { PlanInput } from "./plan-types.js";

function declOf(address: string): string {
  return parseAddress(address)?.decl ?? address;
}

export function orphanChanges(input: PlanInput, moved: Moved, refreshed: Refreshed, configured: ReadonlySet<string>, diagnostics: Diagnostic[]): Change[] {
  const { session, options } = input;
  const ev = session.evaluation;
  const changes: Change[] = [];
  for (const r of moved.prior.values()) {
    if (configured.has(r.address)) continue;
    const before = refreshed.current.get(r.address) ?? null;
    const decl = session.module.resources.get(declOf(r.address));
    if (options.destroy && preventsDestroy(ev, decl)) {
      diagnostics.push(
        error(
          "Instance cannot be destroyed",
          `${r.address} has lifecycle.prevent_destroy set. Remove prevent_destroy from its lifecycle block before destroying it.`,
          decl!.lifecycle!.range,
          r.address,
        ),
      );
    }
    const type = session.registry.resourceType(r.type);
    const node = type?.nodeOf(null, before ?? r.attributes);
    const offNode = input.unreachable.get(r.address);
    if (offNode) diagnostics.push(notRefreshed(r.address, offNode, decl?.declRange));
    const untouchable = refreshed.untouchable.has(r.address);
    const volumeDeletions = before && !untouchable ? (type?.volumesDeletedWith?.(before) ?? []) : [];
    if (before && !untouchable) {
      for (const i of type?.deleteIssues?.({ address: r.address, prior: before }) ?? []) diagnostics.push(error(i.summary, i.detail ?? "", decl?.declRange, r.address));
    }
    changes.push({
      address: r.address,
      type: r.type,
      decl: declOf(r.address),
      ...(r.index !== undefined ? { index: r.index } : {}),
      ...(node ? { node } : {}),
      action: before === null || untouchable ? "no-op" : "delete",
      before: before ?? r.attributes,
      after: null,
      afterUnknown: [],
      sensitivePaths: r.sensitive_attributes,
      reasons: [],
      notes: [],
      ...(volumeDeletions.length ? { volumeDeletions } : {}),
      dependencies: r.dependencies,
      deleteReason: options.destroy ? "destroy" : decl ? "not in the configuration (count/for_each)" : "not in the configuration",
    });
  }
  return changes;
}

/** Old copies a create_before_destroy replacement set aside: destroyed (those on unreadable nodes wait). */
export function deposedChanges(input: PlanInput): Change[] {
  const changes: Change[] = [];
  for (const d of input.deposed ?? []) {
    if (d.unreachable) continue;
    const type = input.session.registry.resourceType(d.type);
    const node = type?.nodeOf(null, d.attributes);
    const volumeDeletions = type?.volumesDeletedWith?.(d.attributes) ?? [];
    changes.push({
      address: d.address,
      type: d.type,
      decl: declOf(d.address),
      ...(d.index !== undefined ? { index: d.index } : {}),
      ...(node ? { node } : {}),
      action: "delete",
      before: d.attributes,
      after: null,
      afterUnknown: [],
      sensitivePaths: d.sensitive_attributes,
      reasons: [],
      notes: [],
      ...(volumeDeletions.length ? { volumeDeletions } : {}),
      dependencies: d.dependencies,
      deleteReason: "deposed",
      deposedKey: d.key,
    });
  }
  return changes;
}
