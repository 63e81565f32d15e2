// Apply: walks the planned changes as a graph (dependencies first; destroys in reverse), with
// bounded parallelism overall and per Proxmox node. Each resource's configuration is evaluated
// again right before its operation, so references to values created earlier in the run are
// known. The state is saved after every finished resource operation.
import { runAbortController } from "../exec/abort.js";
import type { Diagnostic } from "../diag/diagnostic.js";
import { error } from "../diag/diagnostic.js";
import type { Value } from "../config/value.js";
import { Dag } from "../graph/dag.js";
import { walk, type NodeResult } from "../graph/walk.js";
import type { Attrs, AttrPath, ResourceType } from "../provider/types.js";
import { parseAddress } from "./address.js";
import type { Change } from "./change.js";
import type { Session } from "./session.js";
import type { Targets } from "./targets.js";
import { evaluateOutputs } from "./walk-config.js";
import { StateHolder } from "./state-holder.js";
import { toStateResource } from "./import.js";
import { SecretSet, redactingRunner } from "./secrets.js";
import { removeLeftovers } from "./leftovers.js";
import { InconsistentResultError, verifyResult } from "./verify-result.js";

export interface ApplyOptions {
  session: Session;
  changes: Change[];
  targets: Targets;
  state: StateHolder;
  snapshotFor(type: string, node: string | undefined): unknown;
  parallelism: number;
  perNodeLimit: number;
  signal: AbortSignal;
  out(line: string): void;
}

export interface ApplySummary {
  imported: number;
  added: number;
  changed: number;
  destroyed: number;
  failed: { address: string; message: string }[];
  skipped: { address: string; because: string }[];
  /** Addresses whose operation finished (what neither failed nor was skipped may not have started: a cycle). */
  completed: string[];
  diagnostics: Diagnostic[];
}

const VERBS = {
  create: ["Creating...", "Still creating...", "Creation complete"],
  update: ["Modifying...", "Still modifying...", "Modifications complete"],
  delete: ["Destroying...", "Still destroying...", "Destruction complete"],
} as const;

const VERB_OF: Record<string, string> = { create: "creation", update: "update", delete: "destruction", replace: "replacement" };

function idOf(attrs: Attrs | null): string {
  if (!attrs) return "";
  if (attrs["vmid"] !== undefined && attrs["vmid"] !== null) return `[vmid=${String(attrs["vmid"])}]`;
  if (attrs["volid"]) return `[volid=${String(attrs["volid"])}]`;
  return "";
}

/** The plan's operations for a provider request (Diff.operations), when the change has any. */
const ops = (c: Change) => (c.operations ? { operations: c.operations } : {});

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** A change's node in the apply graph: its address, or for a deposed object's destroy address + key. */
export function changeId(c: Change): string {
  return c.deposedKey ? `${c.address} (deposed object ${c.deposedKey})` : c.address;
}

/** The change graph: create/update after what they depend on; destroy before what they depend on. */
export function changeGraph(changes: readonly Change[]): Dag {
  const dag = new Dag();
  const active = changes.filter((c) => c.action !== "no-op" && c.action !== "read");
  const byDecl = new Map<string, Change[]>();
  for (const c of active) {
    dag.addNode(changeId(c));
    byDecl.set(c.decl, [...(byDecl.get(c.decl) ?? []), c]);
  }
  for (const c of active) {
    for (const dep of c.dependencies) {
      for (const d of byDecl.get(dep) ?? []) {
        if (d.address === c.address) continue;
        if (c.action === "delete") {
          // d depends on c? No: c depends on d. Deleting c must come before deleting d.
          if (d.action === "delete") dag.connect(changeId(d), changeId(c));
        } else if (d.action !== "delete") dag.connect(changeId(c), changeId(d));
      }
    }
  }
  // A resource being destroyed must go after everything that depends on it is destroyed/replaced.
  for (const c of active) {
    if (c.action !== "delete") continue;
    for (const other of active) {
      if (other.address !== c.address && other.action === "replace" && other.dependencies.includes(c.decl)) dag.connect(changeId(c), changeId(other));
    }
  }
  return dag;
}

