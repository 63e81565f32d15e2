// Saved-plan admission (src/plan/admission.ts) as pure checks: a plan fits only the working
// directory, configuration files and variable values it was made from, and the state (lineage
// and serial) it was planned against; a plan made without a state fits only a state nothing was
// written to. The CLI paths are in test/e2e/saved-plans.test.ts.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { Sensitive } from "../../src/config/value.js";
import { configDigest, cwdDigest, inputsMismatch, stateMismatch, variablesDigest, type PlanInputs } from "../../src/plan/admission.js";
import type { PlanFile } from "../../src/plan/types.js";
import type { StateFile } from "../../src/state/types.js";

const dir = mkdtempSync(join(tmpdir(), "pmx-admission-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const inputs: PlanInputs = {
  dir,
  sources: new Map([
    ["main.pmx.hcl", "a"],
    ["b.pmx.hcl", "b"],
  ]),
  variables: new Map([["x", 1]]),
};
const planFor = (i: PlanInputs, lineage: string | null, serial: number | null): PlanFile => ({
  format_version: 1,
  pmxform_version: "0.1.0",
  created: "2026-12-07T00:00:00Z",
  lineage,
  serial,
  config_digest: configDigest(i.sources),
  variables_digest: variablesDigest(i.variables),
  cwd_digest: cwdDigest(i.dir),
  prior_state: null,
  changes: [],
  options: { destroy: false, refresh_only: false, targets: [], replace: [] },
  checksum: "",
});
const state = (lineage: string, serial: number, resources = 0): StateFile => ({
  version: 1,
  pmxform_version: "0.1.0",
  lineage,
  serial,
  resources: Array.from({ length: resources }, (_, i) => ({
    address: `fake_thing.r${i}`,
    type: "fake_thing",
    name: `r${i}`,
    provider: "fake",
    attributes: {},
    sensitive_attributes: [],
    dependencies: [],
  })),
  outputs: {},
});

describe("saved-plan admission", () => {
  it("admits the plan for the inputs it was made from, whatever the order of the files", () => {
    const reordered: PlanInputs = { ...inputs, sources: new Map([...inputs.sources].reverse()) };
    expect(inputsMismatch(planFor(inputs, "l", 3), reordered, "p.plan")).toBeUndefined();
  });

  it("names every input that differs", () => {
    const other: PlanInputs = { dir: join(dir, ".."), sources: new Map([["main.pmx.hcl", "changed"]]), variables: new Map([["x", 2]]) };
    const d = inputsMismatch(planFor(inputs, "l", 3), other, "p.plan")!;
    expect(d.summary).toBe("Saved plan does not match");
    expect(d.detail).toBe(
      "The plan file p.plan cannot be applied: it was created in another working directory; the configuration files changed since it was created; the variable values differ from the ones it was planned with. Create a new plan with pmxform plan --out p.plan.",
    );
  });

  it("notices a changed secret without keeping it", () => {
    const secret = (v: string): PlanInputs => ({ ...inputs, variables: new Map([["pw", new Sensitive(v)]]) });
    expect(inputsMismatch(planFor(secret("s3cret-one"), null, null), secret("s3cret-two"), "p")?.detail).toContain("the variable values differ");
    expect(inputsMismatch(planFor(secret("s3cret-one"), null, null), secret("s3cret-one"), "p")).toBeUndefined();
    expect(variablesDigest(secret("s3cret-one").variables)).toMatch(/^[0-9a-f]{64}$/);
  });

  it("admits a plan against its own lineage and serial only", () => {
    const p = planFor(inputs, "lin", 4);
    expect(stateMismatch(p, state("lin", 4, 2), "p")).toBeUndefined();
    const applied = stateMismatch(p, state("lin", 5, 2), "p")!;
    expect(applied.summary).toBe("Saved plan is stale");
    expect(applied.detail).not.toContain("different state lineage");
    expect(stateMismatch(p, state("other", 4, 2), "p")!.detail).toContain("the plan belongs to a different state lineage");
  });

  it("admits a plan made without a state only while nothing was written", () => {
    const p = planFor(inputs, null, null);
    expect(stateMismatch(p, state("new", 0), "p")).toBeUndefined();
    expect(stateMismatch(p, state("new", 1), "p")?.summary).toBe("Saved plan is stale");
    expect(stateMismatch(p, state("new", 0, 1), "p")?.summary).toBe("Saved plan is stale");
  });
});
