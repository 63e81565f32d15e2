// The bounded-parallel graph walker: runs a visit per node once all its dependencies succeeded,
// caps concurrency overall and per group (a Proxmox node), skips what depends on failures,
// and stops starting work when interrupted.

import type { Dag } from "./dag.js";
import { CycleError } from "./dag.js";
import { StringHeap } from "./heap.js";

export type NodeResult = { status: "ok" } | { status: "failed"; error: unknown } | { status: "skipped"; because: string };

/** The `because` of nodes never started because the walk's signal aborted. */
export const INTERRUPTED = "interrupted";

export type WalkEvent =
  | { type: "start"; id: string }
  | { type: "ok"; id: string; durationMs: number }
  | { type: "failed"; id: string; error: unknown; durationMs: number }
  | { type: "skipped"; id: string; because: string };

export interface WalkOptions {
  /** Most visits running at once (Terraform's default is 10). */
  parallelism: number;
  /** The group a node belongs to (e.g. its Proxmox node); undefined = no group limit applies. */
  groupOf?: (id: string) => string | undefined;
  /** Most visits running at once within one group. */
  groupLimit?: number;
  /** When aborted, nothing new starts; running visits see the same signal and are awaited. */
  signal?: AbortSignal;
  /** Progress events, in the order they happen. A throwing listener fails the walk (it is a bug). */
  onEvent?: (e: WalkEvent) => void;
}

const UNGROUPED = "\u0000ungrouped";

export async function walk(dag: Dag, visit: (id: string, signal: AbortSignal) => Promise<void>, opts: WalkOptions): Promise<Map<string, NodeResult>> {
  const cycles = dag.cycles();
  if (cycles.length > 0) throw new CycleError(cycles);
  if (!(opts.parallelism >= 1)) throw new RangeError(`parallelism must be at least 1, got ${opts.parallelism}`);
  const groupLimit = opts.groupLimit ?? Infinity;
  if (!(groupLimit >= 1)) throw new RangeError(`groupLimit must be at least 1, got ${groupLimit}`);
  const signal = opts.signal ?? new AbortController().signal;

  const results = new Map<string, NodeResult>();
  const waiting = new Map<string, number>();
  const groupOf = new Map<string, string>();
  // One sorted ready queue per group, so a full group never hides ready work of another group.
  const readyByGroup = new Map<string, StringHeap>();
  const runningByGroup = new Map<string, number>();
  let running = 0;
  let listenerError: { error: unknown } | undefined;

  const emit = (e: WalkEvent): void => {
    if (!opts.onEvent) return;
    try {
      opts.onEvent(e);
    } catch (error) {
      listenerError ??= { error };
    }
  };
  const makeReady = (id: string): void => {
    const g = groupOf.get(id)!;
    let heap = readyByGroup.get(g);
    if (!heap) readyByGroup.set(g, (heap = new StringHeap()));
    heap.push(id);
  };
  const limitOf = (g: string): number => (g === UNGROUPED ? Infinity : groupLimit);
  /** The smallest ready id whose group has room, taken off its queue. */
  const takeNext = (): string | undefined => {
    let best: StringHeap | undefined;
    for (const [g, heap] of readyByGroup) {
      const head = heap.peek();
      if (head === undefined || (runningByGroup.get(g) ?? 0) >= limitOf(g)) continue;
      if (!best || head < best.peek()!) best = heap;
    }
    return best?.pop();
  };
  const skipDependents = (id: string, because: string): void => {
    const stack = dag.dependentsOf(id);
    while (stack.length > 0) {
      const d = stack.pop()!;
      if (results.has(d)) continue;
      results.set(d, { status: "skipped", because });
      emit({ type: "skipped", id: d, because });
      stack.push(...dag.dependentsOf(d));
    }
  };

  for (const id of dag.nodes()) {
    groupOf.set(id, opts.groupOf?.(id) ?? UNGROUPED);
    const deps = dag.dependenciesOf(id).length;
    waiting.set(id, deps);
    if (deps === 0) makeReady(id);
  }

  return new Promise((resolve, reject) => {
    const finishIfDone = (): void => {
      if (running > 0) return;
      if (signal.aborted) {
        for (const id of dag.nodes()) {
          if (results.has(id)) continue;
          results.set(id, { status: "skipped", because: INTERRUPTED });
          emit({ type: "skipped", id, because: INTERRUPTED });
        }
      }
      if (listenerError) return reject(listenerError.error);
      if (results.size !== dag.size) return reject(new Error("walker bug: finished with nodes neither run nor skipped"));
      resolve(results);
    };
    const start = (id: string): void => {
      const g = groupOf.get(id)!;
      running++;
      runningByGroup.set(g, (runningByGroup.get(g) ?? 0) + 1);
      emit({ type: "start", id });
      const began = performance.now();
      let pending: Promise<void>;
      try {
        pending = visit(id, signal);
      } catch (error) {
        pending = Promise.reject(error);
      }
      pending
        .then(
          () => {
            results.set(id, { status: "ok" });
            emit({ type: "ok", id, durationMs: performance.now() - began });
            for (const d of dag.dependentsOf(id)) {
              const left = waiting.get(d)! - 1;
              waiting.set(d, left);
              if (left === 0 && !results.has(d)) makeReady(d);
            }
          },
          (error: unknown) => {
            results.set(id, { status: "failed", error });
            emit({ type: "failed", id, error, durationMs: performance.now() - began });
            skipDependents(id, id);
          },
        )
        .finally(() => {
          running--;
          runningByGroup.set(g, runningByGroup.get(g)! - 1);
          pump();
        });
    };
    const pump = (): void => {
      while (!signal.aborted && running < opts.parallelism) {
        const id = takeNext();
        if (id === undefined) break;
        if (results.has(id)) continue;
        start(id);
      }
      finishIfDone();
    };
    pump();
  });
}
