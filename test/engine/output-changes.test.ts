// Terraform's "Changes to Outputs": what the plan changes against the state's outputs, and how
// the plan shows it (also when no resource changes).
import { describe, expect, it } from "vitest";
import { Sensitive, Unknown, type Value } from "../../src/config/value.js";
import { outputChanges } from "../../src/engine/output-changes.js";
import { renderPlan } from "../../src/plan/render.js";

const planned = (entries: [string, Value, boolean?][]) => new Map(entries.map(([k, value, sensitive]) => [k, { value, sensitive: sensitive ?? false }]));
const ctx = { color: false, blocksOf: () => ({}) };

describe("outputChanges", () => {
  it("lists new, changed, not yet known and removed outputs, by name; equal ones are left out", () => {
    const prior = { same: { value: { a: [1, 2] }, sensitive: false }, changed: { value: "v1", sensitive: false }, gone: { value: 3, sensitive: false }, later: { value: "x", sensitive: false } };
    const out = outputChanges(
      planned([
        ["same", { a: [1, 2] }],
        ["changed", "v2"],
        ["added", 7],
        ["later", new Unknown("string")],
      ]),
      prior,
    );
    expect(out.map((o) => [o.name, o.action])).toEqual([
      ["added", "create"],
      ["changed", "update"],
      ["gone", "delete"],
      ["later", "update"],
    ]);
    expect(out.find((o) => o.name === "changed")).toMatchObject({ before: "v1", after: "v2" });
  });

  it("shows a sensitive output only when it appears, disappears or changes sensitivity (its value is not in the state)", () => {
    const prior = { secret: { value: null, sensitive: true }, flips: { value: "p", sensitive: false } };
    const out = outputChanges(
      planned([
        ["secret", new Sensitive("other")],
        ["flips", "p", true],
        ["fresh", new Sensitive("s")],
      ]),
      prior,
    );
    expect(out.map((o) => [o.name, o.action, o.sensitive])).toEqual([
      ["flips", "update", true],
      ["fresh", "create", true],
    ]);
  });
});

describe("renderPlan with output changes", () => {
  const outputs = outputChanges(
    planned([
      ["extra", "v2"],
      ["id", new Unknown("number")],
      ["pw", new Sensitive("x")],
    ]),
    { extra: { value: "v1", sensitive: false }, old: { value: 1, sensitive: false } },
  );

  it("says what would change and that applying only saves them, when no resource changes", () => {
    expect(renderPlan([], [], ctx, { outputs })).toBe(
      [
        "Changes to Outputs:",
        '  ~ extra = "v1" -> "v2"',
        "  + id    = (known after apply)",
        "  - old   = 1 -> null",
        "  + pw    = (sensitive value)",
        "",
        "You can apply this plan to save these new output values to the pmxform state, without changing any real infrastructure.",
        "",
      ].join("\n"),
    );
  });

  it("says No changes when neither resources nor outputs change", () => {
    expect(renderPlan([], [], ctx, { outputs: [] })).toMatch(/^No changes\./);
  });
});
