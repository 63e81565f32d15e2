// The resource dependency graph of a plan document, from its `configuration` (depends_on and the
// resource references of every expression, as `pmxform graph` draws from the same declarations),
// plus resources the plan touches that the configuration no longer declares (destroys).
import { actionKind, configAddress, type ActionKind, type PlanDoc } from "./plan-doc.js";

export interface GraphNode {
  id: string;
  /** The strongest action any instance of the resource gets (destroy > replace > update > create). */
  action: ActionKind;
  /** False for a resource only the state still has (the plan destroys it). */
  declared: boolean;
}

export interface ResourceGraph {
  nodes: GraphNode[];
  /** [dependent, dependency]: the first is created after the second. */
  edges: [string, string][];
}

const STRENGTH: Record<ActionKind, number> = { "no-op": 0, read: 1, create: 2, update: 3, replace: 4, delete: 5 };

function collectReferences(value: unknown, into: Set<string>): void {
  if (Array.isArray(value)) for (const v of value) collectReferences(v, into);
  else if (value && typeof value === "object") {
    const refs = (value as { references?: unknown }).references;
    if (Array.isArray(refs)) for (const r of refs) if (typeof r === "string") into.add(r);
    for (const [k, v] of Object.entries(value)) if (k !== "references" && k !== "constant_value") collectReferences(v, into);
  }
}

export function resourceGraph(doc: PlanDoc): ResourceGraph {
  const declared = doc.configuration?.root_module?.resources ?? [];
  const ids = new Set(declared.map((r) => r.address));
  const action = new Map<string, ActionKind>();
  for (const c of doc.resource_changes) {
    const id = configAddress(c.address);
    const kind = actionKind(c.change.actions);
    const prev = action.get(id);
    if (!prev || STRENGTH[kind] > STRENGTH[prev]) action.set(id, kind);
  }
  const nodes: GraphNode[] = [...ids].map((id) => ({ id, action: action.get(id) ?? "no-op", declared: true }));
  for (const [id, kind] of action) if (!ids.has(id)) nodes.push({ id, action: kind, declared: false });
  nodes.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const edges: [string, string][] = [];
  for (const r of declared) {
    const refs = new Set<string>(r.depends_on ?? []);
    collectReferences(r.expressions ?? {}, refs);
    for (const to of [...refs].sort()) if (to !== r.address && ids.has(to)) edges.push([r.address, to]);
  }
  return { nodes, edges };
}

/** Column of each node: 0 for a node with no dependency, else one more than its deepest dependency (a cycle, which validate refuses, is cut). */
export function layers(graph: ResourceGraph): Map<string, number> {
  const deps = new Map<string, string[]>(graph.nodes.map((n) => [n.id, []]));
  for (const [from, to] of graph.edges) deps.get(from)?.push(to);
  const layer = new Map<string, number>();
  const visiting = new Set<string>();
  const visit = (id: string): number => {
    const known = layer.get(id);
    if (known !== undefined) return known;
    if (visiting.has(id)) return 0;
    visiting.add(id);
    const l = Math.max(-1, ...(deps.get(id) ?? []).map(visit)) + 1;
    visiting.delete(id);
    layer.set(id, l);
    return l;
  };
  for (const n of graph.nodes) visit(n.id);
  return layer;
}
