// IndexedRange must read, compare, print and serialise exactly as the plain Range it replaces.
import { describe, expect, it } from "vitest";
import { IndexedRange, plainRange } from "../../src/diag/indexed-range.js";
import { TextPosMap, rangeOf } from "../../src/config/hcl/positions.js";

const src = 'a = 1\nbé = "x"\n';
const map = new TextPosMap("m.pmx.hcl", src);

describe("IndexedRange", () => {
  it("reads the same positions as a range computed at once, including after non-ASCII text", () => {
    const at = src.indexOf('"x"');
    expect(plainRange(new IndexedRange(map, at, at + 3))).toStrictEqual(rangeOf(map, at, at + 3));
    expect(new IndexedRange(map, at, at + 3).start).toEqual({ line: 2, column: 6, offset: 12 });
  });

  it("compares by position in the test matchers, in both directions and against plain ranges", () => {
    expect(new IndexedRange(map, 0, 1)).toEqual(new IndexedRange(map, 0, 1));
    expect(new IndexedRange(map, 0, 1)).not.toEqual(new IndexedRange(map, 0, 2));
    expect(new IndexedRange(map, 0, 1)).not.toEqual(new IndexedRange(map, 4, 5));
    expect(new IndexedRange(map, 6, 8)).toEqual(rangeOf(map, 6, 8));
    expect(rangeOf(map, 6, 8)).toStrictEqual(new IndexedRange(map, 6, 8));
    expect({ range: new IndexedRange(map, 6, 9) }).not.toEqual({ range: rangeOf(map, 6, 8) });
    expect({ r: new IndexedRange(map, 0, 5) }).toMatchObject({ r: { start: { line: 1 }, end: { column: 6 } } });
  });

  it("serialises and prints as a plain range", () => {
    const r = new IndexedRange(map, 0, 1);
    expect(JSON.parse(JSON.stringify({ r }))).toEqual({ r: { file: "m.pmx.hcl", start: { line: 1, column: 1, offset: 0 }, end: { line: 1, column: 2, offset: 1 } } });
    expect(r).toMatchInlineSnapshot(`
      {
        "end": {
          "column": 2,
          "line": 1,
          "offset": 1,
        },
        "file": "m.pmx.hcl",
        "start": {
          "column": 1,
          "line": 1,
          "offset": 0,
        },
      }
    `);
  });

  it("extends and spans within one text without computing positions, and falls back to plain ranges across texts", () => {
    const a = new IndexedRange(map, 0, 1);
    expect(IndexedRange.extend(a, map, 5)).toBeInstanceOf(IndexedRange);
    expect(IndexedRange.extend(a, map, 5)).toEqual(rangeOf(map, 0, 5));
    expect(IndexedRange.span(a, new IndexedRange(map, 6, 8))).toEqual(rangeOf(map, 0, 8));
    const other = new TextPosMap("m.pmx.hcl", src);
    const mixed = IndexedRange.span(a, new IndexedRange(other, 6, 8));
    expect(mixed).not.toBeInstanceOf(IndexedRange);
    expect(mixed).toEqual(rangeOf(map, 0, 8));
    expect(IndexedRange.extend(rangeOf(map, 0, 1), map, 5)).toEqual(rangeOf(map, 0, 5));
  });
});
