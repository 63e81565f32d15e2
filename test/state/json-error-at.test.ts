// jsonErrorOffset locates where a text stops being JSON: it must agree with JSON.parse on what is
// valid (random texts and random damage to valid ones, seeded) and point at the damage.
import { describe, expect, it } from "vitest";
import { jsonErrorOffset, jsonErrorRange } from "../../src/state/json-error-at.js";
import { prng } from "../helpers/prng.js";

const valid = (t: string) => {
  try {
    JSON.parse(t);
    return true;
  } catch {
    return false;
  }
};

function randomValue(r: () => number, depth: number): unknown {
  const k = Math.floor(r() * (depth > 4 ? 4 : 7));
  if (k === 0) return Math.floor(r() * 2000) - 1000 + (r() < 0.3 ? r() : 0);
  if (k === 1) return ["", "a", 'q"uote', "back\\slash", "tab\t", "ü€", "\u0001"][Math.floor(r() * 7)];
  if (k === 2) return r() < 0.5;
  if (k === 3) return null;
  if (k === 4 || k === 5) return Array.from({ length: Math.floor(r() * 4) }, () => randomValue(r, depth + 1));
  return Object.fromEntries(Array.from({ length: Math.floor(r() * 4) }, (_, i) => [`k${i}`, randomValue(r, depth + 1)]));
}

describe("jsonErrorOffset", () => {
  it("agrees with JSON.parse on random valid texts and random damage to them, and points into the text", () => {
    const seed = Number(process.env["PMX_SEED"] ?? Date.now() % 100000);
    const r = prng(seed);
    const junk = ["", "}", "]", ",", ":", '"', "x", "\\", "0", "-", ".", "e", " ", "\n", "{", "["];
    for (let n = 0; n < 3000; n++) {
      const good = JSON.stringify(randomValue(r, 0), null, r() < 0.5 ? 1 : undefined);
      expect(jsonErrorOffset(good), `seed ${seed}: ${good}`).toBeUndefined();
      const at = Math.floor(r() * (good.length + 1));
      const cut = r() < 0.3;
      const bad = cut ? good.slice(0, at) : good.slice(0, at) + junk[Math.floor(r() * junk.length)]! + good.slice(at + (r() < 0.5 ? 1 : 0));
      const off = jsonErrorOffset(bad);
      expect(off === undefined, `seed ${seed}: ${JSON.stringify(bad)}`).toBe(valid(bad));
      if (off !== undefined) {
        expect(off).toBeLessThanOrEqual(bad.length);
        // The text up to the damage is the start of a valid text, so the error is not placed before
        // it, except at the backslash of an escape sequence the damage broke.
        const atEscape = bad[off] === "\\" && at - off <= 5;
        expect(off >= at || atEscape, `seed ${seed}: ${JSON.stringify(bad)} error at ${off}, damage at ${at}`).toBe(true);
      }
    }
  });

  it("names the line and column of the damage, and the end of a truncated text", () => {
    expect(jsonErrorRange("s.json", '{\n  "a": 1,\n  "b": }\n')).toMatchObject({ file: "s.json", start: { line: 3, column: 8 } });
    expect(jsonErrorRange("s.json", '{\n  "a": [1, 2\n')?.start).toMatchObject({ line: 3, column: 1 });
    expect(jsonErrorRange("s.json", '{"a": 1} x')?.start).toMatchObject({ line: 1, column: 10 });
    expect(jsonErrorRange("s.json", "")?.start).toMatchObject({ line: 1, column: 1 });
  });

  it("handles nesting deeper than the stack", () => {
    expect(jsonErrorOffset("[".repeat(200_000) + "]".repeat(200_000))).toBeUndefined();
    expect(jsonErrorOffset("[".repeat(200_000) + "]".repeat(199_999) + "}")).toBe(399_999);
  });
});
