// The nesting pre-scans read char codes over the whole text (no per-line copies). They must
// answer exactly as the straightforward line-by-line YAML scan they replaced, kept here as the
// reference, on seeded random texts made of the characters that matter to it.
import { describe, expect, it } from "vitest";
import { tooDeepAt } from "../../src/config/nesting.js";
import { prng } from "../helpers/prng.js";

function referenceYamlTooDeep(s: string, limit: number): number | undefined {
  const indents: number[] = [];
  let flow = 0;
  let lineStart = 0;
  while (lineStart < s.length) {
    const nl = s.indexOf("\n", lineStart);
    const end = nl < 0 ? s.length : nl;
    const line = s.slice(lineStart, end);
    const content = line.trimStart();
    if (content && !content.startsWith("#")) {
      const indent = line.length - content.length;
      let depth = flow;
      if (flow === 0) {
        while (indents.length && indents[indents.length - 1]! >= indent) indents.pop();
        indents.push(indent);
        depth = indents.length + /^(?:-[ \t]+)*/.exec(content)![0].replace(/[ \t]/g, "").length;
        if (depth > limit) return lineStart + indent;
      } else depth += indents.length;
      let quote = "";
      for (let i = indent; i < line.length; i++) {
        const ch = line[i]!;
        if (quote) {
          if (ch === quote) quote = "";
          else if (ch === "\\" && quote === '"') i++;
        } else if (ch === '"' || ch === "'") quote = ch;
        else if (ch === "#" && /\s/.test(line[i - 1] ?? " ")) break;
        else if (ch === "[" || ch === "{") {
          flow++;
          if (++depth > limit) return lineStart + i;
        } else if ((ch === "]" || ch === "}") && flow > 0) {
          flow--;
          depth--;
        }
      }
    }
    lineStart = end + 1;
  }
  return undefined;
}

const PIECES = ["- ", "-\t", "-", "[", "]", "{", "}", "#", " #", "'", '"', "\\", " ", "  ", "\t", "\n", "\n  ", "\r\n", "a", "b: ", ":", "\u00a0", "é"];

describe("YAML nesting pre-scan", () => {
  it("agrees with the line-by-line reference on 20,000 seeded texts", () => {
    const seed = 0x7e57;
    const rnd = prng(seed);
    let deep = 0;
    for (let n = 0; n < 20000; n++) {
      const text = Array.from({ length: 1 + Math.floor(rnd() * 60) }, () => PIECES[Math.floor(rnd() * PIECES.length)]).join("");
      const limit = 1 + Math.floor(rnd() * 4);
      const expected = referenceYamlTooDeep(text, limit);
      if (expected !== undefined) deep++;
      expect(tooDeepAt(text, true, limit), `seed ${seed}, case ${n}, limit ${limit}: ${JSON.stringify(text)}`).toBe(expected);
    }
    // Both verdicts occur often enough for the comparison to mean something.
    expect(deep).toBeGreaterThan(2000);
    expect(deep).toBeLessThan(18000);
  });
});
