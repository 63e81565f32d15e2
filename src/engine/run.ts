// One planning run as the commands share it: session, targets, locked state, refresh, plan.
// Commands decide what to print and whether to apply.
import { pmxformVersion } from "../state/version.js";
import type { Diagnostic } from "../diag/diagnostic.js";
import { error, hasErrors, warning } from "../diag/diagnostic.js";
import type { StateStore } from "../state/store.js";
import { stateDiagnostic } from "../state/errors.js";
import { openStore } from "../state/context.js";
import type { LockMode } from "../state/backends/types.js";
import type { Encryptor } from "../state/encryption.js";
import type { LockInfo } from "../state/lock-info.js";
import { contextOf, type StateWhere } from "./backend-context.js";
import type { StateFile } from "../state/types.js";
import type { ProviderRegistry } from "../provider/registry.js";
import { buildRegistry } from "../registry-wiring.js";
import type { PlanOptions, PlanResult, PriorResource } from "./plan-types.js";
import { plan } from "./plan.js";
import { refresh, type RefreshProgress } from "./refresh.js";
import { reconcileIntents } from "./reconcile.js";
import { deposedForRefresh, settleDeposed } from "./deposed.js";
import { leftoverWarnings } from "./leftovers.js";
import { conflictError, conflictOf, duplicateClaims } from "./identity.js";
import { openSession, type CommonOptions, type Session } from "./session.js";
import { buildTargets, type Targets } from "./targets.js";
import { parseDuration } from "./duration.js";
import { ConfigEvaluation } from "./evaluation.js";
import { instancesOfType } from "./walk-config.js";

export interface RunOptions extends CommonOptions {
  target?: string[];
  replace?: string[];
  destroy?: boolean;
  refresh?: string | boolean;
  refreshOnly?: boolean;
  parallelism?: string;
  lockTimeout?: string;
  json?: boolean;
  generateConfigOut?: string;
  /** "false": do not hold the state lock (Terraform's -lock=false; dangerous with concurrent runs). */
  lock?: string;
  /** Refresh progress, for the CLI to print under PMXFORM_PROGRESS=1 (see refresh.ts). */
  onRefreshProgress?: (event: RefreshProgress) => void;
}

export interface PlanRun {
  session: Session;
  registry: ProviderRegistry;
  targets: Targets;
  store: StateStore;
  state: StateFile;
  /** Where the state is (backend identity, workspace): recorded in saved plans. */
  location: StateLocation;
  result: PlanResult;
  snapshotFor: (type: string, node: string | undefined) => unknown;
  diagnostics: Diagnostic[];
  options: PlanOptions;
}

export function newState(): StateFile {
  return { version: 1, pmxform_version: pmxformVersion(), lineage: crypto.randomUUID(), serial: 0, resources: [], outputs: {} };
}

export function refreshWanted(v: string | boolean | undefined): boolean {
  return !(v === false || v === "false" || v === "0");
}

/** Opens the session and targets only (validate-like), for commands that need no state. */
export async function openForPlanning(opts: RunOptions): Promise<{ session?: Session; targets?: Targets; registry: ProviderRegistry; diagnostics: Diagnostic[] }> {
  const registry = await buildRegistry();
  const { session, diagnostics } = await openSession(opts, registry, { variables: "resolve" });
  if (!session) return { registry, diagnostics };
  // Retry notices go to stderr so they show during plan and apply without breaking --json stdout.
  const t = await buildTargets(session.evaluation, process.env, { log: (line) => process.stderr.write(`retry: ${line}\n`) });
  diagnostics.push(...t.diagnostics);
  return { session, targets: t.targets, registry, diagnostics };
}

export interface StateLocation {
  backend: string;
  workspace: string;
  /** The encryption block, for saved plans. */
  encryption?: Encryptor;
}

/**
 * Locks the state for the whole run (released by the caller): exclusive unless `mode` says
 * shared (plan: readers do not block readers).
 */
export async function openState(
  where: StateWhere,
  opts: { lockTimeout?: string; operation: string; lock?: string; mode?: LockMode },
): Promise<{ store?: StateStore; state?: StateFile; location?: StateLocation; diagnostics: Diagnostic[] }> {
  const timeout = parseDuration(opts.lockTimeout ?? "0s");
  if (timeout === undefined) return { diagnostics: [error("Invalid --lock-timeout", `"${opts.lockTimeout}" is not a duration. Use a number with a unit, e.g. 30s, 2m.`)] };
  const c = await contextOf(where);
  if (!c.ctx || hasErrors(c.diagnostics)) return { diagnostics: c.diagnostics };
  const location: StateLocation = { backend: c.ctx.identity, workspace: c.ctx.workspace, ...(c.ctx.encryption ? { encryption: c.ctx.encryption } : {}) };
  try {
    const store = await openStore(c.ctx, { lock: opts.lock !== "false", lockTimeoutMs: timeout, operation: opts.operation, ...(opts.mode ? { mode: opts.mode } : {}) });
    try {
      const state = (await store.read()) ?? newState();
      return { store, state, location, diagnostics: [...c.diagnostics, ...store.abandonedLocks.map(abandonedLockWarning)] };
    } catch (e) {
      await store.release();
      throw e;
    }
  } catch (e) {
    // With the place in the file for a damaged state ("on FILE line N"), as the state commands show it.
    return { diagnostics: [stateDiagnostic("Error reading the state", e)] };
  }
}

