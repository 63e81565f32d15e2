// Planning: a pure function of the configuration evaluation, the prior state and the refreshed
// view of the cluster. It decides for every resource instance whether to create, update,
// replace, delete or leave it, in Terraform's semantics (moved blocks, lifecycle rules,
// --target, --replace, --destroy, --refresh-only).
import type { Diagnostic } from "../diag/diagnostic.js";
import { error, hasErrors, warning } from "../diag/diagnostic.js";
import type { Value } from "../config/value.js";
import { isUnknown, unmark, Unknown } from "../config/value.js";
import type { Attrs, AttrPath, ResourceType } from "../provider/types.js";
import { addressMatches, instanceAddress, parseAddress } from "./address.js";
import { changedPaths, deepEqual, getPath } from "./attr-diff.js";
import type { Change, DriftEntry } from "./change.js";
import type { Session } from "./session.js";
import { evaluateOutputs, validateWithUnknowns, walkConfig } from "./walk-config.js";
import { ConfigEvaluation } from "./evaluation.js";
import { importOne, notesAsWarnings } from "./import.js";
import type { GeneratedResource } from "../config/generate/model.js";
import type { StateResource } from "../state/types.js";
import type { DeposedObject } from "./deposed.js";
import { conflictError, conflictOf } from "./identity.js";

/** What the engine keeps per resource in state (architecture §4). */
export interface PriorResource {
  address: string;
  type: string;
  name: string;
  index?: number | string;
  attributes: Attrs;
  sensitive_attributes: AttrPath[];
  dependencies: string[];
}

export interface PlanOptions {
  destroy: boolean;
  refreshOnly: boolean;
  targets: string[];
  replace: string[];
  /** Import blocks whose target has no resource block produce configuration instead of an error. */
  generateConfig?: boolean;
}

export interface PlanInput {
  session: Session;
  prior: PriorResource[];
  /** Refreshed attributes by address: null = gone; absent = not refreshed (prior kept). */
  refreshed: Map<string, Attrs | null>;
  /** Addresses whose node could not be reached: no change may be planned for them. */
  unreachable: Map<string, string>;
  snapshotFor(type: string, node: string | undefined): unknown;
  options: PlanOptions;
  /** Deposed objects left by create_before_destroy (settled against the refresh): each is destroyed. */
  deposed?: DeposedObject[];
  /** The state's lineage, which objects created for it are marked with (DiffRequest.lineage). */
  lineage: string;
}

export interface PlanResult {
  changes: Change[];
  drift: DriftEntry[];
  outputs: Map<string, { value: Value; sensitive: boolean }>;
  diagnostics: Diagnostic[];
  /** The prior state after refresh and moves (what --refresh-only would save). */
  refreshedPrior: PriorResource[];
  /** Configuration for import blocks without a resource block (with options.generateConfig). */
  generated: GeneratedResource[];
}

function declOf(address: string): string {
  return parseAddress(address)?.decl ?? address;
}

/** Applies `moved { from, to }` blocks to prior resources. */
function applyMoves(input: PlanInput, diags: Diagnostic[]): { prior: Map<string, PriorResource>; movedFrom: Map<string, string> } {
  const prior = new Map(input.prior.map((r) => [r.address, r]));
  const movedFrom = new Map<string, string>();
  for (const mv of input.session.module.moved) {
    const from = mv.from.address;
    const to = mv.to.address;
    const fromP = parseAddress(from);
    const toP = parseAddress(to);
    if (!fromP || !toP) {
      diags.push(error("Invalid moved block", "from and to must be resource addresses such as lxc_container.web.", mv.range));
      continue;
    }
    if (fromP.type !== toP.type) {
      diags.push(error("Invalid moved block", `A resource cannot move to another type (${fromP.type} -> ${toP.type}). Use import and state rm instead.`, mv.range));
      continue;
    }
    // Whole-declaration moves carry every instance along.
    for (const [addr, r] of [...prior]) {
      let newAddr: string | undefined;
      if (addr === from) newAddr = to;
      else if (fromP.key === undefined && toP.key === undefined && addressMatches(from, addr)) newAddr = to + addr.slice(from.length);
      if (!newAddr) continue;
      if (prior.has(newAddr)) {
        diags.push(warning("Moved object still exists", `${newAddr} is already in the state, so ${addr} was not moved. Remove the moved block or the old object.`, mv.range));
        continue;
      }
      prior.delete(addr);
      const np = parseAddress(newAddr)!;
      const moved: PriorResource = { ...r, address: newAddr, name: np.name };
      if (np.key !== undefined) moved.index = np.key;
      else delete moved.index;
      prior.set(newAddr, moved);
      movedFrom.set(newAddr, addr);
    }
  }
  return { prior, movedFrom };
}

