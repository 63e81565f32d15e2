// The engine's plan/apply semantics, tested directly over the in-memory fake provider (no
// simulator, no processes): create_before_destroy order and its failure cases, deposed objects,
// -target, replace_triggered_by, moved blocks and the parallelism limits. Each case states what
// the provider was asked to do (the call log) and what the state says afterwards.
import { afterEach, describe, expect, it } from "vitest";
import { FakeRun } from "../helpers/fake-provider.js";

const runs: FakeRun[] = [];
afterEach(() => {
  for (const r of runs.splice(0)) r.dispose();
});
function fake(hcl: string): FakeRun {
  const f = new FakeRun().configure(hcl);
  runs.push(f);
  return f;
}
const thing = (name: string, body: string): string => `resource "fake_thing" "${name}" {\n${body}\n}\n`;
const ops = (f: FakeRun, from = 0): string[] =>
  f.cloud.calls
    .slice(from)
    .filter((c) => !c.failed)
    .map((c) => `${c.op} ${c.address}`);

describe("replacement order", () => {
  it("destroys first by default, creates first with create_before_destroy, and records only the new object", async () => {
    for (const cbd of [false, true]) {
      const lifecycle = cbd ? "  lifecycle {\n    create_before_destroy = true\n  }" : "";
      const f = fake(thing("a", `  size = 1\n${lifecycle}`));
      await f.run();
      const old = f.attributes("fake_thing.a")!["id"];
      const mark = f.cloud.calls.length;
      f.configure(thing("a", `  size = 2\n${lifecycle}`));
      const r = await f.run();
      expect(r.plan.changes.map((c) => [c.action, c.createBeforeDestroy ?? false])).toEqual([["replace", cbd]]);
      expect(ops(f, mark)).toEqual(cbd ? ["create fake_thing.a", "delete fake_thing.a"] : ["delete fake_thing.a", "create fake_thing.a"]);
      expect(f.attributes("fake_thing.a")!["id"]).not.toBe(old);
      expect(f.state.deposed).toBeUndefined();
      expect(f.recordedIds()).toEqual(f.existingIds());
    }
  });

  it("keeps the old object current when the create_before_destroy create fails (nothing deposed)", async () => {
    const f = fake(thing("a", "  size = 1\n  lifecycle {\n    create_before_destroy = true\n  }"));
    await f.run();
    const old = f.attributes("fake_thing.a")!["id"];
    f.configure(thing("a", "  size = 2\n  lifecycle {\n    create_before_destroy = true\n  }"));
    f.cloud.failWhen = (c) => c.op === "create";
    const r = await f.run();
    expect(r.summary!.failed.map((x) => x.address)).toEqual(["fake_thing.a"]);
    expect(f.attributes("fake_thing.a")!["id"]).toBe(old);
    expect(f.state.deposed).toBeUndefined();
    expect(f.existingIds()).toEqual([old]);
  });

  it("leaves the old copy deposed when its destroy fails, plans its destroy by key next time, and then forgets it", async () => {
    const f = fake(thing("a", "  size = 1\n  lifecycle {\n    create_before_destroy = true\n  }"));
    await f.run();
    const old = String(f.attributes("fake_thing.a")!["id"]);
    f.configure(thing("a", "  size = 2\n  lifecycle {\n    create_before_destroy = true\n  }"));
    f.cloud.failWhen = (c) => c.op === "delete";
    const r = await f.run();
    expect(r.summary!.failed.map((x) => x.address)).toEqual(["fake_thing.a"]);
    const current = String(f.attributes("fake_thing.a")!["id"]);
    expect(current).not.toBe(old);
    expect(f.state.deposed?.map((d) => d.attributes["id"])).toEqual([old]);
    expect(f.recordedIds()).toEqual(f.existingIds());

    f.cloud.failWhen = () => false;
    const next = await f.plan();
    const key = f.state.deposed![0]!.deposed_key;
    expect(next.changes.filter((c) => c.action !== "no-op").map((c) => [c.action, c.deposedKey, c.before?.["id"]])).toEqual([["delete", key, old]]);
    const mark = f.cloud.calls.length;
    const again = await f.run();
    expect(again.summary!.failed).toEqual([]);
    expect(ops(f, mark)).toEqual(["delete fake_thing.a"]);
    expect(again.lines).toContain(`fake_thing.a (deposed object ${key}): Destroying... [id=${old}]`);
    expect(f.state.deposed).toBeUndefined();
    expect(f.existingIds()).toEqual([current]);
  });

  it("drops a deposed record whose object is gone, and one that is still the current object", async () => {
    const f = fake(thing("a", '  name = "x"'));
    await f.run();
    const cur = f.state.resources[0]!;
    f.state.deposed = [
      { ...cur, deposed_key: "aaaa0001" },
      { ...cur, attributes: { ...cur.attributes, id: "obj-gone" }, deposed_key: "aaaa0002" },
    ];
    const p = await f.plan();
    expect(p.changes.map((c) => c.action)).toEqual(["no-op"]);
    expect(f.state.deposed).toBeUndefined();
  });
});

