// The HCL fast path must be invisible: whenever it accepts input, its Body/Expr (ranges included)
// equals the tree-sitter path's and tree-sitter finds nothing wrong. Checked on a corpus of
// tricky constructs and on seeded mutations; also that common configs do take the fast path.
import { readFileSync, readdirSync } from "node:fs";
import { beforeAll, describe, expect, it } from "vitest";
import { fastParseExpression, fastParseFile, fastParseTemplate } from "../../src/config/hcl/fast-parser.js";
import { initHcl, parseExpressionWithTreeSitter, parseHclFileWithTreeSitter, parseTemplateWithTreeSitter } from "../../src/config/hcl/parser.js";
import { TextPosMap } from "../../src/config/hcl/positions.js";
import { prng } from "../helpers/prng.js";
import { mutateText } from "../helpers/mutate.js";
import { generateHcl } from "../../bench/lib/gen-config.mjs";

/** Compares both paths on one file; returns whether the fast path took it. */
function sameAsTreeSitter(src: string, label: string): boolean {
  const fast = fastParseFile(src, new TextPosMap("t.pmx.hcl", src));
  if (!fast) return false;
  const slow = parseHclFileWithTreeSitter("t.pmx.hcl", src);
  expect(slow.diagnostics, `tree-sitter rejects what the fast path accepted (${label}):\n${src}`).toEqual([]);
  expect(fast, `bodies differ (${label}):\n${src}`).toStrictEqual(slow.file.body);
  return true;
}

const EXPRESSIONS = [
  "1",
  "1.5",
  "12.25e3",
  "1.0e-2",
  "true",
  "false",
  "null",
  '""',
  '"a"',
  '"a\\"b\\\\c\\n\\t\\u00e9\\U0001F600"',
  '"é 😀"',
  "a",
  "a-b",
  "a_b",
  "_x",
  "var.x",
  "a.b.c",
  "a[0]",
  "a.0",
  "a.0.1",
  'a["k"]',
  "a[b.c]",
  "a[*]",
  "a[*].b",
  "a[*].b[0].c",
  "a.*",
  "a.*.b",
  "a.*.b[0].c",
  "a.*.b.*.c",
  "a[*][*]",
  "-1",
  "-a.b",
  "!a",
  "!!a",
  "- -a",
  "-a * b",
  "a - b - c",
  "a-b - c",
  "a + b * c",
  "(a + b) * c",
  "a * b + c * d",
  "a / b % c",
  "a < b == c > d",
  "a <= b != c >= d",
  "a && b || c && d",
  "a || b && c",
  "!a && b",
  "a == b && c != d || e",
  "a ? b : c",
  "a + 1 > 2 ? b : c * 2",
  "(a ? b : c)",
  "a ? (b ? c : d) : e",
  "a ? b : (c ? d : e)",
  "f()",
  "f(a)",
  "f(a, b)",
  "f(a, b,)",
  "f(a...)",
  "f(a, b...)",
  "f (a)",
  "f(g(h(1)))",
  "f(a).b",
  "f(a)[0]",
  'upper("x")',
  "[]",
  "[1]",
  "[1, 2]",
  "[1, 2,]",
  "[\n  1,\n  2,\n]",
  "[a, [b, [c]]]",
  "[1, 2][0]",
  "{}",
  "{a = 1}",
  "{a = 1, b = 2}",
  "{a = 1\nb = 2}",
  "{ a: 1 }",
  '{"a" = 1}',
  "{(k) = 1}",
  "{a.b = 1}",
  "{a = {b = {c = 1}}}",
  "{\n  a = 1,\n  b = [2],\n}",
  "{ true = 1 }",
  "[for x in xs : x]",
  "[for i, x in xs : x * i if i > 0]",
  "{for k, v in m : k => v}",
  "{for k, v in m : v => k... if v != null}",
  "[for x in f(y) : {a = x}]",
  "[ for x in xs : x ]",
  '"${a}"',
  '"x${a}y"',
  '"${a}${b}"',
  '"$${a}"',
  '"%%{a}"',
  '"a$b"',
  '"$"',
  '"100%"',
  '"${ a }"',
  '"${~ a ~}"',
  '" ${~a} "',
  '"${a ~}  x"',
  '"${"in${"ner"}"}"',
  '"${ {a = 1}.a }"',
  '"${[1, 2][0]}"',
  '"%{if a}x%{endif}"',
  '"%{if a}x%{else}y%{endif}"',
  '"%{ for x in xs }${x},%{ endfor }"',
  '"%{for k, v in m}${k}=${v}%{endfor}"',
  '"%{~if a~} x %{~endif~}"',
  '"%{if a}%{for x in xs}${x}%{endfor}%{endif}"',
  "a # comment\n",
  "a /* c */ + b",
  "f(a, // c\n b)",
  "[\n  # c\n  1,\n]",
];

