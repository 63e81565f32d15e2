// Property (seeded random loop): whatever resources a configuration has (single, count or
// for_each) and whichever modules they move into (plain, for_each instance, nested two deep)
// with moved blocks, and whether a module is renamed afterwards, the plan creates and destroys
// nothing, every object keeps its id, applying it calls no provider operation, and the next
// plan has no changes. Runs the real engine over the in-memory fake provider.
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { FakeRun } from "../helpers/fake-provider.js";
import { prng } from "../helpers/prng.js";

const runs: FakeRun[] = [];
afterEach(() => {
  for (const r of runs.splice(0)) r.dispose();
});

type Place = { kind: "root" } | { kind: "module"; mod: number; each: boolean; nested: boolean };

const SEED = Number(process.env.PMXFORM_TEST_SEED ?? 19019);
const ROUNDS = 30;

describe("moving resources into modules with moved blocks", () => {
  it(`never creates or destroys (seed ${SEED}, ${ROUNDS} rounds)`, async () => {
    const rnd = prng(SEED);
    const pick = (n: number): number => Math.floor(rnd() * n);
    for (let round = 0; round < ROUNDS; round++) {
      const f = new FakeRun();
      runs.push(f);
      const put = (path: string, text: string): void => {
        mkdirSync(dirname(join(f.dir, path)), { recursive: true });
        writeFileSync(join(f.dir, path), text);
      };
      const n = 1 + pick(5);
      const shapes = Array.from({ length: n }, () => ["single", "count", "each"][pick(3)] as "single" | "count" | "each");
      const body = (i: number): string => {
        const shape = shapes[i];
        const meta = shape === "count" ? "  count = 2\n" : shape === "each" ? '  for_each = toset(["x", "y"])\n' : "";
        return `resource "fake_thing" "r${i}" {\n${meta}  name = "n${i}"\n}\n`;
      };
      f.configure(shapes.map((_, i) => body(i)).join(""));
      const first = await f.run();
      expect(first.plan.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
      const ids = new Map(f.state.resources.map((r) => [String(r.attributes["id"]), r.address]));
      const before = f.cloud.calls.length;

      const modules = 1 + pick(3);
      const modEach = Array.from({ length: modules }, () => rnd() < 0.4);
      const places: Place[] = shapes.map(() => (rnd() < 0.2 ? { kind: "root" } : { kind: "module", mod: pick(modules), each: false, nested: rnd() < 0.4 }));
      const rename = rnd() < 0.5 ? pick(modules) : undefined;
      const callName = (m: number, renamed: boolean): string => (renamed && m === rename ? `renamed${m}` : `m${m}`);
      const modPath = (m: number, renamed: boolean): string => `module.${callName(m, renamed)}${modEach[m] ? '["k"]' : ""}`;
      let root = "";
      const moved: string[] = [];
      for (let m = 0; m < modules; m++) {
        const own = shapes.map((_, i) => i).filter((i) => places[i]!.kind === "module" && (places[i] as { mod: number }).mod === m);
        const flat = own.filter((i) => !(places[i] as { nested: boolean }).nested);
        const deep = own.filter((i) => (places[i] as { nested: boolean }).nested);
        put(`mods/m${m}/main.pmx.hcl`, flat.map(body).join("") + `module "inner" {\n  source = "./inner"\n}\n`);
        put(`mods/m${m}/inner/main.pmx.hcl`, deep.map(body).join("") || "locals {\n  empty = true\n}\n");
        // The first configuration names each module as it will be before any rename.
        root += `module "${callName(m, false)}" {\n  source = "./mods/m${m}"\n${modEach[m] ? '  for_each = toset(["k"])\n' : ""}}\n`;
        for (const i of flat) moved.push(`moved {\n  from = fake_thing.r${i}\n  to   = ${modPath(m, false)}.fake_thing.r${i}\n}\n`);
        for (const i of deep) moved.push(`moved {\n  from = fake_thing.r${i}\n  to   = ${modPath(m, false)}.module.inner.fake_thing.r${i}\n}\n`);
      }
      const stay = shapes.map((_, i) => i).filter((i) => places[i]!.kind === "root");
      f.configure(root + stay.map(body).join("") + moved.join(""));
      const context = `seed ${SEED} round ${round}: shapes ${shapes.join(",")} places ${JSON.stringify(places)} module for_each ${modEach.join(",")}`;
      const second = await f.run();
      expect(
        second.plan.diagnostics.filter((d) => d.severity === "error"),
        context,
      ).toEqual([]);
      expect(
        second.plan.changes.filter((c) => c.action !== "no-op").map((c) => `${c.action} ${c.address}`),
        context,
      ).toEqual([]);
      expect(second.plan.changes.filter((c) => c.movedFrom).length, context).toBe(shapes.length - stay.length + shapes.filter((s, i) => s !== "single" && places[i]!.kind === "module").length);

      if (rename !== undefined) {
        // Then a whole-module rename, carrying everything inside (nested ones too).
        const renamedRoot = root.replace(`module "m${rename}"`, `module "renamed${rename}"`);
        f.configure(renamedRoot + stay.map(body).join("") + `moved {\n  from = module.m${rename}\n  to   = module.renamed${rename}\n}\n`);
        const third = await f.run();
        expect(
          third.plan.diagnostics.filter((d) => d.severity === "error"),
          context,
        ).toEqual([]);
        expect(
          third.plan.changes.filter((c) => c.action !== "no-op").map((c) => `${c.action} ${c.address}`),
          `${context} rename m${rename}`,
        ).toEqual([]);
      }
      expect(f.cloud.calls.length, context).toBe(before);
      // Every object is still the one it was, now under its new address.
      expect(new Set(f.state.resources.map((r) => String(r.attributes["id"]))), context).toEqual(new Set(ids.keys()));
      for (const r of f.state.resources) {
        const p = places[Number(/\.r(\d+)(\[|$)/.exec(r.address)![1])]!;
        if (p.kind === "root") expect(r.address.startsWith("module."), context).toBe(false);
        else expect(r.address.startsWith(`${modPath(p.mod, true)}.${p.nested ? "module.inner." : ""}fake_thing.`), `${context}: ${r.address}`).toBe(true);
      }
      const last = await f.plan();
      expect(
        last.changes.filter((c) => c.action !== "no-op" || c.movedFrom),
        context,
      ).toEqual([]);
    }
  }, 120_000);
});
