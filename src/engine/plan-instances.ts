// Plan phase 3, per-instance diff: walks the declarations in dependency order; each configured
// instance is evaluated with the planned values of what it references, lifecycle rules are
// applied, and its provider diffs it against the refreshed prior (or the object an import block
// names). The planned attributes are recorded for the instances evaluated after it.
import type { Diagnostic } from "../diag/diagnostic.js";
import { error, warning } from "../diag/diagnostic.js";
import type { Value } from "../config/value.js";
import { Unknown } from "../config/value.js";
import type { Change } from "../plan/change.js";
import { instanceAddress } from "./address.js";
import type { DeclGraph } from "./evaluation.js";
import type { ImportBlocks, ImportedObject } from "./plan-imports.js";
import { applyIgnoreChanges, createsBeforeDestroy, markRecomputed, preventsDestroy, replaceTriggered } from "./plan-lifecycle.js";
import type { Moved } from "./plan-moves.js";
import type { Refreshed } from "./plan-drift.js";
import type { PlanInput } from "./plan-types.js";
import { attributeSensitivePaths } from "./sensitive-paths.js";
import { walkConfig } from "./walk-config.js";

export interface InstanceChanges {
  changes: Change[];
  /** Every configured instance address (also those whose evaluation failed): not orphans. */
  configured: Set<string>;
}

