// Examples a newcomer can copy (issue 16 item 13, in part): every example directory validates,
// and each that needs no outside service applies to the simulator and re-plans as No changes.
// oci-app needs a registry (docs/oci.md) and is validated only.
import { cpSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { BUILT, NOT_BUILT, ROOT, Workdir } from "../e2e/helpers.js";

const EXAMPLES = readdirSync(join(ROOT, "examples"), { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name);
const NEEDS_SERVICE = new Set(["oci-app"]);

describe.skipIf(!BUILT)(`examples${BUILT ? "" : ` (skipped: ${NOT_BUILT})`}`, () => {
  const dirs: Workdir[] = [];
  afterAll(() => dirs.forEach((d) => d.remove()));

  for (const name of EXAMPLES) {
    it(`examples/${name} ${NEEDS_SERVICE.has(name) ? "validates" : "validates, applies to the simulator and re-plans as No changes"}`, async () => {
      const w = new Workdir();
      dirs.push(w);
      cpSync(join(ROOT, "examples", name), w.dir, { recursive: true, filter: (src) => !/\.pmxform-sim|pmxform\.state|\/sim$/.test(src) });
      const v = await w.run("validate");
      expect(v.stderr).toBe("");
      expect(v.code).toBe(0);
      if (NEEDS_SERVICE.has(name)) return;
      const apply = await w.run("apply", "-auto-approve");
      expect(apply.code, apply.stderr).toBe(0);
      const again = await w.run("plan", "-detailed-exitcode");
      expect(again.code, again.stdout + again.stderr).toBe(0);
    }, 120_000);
  }
});
