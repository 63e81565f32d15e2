// Evaluator semantics on real HCL expression text: operators, templates, collections, for
// expressions, splats, indexing, attribute access, conditionals, and diagnostic ranges.
import { describe, expect, it } from "vitest";
import { evaluate } from "../../src/config/eval/evaluate.js";
import { Unknown } from "../../src/config/value.js";
import { b, err, ev, slice, val } from "./eval-helpers.js";

describe("operators", () => {
  it("does arithmetic with HCL's string-to-number conversion", async () => {
    expect(await val("1 + 2 * 3")).toBe(7);
    expect(await val('"5" + 1')).toBe(6);
    expect(await val("7 % 3")).toBe(1);
    expect(await val("-(2 - 5)")).toBe(3);
    expect(await val("10 / 4")).toBe(2.5);
  });

  it("does decimal arithmetic the way Terraform's big numbers look", async () => {
    expect(await val("0.1 + 0.2 == 0.3")).toBe(true);
    expect(await val('"x${0.1 * 3}"')).toBe("x0.3");
  });

  it("reports non-numeric operands at the operand", async () => {
    const src = '1 + "abc"';
    const d = await err(src);
    expect(d.summary).toBe("Invalid operand");
    expect(d.detail).toContain("right operand");
    expect(slice(src, d.subject)).toBe('"abc"');
    expect((await err("[1] * 2")).detail).toContain("left operand: a number is required, got tuple");
  });

  it("rejects division by zero", async () => {
    const src = "4 / (2 - 2)";
    const d = await err(src);
    expect(d.summary).toBe("Operation failed");
    expect(slice(src, d.subject)).toBe("(2 - 2)");
    expect((await err("4 % 0")).detail).toContain("by zero");
  });

  it("compares numbers and rejects strings that are not numbers", async () => {
    expect(await val("2 < 3")).toBe(true);
    expect(await val('"10" >= 9')).toBe(true);
    expect((await err('"a" < 1')).summary).toBe("Invalid operand");
  });

  it("uses deep equality without type conversion", async () => {
    expect(await val('{a = [1, "x"]} == {a = [1, "x"]}')).toBe(true);
    expect(await val("[1, 2] != [1, 2, 3]")).toBe(true);
    expect(await val('1 == "1"')).toBe(false);
    expect(await val("null == null")).toBe(true);
  });

  it("requires bools for && and || and does not short circuit errors", async () => {
    expect(await val("true && !false")).toBe(true);
    expect(await val('"true" || false')).toBe(true);
    const src = "true || 1";
    const d = await err(src);
    expect(d.detail).toContain("right operand: a bool is required");
    expect(slice(src, d.subject)).toBe("1");
    expect((await err("!3")).summary).toBe("Invalid operand");
  });
});

describe("templates", () => {
  it("interpolates numbers and bools as strings", async () => {
    expect(await val('"n=${1.5} b=${true} i=${10}"')).toBe("n=1.5 b=true i=10");
  });

  it("keeps the value of a lone interpolation unconverted", async () => {
    expect(await val('"${[1, 2]}"')).toEqual([1, 2]);
  });

  it("rejects null and collections with a diagnostic at the interpolation", async () => {
    const src = '"a${null}b"';
    const d = await err(src);
    expect(d.summary).toBe("Invalid template interpolation value");
    expect(slice(src, d.subject)).toBe("null");
    expect((await err('"x${[1]}"')).detail).toContain("string required, got tuple");
  });

  it("supports if and for directives", async () => {
    expect(await val('"%{ if true }yes%{ else }no%{ endif }"')).toBe("yes");
    expect(await val('"%{ for k, v in {b = 2, a = 1} }${k}=${v};%{ endfor }"')).toBe("a=1;b=2;");
    expect((await err('"%{ if 3 }x%{ endif }"')).summary).toBe("Incorrect condition type");
  });
});