describe("ordering by dependencies", () => {
  it("creates what is referenced first and destroys it last", async () => {
    const f = fake(thing("a", '  name = "a"') + thing("b", "  deps = [fake_thing.a.id]") + thing("c", "  deps = [fake_thing.b.id]"));
    await f.run({ parallelism: 10 });
    expect(ops(f)).toEqual(["create fake_thing.a", "create fake_thing.b", "create fake_thing.c"]);
    expect(f.attributes("fake_thing.c")!["deps"]).toEqual([f.attributes("fake_thing.b")!["id"]]);
    const mark = f.cloud.calls.length;
    await f.run({ destroy: true });
    expect(ops(f, mark)).toEqual(["delete fake_thing.c", "delete fake_thing.b", "delete fake_thing.a"]);
    expect(f.state.resources).toEqual([]);
    expect(f.existingIds()).toEqual([]);
  });

  it("skips the dependents of a failed create and records everything that was created", async () => {
    const f = fake(thing("a", '  name = "a"') + thing("b", "  deps = [fake_thing.a.id]") + thing("c", '  name = "c"'));
    f.cloud.failWhen = (c) => c.address === "fake_thing.a";
    const r = await f.run();
    expect(r.summary!.failed.map((x) => x.address)).toEqual(["fake_thing.a"]);
    expect(r.summary!.skipped.map((x) => x.address)).toEqual(["fake_thing.b"]);
    expect(f.state.resources.map((x) => x.address)).toEqual(["fake_thing.c"]);
    expect(f.recordedIds()).toEqual(f.existingIds());
  });
});

describe("-target", () => {
  it("changes the targets and what they depend on, nothing else", async () => {
    const f = fake(thing("a", '  name = "a1"') + thing("b", '  name = "b1"\n  deps = [fake_thing.a.name]') + thing("c", '  name = "c1"'));
    await f.run();
    f.configure(thing("a", '  name = "a2"') + thing("b", '  name = "b2"\n  deps = [fake_thing.a.name]') + thing("c", '  name = "c2"'));
    const mark = f.cloud.calls.length;
    const r = await f.run({ targets: ["fake_thing.b"] });
    expect(r.plan.diagnostics.map((d) => d.summary)).toContain("Resource targeting is in effect");
    expect(ops(f, mark)).toEqual(["update fake_thing.a", "update fake_thing.b"]);
    expect(f.attributes("fake_thing.c")!["name"]).toBe("c1");
    expect(f.attributes("fake_thing.b")!["deps"]).toEqual(["a2"]);
  });
});

describe("replace_triggered_by", () => {
  it("replaces the resource when what it names changes, and not otherwise", async () => {
    const hcl = (n: string) => thing("a", `  name = "${n}"`) + thing("b", '  name = "b"\n  lifecycle {\n    replace_triggered_by = [fake_thing.a]\n  }');
    const f = fake(hcl("a1"));
    await f.run();
    const b1 = f.attributes("fake_thing.b")!["id"];
    const same = await f.run();
    expect(same.plan.changes.map((c) => c.action)).toEqual(["no-op", "no-op"]);
    f.configure(hcl("a2"));
    const mark = f.cloud.calls.length;
    const r = await f.run();
    expect(r.plan.changes.map((c) => [c.address, c.action, c.replaceCause ?? null])).toEqual([
      ["fake_thing.a", "update", null],
      ["fake_thing.b", "replace", "replace_triggered_by"],
    ]);
    expect(ops(f, mark)).toEqual(["update fake_thing.a", "delete fake_thing.b", "create fake_thing.b"]);
    expect(f.attributes("fake_thing.b")!["id"]).not.toBe(b1);
  });
});

describe("moved blocks", () => {
  it("renames the state entry without touching the object", async () => {
    const f = fake(thing("a", '  name = "x"'));
    await f.run();
    const id = f.attributes("fake_thing.a")!["id"];
    f.configure(thing("renamed", '  name = "x"') + "moved {\n  from = fake_thing.a\n  to   = fake_thing.renamed\n}\n");
    const mark = f.cloud.calls.length;
    const r = await f.run();
    expect(r.plan.changes.map((c) => [c.address, c.action, c.movedFrom])).toEqual([["fake_thing.renamed", "no-op", "fake_thing.a"]]);
    expect(ops(f, mark)).toEqual([]);
    expect(f.state.resources.map((x) => [x.address, x.attributes["id"]])).toEqual([["fake_thing.renamed", id]]);
  });
});

describe("parallelism", () => {
  const many = (n: number, node: (i: number) => string) => Array.from({ length: n }, (_, i) => thing(`r${i}`, `  name = "r${i}"\n  node = "${node(i)}"`)).join("");

  it("runs at most --parallelism operations at once, and that many when there is work for them", async () => {
    const f = fake(many(12, (i) => `n${i % 6}`));
    f.cloud.delayMs = 15;
    await f.run({ parallelism: 3, perNodeLimit: 4 });
    expect(f.cloud.maxActive).toBe(3);
    expect(f.state.resources).toHaveLength(12);
  });

  it("runs at most the per-node limit on one node", async () => {
    const f = fake(many(10, (i) => (i < 8 ? "busy" : "quiet")));
    f.cloud.delayMs = 15;
    await f.run({ parallelism: 10, perNodeLimit: 2 });
    expect(f.cloud.maxActivePerNode.get("busy")).toBe(2);
    expect(f.cloud.maxActive).toBeLessThanOrEqual(4);
    expect(f.cloud.maxActive).toBeGreaterThan(2);
  });
});
