// Refresh: reads what the cluster really holds, once per cluster (not once per container),
// and answers every state resource from that snapshot. The other nodes are probed meanwhile: a
// node pmxform cannot reach cannot be changed, whatever the cluster says.
import type { Diagnostic } from "../diag/diagnostic.js";
import { error, warning } from "../diag/diagnostic.js";
import type { ProviderRegistry } from "../provider/registry.js";
import type { Attrs } from "../provider/types.js";
import type { PriorResource } from "./plan-types.js";
import type { Targets } from "./targets.js";

/**
 * One step of a refresh, for a caller that shows progress (the CLI under PMXFORM_PROGRESS=1, the
 * web view through it). "read" is one provider's snapshot taken from a node; "probe" is the
 * trivial command a node that no snapshot reads answers, to prove it is reachable.
 */
export interface RefreshProgress {
  node: string;
  step: "read" | "probe";
  /** The provider whose snapshot is read (step "read" only). */
  provider?: string;
  phase: "start" | "done" | "failed";
  /** How long the step took (done and failed). */
  ms?: number;
  /** Why it failed (failed only). */
  error?: string;
}

export interface RefreshResult {
  refreshed: Map<string, Attrs | null>;
  unreachable: Map<string, string>;
  snapshotFor: (type: string, node: string | undefined) => unknown;
  diagnostics: Diagnostic[];
}

function describe(e: unknown): string {
  return e instanceof Error ? e.message.split("\n").slice(0, 3).join(" ") : String(e);
}