export function diffInstances(input: PlanInput, graph: DeclGraph, moved: Moved, refreshed: Refreshed, imports: ImportBlocks, diagnostics: Diagnostic[]): InstanceChanges {
  const { session, options } = input;
  const ev = session.evaluation;
  const registry = session.registry;
  const { prior, movedFrom } = moved;
  const changes: Change[] = [];
  const configured = new Set<string>();
  const claimedVmids = new Set<number>();
  // The object each configured instance will be (ResourceType.objectId of its planned values), so
  // two resources naming one object are refused before apply makes two state entries of it.
  const claimedObjects = new Map<string, string>();
  const changeByDecl = new Map<string, Change[]>();
  const changeByAddress = new Map<string, Change>();
  // Dependencies of each declaration on other resource declarations, through locals too.
  const resourceDeps = (decl: string): string[] => {
    const out = new Set<string>();
    for (const a of graph.dag.ancestors(decl)) if (session.module.resources.has(a) && a !== decl) out.add(a);
    return [...out].sort();
  };

  const walked = walkConfig(
    ev,
    (visit) => {
      const { decl } = visit;
      const type = registry.resourceType(decl.type);
      const deps = resourceDeps(decl.address);
      if (!type) return;
      for (const key of visit.failedKeys) configured.add(instanceAddress(decl.address, key));
      for (const inst of visit.instances) {
        configured.add(inst.address);
        const priorRes = prior.get(inst.address);
        const before = priorRes ? (refreshed.current.get(inst.address) ?? null) : null;
        if (refreshed.untouchable.has(inst.address)) {
          if (input.unreachable.has(inst.address)) diagnostics.push(notRefreshed(inst.address, input.unreachable.get(inst.address)!, decl.declRange));
          ev.setInstanceAttributes(decl, inst.key, type, (priorRes?.attributes ?? null) as Value, false, priorRes?.sensitive_attributes);
          continue;
        }
        let imported: ImportedObject | undefined;
        if (!priorRes) {
          const r = imports.forAddress(inst.address);
          if (r === "failed") {
            ev.setInstanceValue(decl, inst.key, new Unknown("object"));
            continue;
          }
          imported = r;
        }
        const base = imported ? imported.attrs : before;
        const config = applyIgnoreChanges(inst.config, base, decl.lifecycle?.ignoreChanges, type.identityAttributes);
        const requested = options.replace.some((r) => r === inst.address);
        const triggered = !requested && replaceTriggered(decl.lifecycle?.replaceTriggeredBy.map((t) => t.address) ?? [], changeByAddress, changeByDecl);
        const forceReplace = requested || triggered;
        const node = type.nodeOf(config, before);
        const d = type.diff({
          address: inst.address,
          config,
          prior: base,
          snapshot: input.snapshotFor(decl.type, node),
          claimedVmids,
          forceReplace,
          lineage: input.lineage,
          sensitivePaths: inst.sensitivePaths,
        });
        // The replacement gets anew what the node decides: known only once it exists.
        if (d.action === "replace" && base) markRecomputed(d.planned, base, type.computedAttributes ?? []);
        for (const issue of d.issues) {
          diagnostics.push({ severity: issue.severity, summary: issue.summary, ...(issue.detail ? { detail: issue.detail } : {}), subject: inst.ranges.find(issue.path), address: inst.address });
        }
        const secretPaths = attributeSensitivePaths(type, inst.sensitivePaths);
        ev.setInstanceAttributes(decl, inst.key, type, d.planned as Value, d.action !== "no-op", secretPaths);
        const objectId = d.action === "delete" ? undefined : type.objectId?.(d.planned);
        const claimant = objectId !== undefined ? claimedObjects.get(objectId) : undefined;
        if (objectId !== undefined && claimant === undefined) claimedObjects.set(objectId, inst.address);
        if (claimant !== undefined)
          diagnostics.push(sameObjectTwice(claimant, inst.address, objectId!, type.objectNoun ?? "object", inst.ranges.find([identityPath(type.identityAttributes)]) ?? decl.declRange));
        const change: Change = {
          address: inst.address,
          type: decl.type,
          decl: decl.address,
          ...(inst.key !== undefined ? { index: inst.key } : {}),
          ...(node ? { node } : {}),
          action: d.action,
          before: d.prior ?? base,
          after: d.planned,
          ...(imported ? { importId: imported.id } : {}),
          afterUnknown: [],
          sensitivePaths: secretPaths,
          reasons: d.reasons,
          notes: d.notes ?? [],
          ...(d.volumeDeletions?.length ? { volumeDeletions: d.volumeDeletions } : {}),
          ...(d.operations ? { operations: d.operations } : {}),
          dependencies: deps,
          ...(movedFrom.has(inst.address) ? { movedFrom: movedFrom.get(inst.address)! } : {}),
          ...(createsBeforeDestroy(ev, decl) ? { createBeforeDestroy: true } : {}),
          ...(d.action === "replace" && forceReplace ? { replaceCause: requested ? ("requested" as const) : ("replace_triggered_by" as const) } : {}),
        };
        if ((d.action === "replace" || d.action === "delete") && preventsDestroy(ev, decl)) {
          diagnostics.push(
            error(
              "Instance cannot be destroyed",
              `${inst.address} has lifecycle.prevent_destroy set, but the plan calls for it to be ${d.action === "replace" ? "replaced" : "destroyed"}${d.reasons.length ? ` (${d.reasons.map((r) => `${r.path.join(".")} ${r.reason}`).join(", ")})` : ""}. Change the configuration so no replacement is needed, or remove prevent_destroy.`,
              decl.lifecycle!.range,
              inst.address,
            ),
          );
        }
        changes.push(change);
        changeByAddress.set(change.address, change);
        const list = changeByDecl.get(decl.address) ?? [];
        list.push(change);
        changeByDecl.set(decl.address, list);
      }
    },
    graph,
  );
  diagnostics.push(...walked.diagnostics);
  return { changes, configured };
}

/**
 * A resource on a node that could not be read gets no change (never a re-creation); the rest of
 * the plan goes ahead, so one node down does not stop work on the others.
 */
/** The attribute that names the object among a type's identity attributes (vmid, name), for the error's range. */
function identityPath(attrs: readonly string[] | undefined): string {
  return attrs?.find((a) => a !== "node") ?? "name";
}

function sameObjectTwice(first: string, second: string, objectId: string, noun: string, range: Diagnostic["subject"]): Diagnostic {
  return error(
    "Two resources manage the same object",
    `${first} and ${second} both name ${noun} ${objectId}. One object can belong to one resource only; otherwise each apply would undo the other's change and a destroy of one would remove the other's. Give ${second} an object of its own, or remove one of the two resources.`,
    range,
    second,
  );
}

export function notRefreshed(address: string, why: string, range: Diagnostic["subject"]): Diagnostic {
  return warning(
    "Resource could not be refreshed",
    `${address}: ${why}. No change is planned for it (the other resources are planned as usual). Fix the connection and plan again, or plan with --refresh=false to use the last known state.`,
    range,
    address,
  );
}