describe("collections and traversal", () => {
  it("builds tuples and objects, converting number keys", async () => {
    expect(await val('{ a = 1, "b c" = [true, null], (1 + 1) = "two" }')).toEqual({ a: 1, "b c": [true, null], "2": "two" });
  });

  it("reports duplicate object attributes", async () => {
    expect((await err("{ a = 1, a = 2 }")).summary).toBe("Duplicate object attribute");
  });

  it("treats __proto__ as an ordinary key", async () => {
    const v = (await val('{ "__proto__" = 1 }')) as Record<string, unknown>;
    expect(Object.keys(v)).toEqual(["__proto__"]);
    expect(Object.getPrototypeOf(v)).toBe(Object.prototype);
  });

  it("indexes lists with whole numbers in range", async () => {
    expect(await val("[10, 20, 30][1]")).toBe(20);
    expect(await val('[10, 20]["1"]')).toBe(20);
    const src = "[10, 20][2]";
    const d = await err(src);
    expect(d.summary).toBe("Invalid index");
    expect(d.detail).toContain("the collection has 2 elements");
    expect(slice(src, d.subject)).toBe("2");
    expect((await err("[1][0.5]")).detail).toContain("whole number");
    expect((await err("[1][-1]")).detail).toContain("negative");
    expect((await err('[1]["0x0"]')).detail).toContain("a number is required");
  });

  it("indexes maps and explains a missing key with a suggestion", async () => {
    expect(await val('{ web = 1 }["web"]')).toBe(1);
    const d = await err('{ web = 1, db = 2 }["wbe"]');
    expect(d.summary).toBe("Invalid index");
    expect(d.detail).toContain('no element with the key "wbe"');
    expect(d.detail).toContain('Did you mean "web"?');
    expect((await err("null[0]")).summary).toBe("Attempt to index null value");
    expect((await err('"abc"[0]')).detail).toContain("does not have any indices");
  });

  it("reports unsupported attributes with did-you-mean at the attribute name", async () => {
    const scope = { locals: { cfg: { cores: 2, memory: 512 } } };
    expect(await val("local.cfg.cores", scope)).toBe(2);
    const src = "local.cfg.corse";
    const d = await err(src, scope);
    expect(d.summary).toBe("Unsupported attribute");
    expect(d.detail).toContain('Did you mean "cores"?');
    expect(slice(src, d.subject)).toBe(".corse");
    expect((await err("[{a = 1}].a")).detail).toContain("list of objects");
    expect((await err('"s".a')).detail).toContain("primitive-typed value (string)");
    expect((await err("local.n.a", { locals: { n: null } })).summary).toBe("Attempt to get attribute from null value");
  });

  it("evaluates splats over lists, single values and null", async () => {
    const scope = { locals: { l: [{ id: 1 }, { id: 2 }], one: { id: 3 }, none: null } };
    expect(await val("local.l[*].id", scope)).toEqual([1, 2]);
    expect(await val("local.l.*.id", scope)).toEqual([1, 2]);
    expect(await val("local.one[*].id", scope)).toEqual([3]);
    expect(await val("local.none[*].id", scope)).toEqual([]);
  });
});

describe("for expressions", () => {
  it("maps and filters lists", async () => {
    expect(await val("[for i, x in [5, 6, 7] : x * i if x != 6]")).toEqual([0, 14]);
  });

  it("iterates maps in lexical key order", async () => {
    expect(await val('[for k, v in { b = 1, a = 2, c = 3 } : "${k}${v}"]')).toEqual(["a2", "b1", "c3"]);
  });

  it("builds objects and groups with ...", async () => {
    expect(await val('{ for s in ["a", "bb"] : s => length(s) }')).toEqual({ a: 1, bb: 2 });
    expect(await val('{ for s in ["ax", "ay", "bz"] : substr(s, 0, 1) => s... }')).toEqual({ a: ["ax", "ay"], b: ["bz"] });
  });

  it("reports duplicate keys without grouping", async () => {
    const src = '{ for s in ["ax", "ay"] : substr(s, 0, 1) => s }';
    const d = await err(src);
    expect(d.summary).toBe("Duplicate object key");
    expect(d.detail).toContain("ellipsis");
    expect(slice(src, d.subject)).toBe("substr(s, 0, 1)");
  });

  it("rejects null, non-iterable collections and non-bool filters", async () => {
    expect((await err("[for x in null : x]")).summary).toBe("Iteration over null value");
    expect((await err('[for x in "abc" : x]')).summary).toBe("Iteration over non-iterable value");
    expect((await err("[for x in [1] : x if x]")).summary).toBe("Incorrect condition type");
    expect((await err("{for x in [1] : null => x}")).summary).toBe("Invalid object key");
  });

  it("lets for variables shadow outer names", async () => {
    expect(await val("[for var in [1] : var + 1]")).toEqual([2]);
  });
});

