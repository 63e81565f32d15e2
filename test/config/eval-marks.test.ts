// Unknown and Sensitive propagation through operators, templates, collections, for expressions,
// conditionals and function calls.
import { describe, expect, it } from "vitest";
import { Sensitive, Unknown, containsSensitive, sensitivePaths } from "../../src/config/value.js";
import { ev, val } from "./eval-helpers.js";

const scope = {
  locals: {
    u: new Unknown("number"),
    us: new Unknown("string"),
    ul: new Unknown("list"),
    secret: new Sensitive("hunter2"),
    snum: new Sensitive(4),
    mixed: [new Unknown("string"), "b"],
    smap: { user: "root", pass: new Sensitive("pw") },
    list: [1, 2],
  },
};

describe("unknown values", () => {
  it("propagate through arithmetic with the right type hint", async () => {
    const v = await val("local.u + 1", scope);
    expect(v).toBeInstanceOf(Unknown);
    expect((v as Unknown).type).toBe("number");
    expect(((await val("local.u < 3", scope)) as Unknown).type).toBe("bool");
    expect(((await val("-local.u", scope)) as Unknown).type).toBe("number");
  });

  it("make templates unknown strings", async () => {
    const v = await val('"id-${local.us}"', scope);
    expect(v).toBeInstanceOf(Unknown);
    expect((v as Unknown).type).toBe("string");
  });

  it("make a conditional with an unknown condition unknown", async () => {
    expect(await val('local.u > 1 ? "a" : "b"', scope)).toBeInstanceOf(Unknown);
    expect(await val('true ? "a" : local.us', scope)).toBe("a");
  });

  it("keep collections known when only elements are unknown", async () => {
    expect(await val("length(local.mixed)", scope)).toBe(2);
    expect(await val("length([local.u, 1])", scope)).toBe(2);
    const c = (await val('concat(local.mixed, ["c"])', scope)) as unknown[];
    expect(c).toHaveLength(3);
    expect(c[0]).toBeInstanceOf(Unknown);
    expect(await val("keys({ a = local.u })", scope)).toEqual(["a"]);
  });

  it("make function results unknown when an argument is", async () => {
    const v = await val("upper(local.us)", scope);
    expect((v as Unknown).type).toBe("string");
    expect(await val('join(",", local.mixed)', scope)).toBeInstanceOf(Unknown);
    expect(await val("length(local.ul)", scope)).toBeInstanceOf(Unknown);
    expect(await val("flatten([[1], local.ul])", scope)).toBeInstanceOf(Unknown);
  });

  it("decide && and || when the known side decides", async () => {
    expect(await val("false && local.u > 1", scope)).toBe(false);
    expect(await val("true || local.u > 1", scope)).toBe(true);
    expect(await val("true && local.u > 1", scope)).toBeInstanceOf(Unknown);
  });

  it("compare with a known null when decidable", async () => {
    expect(await val("local.mixed == null", scope)).toBe(false);
    expect(await val("local.u == null", scope)).toBeInstanceOf(Unknown);
    expect(await val('local.mixed == ["a", "b"]', scope)).toBeInstanceOf(Unknown);
  });

  it("make for expressions over unknown collections unknown, elements stay put", async () => {
    expect(await val("[for x in local.ul : x]", scope)).toBeInstanceOf(Unknown);
    const v = (await val("[for x in local.mixed : x]", scope)) as unknown[];
    expect(v[0]).toBeInstanceOf(Unknown);
    expect(v[1]).toBe("b");
    expect(await val("{ for x in local.mixed : x => 1 }", scope)).toBeInstanceOf(Unknown);
  });

  it("index and splat unknown collections to unknown", async () => {
    expect(await val("local.ul[0]", scope)).toBeInstanceOf(Unknown);
    expect(await val("local.list[local.u]", scope)).toBeInstanceOf(Unknown);
    expect(await val("local.ul[*].id", scope)).toBeInstanceOf(Unknown);
    expect(await val("local.ul.id", scope)).toBeInstanceOf(Unknown);
  });

  it("make try/can unknown when the result is not yet known", async () => {
    expect(await val("try(local.u, 1)", scope)).toBeInstanceOf(Unknown);
    expect(await val("can(local.u)", scope)).toBeInstanceOf(Unknown);
  });
});

describe("sensitive values", () => {
  it("mark results computed from them", async () => {
    const v = await val('"pw=${local.secret}"', scope);
    expect(v).toBeInstanceOf(Sensitive);
    expect((v as Sensitive).value).toBe("pw=hunter2");
    expect(await val("local.snum * 2", scope)).toEqual(new Sensitive(8));
    expect(await val("upper(local.secret)", scope)).toEqual(new Sensitive("HUNTER2"));
    expect(await val('local.secret == "x"', scope)).toEqual(new Sensitive(false));
  });

  it("keep marks on elements of collections without over-wrapping", async () => {
    const v = await val('[local.secret, "plain"]', scope);
    expect(sensitivePaths(v as never)).toEqual([[0]]);
    expect(await val("local.smap.user", scope)).toBe("root");
    expect(await val("local.smap.pass", scope)).toEqual(new Sensitive("pw"));
    const merged = await val("merge(local.smap, { port = 22 })", scope);
    expect(merged).not.toBeInstanceOf(Sensitive);
    expect(sensitivePaths(merged as never)).toEqual([["pass"]]);
    expect(await val("length(local.smap)", scope)).toBe(2);
    const els = await val("[for k, v in local.smap : v]", scope);
    expect(sensitivePaths(els as never)).toEqual([[0]]);
  });

  it("mark the whole result of functions that combine elements", async () => {
    const v = await val('join(",", values(local.smap))', scope);
    expect(v).toBeInstanceOf(Sensitive);
    expect(await val("jsonencode(local.smap)", scope)).toBeInstanceOf(Sensitive);
  });

  it("mark conditional results chosen by a sensitive condition", async () => {
    expect(await val('local.snum > 3 ? "big" : "small"', scope)).toEqual(new Sensitive("big"));
  });

  it("do not leak into unrelated values", async () => {
    const v = await val("{ a = local.secret, b = 1 }.b", scope);
    expect(v).toBe(1);
    expect(containsSensitive((await val("{ a = 1 }", scope)) as never)).toBe(false);
  });

  it("hide a sensitive map key in index errors", async () => {
    const r = await ev("{ a = 1 }[local.secret]", scope);
    expect(r.diagnostics[0]?.detail).toContain("(sensitive value)");
    expect(r.diagnostics[0]?.detail).not.toContain("hunter2");
  });
});