const FILES = [
  "",
  "# only a comment\n",
  "a = 1\n",
  "a = 1",
  "a = 1\nb = 2\n",
  "a = 1 # trailing\n// line\nb = 2 /* block */\n",
  "block {\n}\n",
  "block {}\n",
  "block { a = 1 }\n",
  'block "x" "y" {\n  a = 1\n}\n',
  "block x y {\n  a = 1\n}\n",
  'block "a\\"b" {\n}\n',
  'block "$${x}" {\n}\n',
  "a {\n  # lead\n  b = 1 # trail\n  c {\n    d = 2\n  }\n  # end\n}\n",
  "a {\n  b = 1\n  c = 2\n}\nd {\n  e {\n    f {\n      g = [1, 2]\n    }\n  }\n}\n",
  "a = <<EOT\nhello\nEOT\n",
  "a = <<EOT\nEOT\n",
  "a = <<EOT\nhello ${name}\n  ${x} and $${y}\nEOT\n",
  "a = <<-EOT\n    indented\n      more\n    ${x}\n  EOT\n",
  "a = <<-EOT\n\tone\n\n\ttwo\n\tEOT\n",
  "a = <<-EOT\n  ${x}\n    y\n  EOT\n",
  "a = <<EOT\nEOTX\n EOT is not the end\nEOT\n",
  "a = <<EOT\n%{ for x in xs ~}\n${x}\n%{ endfor ~}\nEOT\n",
  'a = <<EOT\nwith \\n no escapes and "quotes"\nEOT\nb = 2\n',
  "a = [\n  <<EOT\n  x\n  EOT\n  ,\n]\n",
  "a = {\n  b = <<-X\n    y\n    X\n}\n",
  "a = 1\n\n\n\nb = a.b[0]\n",
  'resource "lxc_container" "web" {\n  for_each = var.sites\n  hostname = "${local.prefix}-${each.key}"\n  cores    = each.value.cores * 2 + 1\n  depends_on = [lxc_container.db]\n  lifecycle {\n    ignore_changes = [tags]\n  }\n}\n',
  'a = "é ünïcode 😀"\nb = "${x}é"\n# é comment\n',
  "a = [for s in x : s.hostname]\nb = { for k, v in m : k => v }\n",
  "a = x.y.z\nb = x\n  .y\n",
  "a = x.y.*.z\n",
  // Everything below is for tree-sitter; the fast path must step aside (or agree).
  "a = 1 b = 2\n",
  "a {\n  b = 1 }\n",
  "a { b = 1\n}\n",
  "a { b = 1\n  c = 2 }\n",
  "a {\n  b = 1\n  b = 2\n}\n",
  "a = 1e5\n",
  "a = 0x1F\n",
  "a = 1.\n",
  'a = "unterminated\n',
  'a = "bad \\q escape"\n',
  "a = <<EOT\nno end\n",
  "a = <<EOT\nno end\nEOT",
  'a = "${}"\n',
  'a = "%{if x}"\n',
  'a = "%{endif}"\n',
  "a = a ? b : c ? d : e\n",
  "a = provider::x::f(1)\n",
  "a = for\n",
  "a = [for]\n",
  "{ a = 1 }\n",
  'a = "x"\r\nb = 2\r\n',
  "a = f(\n",
  "a = [1 2]\n",
  "a = {b = 1 c}\n",
  "a = x[*\n",
  "a = x.\n",
  "a = !\n",
  "a = 1 +\n",
  "a == 1\n",
  "a = b = c\n",
  "é = 1\n",
];

