// Every verb that accepts --json prints exactly one JSON document on stdout, on success and on
// failure: validate, plan, apply (fresh and saved), destroy, show, output. Progress goes to stderr.
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { setFaults } from "../../src/sim/index.js";
import { BUILT, NOT_BUILT, SIM_NODE, Workdir, container, type CliResult } from "./helpers.js";

interface Outcome {
  address: string;
  actions: string[];
  status: string;
  error?: string;
  skipped_because?: string;
}
interface Doc {
  errored?: boolean;
  diagnostics?: { severity: string; summary: string; address?: string }[];
  resource_changes?: { address: string; change: { actions: string[] } }[];
  resource_drift?: { address: string }[];
  resource_outcomes?: Outcome[];
  apply_summary?: Record<string, number | string>;
  summary?: Record<string, number>;
  outputs?: Record<string, { sensitive: boolean; value: unknown }>;
  [k: string]: unknown;
}

/** The whole of stdout must be one JSON document: anything printed before or after fails to parse. */
function doc(r: CliResult): Doc {
  expect(() => JSON.parse(r.stdout) as unknown, `stdout is not one JSON document:\n${r.stdout}`).not.toThrow();
  return JSON.parse(r.stdout) as Doc;
}

const pair = SIM_NODE + container("a", `  vmid = 150`) + container("b", `  vmid = 151\n  description = "next to \${lxc_container.a.vmid}"`) + `output "a_vmid" {\n  value = lxc_container.a.vmid\n}\n`;
// c fails (a fault below); d depends on c, so it is never attempted.
const failing = container("c", `  vmid = 152`) + container("d", `  vmid = 153\n  description = "after \${lxc_container.c.vmid}"`);

