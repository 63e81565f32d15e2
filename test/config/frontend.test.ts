// The HCL and YAML front ends: expression conversion details, positions, and the promise that
// equal configurations in either syntax decode to structurally equal Modules.
import { describe, expect, it } from "vitest";
import { parseHclExpression, parseHclFile } from "../../src/config/hcl/parser.js";
import { parseYamlFile } from "../../src/config/yaml/parser.js";
import { loadConfig } from "../../src/config/load.js";
import type { Expr } from "../../src/config/ast.js";
import { renderCompact } from "../../src/diag/render.js";

/** Drops ranges and file paths, so trees from different syntaxes can be compared. */
function stripRanges(v: unknown): unknown {
  if (v instanceof Map) return Object.fromEntries([...v.entries()].map(([k, x]) => [k, stripRanges(x)]));
  if (Array.isArray(v)) return v.map(stripRanges);
  if (v && typeof v === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) {
      if (k === "range" || k.endsWith("Range") || k.endsWith("Ranges") || k === "sources") continue;
      out[k] = stripRanges(x);
    }
    return out;
  }
  return v;
}

async function expr(text: string): Promise<Expr> {
  const r = await parseHclExpression(text, "t.hcl");
  expect(renderCompact(r.diagnostics)).toBe("");
  if (!r.expr) throw new Error("no expression");
  return r.expr;
}

async function value(hcl: string): Promise<unknown> {
  return stripRanges(await expr(hcl));
}

describe("HCL expressions", () => {
  it("decodes string escapes", async () => {
    expect(await value(String.raw`"a\nb\t\"q\"\\ \u00e9\U0001F600 ` + '$${x} %%{y}"')).toEqual({ kind: "literal", value: 'a\nb\t"q"\\ é😀 ${x} %{y}' });
  });

  it("reports invalid escapes with a position inside the string", async () => {
    const r = await parseHclExpression(String.raw`"ab\uZZZZ"`, "t.hcl");
    const d = r.diagnostics.find((x) => x.summary === "Invalid escape sequence");
    expect(d?.subject?.start.column).toBe(4);
  });

  it("keeps the value of a lone interpolation instead of a one-part template", async () => {
    expect(await value('"${var.x}"')).toEqual(await value("var.x"));
    expect(await value('"a${var.x}"')).toMatchObject({ kind: "template", parts: [{ kind: "text", value: "a" }, { kind: "interp" }] });
  });

  it("de-indents <<- heredocs by the smallest indentation and keeps the final newline", async () => {
    const e = await value("<<-EOT\n    one\n      two\n\n    three\n  EOT");
    expect(e).toEqual({ kind: "literal", value: "one\n  two\n\nthree\n" });
    expect(await value("<<EOT\n  kept ${x}\nEOT")).toMatchObject({ kind: "template", parts: [{ value: "  kept " }, { kind: "interp" }, { value: "\n" }] });
  });

  it("applies strip markers to neighbouring literal text", async () => {
    const e = await value('"a  ${~ x ~}  b %{~ if c ~}  yes  %{~ endif ~}  end"');
    expect(e).toMatchObject({
      kind: "template",
      parts: [
        { kind: "text", value: "a" },
        { kind: "interp", expr: { kind: "variable", name: "x" } },
        { kind: "text", value: "b" },
        { kind: "if", then: [{ kind: "text", value: "yes" }], else: [] },
        { kind: "text", value: "end" },
      ],
    });
  });

  it("builds for directives with key and value variables", async () => {
    expect(await value('"%{ for k, v in m }${k}=${v},%{ endfor }"')).toMatchObject({
      kind: "template",
      parts: [
        {
          kind: "for",
          keyVar: "k",
          valueVar: "v",
          collection: { kind: "variable", name: "m" },
          body: [{ kind: "interp" }, { kind: "text", value: "=" }, { kind: "interp" }, { kind: "text", value: "," }],
        },
      ],
    });
  });

  it("follows HCL operator precedence", async () => {
    const lit = (v: unknown) => ({ kind: "literal", value: v });
    expect(await value("1 + 2 * 3 == 7 && !false")).toEqual({
      kind: "binary",
      op: "&&",
      left: { kind: "binary", op: "==", left: { kind: "binary", op: "+", left: lit(1), right: { kind: "binary", op: "*", left: lit(2), right: lit(3) } }, right: lit(7) },
      right: { kind: "unary", op: "!", operand: lit(false) },
    });
    expect(await value("a || b ? 1 : 2")).toMatchObject({ kind: "conditional", cond: { kind: "binary", op: "||" } });
  });

  it("turns splats into SplatExpr with the item placeholder", async () => {
    const full = {
      kind: "splat",
      source: { kind: "variable", name: "a" },
      each: { kind: "index", target: { kind: "getattr", target: { kind: "splatitem" }, name: "b" }, key: { kind: "literal", value: 0 } },
    };
    expect(await value("a[*].b[0]")).toEqual(full);
    // An attribute-only splat stops at the first index, which applies to the whole result.
    expect(await value("a.*.b[0]")).toEqual({
      kind: "index",
      target: { kind: "splat", source: { kind: "variable", name: "a" }, each: { kind: "getattr", target: { kind: "splatitem" }, name: "b" } },
      key: { kind: "literal", value: 0 },
    });
    expect(await value("a.0.b")).toEqual({ kind: "getattr", name: "b", target: { kind: "index", target: { kind: "variable", name: "a" }, key: { kind: "literal", value: 0 } } });
  });

  it("converts for expressions, grouping and conditions", async () => {
    expect(await value('{ for k, v in m : v => k... if k != "" }')).toMatchObject({
      kind: "for",
      object: true,
      grouping: true,
      keyVar: "k",
      valueVar: "v",
      keyExpr: { name: "v" },
      valueExpr: { name: "k" },
      cond: { op: "!=" },
    });
    expect(await value("[for x in xs : x * 2]")).toMatchObject({ kind: "for", object: false, grouping: false, valueVar: "x" });
  });

  it("makes bare object keys string literals and keeps (expr) keys", async () => {
    expect(await value('{ a = 1, (b) = 2, "c": 3 }')).toMatchObject({
      items: [{ key: { kind: "literal", value: "a" } }, { key: { kind: "paren", inner: { kind: "variable", name: "b" } } }, { key: { kind: "literal", value: "c" } }],
    });
  });

  it("marks expanded final call arguments", async () => {
    expect(await value("f(a, b...)")).toMatchObject({ kind: "call", name: "f", expandFinal: true, args: [{ name: "a" }, { name: "b" }] });
  });

  it("maps expression positions onto the given start", async () => {
    const r = await parseHclExpression("a + b", "f.hcl", 7, 10, 100);
    expect(r.expr?.kind === "binary" && r.expr.right.range.start).toEqual({ line: 7, column: 14, offset: 104 });
  });
});

