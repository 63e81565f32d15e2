// A backend block error, as the commands that work on the state without planning report it
// (state, workspace, force-unlock, init, output, show, audit): the configuration line quoted
// under "on FILE line N", the way plan quotes its configuration errors.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { BUILT, NOT_BUILT, Workdir } from "./helpers.js";

describe.skipIf(!BUILT)(`backend errors quote the configuration${BUILT ? "" : ` (skipped: ${NOT_BUILT})`}`, () => {
  let w: Workdir;
  beforeEach(() => {
    w = new Workdir("pmx-backend-src-");
    w.write("main.pmx.hcl", '# the state lives elsewhere\nbackend "nowhere" {\n  path = "x"\n}\n');
  });
  afterEach(() => w.remove());

  const verbs = [["state", "list"], ["workspace", "show"], ["workspace", "list"], ["force-unlock", "-force", "abc"], ["init"], ["output"], ["show"], ["audit", "verify"]];
  for (const verb of verbs) {
    it(`${verb.join(" ")}`, async () => {
      const r = await w.run(...verb, "-no-color");
      expect(r.code, r.stdout + r.stderr).toBe(1);
      expect(r.stderr).toContain("Unknown backend type");
      expect(r.stderr).toMatch(/on \S*main\.pmx\.hcl line 2, in backend "nowhere":\n\s+2: backend "nowhere" \{/);
      expect(r.stderr).toContain("Use one of: local, pg, pve");
    });
  }
});
