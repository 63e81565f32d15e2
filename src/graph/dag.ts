// A generic dependency graph over string ids: nodes, "depends on" edges, closures, cycles and a
// deterministic topological order. It knows nothing about resources; the engine gives it ids.

import { StringHeap } from "./heap.js";

/** Thrown when an operation needs an acyclic graph and the graph has cycles. */
export class CycleError extends Error {
  /** Each cycle in "depends on" order: cycle[0] depends on cycle[1] ... and the last on cycle[0]. */
  readonly cycles: string[][];
  constructor(cycles: string[][]) {
    super(`dependency cycle: ${cycles.map((c) => [...c, c[0]].join(" -> ")).join("; ")}`);
    this.name = "CycleError";
    this.cycles = cycles;
  }
}

interface Edges {
  /** Nodes this node depends on. */
  readonly deps: Set<string>;
  /** Nodes that depend on this node. */
  readonly dependents: Set<string>;
}

export class Dag {
  private readonly table = new Map<string, Edges>();

  get size(): number {
    return this.table.size;
  }

  addNode(id: string): this {
    if (!this.table.has(id)) this.table.set(id, { deps: new Set(), dependents: new Set() });
    return this;
  }

  has(id: string): boolean {
    return this.table.has(id);
  }

  /** Records that `from` depends on `to`. Both nodes must exist: an edge to nowhere is a caller bug. */
  connect(from: string, to: string): this {
    const a = this.edges(from);
    const b = this.edges(to);
    a.deps.add(to);
    b.dependents.add(from);
    return this;
  }

  hasEdge(from: string, to: string): boolean {
    return this.table.get(from)?.deps.has(to) ?? false;
  }

  remove(id: string): this {
    const e = this.table.get(id);
    if (!e) return this;
    for (const d of e.deps) this.table.get(d)?.dependents.delete(id);
    for (const d of e.dependents) this.table.get(d)?.deps.delete(id);
    this.table.delete(id);
    return this;
  }

  /** Node ids in insertion order. */
  nodes(): string[] {
    return [...this.table.keys()];
  }

  /** Every edge as [from, to] ("from depends on to"), in insertion order. */
  edgeList(): [string, string][] {
    const out: [string, string][] = [];
    for (const [from, e] of this.table) for (const to of e.deps) out.push([from, to]);
    return out;
  }

  /** Direct dependencies, sorted. */
  dependenciesOf(id: string): string[] {
    return [...this.edges(id).deps].sort();
  }

  /** Direct dependents, sorted. */
  dependentsOf(id: string): string[] {
    return [...this.edges(id).dependents].sort();
  }

  /** Everything the given nodes depend on, transitively (Terraform's "ancestors"); excludes the starts unless a cycle leads back. */
  ancestors(...ids: string[]): Set<string> {
    return this.reach(ids, (e) => e.deps);
  }

  /** Everything that depends on the given nodes, transitively; excludes the starts unless a cycle leads back. */
  descendants(...ids: string[]): Set<string> {
    return this.reach(ids, (e) => e.dependents);
  }

  /** The same nodes with every edge turned around: the order in which destroying must happen. */
  reverse(): Dag {
    const out = new Dag();
    for (const id of this.table.keys()) out.addNode(id);
    for (const [from, e] of this.table) for (const to of e.deps) out.connect(to, from);
    return out;
  }

  /** The induced subgraph on `keep` (edges between kept nodes only). */
  subgraph(keep: Iterable<string>): Dag {
    const set = new Set(keep);
    const out = new Dag();
    for (const id of this.table.keys()) if (set.has(id)) out.addNode(id);
    for (const id of out.table.keys()) for (const to of this.edges(id).deps) if (set.has(to)) out.connect(id, to);
    return out;
  }

  /**
   * Every cycle, one per strongly connected component (Tarjan), self loops included.
   * A component that holds several cycles is reported by its shortest cycle through its smallest id,
   * which is enough to show the user an edge to break. Each cycle starts at its smallest id; the
   * list is sorted by that id.
   */
  cycles(): string[][] {
    const out: string[][] = [];
    for (const scc of this.stronglyConnected()) {
      if (scc.length === 1) {
        const only = scc[0]!;
        if (this.edges(only).deps.has(only)) out.push([only]);
        continue;
      }
      out.push(this.shortestCycleThrough(scc));
    }
    return out.sort((a, b) => (a[0]! < b[0]! ? -1 : a[0]! > b[0]! ? 1 : 0));
  }

