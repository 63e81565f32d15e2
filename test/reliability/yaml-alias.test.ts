// An alias to an anchor that does not exist (`a: *nope`) is refused at its line instead of
// silently becoming null; defined anchors still resolve.
import { afterAll, describe, expect, it } from "vitest";
import { BUILT, NOT_BUILT, Workdir } from "../e2e/helpers.js";

describe.skipIf(!BUILT)(`undefined YAML aliases${BUILT ? "" : ` (skipped: ${NOT_BUILT})`}`, () => {
  const w = new Workdir("pmx-yaml-alias-");
  afterAll(() => w.remove());

  it.each([
    ["a scalar", "locals:\n  b: &ok 1\n  c: *ok\n  a: *nope\n", 4],
    ["a list element", "locals:\n  l: [1, *nope]\n", 2],
    ["an output value", "outputs:\n  x:\n    value: *nope\n", 3],
  ])("refuses an undefined alias in %s at its line", async (_what, text, line) => {
    w.write("main.pmx.yaml", text);
    const r = await w.run("validate");
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toContain("Error: Undefined YAML alias");
    expect(r.stderr).toContain(`on main.pmx.yaml line ${line}`);
    expect(r.stderr).toContain("*nope refers to no anchor");
  });

  it("still resolves defined anchors", async () => {
    w.write("main.pmx.yaml", "locals:\n  b: &ok 7\n  c: *ok\noutputs:\n  x:\n    value: ${local.c}\n");
    const r = await w.run("plan");
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain("+ x = 7");
  });
});
