// Adopting existing objects into state (`pmxform import`, `import --all`): reads them from the
// refreshed snapshots with ResourceType.import, checks the bad cases, names generated resources.
// Pure over its inputs; the command does the locking, writing and printing.
import type { Diagnostic } from "../diag/diagnostic.js";
import { error } from "../diag/diagnostic.js";
import type { ProviderRegistry } from "../provider/registry.js";
import type { Attrs, ResourceType } from "../provider/types.js";
import type { StateResource } from "../state/types.js";
import { instanceAddress, parseAddress, type InstanceKey } from "./address.js";
import type { ConfigEvaluation } from "./evaluation.js";

export interface ImportInput {
  registry: ProviderRegistry;
  /** Resources already in state (never modified here). */
  state: readonly StateResource[];
  snapshotFor(type: string, node: string | undefined): unknown;
}

function vmidOf(a: Attrs): number | undefined {
  return typeof a["vmid"] === "number" ? a["vmid"] : undefined;
}

/** The state address already managing this vmid, if any. */
export function managedBy(state: readonly StateResource[], vmid: number | undefined): string | undefined {
  if (vmid === undefined) return undefined;
  return state.find((r) => vmidOf(r.attributes) === vmid)?.address;
}

/** Node part of an id ("pve1/105" -> "pve1"), used to pick the right cluster's snapshot. */
function nodeOfId(id: string): string | undefined {
  const m = /^([^/\s]+)\//.exec(id.trim());
  return m?.[1];
}

export function toStateResource(registry: ProviderRegistry, address: string, type: ResourceType, attrs: Attrs): StateResource {
  const p = parseAddress(address)!;
  return {
    address,
    type: type.type,
    name: p.name,
    ...(p.key !== undefined ? { index: p.key } : {}),
    provider: registry.providerOf(type.type)?.name ?? "proxmox",
    attributes: attrs,
    sensitive_attributes: type.sensitiveAttributes.filter((k) => attrs[k] !== undefined).map((k) => [k]),
    dependencies: [],
  };
}

/** Reads one object for ADDR; every failure is a diagnostic and nothing is returned. */
export function importOne(input: ImportInput, address: string, id: string): { resource?: StateResource; notes: string[]; diagnostics: Diagnostic[] } {
  const p = parseAddress(address);
  if (!p) return { notes: [], diagnostics: [error("Invalid resource address", `"${address}" is not a resource address. Write it as TYPE.NAME, e.g. lxc_container.web or lxc_container.db["a"].`)] };
  const type = input.registry.resourceType(p.type);
  if (!type) return { notes: [], diagnostics: [error("Unknown resource type", `${p.type} is not a resource type pmxform knows. Use lxc_container.`)] };
  if (!type.import) return { notes: [], diagnostics: [error("Resource type cannot be imported", `${p.type} does not support import. Create it with pmxform instead.`)] };
  const existing = input.state.find((r) => r.address === address);
  if (existing) return { notes: [], diagnostics: [error("Resource already managed by pmxform", `${address} is already in the state (vmid ${vmidOf(existing.attributes) ?? "?"}). To import again, first forget it with pmxform state rm ${address}.`)] };
  const snapshot = input.snapshotFor(p.type, nodeOfId(id));
  if (snapshot === undefined) return { notes: [], diagnostics: [error("Cannot import", `No node of the proxmox block could be read for ${id}. Check the node declarations and the connection.`)] };
  let attrs: Attrs | null;
  try {
    attrs = type.import({ address, id, snapshot });
  } catch (e) {
    return { notes: [], diagnostics: [error("Invalid import id", `${e instanceof Error ? e.message : String(e)}.`)] };
  }
  if (!attrs) {
    const why = type.explainImportMiss?.(id, snapshot) ?? `nothing was found for "${id}"`;
    return { notes: [], diagnostics: [error("Cannot import non-existent remote object", `${address}: ${why}. Check the id (NODE/VMID, e.g. pve1/105) with pct list on the node.`)] };
  }
  const owner = managedBy(input.state, vmidOf(attrs));
  if (owner) return { notes: [], diagnostics: [error("Container already managed by pmxform", `vmid ${vmidOf(attrs)} is already managed as ${owner}. To manage it under ${address}, move it with pmxform state mv ${owner} ${address}.`)] };
  return { resource: toStateResource(input.registry, address, type, attrs), notes: type.unexpressed?.(attrs, snapshot) ?? [], diagnostics: [] };
}

