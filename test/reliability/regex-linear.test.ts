// User regexes run on a linear-time engine (RE2 semantics, as in Terraform): patterns that make a
// backtracking engine take exponential time, on inputs of seeded length, end at once through the CLI.
import { afterAll, describe, expect, it } from "vitest";
import { BUILT, NOT_BUILT, Workdir } from "../e2e/helpers.js";
import { prng } from "../helpers/prng.js";

const SEED = Number(process.env["PMXFORM_SEED"] ?? 823);
const EVIL = ["(a+)+$", "(a|a)+$", "(a|aa)+$", "(a*)*b", "^(a+)+b", "(.*a){20}$"];

describe.skipIf(!BUILT)(`catastrophic regexes${BUILT ? "" : ` (skipped: ${NOT_BUILT})`} (seed ${SEED})`, () => {
  const w = new Workdir("pmx-regex-");
  afterAll(() => w.remove());

  it("ends regex, regexall and replace on patterns that backtrack exponentially", { timeout: 60_000 }, async () => {
    const rand = prng(SEED);
    const outputs = EVIL.map((pat, i) => {
      const input = "a".repeat(40 + Math.floor(rand() * 60)) + "!";
      const fn = ["regexall", "replace", "can"][i % 3];
      const expr = fn === "regexall" ? `regexall(${JSON.stringify(pat)}, "${input}")` : fn === "replace" ? `replace("${input}", "/${pat}/", "x")` : `can(regex(${JSON.stringify(pat)}, "${input}"))`;
      return `output "o${i}" {\n  value = ${expr}\n}\n`;
    });
    w.write("main.pmx.hcl", outputs.join(""));
    const r = await w.run("plan");
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain("Changes to Outputs");
  });
});