describe("conditionals", () => {
  it("selects a branch and reports only that branch's errors", async () => {
    expect(await val("true ? 1 : 2")).toBe(1);
    expect(await val('local.x != null ? local.x.a : "none"', { locals: { x: null } })).toBe("none");
  });

  it("unifies number/bool with string like Terraform", async () => {
    expect(await val('false ? "a" : 1')).toBe("1");
    expect(await val('true ? true : "x"')).toBe("true");
  });

  it("reports inconsistent types and bad conditions", async () => {
    expect((await err('true ? [1] : "x"')).summary).toBe("Inconsistent conditional result types");
    expect((await err("null ? 1 : 2")).summary).toBe("Null condition");
    const src = '"yes" ? 1 : 2';
    const d = await err(src);
    expect(d.summary).toBe("Incorrect condition type");
    expect(slice(src, d.subject)).toBe('"yes"');
  });
});

describe("references", () => {
  const scope = {
    variables: new Map([["bridge", "vmbr0"]]),
    locals: { name: "web" },
    resource: (type: string, name: string) => (type === "lxc_container" && name === "web" ? { vmid: 120 } : undefined),
    path: { module: "/cfg", root: "/cfg", cwd: "/here" },
  };

  it("resolves var, local, resources and path", async () => {
    expect(await val('"${var.bridge}-${local.name}-${lxc_container.web.vmid}-${path.module}"', scope)).toBe("vmbr0-web-120-/cfg");
  });

  it("reports undeclared names with suggestions at the whole reference", async () => {
    const src = "var.brige";
    const d = await err(src, scope);
    expect(d.summary).toBe("Reference to undeclared input variable");
    expect(d.detail).toContain('Did you mean "bridge"?');
    expect(slice(src, d.subject)).toBe("var.brige");
    expect((await err("local.nme", scope)).summary).toBe("Reference to undeclared local value");
    expect((await err("lxc_container.db.vmid", scope)).summary).toBe("Reference to undeclared resource");
    expect((await err("lxc_container", scope)).summary).toBe("Invalid reference");
    expect((await err("var", scope)).detail).toContain("cannot be accessed directly");
    expect((await err("path.home", scope)).summary).toBe('Invalid "path" attribute');
  });

  it("knows each and count only where they are set", async () => {
    expect(await val('"${each.key}=${each.value}"', { each: { key: "a", value: 1 } })).toBe("a=1");
    expect(await val("count.index + 1", { count: { index: 2 } })).toBe(3);
    expect((await err("each.key")).summary).toBe('Reference to "each" in context without for_each');
    expect((await err("count.index")).summary).toBe('Reference to "count" in non-counted context');
    expect((await err("each.kee", { each: { key: "a", value: 1 } })).summary).toBe('Invalid "each" attribute');
  });
});

describe("functions and robustness", () => {
  it("reports unknown functions with did-you-mean at the name", async () => {
    const src = "lenght([1])";
    const d = await err(src);
    expect(d.summary).toBe("Call to unknown function");
    expect(d.detail).toContain('Did you mean "length"?');
    expect(slice(src, d.subject)).toBe("lenght");
  });

  it("expands a final list argument with ...", async () => {
    expect(await val("max([3, 9, 4]...)")).toBe(9);
    expect((await err('max("x"...)')).summary).toBe("Invalid expanding argument value");
  });

  it("try returns the first success and can tells success", async () => {
    expect(await val('try(local.m.missing, "fallback")', { locals: { m: {} } })).toBe("fallback");
    expect(await val("can(local.m.missing)", { locals: { m: {} } })).toBe(false);
    expect(await val("can(local.m)", { locals: { m: {} } })).toBe(true);
    const d = await err("try(local.m.a, local.m.b)", { locals: { m: {} } });
    expect(d.summary).toBe("Error in function call");
    expect(d.detail).toContain("no expression succeeded");
  });

  it("limits nesting depth instead of overflowing the stack", async () => {
    let e = b.lit(1);
    for (let i = 0; i < 5000; i++) e = { kind: "paren", inner: e, range: e.range };
    const r = evaluate(e, {});
    expect(r.diagnostics[0]?.summary).toBe("Expression too deeply nested");
    expect(r.value).toBeInstanceOf(Unknown);
  });

  it("turns unexpected failures into an internal-error diagnostic", async () => {
    const r = evaluate(b.attr(b.v("local"), "x"), {
      locals: new Proxy(
        {},
        {
          getOwnPropertyDescriptor: () => {
            throw new Error("boom");
          },
          has: () => {
            throw new Error("boom");
          },
        },
      ),
    });
    expect(r.diagnostics[0]?.summary).toBe("Internal error during evaluation");
  });

  it("puts the scope's address on diagnostics", async () => {
    const r = await ev("var.nope", { address: "lxc_container.web" });
    expect(r.diagnostics[0]?.address).toBe("lxc_container.web");
  });
});
