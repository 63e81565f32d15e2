import { describe, expect, it } from "vitest";
import { CycleError, Dag } from "../../src/graph/dag.js";
import { INTERRUPTED, walk, type WalkEvent } from "../../src/graph/walk.js";

function graph(edges: [string, string][], extra: string[] = []): Dag {
  const g = new Dag();
  for (const id of extra) g.addNode(id);
  for (const [a, b] of edges) g.addNode(a).addNode(b).connect(a, b);
  return g;
}
const tick = (ms = 0): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe("walk", () => {
  it("visits dependencies before dependents and reports ok for all", async () => {
    const g = graph([
      ["web", "img"],
      ["web", "net"],
      ["db", "net"],
    ]);
    const finished: string[] = [];
    const results = await walk(
      g,
      async (id) => {
        await tick(id === "img" ? 5 : 1);
        finished.push(id);
      },
      { parallelism: 10 },
    );
    expect(finished.indexOf("web")).toBeGreaterThan(finished.indexOf("img"));
    expect(finished.indexOf("web")).toBeGreaterThan(finished.indexOf("net"));
    expect(finished.indexOf("db")).toBeGreaterThan(finished.indexOf("net"));
    expect([...results.values()].every((r) => r.status === "ok")).toBe(true);
    expect(results.size).toBe(4);
  });

  it("starts ready nodes in sorted order, deterministically", async () => {
    const g = graph([], ["d", "b", "a", "c"]);
    const started: string[] = [];
    await walk(g, async (id) => void started.push(id), { parallelism: 1 });
    expect(started).toEqual(["a", "b", "c", "d"]);
  });

  it("never runs more than `parallelism` visits at once, and does use it", async () => {
    const g = new Dag();
    for (let i = 0; i < 30; i++) g.addNode(`n${i}`);
    let now = 0;
    let peak = 0;
    await walk(
      g,
      async () => {
        peak = Math.max(peak, ++now);
        await tick(2);
        now--;
      },
      { parallelism: 4 },
    );
    expect(peak).toBe(4);
  });

  it("limits visits per group while other groups keep going", async () => {
    const g = new Dag();
    for (let i = 0; i < 6; i++) g.addNode(`a${i}`).addNode(`b${i}`);
    g.addNode("free");
    const running = new Map<string, number>();
    const peak = new Map<string, number>();
    let total = 0;
    let totalPeak = 0;
    const groupOf = (id: string): string | undefined => (id === "free" ? undefined : id[0]);
    await walk(
      g,
      async (id) => {
        const grp = groupOf(id) ?? "-";
        running.set(grp, (running.get(grp) ?? 0) + 1);
        peak.set(grp, Math.max(peak.get(grp) ?? 0, running.get(grp)!));
        totalPeak = Math.max(totalPeak, ++total);
        await tick(3);
        running.set(grp, running.get(grp)! - 1);
        total--;
      },
      { parallelism: 10, groupOf, groupLimit: 2 },
    );
    expect(peak.get("a")).toBe(2);
    expect(peak.get("b")).toBe(2);
    expect(totalPeak).toBe(5); // 2 + 2 + the ungrouped node
  });

  it("skips the transitive dependents of a failure and lets independent branches finish", async () => {
    // app -> db -> disk (fails); app2 -> app; other branch: web -> img
    const g = graph([
      ["app", "db"],
      ["db", "disk"],
      ["app2", "app"],
      ["web", "img"],
    ]);
    const boom = new Error("disk full");
    const visited: string[] = [];
    const events: WalkEvent[] = [];
    const results = await walk(
      g,
      async (id) => {
        visited.push(id);
        await tick(1);
        if (id === "disk") throw boom;
      },
      { parallelism: 2, onEvent: (e) => events.push(e) },
    );
    expect(results.get("disk")).toEqual({ status: "failed", error: boom });
    expect(results.get("db")).toEqual({ status: "skipped", because: "disk" });
    expect(results.get("app")).toEqual({ status: "skipped", because: "disk" });
    expect(results.get("app2")).toEqual({ status: "skipped", because: "disk" });
    expect(results.get("img")).toEqual({ status: "ok" });
    expect(results.get("web")).toEqual({ status: "ok" });
    expect(visited.sort()).toEqual(["disk", "img", "web"]);
    expect(
      events
        .filter((e) => e.type === "skipped")
        .map((e) => e.id)
        .sort(),
    ).toEqual(["app", "app2", "db"]);
    expect(events.find((e) => e.type === "failed")).toMatchObject({ id: "disk", error: boom });
  });

  it("treats a visit that throws synchronously as a failure", async () => {
    const g = graph([["b", "a"]]);
    const results = await walk(
      g,
      (id) => {
        if (id === "a") throw new Error("sync");
        return Promise.resolve();
      },
      { parallelism: 1 },
    );
    expect(results.get("a")?.status).toBe("failed");
    expect(results.get("b")).toEqual({ status: "skipped", because: "a" });
  });

  it("on abort starts nothing new, lets running visits finish with the signal, skips the rest", async () => {
    const g = graph(
      [
        ["c", "a"],
        ["d", "b"],
      ],
      ["e"],
    );
    const ctl = new AbortController();
    const sawAbort: string[] = [];
    const started: string[] = [];
    const results = await walk(
      g,
      async (id, signal) => {
        started.push(id);
        if (id === "b") ctl.abort();
        await tick(5);
        if (signal.aborted) sawAbort.push(id);
      },
      { parallelism: 2, signal: ctl.signal },
    );
    expect(started).toEqual(["a", "b"]);
    expect(sawAbort.sort()).toEqual(["a", "b"]);
    expect(results.get("a")).toEqual({ status: "ok" });
    expect(results.get("b")).toEqual({ status: "ok" });
    for (const id of ["c", "d", "e"]) expect(results.get(id)).toEqual({ status: "skipped", because: INTERRUPTED });
  });

  it("returns at once with everything interrupted when the signal is already aborted", async () => {
    const g = graph([["b", "a"]]);
    const results = await walk(g, async () => expect.unreachable(), { parallelism: 2, signal: AbortSignal.abort() });
    expect([...results.values()]).toEqual([
      { status: "skipped", because: INTERRUPTED },
      { status: "skipped", because: INTERRUPTED },
    ]);
  });

  it("throws a CycleError before visiting anything", async () => {
    const g = graph([
      ["a", "b"],
      ["b", "a"],
      ["c", "a"],
    ]);
    let visits = 0;
    await expect(walk(g, async () => void visits++, { parallelism: 1 })).rejects.toBeInstanceOf(CycleError);
    expect(visits).toBe(0);
  });

  it("walks an empty graph", async () => {
    expect((await walk(new Dag(), async () => {}, { parallelism: 1 })).size).toBe(0);
  });

  it("rejects nonsense limits", async () => {
    await expect(walk(new Dag(), async () => {}, { parallelism: 0 })).rejects.toBeInstanceOf(RangeError);
  });

  it("walks 5,000 nodes with 10,000 edges quickly", async () => {
    const g = new Dag();
    const n = 5000;
    for (let i = 0; i < n; i++) g.addNode(`r${i}`);
    for (let i = 1; i < n; i++) {
      g.connect(`r${i}`, `r${Math.floor(i / 2)}`);
      g.connect(`r${i}`, `r${i - 1}`);
    }
    const done = new Set<string>();
    const t0 = performance.now();
    const results = await walk(
      g,
      async (id) => {
        for (const d of g.dependenciesOf(id)) if (!done.has(d)) throw new Error(`${id} before ${d}`);
        done.add(id);
      },
      { parallelism: 10, groupOf: (id) => `g${id.length}`, groupLimit: 3 },
    );
    expect([...results.values()].filter((r) => r.status !== "ok")).toEqual([]);
    void t0;
  });
});
