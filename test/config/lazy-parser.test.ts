// tree-sitter (wasm runtime + HCL grammar) is loaded only when some input needs it: well-formed
// HCL and YAML never load it; a file, a YAML expression or a variable value that needs it loads
// it on demand and gets its diagnostics at the right place. Each case starts from fresh modules
// (vi.resetModules), so the parser is unloaded at its start.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it, vi } from "vitest";

const dir = mkdtempSync(join(tmpdir(), "pmx-lazy-parser-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const write = (name: string, text: string): string => {
  const sub = mkdtempSync(join(dir, "c-"));
  writeFileSync(join(sub, name), text);
  return sub;
};

async function fresh() {
  vi.resetModules();
  const parser = await import("../../src/config/hcl/parser.js");
  const { loadConfig } = await import("../../src/config/load.js");
  const { resolveVariablesAsync } = await import("../../src/config/vars.js");
  expect(parser.hclParserLoaded()).toBe(false);
  return { loaded: parser.hclParserLoaded, loadConfig, resolveVariablesAsync };
}

describe("tree-sitter is loaded on demand", () => {
  it("not at all for well-formed HCL and YAML", async () => {
    const { loaded, loadConfig } = await fresh();
    const hcl = await loadConfig({ dir: write("a.pmx.hcl", 'variable "n" {\n  default = 2\n}\nlocals {\n  names = [for i in range(var.n) : "ct${i}"]\n}\n') });
    const yaml = await loadConfig({ dir: write("b.pmx.yaml", "locals:\n  name: '${upper(\"web\")}'\n") });
    expect([...hcl.diagnostics, ...yaml.diagnostics]).toEqual([]);
    expect(hcl.module.locals.has("names")).toBe(true);
    expect(yaml.module.locals.has("name")).toBe(true);
    expect(loaded()).toBe(false);
  });

  it("for an HCL file with a syntax error, reported at its line", async () => {
    const { loaded, loadConfig } = await fresh();
    const r = await loadConfig({ dir: write("c.pmx.hcl", "locals {\n  a = 1 +\n}\n") });
    const d = r.diagnostics.find((x) => x.severity === "error");
    expect(d?.subject?.start.line).toBe(2);
    expect(loaded()).toBe(true);
  });

  it("for a YAML expression with a syntax error, reported at its line", async () => {
    const { loaded, loadConfig } = await fresh();
    const r = await loadConfig({ dir: write("d.pmx.yaml", "locals:\n  name: '${upper(\"web\"}'\n") });
    const d = r.diagnostics.find((x) => x.severity === "error");
    expect(d?.subject?.start.line).toBe(2);
    expect(loaded()).toBe(true);
  });

  it("for a -var value with a syntax error, reported as an invalid value", async () => {
    const { loaded, loadConfig, resolveVariablesAsync } = await fresh();
    const cfg = await loadConfig({ dir: write("e.pmx.hcl", 'variable "n" {\n  type = list(number)\n}\n') });
    expect(loaded()).toBe(false);
    const r = await resolveVariablesAsync(cfg.module.variables, { cliVars: ["n=[1, 2"], varFiles: [], env: {}, baseDir: dir });
    expect(
      r.diagnostics
        .filter((d) => d.severity === "error")
        .map((d) => `${d.summary}: ${d.detail}`)
        .join("\n"),
    ).toMatch(/\bn\b/);
    expect(loaded()).toBe(true);
  });
});
