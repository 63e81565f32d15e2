// Test helpers for the evaluator: parse real HCL expression text and evaluate it with the
// standard library, plus tiny AST builders for shapes the parser cannot produce directly.
import { expect } from "vitest";
import type { Diagnostic, Range } from "../../src/diag/diagnostic.js";
import type { Expr } from "../../src/config/ast.js";
import { evaluate } from "../../src/config/eval/evaluate.js";
import type { EvalResult, Scope } from "../../src/config/eval/evaluate.js";
import { standardFunctions } from "../../src/config/functions/index.js";
import { parseHclExpression } from "../../src/config/hcl/parser.js";
import type { Value } from "../../src/config/value.js";

export const FILE = "test.pmx.hcl";

export async function parse(src: string): Promise<Expr> {
  const r = await parseHclExpression(src, FILE);
  if (!r.expr || r.diagnostics.length > 0) throw new Error(`parse failed for ${src}: ${JSON.stringify(r.diagnostics)}`);
  return r.expr;
}

export async function ev(src: string, scope: Scope = {}): Promise<EvalResult> {
  const expr = await parse(src);
  return evaluate(expr, { functions: standardFunctions({ baseDir: scope.baseDir ?? process.cwd() }), ...scope });
}

/** Evaluates and expects no diagnostics. */
export async function val(src: string, scope: Scope = {}): Promise<Value> {
  const r = await ev(src, scope);
  expect(r.diagnostics, `diagnostics for ${src}`).toEqual([]);
  return r.value;
}

/** Evaluates and expects exactly one error; returns it. */
export async function err(src: string, scope: Scope = {}): Promise<Diagnostic> {
  const r = await ev(src, scope);
  const errors = r.diagnostics.filter((d) => d.severity === "error");
  expect(errors.length, `errors for ${src}: ${JSON.stringify(r.diagnostics.map((d) => d.summary + ": " + (d.detail ?? "")))}`).toBe(1);
  return errors[0] as Diagnostic;
}

/** The source text a diagnostic points at (single-line expressions). */
export function slice(src: string, r: Range | undefined): string {
  if (!r) return "<no range>";
  return src.slice(r.start.column - 1, r.end.column - 1);
}

const R: Range = { file: "built", start: { line: 1, column: 1, offset: 0 }, end: { line: 1, column: 2, offset: 1 } };
export const b = {
  lit: (value: null | boolean | number | string): Expr => ({ kind: "literal", value, range: R }),
  v: (name: string): Expr => ({ kind: "variable", name, range: R }),
  attr: (target: Expr, name: string): Expr => ({ kind: "getattr", target, name, nameRange: R, range: R }),
};
