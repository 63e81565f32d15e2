// Seeded property test of apply over random dependency graphs and random failure points, on the
// in-memory fake provider. For every trial: create everything, change a random part (updates,
// replacements, some with create_before_destroy, removals), then destroy, each step with one
// injected failure at a random provider call, each followed by a clean run that must converge.
// After every run, failed or not, the state records exactly the objects that exist (current or
// deposed: nothing created is lost, nothing destroyed is still claimed); a create or update never
// starts before what it references has finished, a destroy never before its dependents' are
// done; a failed operation's dependents do not run.
import { afterEach, describe, expect, it } from "vitest";
import { FakeRun, type FakeCall } from "../helpers/fake-provider.js";
import { prng } from "../helpers/prng.js";

const SEED = Number(process.env.PMXFORM_ENGINE_SEED ?? 20261207);
const TRIALS = Number(process.env.PMXFORM_ENGINE_TRIALS ?? 25);

interface Res {
  name: string;
  deps: number[];
  size: number;
  label: string;
  cbd: boolean;
  node: string;
}

function hcl(rs: readonly (Res | undefined)[]): string {
  return rs
    .map((r) => {
      if (!r) return "";
      const deps = r.deps.filter((d) => rs[d]).map((d) => `fake_thing.${rs[d]!.name}.id`);
      const lifecycle = r.cbd ? "\n  lifecycle {\n    create_before_destroy = true\n  }" : "";
      return `resource "fake_thing" "${r.name}" {\n  name = "${r.label}"\n  size = ${r.size}\n  node = "${r.node}"\n  deps = [${deps.join(", ")}]${lifecycle}\n}\n`;
    })
    .join("");
}

const runs: FakeRun[] = [];
afterEach(() => {
  for (const r of runs.splice(0)) r.dispose();
});

describe(`apply over random graphs and failure points (seed ${SEED}, ${TRIALS} trials)`, () => {
  it("keeps the state equal to what exists, in dependency order, and converges after every failure", { timeout: 600_000 }, async () => {
    const rand = prng(SEED);
    const int = (n: number) => Math.floor(rand() * n);
    let failuresInjected = 0;
    for (let trial = 0; trial < TRIALS; trial++) {
      const n = 2 + int(6);
      const rs: (Res | undefined)[] = Array.from({ length: n }, (_, i) => ({
        name: `r${i}`,
        deps: Array.from({ length: i }, (_, j) => j).filter(() => rand() < 0.35),
        size: 1,
        label: "v1",
        cbd: rand() < 0.4,
        node: `n${int(2)}`,
      }));
      const f = new FakeRun().configure(hcl(rs));
      runs.push(f);
      const where = `trial ${trial}: ${JSON.stringify(rs)}`;

      // One run with a failure at a random call (or none), then a clean run that must converge.
      const step = async (destroy: boolean): Promise<void> => {
        const mark = f.cloud.calls.length;
        const failAt = mark + int(n + 3);
        f.cloud.failWhen = (c) => c.n === failAt;
        const parallelism = 1 + int(4);
        // One operation at a time: whenever a call starts, the state saved so far (what a kill
        // right then would leave) records exactly what exists.
        const before = f.recordedIds();
        const unsaved: string[] = [];
        f.cloud.onCallStart = (c) => {
          const saved = f.recordedIds(f.lastSaved() ?? f.state);
          const exists = f.lastSaved() ? f.existingIds() : before;
          if (parallelism === 1 && saved.join() !== exists.join())
            unsaved.push(`as call ${c.n} (${c.op} ${c.address}) starts the saved state records [${saved.join(",")}] but [${exists.join(",")}] exist`);
        };
        const r = await f.run({ destroy, parallelism, perNodeLimit: 1 + int(3) });
        f.cloud.onCallStart = () => {};
        expect(unsaved, where).toEqual([]);
        expect(
          r.plan.diagnostics.filter((d) => d.severity === "error"),
          where,
        ).toEqual([]);
        const calls = f.cloud.calls.slice(mark);
        const failed = calls.find((c) => c.failed);
        if (failed) failuresInjected++;
        expect(f.recordedIds(), `${where}: state after failing call ${failAt}`).toEqual(f.existingIds());
        checkOrder(calls, rs, destroy, where);
        if (failed) {
          const failedAddr = failed.address;
          expect(
            r.summary!.failed.map((x) => x.address.split(" ")[0]),
            where,
          ).toContain(failedAddr);
          // Nothing that depends on the failed resource was created or updated after it failed.
          const dependents = dependentsOf(rs, Number(failedAddr.slice("fake_thing.r".length)), destroy);
          for (const c of calls) if (c.start > failed.end! && dependents.has(c.address)) expect.fail(`${where}: ${c.op} ${c.address} ran after ${failedAddr} failed`);
        }
        f.cloud.failWhen = () => false;
        const clean = await f.run({ destroy });
        expect(clean.summary!.failed, where).toEqual([]);
        expect(f.recordedIds(), where).toEqual(f.existingIds());
        const settled = await f.plan({ destroy });
        expect(
          settled.changes.filter((c) => c.action !== "no-op").map((c) => `${c.action} ${c.address}`),
          `${where}: converged`,
        ).toEqual([]);
        checkConverged(f, destroy ? [] : rs);
      };

      await step(false);
      // Change a random part: new labels (update), new sizes (replace), removals, additions of deps.
      for (let i = 0; i < n; i++) {
        const r = rs[i]!;
        const p = rand();
        if (p < 0.25) rs[i] = { ...r, label: "v2" };
        else if (p < 0.5) rs[i] = { ...r, size: 2 };
        else if (p < 0.6 && !rs.some((o) => o?.deps.includes(i))) rs[i] = undefined;
      }
      f.configure(hcl(rs));
      await step(false);
      await step(true);
    }
    // The failure points must have hit real calls in a good share of the trials.
    expect(failuresInjected).toBeGreaterThan(TRIALS);
  });
});

