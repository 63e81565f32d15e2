// A template with an unclosed interpolation or directive (templatefile, heredocs parsed as
// templates) is reported as what it is, where it opens, never in terms of the parser's wrapper.
import { beforeAll, describe, expect, it } from "vitest";
import { initHcl, parseTemplateWithTreeSitter, unclosedTemplateSequence } from "../../src/config/hcl/parser.js";
import { TextPosMap } from "../../src/config/hcl/positions.js";

describe("unclosedTemplateSequence", () => {
  it.each([
    ["hello ${name", { index: 6, opener: "${", kind: "sequence" }],
    ["a %{ if x", { index: 2, opener: "%{", kind: "sequence" }],
    ["ok\n%{ if x }yes", { index: 3, opener: "%{ if x }", kind: "directive", keyword: "if" }],
    ['%{ for v in ["}"] }${v}', { index: 0, opener: '%{ for v in ["}"] }', kind: "directive", keyword: "for" }],
    ['b ${"}"', { index: 2, opener: "${", kind: "sequence" }],
  ])("%j", (text, expected) => {
    expect(unclosedTemplateSequence(text)).toEqual(expected);
  });

  it.each(["plain", "$${literal", "%%{ literal", "${a} %{ if b }c%{ endif }", '${ {"k" = "}"}["k"] }', "%{ for x in y }${x}%{ endfor }"])("%j is closed", (text) => {
    expect(unclosedTemplateSequence(text)).toBeUndefined();
  });
});

describe("template syntax errors", () => {
  beforeAll(initHcl);
  const errorOf = (text: string) => {
    const r = parseTemplateWithTreeSitter(text, new TextPosMap("t.tpl", text));
    expect(r.diagnostics).toHaveLength(1);
    return r.diagnostics[0]!;
  };

  it("names the unclosed interpolation at its line and column", () => {
    const d = errorOf("hello ${name}\nbye ${oops\n");
    expect(d.summary).toBe("Invalid template");
    expect(d.detail).toContain('The "${" here is not closed');
    expect(d.detail).not.toMatch(/__pmx|<</);
    expect(d.subject?.start).toMatchObject({ line: 2, column: 5 });
  });

  it("names the directive without its end", () => {
    const d = errorOf("a\n%{ if true }yes\n");
    expect(d.detail).toBe('The template directive "%{ if true }" is not closed. Add the matching "%{ endif }".');
    expect(d.subject?.start).toMatchObject({ line: 2, column: 1 });
  });
});
