// The check of a provider's result against the plan: known planned values must be what was read
// back (recursively); unknown ones and unplanned attributes are not checked; secrets are never
// printed; the diagnostic names the path and both values and ends with what to do.
import { describe, expect, it } from "vitest";
import { Unknown, putKey } from "../../src/config/value.js";
import { mismatches, verifyResult } from "../../src/engine/verify-result.js";

describe("verifyResult", () => {
  const planned = { memory: 2048, started: true, vmid: new Unknown("number"), mount: { data: { size: "8G", volume: new Unknown("string") } }, tags: ["a", "b"], gone: null };

  it("accepts a result that holds every known planned value, whatever it adds", () => {
    expect(
      verifyResult({
        address: "x.y",
        planned,
        actual: { memory: 2048, started: true, vmid: 105, mount: { data: { size: "8G", volume: "v:1", slot: 0 } }, tags: ["a", "b"], swap: 512 },
        sensitivePaths: [],
      }),
    ).toBeUndefined();
  });

  it("names each differing path with the planned and the actual value", () => {
    const actual = { memory: 1024, started: true, vmid: 105, mount: { data: { size: "4G", volume: "v:1" } }, tags: ["b"], gone: "back" };
    expect(mismatches(planned, actual).map((m) => m.path.join("."))).toEqual(["memory", "mount.data.size", "tags", "gone"]);
    const d = verifyResult({ address: "lxc_container.web", planned, actual, sensitivePaths: [] })!;
    expect(d.summary).toBe("Provider produced inconsistent result after apply");
    expect(d.address).toBe("lxc_container.web");
    expect(d.detail).toContain("memory: planned 2048, but the object now has 1024");
    expect(d.detail).toContain('mount.data.size: planned "8G", but the object now has "4G"');
    expect(d.detail).toContain('tags: planned ["a","b"], but the object now has ["b"]');
    expect(d.detail).toMatch(/saved to the state.*run "pmxform plan"/s);
  });

  it("a missing planned block or attribute is a mismatch; null and absent are the same", () => {
    expect(mismatches({ mount: { data: { size: "8G" } } }, {}).map((m) => m.path)).toEqual([["mount"]]);
    expect(mismatches({ a: null, b: 1 }, { b: 1 })).toEqual([]);
  });

  it("reads only the result's own keys: a map key named like an Object.prototype member is absent when not there", () => {
    const env: Record<string, unknown> = { constructor: null, toString: "t" };
    putKey(env, "__proto__", "p");
    const planned = { env };
    expect(mismatches(planned, { env: {} }).map((m) => [m.path.join("."), m.actual])).toEqual([
      ["env.toString", undefined],
      ["env.__proto__", undefined],
    ]);
  });

  it("never prints a sensitive value, and does not compare one a saved plan nulled", () => {
    const d = verifyResult({
      address: "x.y",
      planned: { env: { TOKEN: "s3cret-planned" }, description: "d" },
      actual: { env: { TOKEN: "s3cret-actual" }, description: "d" },
      sensitivePaths: [["env", "TOKEN"]],
    })!;
    expect(d.detail).toContain("env.TOKEN: planned (sensitive value)");
    expect(d.detail).not.toMatch(/s3cret/);
    expect(verifyResult({ address: "x.y", planned: { env: { TOKEN: null } }, actual: { env: { TOKEN: "s3cret-actual" } }, sensitivePaths: [["env", "TOKEN"]] })).toBeUndefined();
  });
});

describe("verifyResult: outside changes versus provider bugs", () => {
  const prior = { memory: 512, hostname: "web", tags: ["a"] };
  const planned = { memory: 1024, hostname: "web", tags: ["a"] };

  it("a differing attribute the plan left as it was is an outside change: named with both values and the fix, no bug report", () => {
    const d = verifyResult({ address: "lxc_container.web", prior, planned, actual: { memory: 1024, hostname: "other", tags: ["a"] }, sensitivePaths: [] })!;
    expect(d.summary).toBe("Object changed outside pmxform during apply");
    expect(d.detail).toContain('hostname: planned "web", but the object now has "other"');
    expect(d.detail).toContain('Run "pmxform plan"');
    expect(d.detail).not.toMatch(/bug|pmxform issue/);
  });

  it("a differing attribute the plan changed is the provider's inconsistency, even next to an outside change", () => {
    const d = verifyResult({ address: "lxc_container.web", prior, planned, actual: { memory: 2048, hostname: "other", tags: ["a"] }, sensitivePaths: [] })!;
    expect(d.summary).toBe("Provider produced inconsistent result after apply");
    expect(d.detail).toContain("pmxform issue");
  });

  it("a create (no prior object) keeps the inconsistent-result wording", () => {
    const d = verifyResult({ address: "lxc_container.web", prior: null, planned, actual: { ...planned, hostname: "other" }, sensitivePaths: [] })!;
    expect(d.summary).toBe("Provider produced inconsistent result after apply");
  });

  it("random mixes: the outside wording exactly when every differing path was left unchanged by the plan", () => {
    let seed = 7;
    const rnd = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    const keys = ["a", "b", "c", "d"];
    for (let i = 0; i < 300; i++) {
      const p: Record<string, number> = {};
      const pl: Record<string, number> = {};
      const act: Record<string, number> = {};
      for (const k of keys) {
        p[k] = Math.floor(rnd() * 3);
        pl[k] = rnd() < 0.5 ? p[k] : Math.floor(rnd() * 3);
        act[k] = rnd() < 0.6 ? pl[k] : Math.floor(rnd() * 3);
      }
      const d = verifyResult({ address: "t.x", prior: p, planned: pl, actual: act, sensitivePaths: [] });
      const differing = keys.filter((k) => act[k] !== pl[k]);
      if (!differing.length) expect(d).toBeUndefined();
      else expect(d!.summary === "Object changed outside pmxform during apply").toBe(differing.every((k) => p[k] === pl[k]));
    }
  });
});
