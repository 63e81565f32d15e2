// Budgets 1-2 of issue 9 as CI counters (no clock): a no-op plan starts the same small number
// of Proxmox processes per node for 60 containers as for 6, and the plan's process count does
// not grow with the containers. Fixtures as in bench/refresh.mjs, at small sizes, latency 0.
import { execFileSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { NODES3, buildCluster, readCalls, simProxmoxBlock } from "../../bench/lib/cluster.mjs";
import { BIN, BUILT, NOT_BUILT, Workdir, cli } from "../e2e/helpers.js";

/** Simulated calls of one no-op plan over `count` imported containers on 3 nodes. */
async function planCalls(w: Workdir, count: number): Promise<string[][]> {
  buildCluster(BIN, w.path("sim"), { nodes: NODES3, count });
  writeFileSync(w.path("providers.pmx.hcl"), simProxmoxBlock(NODES3));
  execFileSync(process.execPath, [BIN, "import", "--all", "--generate-config-out", "containers.pmx.hcl"], { cwd: w.dir, stdio: "ignore" });
  const before = readCalls(w.path("sim")).length;
  const plan = await cli(w.dir, ["plan", "--detailed-exitcode"]);
  expect(plan.stderr).toBe("");
  expect(plan.code).toBe(0);
  return readCalls(w.path("sim"))
    .slice(before)
    .map((c) => [c.tool, ...c.argv]);
}

describe.skipIf(!BUILT)(`no-op plan process count${BUILT ? "" : ` (skipped: ${NOT_BUILT})`}`, () => {
  const small = new Workdir("pmx-bench-small-");
  const large = new Workdir("pmx-bench-large-");
  let callsSmall: string[][];
  let callsLarge: string[][];
  beforeAll(async () => {
    [callsSmall, callsLarge] = await Promise.all([planCalls(small, 6), planCalls(large, 60)]);
  });
  afterAll(() => {
    small.remove();
    large.remove();
  });

  // Per node: its container list, one stat of its GPU device nodes and its bridge list; once per
  // cluster: the resource list and the conf dump (and a listing per template storage when
  // something may be created from a template: none here). 4 per node bounds all of it.
  it("starts at most 4 simulated Proxmox processes per node, none of them per container", () => {
    expect(callsLarge.length).toBeLessThanOrEqual(4 * NODES3.length);
    expect(callsLarge.filter((argv) => argv[0] === "pct")).toEqual([]);
    expect(callsLarge.filter((argv) => argv.some((a) => /\/lxc\/\d+/.test(a)))).toEqual([]);
  });

  it("makes the same calls for 60 containers as for 6", () => {
    const sorted = (calls: string[][]) => calls.map((c) => c.join(" ")).sort();
    expect(sorted(callsLarge)).toEqual(sorted(callsSmall));
  });
});
