// count and for_each beyond MAX_INSTANCES end in a diagnostic at the argument, not in an internal
// error (count = 2^53 + 1) or a heap exhausted by a billion instance keys (count = 1e9).
import { afterAll, describe, expect, it } from "vitest";
import { MAX_INSTANCES } from "../../src/engine/evaluation.js";
import { BUILT, NOT_BUILT, SIM_NODE, Workdir } from "../e2e/helpers.js";

const res = (name: string, arg: string) => `resource "lxc_container" "${name}" {\n  ${arg}\n  node     = "pve1"\n  template = "local:vztmpl/debian-12-standard_12.7-1_amd64.tar.zst"\n}\n`;

describe.skipIf(!BUILT)(`instance limits${BUILT ? "" : ` (skipped: ${NOT_BUILT})`}`, () => {
  const w = new Workdir("pmx-limit-");
  afterAll(() => w.remove());

  it.each([
    ["count = 9007199254740993", ["validate", "plan"]],
    ["count = 1000000000", ["validate", "plan"]],
    [`count = ${MAX_INSTANCES + 1}`, ["validate", "plan"]],
    // range() has its own limit, so the keys come from two nested ranges (400 x 400); building
    // 160,000 keys takes seconds, so validate alone.
    ['for_each = { for p in flatten([for a in range(400) : [for b in range(400) : "${a}-${b}"]]) : p => 1 }', ["validate"]],
  ])("refuses %s with a diagnostic at the argument", async (arg, commands) => {
    const line = 2;
    w.write("main.pmx.hcl", SIM_NODE + res("c", arg));
    for (const cmd of commands) {
      const r = await w.run(cmd);
      expect(r.code, r.stderr).toBe(1);
      expect(r.stderr).toContain("Error: Too many instances");
      expect(r.stderr).toContain(`line ${line + 5}`);
      expect(r.stderr).not.toMatch(/internal error|heap|^\s+at /m);
    }
  });
});