describe("HCL positions", () => {
  it("counts columns in UTF-16 units and offsets in UTF-8 bytes on non-ASCII lines", async () => {
    const src = 'a = "é😀"\nb = "ü" + x\n';
    const { file } = await parseHclFile("p.hcl", src);
    const b = file.body.attributes[1];
    const right = b?.expr.kind === "binary" ? b.expr.right : undefined;
    expect(right?.range.start).toEqual({ line: 2, column: 11, offset: Buffer.byteLength('a = "é😀"\nb = "ü" + ') });
    expect(b?.nameRange.start.offset).toBe(Buffer.byteLength('a = "é😀"\n'));
  });
});

describe("HCL versus YAML", () => {
  for (const name of ["main", "fleet"]) {
    it(`decodes test/fixtures/config/basic ${name} identically from both syntaxes`, async () => {
      const hcl = await loadConfig({ dir: "test/fixtures/config/basic/hcl", files: [`${name}.pmx.hcl`] });
      const yaml = await loadConfig({ dir: "test/fixtures/config/basic/yaml", files: [`${name}.pmx.yaml`] });
      expect(renderCompact(hcl.diagnostics)).toBe("");
      expect(renderCompact(yaml.diagnostics)).toBe("");
      expect(hcl.module.resources.size).toBeGreaterThan(0);
      expect(stripRanges(yaml.module)).toEqual(stripRanges(hcl.module));
    });
  }

  it("accepts resources nested by type as well as keyed by type.name", async () => {
    const flat = await parseYamlFile("a.yaml", "resources:\n  lxc_container.web: { cores: 2 }\n");
    const nested = await parseYamlFile("b.yaml", "resources:\n  lxc_container:\n    web: { cores: 2 }\n");
    expect(stripRanges(nested.file.body)).toEqual(stripRanges(flat.file.body));
  });

  it("places template diagnostics inside the YAML scalar", async () => {
    const src = 'locals:\n  x: "pre ${1 +} post"\n';
    const r = await parseYamlFile("t.yaml", src);
    expect(r.diagnostics.length).toBeGreaterThan(0);
    for (const d of r.diagnostics) {
      expect(d.subject?.start.line).toBe(2);
      expect(d.subject?.start.column).toBeGreaterThanOrEqual(6);
      expect(d.subject?.end.column).toBeLessThanOrEqual(src.split("\n")[1]!.length + 1);
    }
  });
});
