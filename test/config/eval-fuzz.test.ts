// Robustness: random expressions over values holding unknown and sensitive parts must never
// throw, never produce an internal error, and every diagnostic must carry a range.
import { describe, expect, it } from "vitest";
import { evaluate } from "../../src/config/eval/evaluate.js";
import { standardFunctions } from "../../src/config/functions/index.js";
import { parseHclExpression } from "../../src/config/hcl/parser.js";
import { Sensitive, Unknown } from "../../src/config/value.js";

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

const functions = standardFunctions({ baseDir: process.cwd() });
const fnNames = [...functions.keys()].filter((n) => !["file", "filebase64", "templatefile", "fileexists"].includes(n));
const atoms = [
  "1",
  "0",
  "-2.5",
  '"a"',
  '"10"',
  '""',
  "true",
  "false",
  "null",
  "[]",
  "{}",
  "local.u",
  "local.s",
  "local.l",
  "local.m",
  "local.n",
  "x",
  "[1, local.u]",
  "{ a = local.s }",
  "local.m.k",
  "local.l[0]",
];

function gen(r: () => number, depth: number): string {
  const pick = <T>(xs: T[]): T => xs[Math.floor(r() * xs.length)] as T;
  if (depth <= 0 || r() < 0.25) return pick(atoms);
  const sub = () => gen(r, depth - 1);
  switch (Math.floor(r() * 11)) {
    case 0:
      return `(${sub()} ${pick(["+", "-", "*", "/", "%", "==", "!=", "<", ">=", "&&", "||"])} ${sub()})`;
    case 1:
      return `(${sub()} ? ${sub()} : ${sub()})`;
    case 2:
      return `[${sub()}, ${sub()}]`;
    case 3:
      return `{ k = ${sub()}, (${sub()}) = ${sub()} }`;
    case 4:
      return `"p-\${${sub()}}-%{ if ${sub()} }y%{ endif }"`;
    case 5:
      return `[for x in ${sub()} : ${sub()} if ${sub()}]`;
    case 6:
      return `{ for k, x in ${sub()} : ${sub()} => ${sub()}${r() < 0.5 ? "..." : ""} }`;
    case 7:
      return `${pick(fnNames)}(${Array.from({ length: Math.floor(r() * 4) }, sub).join(", ")})`;
    case 8:
      return `(${sub()})[${sub()}]`;
    case 9:
      return `(${sub()})[*].a`;
    default:
      return `${pick(["try", "can"])}(${sub()}${r() < 0.5 ? `, ${sub()}` : ""})`;
  }
}

describe("evaluator robustness", () => {
  it("never throws on 1500 random expressions", async () => {
    const r = rng(20251121);
    const scope = {
      functions,
      locals: {
        u: new Unknown(),
        s: new Sensitive("secret"),
        l: [1, new Unknown("string"), new Sensitive(2)],
        m: { k: "v", s: new Sensitive({ a: 1 }) },
        n: null,
      },
    };
    let evaluated = 0;
    for (let i = 0; i < 1500; i++) {
      const src = gen(r, 4);
      const parsed = await parseHclExpression(src, "fuzz.hcl");
      if (!parsed.expr) continue;
      const res = evaluate(parsed.expr, scope);
      evaluated++;
      const internal = res.diagnostics.filter((d) => d.summary.startsWith("Internal error") || (d.detail ?? "").includes("bug in pmxform"));
      expect(internal, src).toEqual([]);
      for (const d of res.diagnostics) expect(d.subject, `${src}: ${d.summary}`).toBeDefined();
    }
    expect(evaluated).toBeGreaterThan(1000);
  });
});
