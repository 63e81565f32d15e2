// A killed image pull leaves its temporary archive and a `pull` intent: the next plan reports
// it, the next apply removes exactly that file (named like pmxform's pulls, in the template
// directory) and drops the intent; a finished archive, even one an intent names, is never touched.
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { StateFile } from "../../src/state/types.js";
import { BUILT, NOT_BUILT, SIM_NODE, Workdir } from "../e2e/helpers.js";

const started = "2026-01-01T00:00:00.000Z";

describe.skipIf(!BUILT)(`a killed pull's temporary archive${BUILT ? "" : ` (skipped: ${NOT_BUILT})`}`, () => {
  let w: Workdir;
  beforeEach(async () => {
    w = new Workdir("pmx-pull-leftover-");
    expect((await w.run("sim", "init", "sim")).code).toBe(0);
  });
  afterEach(() => w.remove());

  it("is reported by the plan and removed by the next apply, and nothing else is", async () => {
    const cache = w.path("sim/nodes/pve1/var/lib/vz/template/cache");
    const tmp = `${cache}/registry_app_1_amd64_abababababab.tar.tmp`;
    const finished = `${cache}/registry_app_0_amd64_cdcdcdcdcdcd.tar`;
    writeFileSync(tmp, "half an archive");
    writeFileSync(finished, "a finished archive");
    const foreign = { address: "oci_image.old", operation: "pull", node: "pve1", file: finished, started };
    const state = {
      version: 1,
      pmxform_version: "0.1.0",
      lineage: "8f0c2a64-1b9e-4d57-9a51-2f6f3c1d0e11",
      serial: 3,
      resources: [],
      outputs: {},
      intents: [{ address: "oci_image.app", operation: "pull", node: "pve1", file: tmp, started }, foreign],
    };
    writeFileSync(w.path("pmxform.state.json"), JSON.stringify(state, null, 2), { mode: 0o600 });
    w.write("main.pmx.hcl", SIM_NODE);

    const plan = await w.run("plan");
    expect(plan.code).toBe(0);
    expect(plan.stderr).toContain(`oci_image.app: the temporary archive pve1:${tmp} of an interrupted image pull is still there; the next apply removes it.`);
    expect(plan.stderr).not.toContain(finished);
    expect(existsSync(tmp)).toBe(true);

    const apply = await w.run("apply", "-auto-approve");
    expect(apply.code).toBe(0);
    expect(apply.stdout).toContain(`oci_image.app: removed the temporary archive pve1:${tmp} of an interrupted image pull`);
    expect(existsSync(tmp)).toBe(false);
    expect(readFileSync(finished, "utf8")).toBe("a finished archive");
    // The intent naming a finished archive is not pmxform's to settle: it stays for a person.
    expect((JSON.parse(readFileSync(w.path("pmxform.state.json"), "utf8")) as StateFile).intents).toEqual([foreign]);

    const again = await w.run("plan");
    expect(again.stderr).not.toContain("Leftover of an interrupted run");
  });
});
