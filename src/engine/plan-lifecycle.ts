// The lifecycle rules that shape one instance's planned change: ignore_changes (prior values
// kept), replace_triggered_by (a replace when a referenced resource changes), prevent_destroy,
// create_before_destroy, and the computed attributes a replacement gets anew.
import type { ResourceDecl } from "../config/module.js";
import type { Value } from "../config/value.js";
import { isUnknown, putKey, unmark, Unknown } from "../config/value.js";
import type { Attrs } from "../provider/types.js";
import { getPath } from "../plan/attr-diff.js";
import type { Change } from "../plan/change.js";
import type { ConfigEvaluation } from "./evaluation.js";

function truthy(v: Value | undefined): boolean {
  return unmark(v ?? null) === true;
}

/** lifecycle.prevent_destroy, evaluated. */
export function preventsDestroy(ev: ConfigEvaluation, decl: ResourceDecl | undefined): boolean {
  return Boolean(decl?.lifecycle?.preventDestroy && truthy(ev.eval(decl.lifecycle.preventDestroy, ev.frameScope(decl.module ?? "")).value));
}

/** lifecycle.create_before_destroy, evaluated. */
export function createsBeforeDestroy(ev: ConfigEvaluation, decl: ResourceDecl): boolean {
  return truthy(decl.lifecycle?.createBeforeDestroy ? ev.eval(decl.lifecycle.createBeforeDestroy, ev.frameScope(decl.module ?? "")).value : null);
}

/**
 * Top-level computed attributes the prior object has and the configuration leaves to the node
 * (Proxmox's defaults, an allocated hostname): a replacement gets them anew, so they are Unknown
 * in its planned attributes instead of absent (which plans and JSON would show as set to null).
 */
export function markRecomputed(planned: Attrs, prior: Attrs, computed: readonly string[]): void {
  for (const k of computed) {
    const had = prior[k] !== undefined && prior[k] !== null;
    if (had && (planned[k] === undefined || planned[k] === null)) planned[k] = new Unknown();
  }
}

/** Whether a change planned so far for a trigger (an instance address or a whole declaration) creates, updates or replaces it. */
export function replaceTriggered(triggers: string[], byAddress: ReadonlyMap<string, Change>, byDecl: ReadonlyMap<string, Change[]>): boolean {
  const changing = (c: Change | undefined) => c !== undefined && (c.action === "create" || c.action === "update" || c.action === "replace");
  return triggers.some((t) => changing(byAddress.get(t)) || (byDecl.get(t) ?? []).some(changing));
}

/** ignore_changes: for an existing resource, the listed attributes keep their prior values. */
export function applyIgnoreChanges(config: Attrs, before: Attrs | null, ignore: { path: string }[] | "all" | undefined, identityAttributes: readonly string[] = []): Attrs {
  if (!before || !ignore) return config;
  if (ignore === "all") {
    const out: Attrs = {};
    for (const k of Object.keys(config)) out[k] = before[k];
    // Which object the resource is (ResourceType.identityAttributes) is never ignored.
    for (const k of identityAttributes) if (k in config) out[k] = config[k];
    return out;
  }
  const out: Attrs = JSON.parse(JSON.stringify(config, (_k, v: unknown) => (isUnknown(v) ? { __unknown: true } : v))) as Attrs;
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
function restoreUnknown(clone: unknown, original: unknown): void {
  if (!clone || typeof clone !== "object" || !original || typeof original !== "object") return;
  // Lists too: an unknown element (a reference to what only apply knows) stays unknown.
  const entries: [string | number, unknown][] = Array.isArray(original) ? original.map((v: unknown, i) => [i, v]) : Object.entries(original);
  for (const [k, v] of entries) {
    if (isUnknown(v)) {
      if (Array.isArray(clone)) clone[k as number] = v;
      else putKey<unknown>(clone as Attrs, String(k), v);
    } else if (Array.isArray(clone) || Object.hasOwn(clone, k)) restoreUnknown((clone as Record<string | number, unknown>)[k], v);
  }
}