const TEMPLATES = [
  "${a}",
  "x ${a} y",
  "${a}\n${b}\n",
  "multi\nline ${x} text\n",
  "%{if a}yes%{else}no%{endif}",
  "%{for x in xs}${x}%{endfor}",
  "$${literal}",
  "\\n stays",
  "${a ~}  \n  ${b}",
  "${ {k = 1} }",
  '${"${a}"}',
  "${",
  "${a",
  "%{if a}",
  "x }",
  "${a}}",
];

const PIECES = [
  "{",
  "}",
  "[",
  "]",
  "(",
  ")",
  '"',
  "${",
  "%{",
  "}",
  "~",
  "=",
  ":",
  ",",
  "\n",
  " ",
  "<<EOT\n",
  "<<-EOT\n",
  "EOT\n",
  "\\",
  "...",
  ".",
  "*",
  "[*]",
  ".*",
  "?",
  "-",
  "!",
  "#",
  "//",
  "/*",
  "*/",
  "=>",
  "for ",
  " in ",
  " if ",
  "x",
  "1",
  "é",
];

const mutate = (src: string, random: () => number): string => mutateText(src, random, PIECES, 15);

describe("HCL fast path equals the tree-sitter path", () => {
  beforeAll(initHcl);

  it("on single expressions (as attribute values and as standalone YAML expressions)", () => {
    let fast = 0;
    for (const text of EXPRESSIONS) {
      if (sameAsTreeSitter(`x = ${text}\n`, text)) fast++;
      const map = new TextPosMap("t.pmx.yaml", text, { line: 3, column: 7, offset: 40 });
      const alone = fastParseExpression(text, map);
      if (!alone) continue;
      const slow = parseExpressionWithTreeSitter(text, map);
      expect(slow.diagnostics, text).toEqual([]);
      expect(alone, text).toStrictEqual(slow.expr);
    }
    // The corpus is meant to run through the fast path, not around it.
    expect(fast).toBeGreaterThan(EXPRESSIONS.length * 0.9);
  });

  it("on whole files, and steps aside for what it does not handle", () => {
    const taken = FILES.map((src) => sameAsTreeSitter(src, JSON.stringify(src)));
    const firstIrregular = FILES.indexOf("a = 1 b = 2\n");
    expect(taken.slice(0, firstIrregular).every(Boolean), "every regular file takes the fast path").toBe(true);
    expect(taken.slice(firstIrregular).some(Boolean), "irregular files go to tree-sitter").toBe(false);
  });

  it("on YAML template strings", () => {
    for (const text of TEMPLATES) {
      const map = new TextPosMap("t.pmx.yaml", text);
      const fast = fastParseTemplate(text, map);
      if (!fast) continue;
      const slow = parseTemplateWithTreeSitter(text, map);
      expect(slow.diagnostics, text).toEqual([]);
      expect(fast, text).toStrictEqual(slow.expr);
    }
  });

  it("on the examples, the generated benchmark config and the error fixtures", () => {
    const dirs = ["test/fixtures/config/basic/hcl", "test/fixtures/config/errors"];
    const files = dirs.flatMap((d) =>
      readdirSync(d)
        .filter((f) => f.endsWith(".hcl"))
        .map((f) => `${d}/${f}`),
    );
    for (const f of files) {
      const took = sameAsTreeSitter(readFileSync(f, "utf8"), f);
      if (f.startsWith("examples/")) expect(took, f).toBe(true);
    }
    expect(sameAsTreeSitter(generateHcl(40), "generated")).toBe(true);
  });

  it("on 3,000 seeded mutations of the corpus", () => {
    const random = prng(4242);
    const seeds = [
      ...FILES.slice(0, FILES.indexOf("a = 1 b = 2\n")),
      ...EXPRESSIONS.map((e) => `x = ${e}\n`),
      readFileSync("test/fixtures/config/basic/hcl/main.pmx.hcl", "utf8"),
      readFileSync("test/fixtures/config/basic/hcl/fleet.pmx.hcl", "utf8"),
    ];
    let accepted = 0;
    for (let i = 0; i < 3000; i++) {
      const seed = seeds[Math.floor(random() * seeds.length)] as string;
      if (sameAsTreeSitter(mutate(seed, random), `mutation ${i}`)) accepted++;
    }
    // Enough mutants stay valid for the comparison to mean something.
    expect(accepted).toBeGreaterThan(300);
  });
});
