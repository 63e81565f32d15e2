// The outcomes of apply --json: each change is looked up by its id in the walk, so a deposed
// object's destroy (same address as the current object's replacement) reports its own status.
import { describe, expect, it } from "vitest";
import { outcomes } from "../../src/commands/apply-json.js";
import type { Change } from "../../src/plan/change.js";
import type { ApplySummary } from "../../src/engine/apply.js";

const change = (over: Partial<Change>): Change => ({
  address: "lxc_container.web",
  type: "lxc_container",
  decl: "lxc_container.web",
  action: "update",
  before: { vmid: 105 },
  after: { vmid: 105 },
  afterUnknown: [],
  sensitivePaths: [],
  reasons: [],
  notes: [],
  dependencies: [],
  ...over,
});

const summary = (over: Partial<ApplySummary>): ApplySummary => ({ imported: 0, added: 0, changed: 0, destroyed: 0, failed: [], skipped: [], completed: [], diagnostics: [], ...over });

describe("apply --json outcomes", () => {
  const current = change({ action: "update" });
  const deposed = change({ action: "delete", after: null, deposedKey: "1a2b3c4d" });

  it("reports a deposed object's destroy under its own key and status", () => {
    const out = outcomes([current, deposed], summary({ completed: ["lxc_container.web"], failed: [{ address: "lxc_container.web (deposed object 1a2b3c4d)", message: "boom" }] }));
    expect(out).toEqual([
      { address: "lxc_container.web", actions: ["update"], status: "complete" },
      { address: "lxc_container.web", deposed: "1a2b3c4d", actions: ["delete"], status: "failed", error: "boom" },
    ]);
  });

  it("does not take the current object's completion for the deposed one's", () => {
    const out = outcomes([current, deposed], summary({ completed: ["lxc_container.web"] }));
    expect(out.map((o) => o.status)).toEqual(["complete", "not_started"]);
  });
});
