// The cached state serialisation against the JSON.stringify reference: byte-identical for random
// states under in-place mutation, and the deep-equality check that decides when a text is reused.
import { describe, expect, it } from "vitest";
import { StateSerializer, joinPieces, jsonTokens, matchesTokens, samePiecesExceptSerial, serializeState } from "../../src/state/serialize.js";
import type { StateFile } from "../../src/state/types.js";
import { prng } from "../helpers/prng.js";
import { mutate, randomState } from "./random-state.js";

/** What the format doc says, spelled out independently of src/state/serialize.ts. */
function reference(state: StateFile, serial: number): string {
  const { version, pmxform_version, lineage, serial: _stale, resources, outputs, ...rest } = state;
  return JSON.stringify({ version, pmxform_version, lineage, serial, resources, outputs, ...rest }, null, 2);
}

const tokensOf = (v: unknown) => jsonTokens(JSON.parse(JSON.stringify(v)));

describe("StateSerializer", () => {
  it("gives byte-identical text to JSON.stringify(state, null, 2) through random in-place mutations", () => {
    const kinds = new Set<string>();
    for (let seed = 1; seed <= 60; seed++) {
      const rng = prng(seed);
      const state = randomState(rng);
      const serializer = new StateSerializer();
      for (let step = 0; step < 40; step++) {
        const serial = step + 1;
        const text = joinPieces(serializer.render(state, serial)).toString("utf8");
        expect(text, `seed ${seed} step ${step}`).toBe(reference(state, serial));
        kinds.add(mutate(rng, state));
      }
    }
    expect(kinds.size).toBeGreaterThanOrEqual(17); // every mutation kind was exercised
  });

  it("lays out empty arrays and an empty state as JSON.stringify does", () => {
    const state: StateFile = { version: 1, pmxform_version: "0.1.0", lineage: "l", serial: 0, resources: [], outputs: {}, deposed: [] };
    expect(joinPieces(new StateSerializer().render(state, 3)).toString()).toBe(reference(state, 3));
    expect(joinPieces(new StateSerializer().render({} as StateFile, 1)).toString()).toBe(JSON.stringify({ serial: 1 }, null, 2));
  });

  it("serialises elements that are not plain objects as JSON.stringify does, between cached ones", () => {
    const plain = { address: "a.b", attributes: { x: 1 } };
    const withToJSON = { toJSON: () => ({ replaced: true }) };
    const items = [plain, null, undefined, withToJSON, new Date(0), "text", 3, [1, [2]], plain, {}];
    const state = { version: 1, pmxform_version: "0.1.0", lineage: "l", serial: 0, resources: items, outputs: {}, deposed: [undefined, {}] } as unknown as StateFile;
    const serializer = new StateSerializer();
    for (let serial = 1; serial <= 3; serial++) {
      expect(joinPieces(serializer.render(state, serial)).toString()).toBe(reference(state, serial));
      plain.attributes.x++;
    }
  });

  it("reuses an unchanged resource's bytes and tells changed content from unchanged", () => {
    const rng = prng(7);
    const state = randomState(rng);
    state.resources.push({ address: "a.b", type: "a", name: "b", provider: "p", attributes: { x: [1, { y: "z" }] }, sensitive_attributes: [], dependencies: [] });
    const serializer = new StateSerializer();
    const once = serializer.render(state, 1);
    const first = serializer.render(state, 1);
    const same = serializer.render(state, 2);
    expect(samePiecesExceptSerial(first, same)).toBe(true);
    const resourcePieces = first.pieces.flatMap((p, i) => (p.toString().startsWith('{\n      "address"') ? [i] : []));
    expect(resourcePieces.length).toBe(state.resources.length + (state.deposed?.length ?? 0));
    // The first render remembers nothing (most runs save once); from the second on, the very same bytes are reused.
    for (const i of resourcePieces) expect(first.pieces[i]).not.toBe(once.pieces[i]);
    for (const i of resourcePieces) expect(same.pieces[i]).toBe(first.pieces[i]);
    ((state.resources.at(-1)!.attributes["x"] as unknown[])[1] as Record<string, unknown>)["y"] = "w";
    const changed = serializer.render(state, 3);
    expect(samePiecesExceptSerial(same, changed)).toBe(false);
    expect(joinPieces(changed).toString()).toBe(reference(state, 3));
  });

  it("neither freezes nor changes the objects it caches", () => {
    const state = randomState(prng(11));
    const before = structuredClone(state);
    new StateSerializer().render(state, 1);
    expect(state).toStrictEqual(before);
    for (const r of state.resources) expect(Object.isFrozen(r) || Object.isSealed(r)).toBe(false);
  });

  it("falls back to text comparison when resources is not a plain array", () => {
    class Rows extends Array<unknown> {}
    const state = { version: 1, pmxform_version: "0.1.0", lineage: "l", serial: 0, resources: Rows.from([{ a: 1 }]), outputs: {} } as unknown as StateFile;
    const rendered = new StateSerializer().render(state, 1);
    expect(rendered.serialPiece).toBe(-1);
    expect(joinPieces(rendered).toString()).toBe(serializeState(state, 1));
  });
});

describe("matchesTokens: JSON equality with the private copy", () => {
  const cases: [string, unknown, unknown, boolean][] = [
    ["equal nested data", { a: [1, "x", null, true], b: { c: {} } }, { a: [1, "x", null, true], b: { c: {} } }, true],
    ["the same keys in another order", { a: 1, b: 2 }, { b: 2, a: 1 }, false],
    ["a member holding undefined (JSON leaves it out)", { a: undefined, b: 1 }, { b: 1 }, true],
    ["undefined in an array (JSON writes null)", [undefined, 1], [null, 1], true],
    ["a missing key", { a: 1 }, { a: 1, b: 2 }, false],
    ["an extra key", { a: 1, b: 2 }, { a: 1 }, false],
    ["-0 and 0 (both written 0)", { n: -0 }, { n: 0 }, true],
    ["NaN (written null)", { n: Number.NaN }, { n: null }, false],
    ["a Date (toJSON)", { d: new Date(0) }, { d: new Date(0) }, false],
    ["an own toJSON", { toJSON: () => 1 }, 1, false],
    ["a class instance", { m: new Map() }, { m: {} }, false],
    ["a null-prototype object", Object.assign(Object.create(null) as object, { a: 1 }), { a: 1 }, true],
    ["a shorter array", { a: [1, 2] }, { a: [1, 2, 3] }, false],
    ["an emptied array", { a: [] }, { a: [1] }, false],
    ["an object where an array was", { a: {} }, { a: [] }, false],
    ["a number where a string was", { a: 1 }, { a: "1" }, false],
    ["a lone surrogate", { s: "\ud800" }, { s: "\ud800" }, true],
    ["a function member", { f: () => 0, a: 1 }, { a: 1 }, false],
  ];
  for (const [what, live, copy, expected] of cases) {
    it(`${what}: ${expected ? "equal" : "not equal"}`, () => {
      expect(matchesTokens(live, tokensOf(copy))).toBe(expected);
      if (expected) expect(JSON.stringify(live, null, 2)).toBe(JSON.stringify(copy, null, 2)); // the premise of reusing a text
    });
  }
});