const NAME = /^[A-Za-z_][A-Za-z0-9_-]*$/;

/** A valid resource name from a hostname: invalid characters become "_", a leading digit gets "ct_". */
export function resourceName(hostname: string | undefined, vmid: number): string {
  let n = (hostname ?? "").replace(/[^A-Za-z0-9_-]/g, "_");
  if (!n) return `ct_${vmid}`;
  if (!/^[A-Za-z_]/.test(n)) n = `ct_${n}`;
  return NAME.test(n) ? n : `ct_${vmid}`;
}

/** Names unique within `taken` (declared names of the type plus those handed out so far). */
export function uniqueName(base: string, vmid: number, taken: Set<string>): string {
  let name = taken.has(base) ? `${base}_${vmid}` : base;
  for (let i = 2; taken.has(name); i++) name = `${base}_${vmid}_${i}`;
  taken.add(name);
  return name;
}

/**
 * Whether ADDR's instance key exists under its declaration's count/for_each; a diagnostic when it
 * does not. Locals and earlier resources are evaluated first (resources as unknown), so the
 * expansion sees what plan would; a count/for_each only known after apply is not checked here.
 */
export function checkInstanceKey(ev: ConfigEvaluation, address: string): Diagnostic | undefined {
  const p = parseAddress(address);
  const decl = p && ev.module.resources.get(p.decl);
  if (!p || !decl) return undefined;
  const graph = ev.declGraph();
  for (const id of graph.dag.topoOrder()) {
    if (id === decl.address) break;
    if (id.startsWith("local.")) ev.evaluateLocal(id.slice("local.".length));
    else {
      const other = ev.module.resources.get(id);
      if (other) ev.setUnknown(other);
    }
  }
  const expansion = ev.expand(decl);
  if (expansion.diagnostics.length) return undefined;
  const keys = expansion.keys;
  if (keys.includes(p.key)) return undefined;
  const shown = keys.slice(0, 10).map((k) => instanceAddress(decl.address, k)).join(", ") + (keys.length > 10 ? ", ..." : "");
  const detail = (why: string, fix: string) => error("Import to non-existent resource instance", `${address}: ${why}. ${fix}`, decl.declRange);
  if (!decl.count && !decl.forEach) return detail(`${decl.address} has neither count nor for_each, so it has no instance ${instanceKeyText(p.key)}`, `Import into ${decl.address}.`);
  const what = decl.count ? `count = ${keys.length}` : "for_each";
  if (p.key === undefined) return detail(`${decl.address} uses ${decl.count ? "count" : "for_each"}, so an instance key is needed`, keys.length ? `Import into one of ${shown}.` : `It has no instances now (${what}); change ${decl.count ? "count" : "for_each"} first.`);
  if (decl.count && typeof p.key !== "number") return detail(`${decl.address} uses count, so its keys are numbers, not ${instanceKeyText(p.key)}`, keys.length ? `Import into one of ${shown}.` : `It has no instances now (count = 0).`);
  if (decl.forEach && typeof p.key !== "string") return detail(`${decl.address} uses for_each, so its keys are strings, not ${instanceKeyText(p.key)}`, keys.length ? `Import into one of ${shown}.` : "It has no instances now (for_each is empty).");
  return detail(`${decl.address} has no instance ${instanceKeyText(p.key)} (${what})`, keys.length ? `Import into one of ${shown}, or add the key to ${decl.count ? "count" : "for_each"} first.` : `It has no instances now; change ${decl.count ? "count" : "for_each"} first.`);
}

function instanceKeyText(key: InstanceKey): string {
  return key === undefined ? "without a key" : typeof key === "number" ? `[${key}]` : `[${JSON.stringify(key)}]`;
}