export async function applyChanges(opts: ApplyOptions): Promise<ApplySummary> {
  const { session, targets, state } = opts;
  const ev = session.evaluation;
  const registry = session.registry;
  const summary: ApplySummary = { imported: 0, added: 0, changed: 0, destroyed: 0, failed: [], skipped: [], completed: [], diagnostics: [] };
  const byAddress = new Map(opts.changes.map((c) => [changeId(c), c]));

  // Moves and imports first: they only write state entries.
  for (const c of opts.changes) if (c.movedFrom) state.move(c.movedFrom, c.address);
  for (const c of opts.changes) {
    if (c.importId === undefined || !c.before) continue;
    const type = registry.resourceType(c.type);
    if (!type) continue;
    opts.out(`${c.address}: Importing... [id=${c.importId}]`);
    const r = toStateResource(registry, c.address, type, c.before);
    state.upsert({ ...r, dependencies: c.dependencies });
    opts.out(`${c.address}: Import complete [id=${c.importId}]`);
    summary.imported++;
  }
  if (opts.changes.some((c) => c.movedFrom || c.importId !== undefined)) await state.save();

  // What references resolve to before anything runs: state values, then planned values.
  for (const r of state.resources()) {
    const p = parseAddress(r.address);
    const decl = p && session.module.resources.get(p.decl);
    if (decl) ev.setInstanceAttributes(decl, p.key, registry.resourceType(decl.type), r.attributes as Value, false, r.sensitive_attributes);
  }
  for (const c of opts.changes) {
    const p = parseAddress(c.address);
    const decl = p && session.module.resources.get(p.decl);
    if (decl && c.after) ev.setInstanceAttributes(decl, p.key, registry.resourceType(decl.type), c.after as Value, c.action !== "no-op", c.sensitivePaths);
  }
  const localOrder = [...session.module.locals.keys()];

  const evaluateNow = (c: Change): { config?: Attrs; sensitivePaths: AttrPath[] } => {
    const p = parseAddress(c.address);
    const decl = p && session.module.resources.get(p.decl);
    if (!decl || !p) return { sensitivePaths: c.sensitivePaths };
    // Locals may depend on resources finished earlier in this run: evaluate them again (twice
    // settles chains of locals in any declaration order).
    for (let pass = 0; pass < 2; pass++) for (const l of localOrder) ev.evaluateLocal(l);
    const eachValue = typeof p.key === "string" ? ev.expand(decl).eachValues.get(p.key) : undefined;
    const r = ev.evaluateInstance(decl, p.key, eachValue);
    if (!r.instance) {
      const first = r.diagnostics.find((d) => d.severity === "error");
      throw new Error(first ? `${first.summary}: ${first.detail ?? ""}` : "its configuration could not be evaluated");
    }
    return { config: r.instance.config, sensitivePaths: r.instance.sensitivePaths };
  };

  // Operations already running are never cut short by a graceful interrupt (a half-run
  // `pct create` leaves a locked container behind); only the walk stops starting new ones.
  const operationSignal = runAbortController().signal;
  const secrets = new SecretSet();
  const ctxFor = (c: Change) => ({
    runnerFor: (node: string) => redactingRunner(targets.runnerFor(node), secrets),
    pveRootFor: targets.pveRootFor,
    snapshot: opts.snapshotFor(c.type, c.node),
    log: (m: string) => opts.out(`${c.address}: ${m}`),
    recordIntent: async (intent: { operation: string; node: string; vmid?: number; file?: string }) => {
      await state.recordIntent({ address: c.address, ...intent });
    },
    forgetIntent: async (intent: { operation: string; node: string; vmid?: number; file?: string }) => {
      state.forgetIntent({ address: c.address, ...intent });
      await state.save();
    },
    lineage: state.file.lineage,
    deviates: (path: AttrPath) => void deviations.set(changeId(c), [...(deviations.get(changeId(c)) ?? []), path]),
    signal: operationSignal,
  });
  const deviations = new Map<string, AttrPath[]>();

  const timed = async <T>(c: Change, kind: keyof typeof VERBS, fn: () => Promise<T>, idFrom: (r: T) => string): Promise<T> => {
    const [start, still, done] = VERBS[kind];
    opts.out(`${c.address}: ${kind === "delete" ? `${start.replace("...", "")}... ${idOf(c.before)}`.trim() : start}`);
    const began = Date.now();
    const timer = setInterval(() => opts.out(`${c.address}: ${still} [${Math.round((Date.now() - began) / 1000)}s elapsed]`), 10_000);
    try {
      const r = await fn();
      opts.out(`${c.address}: ${done} after ${Math.round((Date.now() - began) / 1000)}s ${idFrom(r)}`.trimEnd());
      return r;
    } finally {
      clearInterval(timer);
    }
  };

  /** Records what the provider returned (saved at once), then checks it against the plan. */
  const finish = async (c: Change, type: ResourceType, attrs: Attrs, sensitivePaths: AttrPath[]): Promise<void> => {
    const p = parseAddress(c.address)!;
    state.upsert({
      address: c.address,
      type: c.type,
      name: p.name,
      ...(p.key !== undefined ? { index: p.key } : {}),
      provider: registry.providerOf(type.type)?.name ?? "proxmox",
      attributes: attrs,
      sensitive_attributes: sensitivePaths,
      dependencies: c.dependencies,
    });
    const decl = session.module.resources.get(p.decl);
    if (decl) ev.setInstanceAttributes(decl, p.key, type, attrs as Value, false, sensitivePaths);
    await state.save();
    // Saved first: a result the plan did not predict still names an object that exists.
    const inconsistent = verifyResult({ address: c.address, planned: c.after, actual: attrs, sensitivePaths: [...c.sensitivePaths, ...sensitivePaths], deviations: deviations.get(changeId(c)) ?? [] });
    if (inconsistent) throw new InconsistentResultError(inconsistent);
  };

  const visit = async (address: string): Promise<void> => {
    const c = byAddress.get(address)!;
    const type = registry.resourceType(c.type);
    if (!type) throw new Error(`unknown resource type ${c.type}`);
    const ctx = ctxFor(c);
    secrets.addFrom(c.before, c.sensitivePaths);
    if (c.action === "delete" && c.deposedKey) {
      await timed({ ...c, address: changeId(c) }, "delete", () => type.delete({ address: c.address, prior: c.before! }, ctx), () => "");
      state.dropDeposed(c.address, c.deposedKey);
      await state.save();
      summary.destroyed++;
      return;
    }
    if (c.action === "delete") {
      await timed(c, "delete", () => type.delete({ address: c.address, prior: c.before! }, ctx), () => "");
      state.remove(c.address);
      await state.save();
      summary.destroyed++;
      return;
    }
    const { config, sensitivePaths } = evaluateNow(c);
    secrets.addFrom(config, sensitivePaths);
    if (!config) throw new Error("it is no longer in the configuration; plan again");
    if (c.action === "replace" && type.replace) {
      // The provider replaces in its own order (e.g. OCI: create the new container, move the
      // data volumes over, destroy the old one last) and records its own intents.
      const attrs = await timed(c, "create", () => type.replace!({ address: c.address, config, prior: c.before!, planned: c.after!, ...ops(c) }, ctx), idOf);
      await finish(c, type, attrs, sensitivePaths);
      summary.added++;
      summary.destroyed++;
      return;
    }
    if (c.action === "replace") {
      if (c.createBeforeDestroy) {
        const key = state.depose(c.address);
        let attrs: Attrs;
        try {
          attrs = await timed(c, "create", () => type.create({ address: c.address, config, planned: c.after!, ...ops(c) }, ctx), idOf);
        } catch (e) {
          // The old object stays the current one; a failed create deposes nothing.
          if (key) state.dropDeposed(c.address, key);
          await state.save();
          throw e;
        }
        await finish(c, type, attrs, sensitivePaths);
        await timed(c, "delete", () => type.delete({ address: c.address, prior: c.before! }, ctx), () => "");
        if (key) state.dropDeposed(c.address, key);
        await state.save();
      } else {
        await timed(c, "delete", () => type.delete({ address: c.address, prior: c.before! }, ctx), () => "");
        state.remove(c.address);
        await state.save();
        const attrs = await timed(c, "create", () => type.create({ address: c.address, config, planned: c.after!, ...ops(c) }, ctx), idOf);
        await finish(c, type, attrs, sensitivePaths);
      }
      summary.added++;
      summary.destroyed++;
      return;
    }
    if (c.action === "create") {
      const attrs = await timed(c, "create", () => type.create({ address: c.address, config, planned: c.after!, ...ops(c) }, ctx), idOf);
      await finish(c, type, attrs, sensitivePaths);
      summary.added++;
      return;
    }
    if (c.action === "update") {
      if (!type.update) throw new Error(`${c.type} cannot be updated in place`);
      const attrs = await timed(c, "update", () => type.update!({ address: c.address, config, prior: c.before!, planned: c.after!, ...ops(c) }, ctx), idOf);
      await finish(c, type, attrs, sensitivePaths);
      summary.changed++;
    }
  };

  await removeLeftovers({ registry, state, targets, signal: operationSignal, out: opts.out });
  const dag = changeGraph(opts.changes);
  let results: Map<string, NodeResult>;
  try {
    results = await walk(dag, (id) => visit(id), {
      parallelism: Math.max(1, opts.parallelism),
      groupOf: (id) => byAddress.get(id)?.node,
      groupLimit: Math.max(1, opts.perNodeLimit),
      signal: opts.signal,
    });
  } catch (e) {
    summary.diagnostics.push(error("Cannot apply: the changes depend on each other in a cycle", message(e)));
    return summary;
  }
  for (const [id, r] of results) {
    if (r.status === "failed") {
      const why = secrets.redact(message(r.error));
      summary.failed.push({ address: id, message: why });
      const decl = session.module.resources.get(byAddress.get(id)?.decl ?? "");
      if (r.error instanceof InconsistentResultError) summary.diagnostics.push({ ...r.error.diagnostic, detail: why, ...(decl ? { subject: decl.declRange } : {}) });
      else summary.diagnostics.push(error(`${id}: ${VERB_OF[byAddress.get(id)?.action ?? "update"] ?? "apply"} failed`, why, decl?.declRange, id));
    } else if (r.status === "skipped") summary.skipped.push({ address: id, because: r.because });
    else summary.completed.push(id);
  }

  // Outputs from the values now known.
  const o = evaluateOutputs(ev);
  state.setOutputs(o.values);
  await state.save();
  return summary;
}
