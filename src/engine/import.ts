// Adopting existing objects into state (`pmxform import`, `import --all`): reads them from the
// refreshed snapshots with ResourceType.import, checks the bad cases, picks type and name per
// object for --all. Pure over its inputs; the command does the locking, writing and printing.
import type { Diagnostic, Range } from "../diag/diagnostic.js";
import { error, warning } from "../diag/diagnostic.js";
import type { ProviderRegistry } from "../provider/registry.js";
import type { Attrs, ImportCandidate, ResourceType } from "../provider/types.js";
import type { StateResource } from "../state/types.js";
import type { GeneratedResource } from "../config/generate/model.js";
import { instanceAddress, parseAddress, type InstanceKey } from "./address.js";
import { managedBy, objectKeyOf } from "./identity.js";
import type { ConfigEvaluation } from "./evaluation.js";

export interface ImportInput {
  registry: ProviderRegistry;
  /** Resources already in state (never modified here). */
  state: readonly StateResource[];
  snapshotFor: (type: string, node: string | undefined) => unknown;
  /** The state's lineage: an object carrying another state's marker is imported with a warning. */
  lineage?: string;
}

export function toStateResource(registry: ProviderRegistry, address: string, type: ResourceType, attrs: Attrs): StateResource {
  const p = parseAddress(address)!;
  return {
    address,
    type: type.type,
    name: p.name,
    ...(p.key !== undefined ? { index: p.key } : {}),
    ...(p.module ? { module: p.module } : {}),
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
  if (existing)
    return {
      notes: [],
      diagnostics: [
        error(
          "Resource already managed by pmxform",
          `${address} is already in the state (${objectKeyOf(input.registry, existing.type, existing.attributes) ?? "no id recorded"}). To import again, first forget it with pmxform state rm ${address}.`,
        ),
      ],
    };
  const snapshot = input.snapshotFor(p.type, type.importNode?.(id));
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
  const owner = managedBy(input.registry, input.state, type.type, attrs);
  if (owner)
    return {
      notes: [],
      diagnostics: [
        error(
          "Container already managed by pmxform",
          `${objectKeyOf(input.registry, type.type, attrs)} is already managed as ${owner}. To manage it under ${address}, move it with pmxform state mv ${owner} ${address}.`,
        ),
      ],
    };
  return { resource: toStateResource(input.registry, address, type, attrs), notes: type.unexpressed?.(attrs, snapshot) ?? [], diagnostics: foreignOwnerWarning(input, type, address, attrs) };
}

/**
 * Importing a container another pmxform state created is allowed (a project handed it over), but
 * never silent: from then on either state could change or destroy it.
 */
function foreignOwnerWarning(input: ImportInput, type: ResourceType, address: string, attrs: Attrs): Diagnostic[] {
  const foreign = input.lineage !== undefined ? type.foreignOwner?.({ address, attrs, lineage: input.lineage }) : undefined;
  if (!foreign) return [];
  return [
    warning(
      "Importing another project's container",
      `${address}: ${foreign}. From now on both states may change or destroy it. If the other project still manages it, undo this with pmxform state rm ${address}; if it was handed over, run pmxform state rm for it in the other project.`,
      undefined,
      address,
    ),
  ];
}

const NAME = /^[A-Za-z_][A-Za-z0-9_-]*$/;

/**
 * A valid resource name from a hostname: invalid characters become "_", one not starting with a
 * letter gets the type's prefix ("ct_"), none at all is `<prefix>_<suffix>` ("ct_105").
 */
export function resourceName(hostname: string | undefined, prefix: string, suffix: string): string {
  let n = (hostname ?? "").replace(/[^A-Za-z0-9_-]/g, "_");
  if (!n) return `${prefix}_${suffix}`;
  if (!/^[A-Za-z_]/.test(n)) n = `${prefix}_${n}`;
  return NAME.test(n) ? n : `${prefix}_${suffix}`;
}

/** Names unique within `taken` (declared names of the type plus those handed out so far); `suffix` tells objects apart ("105"). */
export function uniqueName(base: string, suffix: string, taken: Set<string>): string {
  let name = taken.has(base) ? `${base}_${suffix}` : base;
  for (let i = 2; taken.has(name); i++) name = `${base}_${suffix}_${i}`;
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
    if (ev.evaluateNode(id) === undefined) {
      const other = ev.module.resources.get(id);
      if (other) ev.setUnknown(other);
    }
  }
  const expansion = ev.expand(decl);
  if (expansion.diagnostics.length) return undefined;
  const keys = expansion.keys;
  if (keys.includes(p.key)) return undefined;
  const shown =
    keys
      .slice(0, 10)
      .map((k) => instanceAddress(decl.address, k))
      .join(", ") + (keys.length > 10 ? ", ..." : "");
  const detail = (why: string, fix: string) => error("Import to non-existent resource instance", `${address}: ${why}. ${fix}`, decl.declRange);
  if (!decl.count && !decl.forEach) return detail(`${decl.address} has neither count nor for_each, so it has no instance ${instanceKeyText(p.key)}`, `Import into ${decl.address}.`);
  const what = decl.count ? `count = ${keys.length}` : "for_each";
  if (p.key === undefined)
    return detail(
      `${decl.address} uses ${decl.count ? "count" : "for_each"}, so an instance key is needed`,
      keys.length ? `Import into one of ${shown}.` : `It has no instances now (${what}); change ${decl.count ? "count" : "for_each"} first.`,
    );
  if (decl.count && typeof p.key !== "number")
    return detail(`${decl.address} uses count, so its keys are numbers, not ${instanceKeyText(p.key)}`, keys.length ? `Import into one of ${shown}.` : `It has no instances now (count = 0).`);
  if (decl.forEach && typeof p.key !== "string")
    return detail(
      `${decl.address} uses for_each, so its keys are strings, not ${instanceKeyText(p.key)}`,
      keys.length ? `Import into one of ${shown}.` : "It has no instances now (for_each is empty).",
    );
  return detail(
    `${decl.address} has no instance ${instanceKeyText(p.key)} (${what})`,
    keys.length ? `Import into one of ${shown}, or add the key to ${decl.count ? "count" : "for_each"} first.` : `It has no instances now; change ${decl.count ? "count" : "for_each"} first.`,
  );
}