/** A run that died holding the lock (its session ended, so the lock was freed): who it was. */
function abandonedLockWarning(h: LockInfo): Diagnostic {
  return warning(
    "The previous holder of the state lock ended without releasing it",
    `Lock ${h.id} was held by ${h.who} (pid ${h.pid}) for ${h.operation} since ${h.created}; its connection ended, so the lock was freed. If that run was interrupted, this run continues from what it recorded: every finished step is in the state, and containers it was creating are found and adopted or reported by this plan.`,
  );
}

export async function runPlan(opts: RunOptions, operation: string, signal: AbortSignal): Promise<{ run?: PlanRun; diagnostics: Diagnostic[]; sources?: ReadonlyMap<string, string> }> {
  const opened = await openForPlanning(opts);
  const diagnostics = [...opened.diagnostics];
  if (!opened.session || !opened.targets || hasErrors(diagnostics)) return { diagnostics };
  const { session, targets, registry } = opened;
  // plan only reads: a shared lock, so plans do not wait for each other.
  const st = await openState(
    { session, targets, opts },
    { ...(opts.lockTimeout ? { lockTimeout: opts.lockTimeout } : {}), ...(opts.lock ? { lock: opts.lock } : {}), operation, mode: operation === "plan" ? "shared" : "exclusive" },
  );
  diagnostics.push(...st.diagnostics);
  // The configuration's text, so a backend error quotes its line.
  if (!st.store || !st.state || !st.location) return { diagnostics, sources: session.sources };
  // An entry copied under a second address would change or destroy its object twice.
  const claims = duplicateClaims(registry, st.state.resources);
  if (claims.length) {
    await st.store.release();
    return { diagnostics: [...diagnostics, ...claims] };
  }
  const configuredTypes = new Set([...session.module.resources.values()].map((r) => r.type));
  const options: PlanOptions = {
    destroy: Boolean(opts.destroy),
    refreshOnly: Boolean(opts.refreshOnly),
    targets: opts.target ?? [],
    replace: opts.replace ?? [],
    ...(opts.generateConfigOut ? { generateConfig: true } : {}),
  };
  const readState = refreshWanted(opts.refresh);
  // Configured instances for providers that resolve what only the configuration names (an OCI tag).
  const configuredInstances = (type: string) => instancesOfType(new ConfigEvaluation(session.module, session.variables, registry, session.dir, true), type);
  const planOnce = async (snapshots: boolean) => {
    const diags: Diagnostic[] = [];
    // Deposed objects are read with the resources (their own entries), then settled after reconcile.
    const refreshed = await refresh({
      prior: [...(st.state!.resources as PriorResource[]), ...deposedForRefresh(st.state!)],
      registry,
      targets,
      signal,
      readState,
      snapshots,
      configuredTypes,
      configuredInstances,
      ...(opts.onRefreshProgress ? { onProgress: opts.onRefreshProgress } : {}),
    });
    diags.push(...refreshed.diagnostics);
    if (st.state!.intents?.length) {
      // A killed run's leftovers become ordinary state entries (in memory: apply saves them).
      const rec = reconcileIntents({
        registry,
        resources: st.state!.resources,
        deposed: st.state!.deposed ?? [],
        intents: st.state!.intents,
        lineage: st.state!.lineage,
        refreshed: refreshed.refreshed,
        snapshotFor: refreshed.snapshotFor,
      });
      st.state!.resources = rec.resources;
      if (rec.deposed.length) st.state!.deposed = [...(st.state!.deposed ?? []), ...rec.deposed];
      if (rec.intents.length) st.state!.intents = rec.intents;
      else delete st.state!.intents;
      for (const [address, attrs] of rec.adopted) refreshed.refreshed.set(address, attrs);
      for (const address of rec.completed) refreshed.refreshed.delete(address);
      diags.push(...rec.diagnostics, ...leftoverWarnings(registry, rec.intents));
    }
    for (const d of deposedForRefresh(st.state!)) {
      // A deposed object whose id another owner's object holds since: never destroyed.
      const conflict = conflictOf(registry, d, refreshed.refreshed.get(d.address));
      if (!conflict) continue;
      diags.push(conflictError(d.address, conflict));
      refreshed.unreachable.set(d.address, "its object is not the one the state recorded");
    }
    const deposed = settleDeposed(registry, st.state!, refreshed.refreshed, refreshed.unreachable);
    diags.push(...deposed.diagnostics);
    const prior = st.state!.resources as PriorResource[];
    const result = plan({
      session,
      prior,
      refreshed: refreshed.refreshed,
      unreachable: refreshed.unreachable,
      snapshotFor: refreshed.snapshotFor,
      options,
      deposed: deposed.objects,
      lineage: st.state!.lineage,
    });
    diags.push(...result.diagnostics);
    return { result, snapshotFor: refreshed.snapshotFor, diags };
  };
  // --refresh=false plans from the last known state without a call to any node, as Terraform
  // does. Only a plan that creates something needs the cluster's view (a free VMID, the images
  // present), so such a plan is made again with the snapshots; plan is pure, so that is safe.
  // A killed run's leftovers are reconciled against the cluster, so they need it too.
  const blind = !readState && !st.state.intents?.length;
  let planned = await planOnce(!blind);
  if (blind && planned.result.changes.some((c) => c.action === "create" || c.action === "replace")) planned = await planOnce(true);
  const { result, snapshotFor } = planned;
  diagnostics.push(...planned.diags);
  return {
    run: { session, registry, targets, store: st.store, state: st.state, location: st.location, result, snapshotFor, diagnostics, options },
    diagnostics,
  };
}
