// Syntax-node ranges are IndexedRange objects whose positions are getters; equality matchers
// compare own properties, so without this tester two ranges would compare by file name alone.
// Every comparison involving one compares the positions it reads as.
import { expect } from "vitest";
import { IndexedRange, plainRange } from "../../src/diag/indexed-range.js";

expect.addEqualityTesters([
  function rangesByPosition(a: unknown, b: unknown, customTesters) {
    if (!(a instanceof IndexedRange) && !(b instanceof IndexedRange)) return undefined;
    const plain = (x: unknown) => (x instanceof IndexedRange ? plainRange(x) : x);
    return this.equals(plain(a), plain(b), customTesters);
  },
]);

expect.addSnapshotSerializer({
  test: (v: unknown) => v instanceof IndexedRange,
  serialize: (v: IndexedRange, config, indentation, depth, refs, printer) => printer(plainRange(v), config, indentation, depth, refs),
});
