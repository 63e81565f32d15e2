// The HCL formatter on constructs the fixtures lack: operators written without blanks, heredoc
// headers, one-line blocks, hclwrite's `}, {` indentation, comment alignment. Every case also
// checks the fixed point and that the parsed configuration is unchanged.
import { describe, expect, it } from "vitest";
import { formatHcl } from "../../src/config/hcl/format.js";
import { parsedShape } from "../helpers/hcl-corpus.js";

async function shape(text: string): Promise<string> {
  const parsed = await parsedShape("t.pmx.hcl", text);
  expect(parsed.syntaxError).toBe(false);
  return parsed.shape;
}

const CASES: Array<[string, string, string]> = [
  ["comparison operators without blanks stay operators", "a=b!=c\nd=e>=f\ng=h<=i\nj=k==l\n", "a = b!=c\nd = e>=f\ng = h<=i\nj = k==l\n"],
  ["for expressions with =>", "m={for k,v in x:k=>v}\n", "m = { for k,v in x:k=>v }\n"],
  ["one-line blocks keep their one argument", "features {nesting=true}\n", "features { nesting = true }\n"],
  ["hclwrite's indentation of `}, {`", "x = [{\na = 1\n}, {\na = 2\n}]\n", "x = [{\n  a = 1\n  }, {\n  a = 2\n}]\n"],
  ["trailing comments aligned in a run", "a = 1 # one\nlonger = 2 # two\n", "a      = 1 # one\nlonger = 2 # two\n"],
  ["heredoc header with blanks after the marker keeps its body", "a = <<EOT  \n  x = 1\n    y\nEOT\nb=2\n", "a = <<EOT  \n  x = 1\n    y\nEOT\nb = 2\n"],
  ["indented heredoc end marker kept", 'r "t" "n" {\nv = <<-EOT\n    hi\n    EOT\n}\n', 'r "t" "n" {\n  v = <<-EOT\n    hi\n    EOT\n}\n'],
  ["interpolation spanning lines is one atom (and, as in hclwrite, its line joins the alignment run)", 'a = "${join(",",\n  ["x"])}"\nbb = 1\n', 'a  = "${join(",",\n  ["x"])}"\nbb = 1\n'],
  ["nested lists and call arguments re-indented", "x = concat(\n[1,\n2],\n[3]\n)\n", "x = concat(\n  [1,\n  2],\n  [3]\n)\n"],
  ["CRLF line ends and a BOM", "\uFEFFa=1\r\nbb=2\r\n", "a  = 1\nbb = 2\n"],
  ["only blank input", "\n\n  \n", ""],
];

describe("formatHcl", () => {
  for (const [name, input, want] of CASES) {
    it(name, async () => {
      const got = formatHcl(input);
      expect(got).toBe(want);
      expect(formatHcl(got)).toBe(got);
      if (want !== "") expect(await shape(got)).toBe(await shape(input.replace(/^\uFEFF/, "")));
    });
  }
});
