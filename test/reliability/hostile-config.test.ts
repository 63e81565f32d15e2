// Hostile configuration files through the CLI: YAML alias bombs and 10,000-level nesting (HCL and
// YAML) are refused with a diagnostic, never a stack overflow; a 20 MB configuration (generated
// here, not committed) is planned without a crash.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BUILT, NOT_BUILT, SIM_NODE, Workdir } from "../e2e/helpers.js";
import { MAX_NESTING, tooDeepAt } from "../../src/config/nesting.js";

const DEEP = 10_000;

function aliasBomb(): string {
  let y = "locals:\n  a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n";
  for (let i = 1; i < 10; i++)
    y += `  a${i}: &a${i} [${Array(10)
      .fill(`*a${i - 1}`)
      .join(", ")}]\n`;
  return y + "outputs:\n  boom:\n    value: ${local.a9}\n";
}

function deepYamlBlocks(): string {
  let s = "locals:\n  x:\n";
  for (let i = 0; i < DEEP; i++) s += " ".repeat(4 + i) + "k:\n";
  return s;
}

const CASES: [string, string, string][] = [
  ["HCL brackets", "main.pmx.hcl", `locals {\n  x = ${"[".repeat(DEEP)}${"]".repeat(DEEP)}\n}\n`],
  ["HCL parentheses", "main.pmx.hcl", `locals {\n  x = ${"(".repeat(DEEP)}1${")".repeat(DEEP)}\n}\n`],
  ["HCL objects", "main.pmx.hcl", `locals {\n  x = ${"{a = ".repeat(DEEP)}1${"}".repeat(DEEP)}\n}\n`],
  ["HCL blocks", "main.pmx.hcl", "b {\n".repeat(DEEP) + "}\n".repeat(DEEP)],
  ["HCL templates", "main.pmx.hcl", `locals {\n  x = ${'"${'.repeat(DEEP)}1${'}"'.repeat(DEEP)}\n}\n`],
  ["YAML flow", "main.pmx.yaml", `locals:\n  x: ${"[".repeat(DEEP)}${"]".repeat(DEEP)}\n`],
  ["YAML flow over lines", "main.pmx.yaml", `locals:\n  x: ${"[\n".repeat(DEEP)}${"]".repeat(DEEP)}\n`],
  ["YAML blocks", "main.pmx.yaml", deepYamlBlocks()],
  ["YAML sequences", "main.pmx.yaml", `locals:\n  x:\n    ${"- ".repeat(DEEP)}1\n`],
];

describe.skipIf(!BUILT)(`hostile configuration files${BUILT ? "" : ` (skipped: ${NOT_BUILT})`}`, () => {
  const dirs: Workdir[] = [];
  const dir = (files: Record<string, string>) => {
    const w = new Workdir("pmx-hostile-cfg-");
    dirs.push(w);
    for (const [n, t] of Object.entries(files)) w.write(n, t);
    return w;
  };
  afterAll(() => dirs.forEach((w) => w.remove()));

  const expectRefused = (r: { code: number; stderr: string }, summary: string) => {
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toContain(`Error: ${summary}`);
    expect(r.stderr).not.toContain("internal error");
    expect(r.stderr).not.toMatch(/Maximum call stack|^\s+at /m);
  };

  it("refuses a YAML alias bomb (billion laughs) with a diagnostic", async () => {
    const r = await dir({ "main.pmx.yaml": aliasBomb() }).run("validate");
    expectRefused(r, "Too many YAML aliases");
    expect(r.stderr).toContain("billion laughs");
  });

  it.each(CASES)("refuses %s nested 10,000 deep with a diagnostic at the line that goes too deep", async (_what, name, text) => {
    const r = await dir({ [name]: text }).run("validate");
    expectRefused(r, "Configuration nested too deeply");
    expect(r.stderr).toMatch(new RegExp(`on ${name.replace(".", "\\.")} line \\d+`));
  });

  it("still reads nesting just under the limit (no false alarms from strings, comments, heredocs)", () => {
    const n = MAX_NESTING - 2;
    const hcl = `locals {\n  s = "[[[[{{{{ \${"}" } ((((" # [[[[\n  // ((((\n  /* {{{{ */\n  h = <<EOT\n[[[[[[[[\nEOT\n  x = ${"[".repeat(n)}${"]".repeat(n)}\n}\n`;
    expect(tooDeepAt(hcl, false)).toBeUndefined();
    expect(tooDeepAt(hcl.replace("[[[[[[[[", "[".repeat(MAX_NESTING * 2)), false)).toBeUndefined();
    expect(tooDeepAt(`x: "[[[[" # {{{{\ny: ${"[".repeat(n)}${"]".repeat(n)}\n`, true)).toBeUndefined();
    expect(tooDeepAt(`x: ${"[".repeat(MAX_NESTING + 1)}`, true)).toBe(3 + MAX_NESTING - 1); // "x:" is one level
  });

  describe("a 20 MB configuration", () => {
    let w: Workdir;
    beforeAll(() => {
      // Descriptions stay under Proxmox's 8,192-character limit, which plan enforces.
      const big = "x".repeat(8_000);
      const parts = [SIM_NODE];
      for (let i = 0; i < 2500; i++) {
        parts.push(`resource "lxc_container" "c${i}" {\n  node        = "pve1"\n  template    = "local:vztmpl/debian-12-standard_12.7-1_amd64.tar.zst"\n  description = "${big}"\n}\n`);
      }
      w = dir({ "main.pmx.hcl": parts.join("") });
    });

    it("is planned without a crash", async () => {
      const r = await w.run("plan");
      expect(r.stderr).not.toContain("internal error");
      expect(r.code, r.stderr.slice(0, 2000)).toBe(0);
      expect(r.stdout).toContain("Plan: 2500 to add, 0 to change, 0 to destroy.");
    }, 120_000);
  });
});