function instanceKeyText(key: InstanceKey): string {
  return key === undefined ? "without a key" : typeof key === "number" ? `[${key}]` : `[${JSON.stringify(key)}]`;
}

/** What an import kept but cannot write as configuration, as one warning (at `range` when given). */
export function notesAsWarnings(address: string, notes: string[], range?: Range): Diagnostic[] {
  if (!notes.length) return [];
  return [
    warning(
      "Imported values that are not configuration",
      `${address} holds ${notes.join("; ")}. They are kept in state and left as they are; pmxform does not manage them.`,
      range,
      range ? address : undefined,
    ),
  ];
}

/**
 * Every object of the selected nodes that no state resource manages yet, named after its hostname.
 * Each type offers candidates; an object some type adopts wins over another type's refusal.
 */
export function importAll(
  input: ImportInput,
  declared: Iterable<string>,
  nodes: string[],
  onlyNode: string | undefined,
): { adopted: StateResource[]; generated: GeneratedResource[]; diagnostics: Diagnostic[]; importedFrom: Map<string, string> } {
  const types = input.registry
    .typeNames()
    .map((t) => input.registry.resourceType(t)!)
    .filter((t) => t.importable && t.import !== undefined && t.generateConfig !== undefined);
  const diagnostics: Diagnostic[] = [];
  const taken = new Map<string, Set<string>>(types.map((t) => [t.type, new Set<string>()]));
  for (const d of declared) {
    const p = parseAddress(d);
    if (p) taken.get(p.type)?.add(p.name);
  }
  // The object's key (ResourceType.objectKey) -> the adopting type's candidate, or the reasons every type refused it.
  const offers = new Map<string, { type?: ResourceType; cand: ImportCandidate; snap: unknown; skips: string[] }>();
  for (const type of types) {
    const seen = new Set<unknown>();
    for (const node of nodes) {
      const snap = input.snapshotFor(type.type, node);
      if (snap === undefined || seen.has(snap)) continue;
      seen.add(snap);
      for (const c of type.importable!(snap)) {
        if (onlyNode && c.node !== onlyNode) continue;
        // The candidate's identity names the object as its attributes do (ResourceType.objectKey).
        if (managedBy(input.registry, input.state, type.type, c.identity)) continue;
        const key = objectKeyOf(input.registry, type.type, c.identity) ?? c.id;
        const o = offers.get(key) ?? { cand: c, snap, skips: [] };
        if (c.skip) o.skips.push(c.skip);
        else if (!o.type) Object.assign(o, { type, cand: c, snap });
        offers.set(key, o);
      }
    }
  }
  const adopted: StateResource[] = [];
  const importedFrom = new Map<string, string>();
  const generated: GeneratedResource[] = [];
  // In the objects' own order ("vmid 99" before "vmid 105").
  for (const [, o] of [...offers].sort(([a], [b]) => a.localeCompare(b, "en", { numeric: true }))) {
    const { type, cand: c } = o;
    if (!type) {
      diagnostics.push(
        warning(
          "Container not imported",
          `${c.id}${c.name ? ` (${c.name})` : ""} was left out: ${o.skips.join("; ")}. Import it one by one with pmxform import ADDR ${c.id} and a hand-written block.`,
        ),
      );
      continue;
    }
    const name = uniqueName(resourceName(c.name, c.namePrefix, c.suffix), c.suffix, taken.get(type.type)!);
    const address = `${type.type}.${name}`;
    const attrs = type.import!({ address, id: c.id, snapshot: o.snap });
    if (!attrs) continue;
    adopted.push(toStateResource(input.registry, address, type, attrs));
    importedFrom.set(address, c.id);
    diagnostics.push(...foreignOwnerWarning(input, type, address, attrs));
    const notes = type.unexpressed?.(attrs, o.snap) ?? [];
    diagnostics.push(...notesAsWarnings(address, notes));
    generated.push({ type: type.type, name, body: type.generateConfig!(attrs), blocks: type.blocks, comments: [`imported from ${c.id}`, ...notes.map((n) => `not managed: ${n}`)] });
  }
  return { adopted, generated, diagnostics, importedFrom };
}