/** Addresses that depend on resource `i` (transitively); for a destroy, what `i` depends on. */
function dependentsOf(rs: readonly (Res | undefined)[], i: number, destroy: boolean): Set<string> {
  const out = new Set<string>();
  const visit = (k: number) => {
    for (let j = 0; j < rs.length; j++) {
      const r = rs[j];
      if (!r || out.has(`fake_thing.r${j}`)) continue;
      const linked = destroy ? rs[k]?.deps.includes(j) : r.deps.includes(k);
      if (linked) {
        out.add(`fake_thing.r${j}`);
        visit(j);
      }
    }
  };
  visit(i);
  return out;
}

/** Creates and updates start after their dependencies' creates/updates ended; destroys after their dependents' destroys. */
function checkOrder(calls: readonly FakeCall[], rs: readonly (Res | undefined)[], destroy: boolean, where: string): void {
  const ok = calls.filter((c) => !c.failed);
  const index = (addr: string) => Number(addr.slice("fake_thing.r".length));
  for (const c of ok) {
    const i = index(c.address);
    if (c.op !== "delete") {
      for (const d of rs[i]?.deps ?? []) {
        if (!rs[d]) continue;
        for (const dc of ok)
          if (dc.address === `fake_thing.r${d}` && dc.op !== "delete" && dc.start < c.start) expect(dc.end! < c.start, `${where}: ${c.op} r${i} started before ${dc.op} r${d} ended`).toBe(true);
      }
    } else if (destroy) {
      // r_i is destroyed only after everything that references it is destroyed.
      for (const dc of ok) {
        if (dc.op !== "delete") continue;
        const j = index(dc.address);
        if (rs[j]?.deps.includes(i)) expect(dc.end! < c.start, `${where}: delete r${i} started before delete r${j} (which references it) ended`).toBe(true);
      }
    }
  }
}

/** After a clean run: one object per configured resource, with the configured values and its deps' real ids. */
function checkConverged(f: FakeRun, rs: readonly (Res | undefined)[]): void {
  const live = rs.filter((r): r is Res => r !== undefined);
  expect(f.state.resources.map((r) => r.address).sort()).toEqual(live.map((r) => `fake_thing.${r.name}`).sort());
  expect(f.state.deposed).toBeUndefined();
  for (const r of live) {
    const a = f.attributes(`fake_thing.${r.name}`)!;
    expect([a["name"], a["size"], a["node"]]).toEqual([r.label, r.size, r.node]);
    expect(a["deps"]).toEqual(r.deps.filter((d) => rs[d]).map((d) => f.attributes(`fake_thing.${rs[d]!.name}`)!["id"]));
    expect(f.cloud.objects.get(String(a["id"]))).toEqual(a);
  }
}
