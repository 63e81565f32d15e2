// Ten `pmxform apply` processes started at once on one working directory: the state lock lets
// exactly one change anything at a time; the others fail naming the holder (default
// --lock-timeout 0) or wait their turn (--lock-timeout), and the final state is valid and complete.
import { spawn } from "node:child_process";
import { readFileSync, readdirSync } from "node:fs";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { readCalls } from "../../src/sim/index.js";
import { validateStateFile } from "../../src/state/schema.js";
import { BIN, BUILT, NOT_BUILT, SIM_NODE, Workdir, cli, container, type CliResult } from "../e2e/helpers.js";

const NAMES = ["a", "b", "c", "d", "e"];
const PROCESSES = 10;

/** Starts all processes before waiting for any, and keeps each one's pid with its result. */
async function applyAtOnce(dir: string, extra: (i: number) => string[]): Promise<(CliResult & { pid: number })[]> {
  const runs = Array.from({ length: PROCESSES }, (_, i) => {
    const child = spawn(process.execPath, [BIN, "apply", "-auto-approve", ...extra(i)], { cwd: dir, env: { ...process.env, NO_COLOR: "1" } });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    return new Promise<CliResult & { pid: number }>((r) => child.on("close", (code) => r({ code: code ?? 1, stdout, stderr, pid: child.pid! })));
  });
  return Promise.all(runs);
}

function checkFinal(w: Workdir): void {
  const checked = validateStateFile(JSON.parse(readFileSync(w.path("pmxform.state.json"), "utf8")));
  if ("problems" in checked) throw new Error(checked.problems.join("; "));
  expect(checked.state.resources.map((r) => r.address)).toEqual(NAMES.map((n) => `lxc_container.${n}`));
  expect(checked.state.intents).toBeUndefined();
  expect(readdirSync(w.path("sim/etc/pve/nodes/pve1/lxc")).sort()).toEqual(checked.state.resources.map((r) => `${String(r.attributes["vmid"])}.conf`).sort());
  // Nothing was created twice: one pct create per container, all successful.
  const creates = readCalls(w.path("sim")).filter((c) => c.tool === "pct" && c.argv[0] === "create");
  expect(creates).toHaveLength(NAMES.length);
  expect(creates.every((c) => c.exit === 0)).toBe(true);
}

describe.skipIf(!BUILT)(`${PROCESSES} applies at once${BUILT ? "" : ` (skipped: ${NOT_BUILT})`}`, () => {
  let w: Workdir;
  beforeEach(async () => {
    w = new Workdir("pmx-concurrent-");
    expect((await w.run("sim", "init", "sim")).code).toBe(0);
    w.write("main.pmx.hcl", SIM_NODE + NAMES.map((n) => container(n, "  started = false")).join("\n"));
  });
  afterEach(() => w.remove());

  it("one changes the state at a time: the others fail naming the holder, or wait their turn", { timeout: 300_000 }, async () => {
    // Even-numbered processes wait for the lock (--lock-timeout), odd ones fail at once if it is taken.
    const results = await applyAtOnce(w.dir, (i) => (i % 2 === 0 ? ["-lock-timeout", "240s"] : []));
    const pids = new Set(results.map((r) => r.pid));
    results.forEach((r, i) => {
      if (i % 2 === 0) expect(r.code, r.stderr).toBe(0);
      if (r.code === 0) return;
      expect(r.stderr).toContain("Error acquiring the state lock");
      const holder = /Who: +\S+ \(pid (\d+)\)/.exec(r.stderr);
      expect(holder, r.stderr).not.toBeNull();
      expect(pids.has(Number(holder![1]))).toBe(true);
      expect(Number(holder![1])).not.toBe(r.pid);
      expect(r.stderr).toMatch(/Operation: +apply/);
    });
    const succeeded = results.filter((r) => r.code === 0);
    // Exactly one created everything; every later one planned from its state and found nothing to do.
    expect(succeeded.filter((r) => r.stdout.includes(`Apply complete! Resources: ${NAMES.length} added`))).toHaveLength(1);
    expect(succeeded.filter((r) => r.stdout.includes("No changes"))).toHaveLength(succeeded.length - 1);
    expect(results.filter((r) => r.code !== 0).length).toBeGreaterThan(0);
    checkFinal(w);
    expect((await cli(w.dir, ["plan", "-detailed-exitcode"])).code).toBe(0);
  });
});
