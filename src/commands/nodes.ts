// `pmxform nodes` (alias `inventory`): what each node of the proxmox block holds (storages with
// type, content and free space, bridges, templates, containers) and which containers this state
// manages, read with the providers' refresh snapshot; `--json` prints one document
// (docs/json-output.md). A node that cannot be read is reported as such and makes the exit 1.
import { error, hasErrors, type Diagnostic } from "../diag/diagnostic.js";
import { runAbortController } from "../exec/abort.js";
import { openForPlanning, type RunOptions } from "../engine/run.js";
import type { NodeInventory } from "../provider/inventory.js";
import { readStateOnly } from "./state-read.js";
import type { StateFile } from "../state/types.js";
import type { ProviderRegistry } from "../provider/registry.js";
import type { Targets } from "../engine/targets.js";
import { printDiagnostics } from "./output-format.js";

type Opts = RunOptions & { json?: boolean };

export type NodeReport = { name: string; reachable: true; inventory: NodeInventory; managed: Map<string, string> } | { name: string; reachable: false; error: string };

function describe(e: unknown): string {
  return e instanceof Error ? e.message.split("\n").filter(Boolean).slice(0, 3).join(" ") : String(e);
}

/** Every declared node's inventory; one snapshot per cluster (a snapshot covers the nodes of its cluster). */
export async function readInventories(registry: ProviderRegistry, targets: Targets, state: StateFile | null, signal: AbortSignal): Promise<NodeReport[]> {
  const names = targets.names().sort();
  const inventories = new Map<string, NodeInventory>();
  const failed = new Map<string, string>();
  // A snapshot read through one node covers its whole cluster (pvesh proxies), but a node pmxform
  // cannot reach itself cannot be acted on: each is probed with one trivial command meanwhile, as
  // refresh does.
  const probes = new Map(
    names.map(
      (n) =>
        [
          n,
          targets
            .runnerFor(n)
            .run(["true"], { signal, timeoutMs: 60_000 })
            .then(
              () => undefined,
              (e: unknown) => `could not be reached: ${describe(e)}`,
            ),
        ] as const,
    ),
  );
  const contacted = new Set<string>();
  for (const provider of registry.all()) {
    if (!provider.inventory) continue;
    const covered = new Map<string, unknown>();
    for (const node of names) {
      if (covered.has(node) || failed.has(node)) continue;
      contacted.add(node);
      try {
        const { snapshot, nodes } = await provider.snapshot(node, { runnerFor: targets.runnerFor, pveRootFor: targets.pveRootFor, signal, expectedNodes: names });
        for (const n of [node, ...nodes]) if (!covered.has(n)) covered.set(n, snapshot);
      } catch (e) {
        failed.set(node, describe(e));
      }
    }
    for (const [n, snap] of covered) if (names.includes(n)) inventories.set(n, provider.inventory(snap, n));
  }
  for (const [n, probe] of probes) {
    const problem = await probe;
    if (problem && !contacted.has(n)) {
      failed.set(n, problem);
      inventories.delete(n);
    }
  }
  // Which state entry manages each cluster object (ResourceType.objectId, e.g. "pve1/105").
  const managedBy = new Map<string, string>();
  for (const r of state?.resources ?? []) {
    const id = registry.resourceType(r.type)?.objectId?.(r.attributes);
    if (id) managedBy.set(id, r.address);
  }
  return names.map((name): NodeReport => {
    const inventory = inventories.get(name);
    if (!inventory) return { name, reachable: false, error: failed.get(name) ?? "no provider could read it" };
    return { name, reachable: true, inventory, managed: managedBy };
  });
}

const gib = (b: number | undefined): string => (b === undefined ? "?" : `${(b / 1024 ** 3).toFixed(1)} GiB`);

function size(b: number): string {
  if (b >= 1024 ** 3) return `${(b / 1024 ** 3).toFixed(1)} GiB`;
  if (b >= 1024 ** 2) return `${(b / 1024 ** 2).toFixed(1)} MiB`;
  if (b >= 1024) return `${(b / 1024).toFixed(1)} KiB`;
  return `${b} B`;
}