  /** Throws CycleError when the graph has a cycle. */
  assertAcyclic(): void {
    const cycles = this.cycles();
    if (cycles.length > 0) throw new CycleError(cycles);
  }

  /**
   * Dependencies before dependents; among nodes that are ready at the same time, the smallest id first.
   * Throws CycleError when there is no such order.
   */
  topoOrder(): string[] {
    const r = this.orderOrCycles();
    if ("cycles" in r) throw new CycleError(r.cycles);
    return r.order;
  }

  /** topoOrder's order, or the cycles (as `cycles()` gives them) when there is none: one pass when acyclic. */
  orderOrCycles(): { order: string[] } | { cycles: string[][] } {
    const waiting = new Map<string, number>();
    const ready = new StringHeap();
    for (const [id, e] of this.table) {
      waiting.set(id, e.deps.size);
      if (e.deps.size === 0) ready.push(id);
    }
    const order: string[] = [];
    for (let id = ready.pop(); id !== undefined; id = ready.pop()) {
      order.push(id);
      for (const d of this.edges(id).dependents) {
        const left = waiting.get(d)! - 1;
        waiting.set(d, left);
        if (left === 0) ready.push(d);
      }
    }
    if (order.length !== this.table.size) return { cycles: this.cycles() };
    return { order };
  }

  private edges(id: string): Edges {
    const e = this.table.get(id);
    if (!e) throw new Error(`graph has no node ${JSON.stringify(id)}`);
    return e;
  }

  private reach(starts: string[], next: (e: Edges) => Set<string>): Set<string> {
    const seen = new Set<string>();
    const stack: string[] = [];
    for (const s of starts) for (const n of next(this.edges(s))) stack.push(n);
    while (stack.length > 0) {
      const id = stack.pop()!;
      if (seen.has(id)) continue;
      seen.add(id);
      for (const n of next(this.edges(id))) if (!seen.has(n)) stack.push(n);
    }
    return seen;
  }

  /** Tarjan's algorithm, iterative so that a 100,000-long chain cannot overflow the call stack. */
  private stronglyConnected(): string[][] {
    const index = new Map<string, number>();
    const low = new Map<string, number>();
    const onStack = new Set<string>();
    const stack: string[] = [];
    const out: string[][] = [];
    let counter = 0;
    for (const root of this.table.keys()) {
      if (index.has(root)) continue;
      const frames: { id: string; it: Iterator<string> }[] = [];
      const enter = (id: string): void => {
        index.set(id, counter);
        low.set(id, counter);
        counter++;
        stack.push(id);
        onStack.add(id);
        frames.push({ id, it: this.edges(id).deps.values() });
      };
      enter(root);
      while (frames.length > 0) {
        const frame = frames[frames.length - 1]!;
        const step = frame.it.next();
        if (!step.done) {
          const next = step.value;
          if (!index.has(next)) enter(next);
          else if (onStack.has(next)) low.set(frame.id, Math.min(low.get(frame.id)!, index.get(next)!));
          continue;
        }
        frames.pop();
        const parent = frames[frames.length - 1];
        if (parent) low.set(parent.id, Math.min(low.get(parent.id)!, low.get(frame.id)!));
        if (low.get(frame.id) === index.get(frame.id)) {
          const component: string[] = [];
          let member: string;
          do {
            member = stack.pop()!;
            onStack.delete(member);
            component.push(member);
          } while (member !== frame.id);
          out.push(component);
        }
      }
    }
    return out;
  }

  /** Breadth-first search inside one component, from its smallest id back to itself. */
  private shortestCycleThrough(component: string[]): string[] {
    const members = new Set(component);
    const start = [...component].sort()[0]!;
    const cameFrom = new Map<string, string>();
    let frontier = [start];
    while (frontier.length > 0) {
      const nextFrontier: string[] = [];
      for (const id of frontier) {
        for (const dep of [...this.edges(id).deps].sort()) {
          if (!members.has(dep)) continue;
          if (dep === start) {
            const path = [id];
            for (let at = id; at !== start;) {
              at = cameFrom.get(at)!;
              path.push(at);
            }
            return path.reverse();
          }
          if (cameFrom.has(dep)) continue;
          cameFrom.set(dep, id);
          nextFrontier.push(dep);
        }
      }
      frontier = nextFrontier;
    }
    return [...component].sort(); // unreachable for a real component; keeps the type total
  }
}
