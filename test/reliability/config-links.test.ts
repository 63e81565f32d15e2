// A configuration file that cannot be read is described in pmxform's own words: a dangling link
// names its target, and "-f" is mentioned only when the path came from -f.
import { symlinkSync } from "node:fs";
import { afterAll, describe, expect, it } from "vitest";
import { BUILT, NOT_BUILT, Workdir } from "../e2e/helpers.js";

describe.skipIf(!BUILT)(`unreadable configuration files${BUILT ? "" : ` (skipped: ${NOT_BUILT})`}`, () => {
  const w = new Workdir("pmx-cfg-link-");
  afterAll(() => w.remove());

  it("names the missing target of a dangling link found in the directory, without talking about -f", async () => {
    symlinkSync(w.path("gone.hcl"), w.path("main.pmx.hcl"));
    const r = await w.run("validate");
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`main.pmx.hcl is a symbolic link to ${w.path("gone.hcl")}, which does not exist`);
    expect(r.stderr).not.toContain("-f");
  });

  it("still points at -f for a missing file given with -f", async () => {
    const r = await w.run("validate", "-f", "nope.pmx.hcl");
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("Check the path given with -f");
  });
});