function table(rows: string[][], indent: string): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return (
    rows
      .map(
        (r) =>
          indent +
          r
            .map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!)))
            .join("  ")
            .trimEnd(),
      )
      .join("\n") + "\n"
  );
}

export function renderHuman(reports: NodeReport[]): string {
  let out = "";
  for (const r of reports) {
    if (!r.reachable) {
      out += `Node ${r.name}: could not be read (${r.error})\n  Check the node's connection settings in the proxmox block and that the node is up.\n\n`;
      continue;
    }
    const inv = r.inventory;
    out += `Node ${r.name}\n`;
    out += "  Storages:\n";
    out += table([["NAME", "TYPE", "CONTENT", "FREE", "TOTAL"], ...inv.storages.map((s) => [s.name, s.type ?? "?", s.content.join(",") || "-", gib(s.free), gib(s.total)])], "    ");
    out += "  Bridges:\n";
    out += inv.bridges === undefined ? "    (could not be read)\n" : inv.bridges.length ? table([["NAME", "MTU"], ...inv.bridges.map((b) => [b.name, String(b.mtu)])], "    ") : "    (none)\n";
    out += "  Templates:\n";
    out += inv.templates.length ? table([["VOLID", "SIZE", "MANAGED BY"], ...inv.templates.map((t) => [t.volid, size(t.size), r.managed.get(t.id) ?? "(not managed)"])], "    ") : "    (none)\n";
    out += "  Containers:\n";
    out += inv.containers.length
      ? table(
          [
            ["VMID", "HOSTNAME", "STATUS", "MANAGED BY"],
            ...inv.containers.map((c) => [String(c.vmid), c.hostname ?? "-", c.status + (c.lock ? ` (lock: ${c.lock})` : ""), r.managed.get(c.id) ?? "(not managed)"]),
          ],
          "    ",
        )
      : "    (none)\n";
    out += "\n";
  }
  return out;
}

export function renderJson(reports: NodeReport[]): string {
  const nodes = reports.map((r) => {
    if (!r.reachable) return { name: r.name, reachable: false, error: r.error };
    const inv = r.inventory;
    return {
      name: r.name,
      reachable: true,
      storages: inv.storages,
      bridges: inv.bridges ?? null,
      templates: inv.templates.map((t) => {
        const address = r.managed.get(t.id);
        return { ...t, managed: address !== undefined, ...(address !== undefined ? { address } : {}) };
      }),
      containers: inv.containers.map((c) => {
        const address = r.managed.get(c.id);
        return { ...c, managed: address !== undefined, ...(address !== undefined ? { address } : {}) };
      }),
    };
  });
  return JSON.stringify({ format_version: "1.0", nodes }, null, 2) + "\n";
}

export async function run(opts: Opts): Promise<number> {
  const opened = await openForPlanning(opts);
  const diagnostics: Diagnostic[] = [...opened.diagnostics];
  if (!opened.session || !opened.targets || hasErrors(diagnostics)) return (printDiagnostics(diagnostics, opts, opened.session?.sources), 1);
  if (!opened.targets.names().length) {
    return (printDiagnostics([error("No nodes declared", 'The configuration has no proxmox block with a node. Add one, e.g. proxmox { node "pve1" { host = "pve1.example.com" } }.')], opts), 1);
  }
  // Through the configured backend and workspace, unlocked (nodes changes nothing).
  const read = await readStateOnly(opts, "nodes");
  if (read.state === undefined) return (printDiagnostics(read.diagnostics, opts, read.sources), 1);
  const state = read.state;
  const reports = await readInventories(opened.registry, opened.targets, state, runAbortController().signal);
  printDiagnostics(diagnostics, opts, opened.session.sources);
  process.stdout.write(opts.json ? renderJson(reports) : renderHuman(reports));
  return reports.every((r) => r.reachable) ? 0 : 1;
}
