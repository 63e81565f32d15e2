// Golden diagnostics for everything past syntax: references, cycles, functions, types, schemas,
// blocks, meta-arguments, variables. Each input is evaluated the way `pmxform plan` evaluates it
// (variables resolved) and the compact rendering is compared with <name>.diags.txt.
// UPDATE_GOLDEN=1 rewrites the expected files.
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { Unknown } from "../../src/config/value.js";
import { sortDiagnostics } from "../../src/diag/diagnostic.js";
import { renderCompact } from "../../src/diag/render.js";
import { openSession } from "../../src/engine/session.js";
import { evaluateOutputs, walkConfig } from "../../src/engine/walk-config.js";
import { buildRegistry } from "../../src/registry-wiring.js";

const DIR = join(import.meta.dirname, "../fixtures/config/validate");

async function diagnose(file: string): Promise<string> {
  const registry = await buildRegistry();
  const { session, diagnostics } = await openSession({ chdir: DIR, file: [join(DIR, file)] }, registry, { variables: "resolve" });
  const all = [...diagnostics];
  if (session) {
    const walked = walkConfig(session.evaluation, (v) => {
      for (const i of v.instances) session.evaluation.setInstanceValue(v.decl, i.key, new Unknown("object"));
    });
    all.push(...walked.diagnostics, ...evaluateOutputs(session.evaluation).diagnostics);
  }
  return renderCompact(sortDiagnostics(all)) + "\n";
}

describe("validation diagnostics (golden)", () => {
  const inputs = readdirSync(DIR)
    .filter((f) => f.endsWith(".pmx.hcl"))
    .sort();
  it("has inputs", () => expect(inputs.length).toBeGreaterThanOrEqual(10));
  for (const input of inputs) {
    it(input, async () => {
      const text = await diagnose(input);
      const golden = join(DIR, input.replace(/\.pmx\.hcl$/, ".diags.txt"));
      if (process.env.UPDATE_GOLDEN || !existsSync(golden)) writeFileSync(golden, text);
      expect(text).toBe(readFileSync(golden, "utf8"));
      // Every diagnostic points into the file with a line and column.
      for (const line of text.trim().split("\n")) expect(line).toMatch(/^[\w.-]+\.pmx\.hcl:\d+:\d+: (error|warning): /);
    });
  }
});
