// Node blocks: unknown settings are diagnostics at their line with a did-you-mean, and every
// node, declared or reached through PMXFORM_SIM without a block, retries transient failures.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { renderCompact } from "../../src/diag/render.js";
import { openSession } from "../../src/engine/session.js";
import { buildTargets } from "../../src/engine/targets.js";
import { RetryingRunner } from "../../src/exec/retry.js";
import { buildRegistry } from "../../src/registry-wiring.js";
import { initSim, readCalls, setFaults } from "../../src/sim/index.js";

const dirs: string[] = [];
function workdir(config: string): string {
  const dir = mkdtempSync(join(tmpdir(), "pmx-targets-"));
  dirs.push(dir);
  writeFileSync(join(dir, "main.pmx.hcl"), config);
  return dir;
}
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

async function open(dir: string) {
  return openSession({ chdir: dir }, await buildRegistry(), { variables: "resolve" });
}

describe("node blocks", () => {
  it("reports an unknown setting at its line and column, with the setting it was probably meant to be", async () => {
    const dir = workdir(`proxmox {\n  node "pve1" {\n    ssh          = "root@10.0.0.11"\n    identity_fle = "~/.ssh/id"\n    max_paralel  = 2\n  }\n}\n`);
    const { session, diagnostics } = await open(dir);
    expect(session).toBeUndefined();
    const text = renderCompact(diagnostics);
    expect(text).toContain(`main.pmx.hcl:4:5: error: Unsupported argument: An argument named "identity_fle" is not expected in node "pve1". Did you mean "identity_file"?`);
    expect(text).toContain(`main.pmx.hcl:5:5: error: Unsupported argument: An argument named "max_paralel" is not expected in node "pve1". Did you mean "max_parallel"?`);
  });

  it("gives nodes reached through PMXFORM_SIM without a node block the same retries as declared ones", async () => {
    const dir = workdir(`proxmox {\n  node "pve1" {\n    sim = "sim"\n  }\n}\n`);
    const sim = join(dir, "sim");
    initSim(sim, { nodes: ["pve1", "pve2", "pve3"] });
    const { session } = await open(dir);
    const lines: string[] = [];
    const { targets, diagnostics } = await buildTargets(session!.evaluation, { PMXFORM_SIM: sim }, { log: (l) => lines.push(l) });
    expect(diagnostics).toEqual([]);
    // pve2 is in the simulator's node list, pve9 is only asked for: both retry.
    for (const node of ["pve1", "pve2", "pve9"]) expect(targets.runnerFor(node)).toBeInstanceOf(RetryingRunner);

    setFaults(sim, [{ tool: "pvesh", node: "pve2", times: 1, stderr: "cluster not ready - no quorum?", exit: 255 }]);
    const runner = targets.runnerFor("pve2") as RetryingRunner;
    // The default first delay is 1 s: fine once, and it proves the defaults apply.
    const r = await runner.run(["pvesh", "get", "/nodes/pve2/lxc", "--output-format", "json"]);
    expect(r.exitCode).toBe(0);
    expect(runner.retries).toBe(1);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^pve2 \(simulator\): pvesh get failed \(cluster not ready - no quorum\?\); retrying in \d\.\ds \(attempt 2 of 4\)$/);
    expect(
      readCalls(sim)
        .filter((c) => c.node === "pve2")
        .map((c) => c.exit),
    ).toEqual([255, 0]);
  });
});
