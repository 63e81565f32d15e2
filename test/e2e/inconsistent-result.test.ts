// The engine's check of what apply did against what the plan showed (src/engine/verify-result.ts),
// end to end: between a saved plan and its apply, someone stops the container. The conf digest
// does not see it (the run state is not in the conf), pct set succeeds on the stopped container,
// and the plan's `started = true` is no longer what the node holds: apply reports "Provider
// produced inconsistent result after apply" naming the attribute, and the state still records
// the container with what was read back.
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { BUILT, NOT_BUILT, SIM_NODE, Workdir, container } from "./helpers.js";

const cfg = (memory: number) => SIM_NODE + container("app", `  vmid     = 171\n  hostname = "app"\n  started  = true\n  memory   = ${memory}`);

describe.skipIf(!BUILT)(`inconsistent result after apply${BUILT ? "" : ` (skipped: ${NOT_BUILT})`}`, () => {
  let w: Workdir;
  beforeEach(() => {
    w = new Workdir();
    w.write("main.pmx.hcl", cfg(512));
  });
  afterEach(() => w.remove());

  it("a container stopped between plan and apply: the update is saved, and the mismatch is reported", async () => {
    expect((await w.run("apply", "--auto-approve")).code).toBe(0);
    w.write("main.pmx.hcl", cfg(1024));
    expect((await w.run("plan", "--out", "plan.out")).code).toBe(0);
    execFileSync(w.path("sim/bin/pct"), ["stop", "171"], { encoding: "utf8" });

    const r = await w.run("apply", "plan.out");
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("Provider produced inconsistent result after apply");
    expect(r.stderr).toContain("started: planned true, but the object now has false");
    expect(r.stderr).toContain('run "pmxform plan"');
    expect(r.stderr).not.toContain("memory: planned");
    const state = JSON.parse(readFileSync(w.path("pmxform.state.json"), "utf8").toString()) as { resources: { address: string; attributes: Record<string, unknown> }[] };
    const app = state.resources.find((x) => x.address === "lxc_container.app")!;
    expect([app.attributes["memory"], app.attributes["started"]]).toEqual([1024, false]);

    // The next plan starts from what was saved: the container is started again, nothing else.
    const again = await w.run("plan");
    expect(again.stdout).toContain("~ started");
    expect(again.stdout).toContain("Plan: 0 to add, 1 to change, 0 to destroy.");
  });
});
