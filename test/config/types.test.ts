// Type constraint parsing from `type = ...` expressions and Terraform's conversion rules.
import { describe, expect, it } from "vitest";
import { T, convert, convertValue, parseType, typeString } from "../../src/config/types.js";
import type { TypeConstraint } from "../../src/config/types.js";
import { Sensitive, Unknown } from "../../src/config/value.js";
import type { Value } from "../../src/config/value.js";
import { parse } from "./eval-helpers.js";

async function typeOf(src: string): Promise<TypeConstraint> {
  const r = parseType(await parse(src));
  expect(r.diagnostics).toEqual([]);
  return r.type as TypeConstraint;
}

function ok(v: Value, t: TypeConstraint): Value {
  const r = convertValue(v, t);
  if ("error" in r) throw new Error(r.error.toString());
  return r.value;
}

function fail(v: Value, t: TypeConstraint): string {
  const r = convertValue(v, t);
  if (!("error" in r)) throw new Error(`expected failure, got ${JSON.stringify(r.value)}`);
  return r.error.toString();
}

describe("parseType", () => {
  it("parses primitives and collections", async () => {
    expect(await typeOf("string")).toEqual(T.string);
    expect(typeString(await typeOf("list(map(number))"))).toBe("list(map(number))");
    expect(typeString(await typeOf("set(any)"))).toBe("set(any)");
    expect(typeString(await typeOf("tuple([string, bool])"))).toBe("tuple([string, bool])");
    expect(typeString(await typeOf("list"))).toBe("list(any)");
  });

  it("parses objects with optional attributes and defaults", async () => {
    const t = await typeOf('object({ name = string, cores = optional(number, 2), tags = optional(list(string)), "quoted" = bool })');
    expect(t.kind).toBe("object");
    if (t.kind !== "object") return;
    expect(t.attributes.get("cores")).toEqual({ type: T.number, optional: true, default: 2 });
    expect(t.attributes.get("tags")).toEqual({ type: T.list(T.string), optional: true });
    expect(t.attributes.get("quoted")).toEqual({ type: T.bool, optional: false });
  });

  it("rejects quoted types, unknown keywords and misplaced optional()", async () => {
    expect(parseType(await parse('"string"')).diagnostics[0]?.summary).toBe("Invalid quoted type constraints");
    expect(parseType(await parse("strng")).diagnostics[0]?.detail).toContain('"strng" is not a valid type');
    expect(parseType(await parse("optional(string)")).diagnostics[0]?.detail).toContain("only for the attributes of an object");
    expect(parseType(await parse("list(string, number)")).diagnostics[0]?.detail).toContain("exactly one argument");
    expect(parseType(await parse("tuple(string)")).diagnostics[0]?.detail).toContain("list of element types");
    expect(parseType(await parse('object({ a = optional(number, "x") })')).diagnostics[0]?.summary).toBe("Invalid default value for optional attribute");
    expect(parseType(await parse("object({ a = string, a = number })")).diagnostics[0]?.detail).toContain("more than once");
    expect(parseType(await parse("1 + 1")).type).toBeUndefined();
  });
});

describe("convertValue", () => {
  it("converts between primitives like Terraform", () => {
    expect(ok(5, T.string)).toBe("5");
    expect(ok(0.5, T.string)).toBe("0.5");
    expect(ok(true, T.string)).toBe("true");
    expect(ok("42", T.number)).toBe(42);
    expect(ok("-1.5e2", T.number)).toBe(-150);
    expect(ok("false", T.bool)).toBe(false);
    expect(fail("abc", T.number)).toContain("a number is required");
    expect(fail(" 4", T.number)).toContain("a number is required");
    expect(fail("yes", T.bool)).toContain("a bool is required");
    expect(fail(1, T.bool)).toBe("a bool is required");
    expect(fail([1], T.string)).toBe("string required");
  });

  it("converts tuples to lists and sets, objects to maps", () => {
    expect(ok([1, "2"], T.list(T.number))).toEqual([1, 2]);
    expect(ok(["b", "a", "b"], T.set(T.string))).toEqual(["a", "b"]);
    expect(ok({ a: 1 }, T.map(T.string))).toEqual({ a: "1" });
    expect(fail({ a: [1] }, T.map(T.string))).toBe('attribute "a": string required');
    expect(fail("x", T.list(T.string))).toBe("list of string required");
    expect(fail([1, 2], { kind: "tuple", elements: [T.number] })).toContain("tuple with 1 element(s) required");
  });

  it("fills optional attributes, drops extra ones and names the path of a failure", () => {
    const t: TypeConstraint = {
      kind: "object",
      attributes: new Map([
        ["name", { type: T.string, optional: false }],
        ["cores", { type: T.number, optional: true, default: 2 }],
        ["nets", { type: T.list({ kind: "object", attributes: new Map([["ip", { type: T.string, optional: false }]]) }), optional: true }],
      ]),
    };
    expect(ok({ name: "web", extra: 1 }, t)).toEqual({ name: "web", cores: 2, nets: null });
    expect(ok({ name: "web", cores: null }, t)).toEqual({ name: "web", cores: 2, nets: null });
    expect(fail({ name: "web", cores: "many" }, t)).toBe('attribute "cores": a number is required, got "many"');
    expect(fail({ cores: 1 }, t)).toBe('attribute "name" is required');
    expect(fail({ name: "x", nets: [{ ip: "a" }, { ip: [1] }] }, t)).toBe('attribute "nets": element 1: attribute "ip": string required');
  });

  it("keeps null, unknown and sensitive values", () => {
    expect(ok(null, T.number)).toBeNull();
    expect(ok(new Unknown(), T.list(T.string))).toEqual(new Unknown("list"));
    expect(ok(new Sensitive(3), T.string)).toEqual(new Sensitive("3"));
    expect(ok([new Sensitive(1)], T.list(T.string))).toEqual([new Sensitive("1")]);
    expect(ok(new Unknown("string"), T.any)).toEqual(new Unknown("string"));
  });
});

describe("convert", () => {
  it("reports Invalid value for variable with the path", () => {
    const t: TypeConstraint = { kind: "object", attributes: new Map([["cores", { type: T.number, optional: false }]]) };
    const r = convert({ cores: "x" }, t, { what: "var.web" });
    expect(r.diagnostics[0]?.summary).toBe("Invalid value for variable");
    expect(r.diagnostics[0]?.detail).toContain('not suitable for var.web: attribute "cores": a number is required');
    expect(convert({ cores: "2" }, t)).toEqual({ value: { cores: 2 }, diagnostics: [] });
  });
});
