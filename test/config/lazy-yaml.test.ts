// The yaml package (~40 ms and 72 modules of start-up) is loaded only by runs that need it: a
// YAML configuration or variable file, or yamlencode/yamldecode. Checked on the built CLI in a
// fresh process, by looking for the package in Node's module cache after `validate`.
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { BUILT, NOT_BUILT, ROOT } from "../e2e/helpers.js";

const dir = mkdtempSync(join(tmpdir(), "pmx-lazy-yaml-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function yamlLoadedBy(files: Record<string, string>): boolean {
  const sub = mkdtempSync(join(dir, "c-"));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(sub, name), text);
  const script = `import(${JSON.stringify(join(ROOT, "dist/cli/cli.js"))}).then(({ main }) => main(["validate"])).then((code) => {
    const loaded = Object.keys(require.cache).some((k) => k.includes("/node_modules/yaml/"));
    process.stdout.write("\\nYAML " + loaded + " EXIT " + code + "\\n");
  });`;
  const out = execFileSync(process.execPath, ["-e", script], { cwd: sub, encoding: "utf8" });
  const m = /YAML (true|false) EXIT (\d+)/.exec(out);
  expect(m?.[2], out).toBe("0");
  return m?.[1] === "true";
}

describe.skipIf(!BUILT)(BUILT ? "yaml is loaded on demand" : NOT_BUILT, () => {
  it("not for an HCL-only configuration", () => {
    expect(yamlLoadedBy({ "main.pmx.hcl": 'locals {\n  a = upper("x")\n}\n' })).toBe(false);
  });

  it("for a YAML configuration, and for yamlencode", () => {
    expect(yamlLoadedBy({ "main.pmx.yaml": "locals:\n  a: x\n" })).toBe(true);
    expect(yamlLoadedBy({ "main.pmx.hcl": "locals {\n  a = yamlencode({ x = 1 })\n}\n" })).toBe(true);
  });
});
