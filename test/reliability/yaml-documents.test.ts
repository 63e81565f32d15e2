// Issue 23.15: two YAML documents in one configuration file are refused in pmxform's words (not
// the library's "please use YAML.parseAllDocuments()"), at the line where the second one starts.
import { describe, expect, it } from "vitest";
import { parseConfigText } from "../../src/config/load.js";

describe("YAML documents", () => {
  it.each([
    ["---\nlocals:\n  a: 1\n---\nlocals:\n  b: 2\n", 4],
    ["locals:\n  a: 1\n---\nlocals:\n  b: 2\n", 3],
    ["locals:\n  a: 1\n...\n---\noutputs: {}\n", 4],
  ])("refuses a second document at its start (%#)", (text, line) => {
    const r = parseConfigText("main.pmx.yaml", text);
    const d = r.diagnostics.find((x) => x.severity === "error");
    expect(d?.summary).toBe("More than one YAML document");
    expect(d?.detail).not.toMatch(/parseAllDocuments|YAML\\./);
    expect(d?.detail).toContain("one YAML document");
    expect(d?.subject?.file).toBe("main.pmx.yaml");
    expect(d?.subject?.start.line).toBe(line);
    expect(d?.subject?.start.column).toBeGreaterThanOrEqual(1);
  });
});