describe.skipIf(!BUILT)(`--json output of every verb${BUILT ? "" : ` (skipped: ${NOT_BUILT})`}`, () => {
  let w: Workdir;
  beforeAll(() => {
    w = new Workdir();
    w.write("main.pmx.hcl", pair);
  });
  afterAll(() => w.remove());

  it("validate and plan (with --out) print their documents", async () => {
    expect(doc(await w.run("validate", "--json"))).toMatchObject({ valid: true, error_count: 0 });
    const p = await w.run("plan", "--json", "--out", "plan.out");
    expect(p.code).toBe(0);
    const j = doc(p);
    expect(j).toMatchObject({ errored: false, summary: { add: 2, change: 0, destroy: 0 } });
    expect(j.resource_changes!.map((c) => c.address)).toEqual(["lxc_container.a", "lxc_container.b"]);
    expect(existsSync(w.path("plan.out"))).toBe(true);
  });

  it("apply --json needs --auto-approve or a plan file; apply PLANFILE --json reports each resource", async () => {
    const refused = await w.run("apply", "--json");
    expect(refused.code).toBe(1);
    expect(doc(refused)).toMatchObject({ errored: true, diagnostics: [{ severity: "error", summary: "Approval required" }] });
    expect(existsSync(w.path("pmxform.state.json"))).toBe(false);

    const r = await w.run("apply", "plan.out", "--json");
    expect(r.code).toBe(0);
    const j = doc(r);
    expect(j).toMatchObject({
      format_version: "1.2",
      errored: false,
      diagnostics: [],
      summary: { add: 2 },
      apply_summary: { operation: "apply", add: 2, change: 0, destroy: 0, failed: 0, skipped: 0 },
      outputs: { a_vmid: { sensitive: false, value: 150 } },
    });
    expect(j.resource_outcomes).toEqual([
      { address: "lxc_container.a", actions: ["create"], status: "complete" },
      { address: "lxc_container.b", actions: ["create"], status: "complete" },
    ]);
    // Progress still shows, on stderr.
    expect(r.stderr).toContain("lxc_container.b: Creation complete");
  });

  it("apply --json puts a failure mid-run in the same document", async () => {
    w.write("main.pmx.hcl", pair + failing);
    setFaults(w.path("sim"), [{ tool: "pct", args: ["create"], argsRegex: "^create 152 ", stderr: "unable to create CT 152 - no space left on device", exit: 2, times: 10 }]);
    const r = await w.run("apply", "--auto-approve", "--json");
    expect(r.code).toBe(1);
    const j = doc(r);
    expect(j).toMatchObject({ errored: true, summary: { add: 2 }, apply_summary: { operation: "apply", add: 0, failed: 1, skipped: 1 } });
    expect(j.outputs).toBeUndefined();
    expect(j.resource_outcomes).toEqual([
      { address: "lxc_container.c", actions: ["create"], status: "failed", error: expect.stringContaining("no space left on device") as unknown as string },
      { address: "lxc_container.d", actions: ["create"], status: "skipped", skipped_because: "lxc_container.c" },
    ]);
    expect(j.diagnostics).toMatchObject([{ severity: "error", summary: "lxc_container.c: creation failed", address: "lxc_container.c" }]);
    setFaults(w.path("sim"), []);
  });

  it("apply --json with nothing to change, and with --refresh-only", async () => {
    w.write("main.pmx.hcl", pair);
    const noop = doc(await w.run("apply", "--auto-approve", "--json"));
    expect(noop).toMatchObject({ errored: false, summary: { add: 0, change: 0, destroy: 0 }, resource_outcomes: [], outputs: { a_vmid: { value: 150 } } });

    execFileSync(w.path("sim/bin/pct"), ["set", "150", "--cores", "3"]);
    const r = await w.run("apply", "--refresh-only", "--auto-approve", "--json");
    expect(r.code).toBe(0);
    const j = doc(r);
    expect(j).toMatchObject({ errored: false, apply_summary: { operation: "refresh-only", add: 0 } });
    expect(j.resource_drift!.map((d) => d.address)).toEqual(["lxc_container.a"]);
  });

  it("show and output print the state; a missing plan file or output is an errored document", async () => {
    const state = doc(await w.run("show", "--json")) as { values: { root_module: { resources: { address: string }[] } } };
    expect(state.values.root_module.resources.map((r) => r.address)).toEqual(["lxc_container.a", "lxc_container.b"]);
    expect(doc(await w.run("show", "--json", "plan.out")).resource_changes).toHaveLength(2);
    expect(doc(await w.run("output", "--json"))).toEqual({ a_vmid: { sensitive: false, value: 150 } });
    expect(doc(await w.run("output", "--json", "a_vmid"))).toBe(150);
    for (const argv of [
      ["show", "--json", "missing.out"],
      ["output", "--json", "nope"],
    ]) {
      const r = await w.run(...argv);
      expect(r.code, argv.join(" ")).toBe(1);
      expect(doc(r)).toMatchObject({ errored: true, diagnostics: [{ severity: "error" }] });
    }
    // The hint is given once (apply used to append a second one after a doubled full stop).
    expect(doc(await w.run("apply", "--json", "missing.out")).diagnostics).toMatchObject([
      { summary: "Failed to load the saved plan", detail: "The plan file missing.out does not exist. Create it with pmxform plan --out missing.out." },
    ]);
  });

  it("destroy --json reports a failed destroy, then a complete one without outputs", async () => {
    setFaults(w.path("sim"), [{ tool: "pct", args: ["destroy", "151"], stderr: "can't remove CT 151 - storage busy", exit: 2, times: 10 }]);
    const failed = await w.run("destroy", "--auto-approve", "--json");
    expect(failed.code).toBe(1);
    const f = doc(failed);
    expect(f).toMatchObject({ errored: true, apply_summary: { operation: "destroy", destroy: 0, failed: 1, skipped: 1 } });
    expect(f.resource_outcomes!.map((o) => [o.address, o.actions, o.status])).toEqual([
      ["lxc_container.a", ["delete"], "skipped"],
      ["lxc_container.b", ["delete"], "failed"],
    ]);
    setFaults(w.path("sim"), []);
    const r = await w.run("destroy", "--auto-approve", "--json");
    expect(r.code).toBe(0);
    const j = doc(r);
    expect(j).toMatchObject({ errored: false, summary: { destroy: 2 }, apply_summary: { operation: "destroy", destroy: 2, failed: 0 } });
    expect(j.resource_outcomes!.every((o) => o.status === "complete")).toBe(true);
    expect(j).not.toHaveProperty("outputs");
    expect(r.stderr).toContain("Destruction complete");
  });
});
