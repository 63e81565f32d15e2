import { describe, expect, it } from "vitest";
import { normaliseArgv } from "../src/cli.js";

describe("normaliseArgv", () => {
  it("accepts Terraform's single-dash long flags", () => {
    expect(normaliseArgv(["plan", "-out=plan.out", "-auto-approve", "-var", "x=1", "-f", "a.hcl"])).toEqual([
      "plan",
      "--out=plan.out",
      "--auto-approve",
      "--var",
      "x=1",
      "-f",
      "a.hcl",
    ]);
  });
  it("leaves everything after -- alone", () => {
    expect(normaliseArgv(["x", "--", "-keep"])).toEqual(["x", "--", "-keep"]);
  });
});
