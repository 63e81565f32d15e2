// Complexity, not timing: the fast HCL path does work proportional to the input, and the one-pass
// YAML duplicate-key check (which replaced yaml's quadratic one) reports exactly what yaml did.
import { describe, expect, it } from "vitest";
import { parseDocument } from "yaml";
import type { Pos } from "../../src/diag/diagnostic.js";
import { fastParseFile } from "../../src/config/hcl/fast-parser.js";
import { TextPosMap } from "../../src/config/hcl/positions.js";
import type { PosMap } from "../../src/config/hcl/positions.js";
import { duplicateKeyPositions } from "../../src/config/yaml/duplicates.js";
import { generateHcl } from "../../bench/lib/gen-config.mjs";

/**
 * Counts position lookups. Syntax-node ranges compute their positions when read, so the test
 * reads them all (JSON serialisation): the count is then the size of the tree the parser built.
 */
class CountingMap implements PosMap {
  calls = 0;
  private readonly inner: TextPosMap;
  constructor(text: string) {
    this.inner = new TextPosMap("c.pmx.hcl", text);
  }
  get file(): string {
    return this.inner.file;
  }
  pos(index: number): Pos {
    this.calls++;
    return this.inner.pos(index);
  }
}

function lookups(resources: number): number {
  const text = generateHcl(resources);
  const map = new CountingMap(text);
  const body = fastParseFile(text, map);
  expect(body, "the generated config takes the fast path").toBeDefined();
  expect(map.calls, "positions are computed only when read").toBe(0);
  JSON.stringify(body);
  return map.calls;
}

describe("config front-end complexity", () => {
  it("fast HCL parsing does linear work in the number of resources", () => {
    const small = lookups(200);
    const large = lookups(800);
    // Four times the resources: four times the work, give or take the fixed preamble.
    expect(large / small).toBeGreaterThan(3.8);
    expect(large / small).toBeLessThan(4.2);
  });

  it("finds duplicate YAML keys where yaml's own (quadratic) check does", () => {
    const cases = [
      "a: 1\na: 2\n",
      "x:\n  a: 1\n  b: 2\n  a: 3\n  a: 4\n",
      "{a: 1, a: 2}\n",
      "a: 1\n&x a: 2\n",
      "'a': 1\n\"a\": 2\n",
      "1: x\n'1': y\n1: z\n",
      "r:\n  - {a: 1,  a: 2}\n  - k: 1\n    # c\n    k: 2\n",
      "a: {b: 1}\nb: 1\nc: {b: 2, b: 3}\n",
      "t: true\nt: yes\nn: null\nn: ~\n",
      Array.from({ length: 600 }, (_, i) => `k${i % 500}: ${i}`).join("\n") + "\n",
    ];
    for (const text of cases) {
      const reference = parseDocument(text, { uniqueKeys: true, strict: true })
        .errors.filter((e) => e.code === "DUPLICATE_KEY")
        .map((e) => e.pos);
      const found = duplicateKeyPositions(parseDocument(text, { uniqueKeys: false, strict: true })).sort((a, b) => a[0] - b[0]);
      expect(found, text.slice(0, 80)).toEqual(reference);
    }
  });
});
