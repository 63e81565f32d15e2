// Edge cases of the evaluator and the call machinery that the other tests do not reach:
// misbehaving functions, expansion of unknown/sensitive lists, arity of try/can, template
// directives over unknowns, and the built AST shapes the parser cannot produce.
import { describe, expect, it } from "vitest";
import type { Expr } from "../../src/config/ast.js";
import { T } from "../../src/config/eval/convert.js";
import { evaluate } from "../../src/config/eval/evaluate.js";
import { callFunction } from "../../src/config/functions/call.js";
import type { FunctionImpl } from "../../src/config/functions/types.js";
import { Sensitive, Unknown } from "../../src/config/value.js";
import { b, err, ev, val } from "./eval-helpers.js";

const boom: FunctionImpl = {
  description: "throws",
  params: [],
  returns: "string",
  impl: () => {
    throw new TypeError("oops");
  },
};

describe("call machinery", () => {
  it("turns an exception from a function into a diagnostic", () => {
    const r = callFunction("boom", boom, []);
    expect(r.value).toBeInstanceOf(Unknown);
    expect(r.diagnostics[0]?.summary).toBe("Error in function call");
    expect(r.diagnostics[0]?.detail).toContain("bug in pmxform");
  });

  it("checks arity for variadic functions", () => {
    const f: FunctionImpl = { description: "", params: [{ name: "a", type: T.string }], variadic: { name: "rest", type: T.number }, returns: "string", impl: (a) => String(a.length) };
    expect(callFunction("f", f, []).diagnostics[0]?.detail).toContain('expects 1 or more arguments. Missing value for "a"');
    expect(callFunction("f", f, [{ value: "x" }, { value: "2" }, { value: 3 }]).value).toBe("3");
    expect(callFunction("f", f, [{ value: "x" }, { value: "z" }]).diagnostics[0]?.detail).toContain('"rest" parameter');
  });
});

describe("expansion", () => {
  it("spreads unknown and sensitive lists", async () => {
    expect(await val("max(local.u...)", { locals: { u: new Unknown("list") } })).toBeInstanceOf(Unknown);
    expect(await val("max(local.s...)", { locals: { s: new Sensitive([1, 5]) } })).toEqual(new Sensitive(5));
  });
});

describe("try and can", () => {
  it("check their argument counts", async () => {
    expect((await err("can()")).summary).toBe("Not enough function arguments");
    expect((await err("can(1, 2)")).summary).toBe("Too many function arguments");
    expect((await err("try()")).summary).toBe("Not enough function arguments");
  });

  it("catch errors from function calls and keep warnings-free results", async () => {
    expect(await val('try(regex("x", "abc"), "none")')).toBe("none");
    expect(await val('try(tonumber("4"), 0)')).toBe(4);
  });
});

describe("templates over unknowns", () => {
  it("become unknown when a directive's collection or condition is unknown", async () => {
    const scope = { locals: { u: new Unknown("list"), c: new Unknown("bool") } };
    expect(await val('"%{ for x in local.u }${x}%{ endfor }"', scope)).toBeInstanceOf(Unknown);
    expect(await val('"%{ if local.c }a%{ else }b%{ endif }"', scope)).toBeInstanceOf(Unknown);
    // Errors in both branches still surface when the condition is unknown.
    expect((await ev('"%{ if local.c }${null}%{ endif }"', scope)).diagnostics[0]?.summary).toBe("Invalid template interpolation value");
  });
});

describe("conditional with unknown condition", () => {
  it("keeps the branch type as the unknown's hint", async () => {
    const v = await val('local.c ? "a" : "b"', { locals: { c: new Unknown("bool") } });
    expect((v as Unknown).type).toBe("string");
  });
});

describe("built AST", () => {
  it("reports a splat element outside a splat", () => {
    const e: Expr = { kind: "splatitem", range: b.lit(1).range };
    expect(evaluate(e, {}).diagnostics[0]?.summary).toBe("Invalid splat expression");
  });

  it("reports self", () => {
    expect(evaluate(b.attr(b.v("self"), "vmid"), {}).diagnostics[0]?.summary).toBe('Invalid "self" reference');
  });

  it("takes names from scope bindings (templatefile variables)", () => {
    expect(evaluate(b.v("name"), { bindings: { name: "web" } }).value).toBe("web");
  });
});
