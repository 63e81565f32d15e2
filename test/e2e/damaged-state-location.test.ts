// A damaged state file, as plan and apply report it: the place in the file ("on FILE line N"),
// the same header the state commands print, so the user can open the file where it broke.
import { chmodSync, readFileSync } from "node:fs";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { BUILT, NOT_BUILT, Workdir } from "./helpers.js";

describe.skipIf(!BUILT)(`a damaged state in plan and apply${BUILT ? "" : ` (skipped: ${NOT_BUILT})`}`, () => {
  let w: Workdir;
  beforeEach(() => {
    w = new Workdir("pmx-damaged-");
    w.write("main.pmx.hcl", "");
    w.write("pmxform.state.json", '{\n  "version": 4,\n  "serial": 1,\n  "resources": [ oops ]\n}\n');
    chmodSync(w.path("pmxform.state.json"), 0o600);
  });
  afterEach(() => w.remove());

  for (const verb of [["plan"], ["apply", "-auto-approve"], ["state", "list"]]) {
    it(`${verb.join(" ")} names the line of the damage and leaves the file alone`, async () => {
      const r = await w.run(...verb, "-no-color");
      expect(r.code).toBe(1);
      expect(r.stderr).toContain("Error reading the state");
      expect(r.stderr).toMatch(/on \S*pmxform\.state\.json line 4:/);
      expect(r.stderr).toContain("not valid JSON at line 4");
      expect(r.stderr).not.toMatch(/\n\s+at /);
      expect(readFileSync(w.path("pmxform.state.json"), "utf8")).toContain("[ oops ]");
    });
  }
});