function truthy(v: Value | undefined): boolean {
  return unmark(v ?? null) === true;
}

export function plan(input: PlanInput): PlanResult {
  const { session, options } = input;
  const ev = session.evaluation;
  const registry = session.registry;
  const diagnostics: Diagnostic[] = [];
  const { prior, movedFrom } = applyMoves(input, diagnostics);
  const unreachable = new Map(input.unreachable);

  // Refreshed view of prior resources; drift is what changed outside pmxform.
  const refreshedPrior: PriorResource[] = [];
  const drift: DriftEntry[] = [];
  const current = new Map<string, Attrs | null>();
  for (const r of prior.values()) {
    const oldAddr = movedFrom.get(r.address) ?? r.address;
    const fresh = input.refreshed.has(oldAddr) ? input.refreshed.get(oldAddr)! : r.attributes;
    const conflict = conflictOf(registry, r, fresh);
    if (conflict) {
      // Another owner's object where this entry's used to be: no change of any kind for it.
      unreachable.set(r.address, "its object is not the one the state recorded");
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

  const changes: Change[] = [];
  const claimedVmids = new Set<number>();
  const changeByDecl = new Map<string, Change[]>();
  const changeByAddress = new Map<string, Change>();
  const declDeps = new Map<string, string[]>();
  const configured = new Set<string>();
  const generated: GeneratedResource[] = [];

  // The first import block per address, as a lookup: a plan that adopts hundreds of containers
  // would otherwise scan every block for every instance.
  const importsByAddress = new Map<string, (typeof session.module.imports)[number]>();
  for (const i of session.module.imports) if (!importsByAddress.has(i.to.address)) importsByAddress.set(i.to.address, i);
  /** An import block targeting `address` (not yet in state): the object read from the snapshot. */
  const importFor = (address: string): { id: string; attrs: Attrs; notes: string[] } | undefined | "failed" => {
    const block = importsByAddress.get(address);
    if (!block) return undefined;
    const r = importBlock(block);
    return r ?? "failed";
  };
  const importBlock = (block: (typeof session.module.imports)[number]): { id: string; attrs: Attrs; notes: string[] } | undefined => {
    const idValue = unmark(ev.eval(block.id, ev.scope()).value);
    if (typeof idValue !== "string" && typeof idValue !== "number") {
      diagnostics.push(error("Invalid import id", 'The id of an import block must be a string known at plan time, such as "pve1/105".', block.id.range));
      return undefined;
    }
    const id = String(idValue);
    const r = importOne({ registry, state: input.prior as unknown as StateResource[], snapshotFor: input.snapshotFor, lineage: input.lineage }, block.to.address, id);
    for (const d of r.diagnostics) diagnostics.push({ ...d, subject: d.subject ?? block.range, address: block.to.address });
    if (r.resource) diagnostics.push(...notesAsWarnings(block.to.address, r.notes, block.range));
    return r.resource ? { id, attrs: r.resource.attributes, notes: r.notes } : undefined;
  };

  if (options.refreshOnly) {
    const outputs = evaluateOutputsAfterWalk();
    return { changes, drift, outputs, diagnostics, refreshedPrior, generated: [] };
  }

  // Dependencies of each declaration on other resource declarations, through locals too.
  const graph = ev.declGraph();
  const { dag, diagnostics: graphDiags } = graph;
  if (hasErrors(graphDiags)) return { changes, drift, outputs: new Map(), diagnostics: [...diagnostics, ...graphDiags], refreshedPrior, generated: [] };
  const resourceDeps = (decl: string): string[] => {
    const out = new Set<string>();
    for (const a of dag.ancestors(decl)) if (session.module.resources.has(a) && a !== decl) out.add(a);
    return [...out].sort();
  };

  if (!options.destroy) {
    const walked = walkConfig(ev, (visit) => {
      const { decl } = visit;
      const type = registry.resourceType(decl.type);
      const deps = resourceDeps(decl.address);
      declDeps.set(decl.address, deps);
      if (!type) return;
      for (const key of visit.failedKeys) configured.add(instanceAddress(decl.address, key));
      for (const inst of visit.instances) {
        configured.add(inst.address);
        const priorRes = prior.get(inst.address);
        const before = priorRes ? (current.get(inst.address) ?? null) : null;
        if (unreachable.has(inst.address)) {
          if (input.unreachable.has(inst.address)) diagnostics.push(notRefreshed(inst.address, input.unreachable.get(inst.address)!, decl.declRange));
          ev.setInstanceAttributes(decl, inst.key, type, (priorRes?.attributes ?? null) as Value, false, priorRes?.sensitive_attributes);
          continue;
        }
        let imported: { id: string; attrs: Attrs } | undefined;
        if (!priorRes) {
          const r = importFor(inst.address);
          if (r === "failed") {
            ev.setInstanceValue(decl, inst.key, new Unknown("object"));
            continue;
          }
          imported = r;
        }
        const base = imported ? imported.attrs : before;
        const config = applyIgnoreChanges(inst.config, base, decl.lifecycle?.ignoreChanges);
        const requested = options.replace.some((r) => r === inst.address);
        const triggered = !requested && replaceTriggered(decl.lifecycle?.replaceTriggeredBy.map((t) => t.address) ?? [], changeByAddress, changeByDecl);
        const forceReplace = requested || triggered;
        const node = type.nodeOf(config, before);
        const d = type.diff({ address: inst.address, config, prior: base, snapshot: input.snapshotFor(decl.type, node), claimedVmids, forceReplace, lineage: input.lineage, sensitivePaths: inst.sensitivePaths });
        // The replacement gets anew what the node decides: known only once it exists.
        if (d.action === "replace" && base) markRecomputed(d.planned, base, type.computedAttributes ?? []);
        for (const issue of d.issues) {
          diagnostics.push({ severity: issue.severity, summary: issue.summary, ...(issue.detail ? { detail: issue.detail } : {}), subject: inst.ranges.find(issue.path), address: inst.address });
        }
        ev.setInstanceAttributes(decl, inst.key, type, d.planned as Value, d.action !== "no-op", inst.sensitivePaths);
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
          sensitivePaths: inst.sensitivePaths,
          reasons: d.reasons,
          notes: d.notes ?? [],
          ...(d.volumeDeletions?.length ? { volumeDeletions: d.volumeDeletions } : {}),
          ...(d.operations ? { operations: d.operations } : {}),
          dependencies: deps,
          ...(movedFrom.has(inst.address) ? { movedFrom: movedFrom.get(inst.address)! } : {}),
          ...(truthy(decl.lifecycle?.createBeforeDestroy ? ev.eval(decl.lifecycle.createBeforeDestroy, ev.scope()).value : null) ? { createBeforeDestroy: true } : {}),
          ...(d.action === "replace" && forceReplace ? { replaceCause: requested ? ("requested" as const) : ("replace_triggered_by" as const) } : {}),
        };
        if ((d.action === "replace" || d.action === "delete") && decl.lifecycle?.preventDestroy && truthy(ev.eval(decl.lifecycle.preventDestroy, ev.scope()).value)) {
          diagnostics.push(error("Instance cannot be destroyed", `${inst.address} has lifecycle.prevent_destroy set, but the plan calls for it to be ${d.action === "replace" ? "replaced" : "destroyed"}${d.reasons.length ? ` (${d.reasons.map((r) => `${r.path.join(".")} ${r.reason}`).join(", ")})` : ""}. Change the configuration so no replacement is needed, or remove prevent_destroy.`, decl.lifecycle.range, inst.address));
        }
        changes.push(change);
        changeByAddress.set(change.address, change);
        const list = changeByDecl.get(decl.address) ?? [];
        list.push(change);
        changeByDecl.set(decl.address, list);
      }
    }, graph);
    diagnostics.push(...walked.diagnostics);
  } else {
    // Destroying evaluates no resource body, but a mistake in one is still refused, as plan
    // reports it; values of what is being destroyed may be unknown here.
    const lenient = new ConfigEvaluation(session.module, session.variables, registry, session.dir, true);
    diagnostics.push(...validateWithUnknowns(lenient));
  }

  if (!options.destroy) {
    for (const block of session.module.imports) {
      const target = block.to.address;
      if (configured.has(target) || prior.has(target)) continue;
      if (!options.generateConfig) {
        diagnostics.push(error("Configuration for import target does not exist", `The import block targets ${target}, which has no resource block. Add the resource block, or let pmxform write one with pmxform plan --generate-config-out=FILE.`, block.to.range));
        continue;
      }
      const p = parseAddress(target);
      const type = p && registry.resourceType(p.type);
      const r = importBlock(block);
      if (!p || !type || !r) continue;
      generated.push({ type: p.type, name: p.name, body: type.generateConfig?.(r.attrs) ?? {}, blocks: type.blocks, comments: [`__generated__ by pmxform from ${String(r.id)}`, ...r.notes.map((n) => `not managed: ${n}`)] });
    }
  }

  // Everything in state that the configuration no longer declares (or everything, for --destroy).
  for (const r of prior.values()) {
    if (configured.has(r.address)) continue;
    const before = current.get(r.address) ?? null;
    const decl = session.module.resources.get(declOf(r.address));
    if (options.destroy && decl?.lifecycle?.preventDestroy && truthy(ev.eval(decl.lifecycle.preventDestroy, ev.scope()).value)) {
      diagnostics.push(error("Instance cannot be destroyed", `${r.address} has lifecycle.prevent_destroy set. Remove prevent_destroy from its lifecycle block before destroying it.`, decl.lifecycle.range, r.address));
    }
    const type: ResourceType | undefined = registry.resourceType(r.type);
    const node = type?.nodeOf(null, before ?? r.attributes);
    const offNode = input.unreachable.get(r.address);
    if (offNode) diagnostics.push(notRefreshed(r.address, offNode, decl?.declRange));
    const untouchable = unreachable.has(r.address);
    const volumeDeletions = before && !untouchable ? (type?.volumesDeletedWith?.(before) ?? []) : [];
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

  // Old copies a create_before_destroy replacement set aside: destroyed, as in Terraform.
  for (const d of input.deposed ?? []) {
    if (d.unreachable) continue;
    const type = registry.resourceType(d.type);
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

  // --target: keep the targets and what they depend on.
  let kept = changes;
  if (options.targets.length) {
    const wanted = new Set<string>();
    const byAddr = new Map(changes.map((c) => [c.address, c]));
    const addWithDeps = (c: Change): void => {
      if (wanted.has(c.address)) return;
      wanted.add(c.address);
      for (const d of c.dependencies) for (const other of changes) if (other.decl === d) addWithDeps(other);
    };
    for (const t of options.targets) {
      const matched = changes.filter((c) => addressMatches(t, c.address) || c.decl === t);
      if (!matched.length && !byAddr.has(t)) diagnostics.push(warning("Target not found", `--target ${t} matches no resource in the configuration or state.`));
      matched.forEach(addWithDeps);
    }
    kept = changes.filter((c) => wanted.has(c.address));
    diagnostics.push(warning("Resource targeting is in effect", "You are creating a plan with the --target option, which means that the result of this plan may not represent all of the changes requested by the current configuration. The --target option is not for routine use, and is provided only for exceptional situations such as recovering from errors or mistakes."));
  }
  for (const r of options.replace) {
    // Terraform refuses this (an error, unlike an unmatched --target): a typo would otherwise apply without the replacement asked for.
    if (!changes.some((c) => c.address === r)) diagnostics.push(error("Replace target not found", `--replace ${r} matches no resource instance in the configuration or state. Check the address with pmxform state list.`));
  }

  const outputs = evaluateOutputsAfterWalk();
  return { changes: kept, drift, outputs, diagnostics, refreshedPrior, generated };

  function evaluateOutputsAfterWalk(): Map<string, { value: Value; sensitive: boolean }> {
    if (options.destroy) return new Map();
    if (options.refreshOnly) {
      for (const r of refreshedPrior) {
        const p = parseAddress(r.address);
        const decl = p && session.module.resources.get(p.decl);
        if (decl) ev.setInstanceAttributes(decl, p.key, registry.resourceType(decl.type), r.attributes as Value, false, r.sensitive_attributes);
      }
    }
    const o = evaluateOutputs(ev);
    diagnostics.push(...o.diagnostics);
    return o.values;
  }
}

/** Whether a change planned so far for a trigger (an instance address or a whole declaration) creates, updates or replaces it. */
/**
 * Top-level computed attributes the prior object has and the configuration leaves to the node
 * (Proxmox's defaults, an allocated hostname): a replacement gets them anew, so they are Unknown
 * in its planned attributes instead of absent (which plans and JSON would show as set to null).
 */
function markRecomputed(planned: Attrs, prior: Attrs, computed: readonly string[]): void {
  for (const k of computed) {
    const had = prior[k] !== undefined && prior[k] !== null;
    if (had && (planned[k] === undefined || planned[k] === null)) planned[k] = new Unknown();
  }
}

function replaceTriggered(triggers: string[], byAddress: ReadonlyMap<string, Change>, byDecl: ReadonlyMap<string, Change[]>): boolean {
  const changing = (c: Change | undefined) => c !== undefined && (c.action === "create" || c.action === "update" || c.action === "replace");
  return triggers.some((t) => changing(byAddress.get(t)) || (byDecl.get(t) ?? []).some(changing));
}

/** ignore_changes: for an existing resource, the listed attributes keep their prior values. */
function applyIgnoreChanges(config: Attrs, before: Attrs | null, ignore: { path: string }[] | "all" | undefined): Attrs {
  if (!before || !ignore) return config;
  if (ignore === "all") {
    const out: Attrs = {};
    for (const k of Object.keys(config)) out[k] = before[k];
    for (const k of ["node", "vmid"]) if (k in config) out[k] = config[k];
    return out;
  }
  const out: Attrs = JSON.parse(JSON.stringify(config, (_k, v) => (isUnknown(v) ? { __unknown: true } : v))) as Attrs;
  restoreUnknown(out, config);
  for (const { path } of ignore) {
    const segs = path.split(".").filter(Boolean);
    let cur: Attrs = out;
    for (let i = 0; i < segs.length - 1; i++) {
      const next = cur[segs[i]!];
      if (!next || typeof next !== "object") break;
      cur = next as Attrs;
    }
    const last = segs[segs.length - 1]!;
    const priorValue = getPath(before, segs);
    if (priorValue === undefined) delete cur[last];
    else cur[last] = priorValue;
  }
  return out;
}

/** Puts the original Unknown objects back after a JSON clone. */
function restoreUnknown(clone: Attrs, original: Attrs): void {
  for (const [k, v] of Object.entries(original)) {
    if (isUnknown(v)) clone[k] = v;
    else if (v && typeof v === "object" && !Array.isArray(v)) restoreUnknown(clone[k] as Attrs, v as Attrs);
  }
}

export function hasChanges(changes: readonly Change[]): boolean {
  return changes.some((c) => (c.action !== "no-op" && c.action !== "read") || c.movedFrom !== undefined || c.importId !== undefined);
}

export { deepEqual };

/**
 * A resource on a node that could not be read gets no change (never a re-creation); the rest of
 * the plan goes ahead, so one node down does not stop work on the others.
 */
function notRefreshed(address: string, why: string, range: Diagnostic["subject"]): Diagnostic {
  return warning("Resource could not be refreshed", `${address}: ${why}. No change is planned for it (the other resources are planned as usual). Fix the connection and plan again, or plan with --refresh=false to use the last known state.`, range, address);
}