export async function refresh(opts: {
  prior: PriorResource[];
  registry: ProviderRegistry;
  targets: Targets;
  signal: AbortSignal;
  /** false: use the state as it is (--refresh=false); snapshots are still taken for planning new resources. */
  readState: boolean;
  /**
   * false: read nothing at all, not even the snapshot new resources are planned with (a plan
   * from the last known state that creates nothing; see runPlan). Implies readState false.
   */
  snapshots?: boolean;
  /** The resource types the configuration declares (lets a provider skip reads nothing needs). */
  configuredTypes?: ReadonlySet<string>;
  /** See RefreshContext.configuredInstances. */
  configuredInstances?: (type: string) => ReadonlyArray<{ address: string; config: Attrs }>;
  /** Told of every read and probe as it starts and ends; nothing is reported without it. */
  onProgress?: (event: RefreshProgress) => void;
}): Promise<RefreshResult> {
  const { registry, targets } = opts;
  // A progress listener that throws must not turn into a failed read of the node.
  const report = (event: RefreshProgress): void => {
    try {
      opts.onProgress?.(event);
    } catch {
      // progress is advisory
    }
  };
  if (opts.snapshots === false) return { refreshed: new Map(), unreachable: new Map(), snapshotFor: () => undefined, diagnostics: [] };
  const diagnostics: Diagnostic[] = [];
  const snapshots = new Map<string, Map<string, unknown>>();
  const failedNodes = new Map<string, string>();
  const contacted = new Set<string>();

  const nodesOf = new Set(targets.names());
  for (const r of opts.prior) {
    const n = registry.resourceType(r.type)?.nodeOf(null, r.attributes);
    if (n) nodesOf.add(n);
  }

  // Every node but the first (which the snapshot reads) is probed while the snapshot is taken:
  // one trivial command each, over the connection apply will reuse, without waiting for the reads.
  const first = [...nodesOf].sort().find((n) => targets.get(n));
  const probes = new Map<string, Promise<string | undefined>>();
  if (opts.readState) {
    for (const n of nodesOf) {
      if (n === first || !targets.get(n)) continue;
      const started = Date.now();
      report({ node: n, step: "probe", phase: "start" });
      probes.set(
        n,
        targets
          .runnerFor(n)
          .run(["true"], { signal: opts.signal, timeoutMs: 60_000 })
          .then(
            () => {
              report({ node: n, step: "probe", phase: "done", ms: Date.now() - started });
              return undefined;
            },
            (e: unknown) => {
              report({ node: n, step: "probe", phase: "failed", ms: Date.now() - started, error: describe(e) });
              return `node ${n} could not be reached: ${describe(e)}`;
            },
          ),
      );
    }
  }

  for (const provider of registry.all()) {
    const byNode = new Map<string, unknown>();
    snapshots.set(provider.name, byNode);
    for (const node of [...nodesOf].sort()) {
      if (byNode.has(node) || failedNodes.has(node)) continue;
      if (!targets.get(node)) {
        failedNodes.set(node, `node "${node}" is not declared in the proxmox block`);
        continue;
      }
      const started = Date.now();
      report({ node, step: "read", provider: provider.name, phase: "start" });
      try {
        contacted.add(node);
        const { snapshot, nodes } = await provider.snapshot(node, {
          runnerFor: targets.runnerFor,
          pveRootFor: targets.pveRootFor,
          signal: opts.signal,
          priorResources: opts.prior.map((r) => ({ address: r.address, type: r.type, attributes: r.attributes })),
          expectedNodes: [...nodesOf].filter((n) => targets.get(n) && !failedNodes.has(n)),
          ...(opts.configuredTypes ? { configuredTypes: opts.configuredTypes } : {}),
          ...(opts.configuredInstances ? { configuredInstances: opts.configuredInstances } : {}),
        });
        byNode.set(node, snapshot);
        for (const n of nodes) if (!byNode.has(n)) byNode.set(n, snapshot);
        report({ node, step: "read", provider: provider.name, phase: "done", ms: Date.now() - started });
      } catch (e) {
        report({ node, step: "read", provider: provider.name, phase: "failed", ms: Date.now() - started, error: describe(e) });
        failedNodes.set(node, `node ${node} could not be read: ${describe(e)}`);
      }
    }
  }

  for (const [n, probe] of probes) {
    const failed = await probe;
    // A node the snapshot loop read itself has answered already.
    if (failed && !contacted.has(n) && !failedNodes.has(n)) failedNodes.set(n, failed);
  }

  const snapshotFor = (type: string, node: string | undefined): unknown => {
    const p = registry.providerOf(type);
    const byNode = p && snapshots.get(p.name);
    if (!byNode) return undefined;
    if (node !== undefined && byNode.has(node)) return byNode.get(node);
    return byNode.values().next().value;
  };

  const refreshed = new Map<string, Attrs | null>();
  const unreachable = new Map<string, string>();
  if (opts.readState) {
    for (const r of opts.prior) {
      const type = registry.resourceType(r.type);
      if (!type) {
        diagnostics.push(warning("Unknown resource type in state", `${r.address} has type ${r.type}, which this pmxform does not know; it is left as it is.`));
        continue;
      }
      const node = type.nodeOf(null, r.attributes);
      const snap = snapshotFor(r.type, node);
      if (node && failedNodes.has(node)) {
        // Moved to a node that answers (read finds it cluster-wide): follow it there. Otherwise
        // the cluster's view of a dead node cannot be acted on, so nothing is planned for it.
        const seen = snap === undefined ? undefined : type.read({ address: r.address, prior: r.attributes, snapshot: snap });
        const now = seen ? type.nodeOf(null, seen) : undefined;
        if (seen && now && now !== node && !failedNodes.has(now)) refreshed.set(r.address, seen);
        else unreachable.set(r.address, failedNodes.get(node)!);
        continue;
      }
      if (snap === undefined) {
        unreachable.set(r.address, "no node could be read");
        continue;
      }
      refreshed.set(r.address, type.read({ address: r.address, prior: r.attributes, snapshot: snap }));
    }
  }
  // Some nodes answered: theirs is a real plan and the others' resources are left alone (warned).
  // None answered: there is nothing to plan against, and an exit 0 would hide that.
  const anyRead = [...snapshots.values()].some((byNode) => byNode.size > 0);
  for (const [node, why] of failedNodes) {
    if (!targets.get(node)) continue;
    if (anyRead) diagnostics.push(warning("Node unreachable", `${why}. Resources on it were not refreshed.`));
    else if (opts.readState) diagnostics.push(error("No node could be read", `${why}. Fix the connection and run again, or plan with --refresh=false to use the last known state.`));
    // --refresh=false reads the cluster only to plan new resources (free VMIDs, images).
    else
      diagnostics.push(
        error(
          "No node could be read",
          `${why}. The plan creates resources, which needs the cluster's view even with --refresh=false (free VMIDs, images present). Fix the connection and run again, or plan without the new resources.`,
        ),
      );
  }
  return { refreshed, unreachable, snapshotFor, diagnostics };
}
