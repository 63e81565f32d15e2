#!/usr/bin/env node
// Budgets 1 and 2 of issue 9: a no-op `pmxform plan` of 500 containers on a 3-node simulated
// cluster with 300 ms per simulated call, against the Terraform providers' refresh (one
// `pct config` + one `pct status` per container, 10 at a time, through the same SimRunner),
// measured alternately in the same run; and the Proxmox processes that plan starts per node,
// counted in the simulator's call log.
// The baseline starts 1,000 processes per run, so it runs --baseline-runs times (default 1),
// between the first and second plan run; plan runs --runs times (default 3).
// Usage: node bench/refresh.mjs [--containers 500] [--runs 3] [--baseline-runs 1] [--latency-ms 300] [--check]
import { execFileSync, spawnSync } from "node:child_process";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { NODES3, buildCluster, readCalls, setLatency, simProxmoxBlock } from "./lib/cluster.mjs";
import { CLI, OUT, dist, median, option, report, requireBuild, round } from "./lib/stats.mjs";

const CONTAINERS = option("containers", 500);
const RUNS = option("runs", 3);
const BASELINE_RUNS = option("baseline-runs", 1);
const LATENCY = option("latency-ms", 300);
const CHECK = process.argv.includes("--check");
const DIR = join(OUT, "refresh");
const SIM = join(DIR, "sim");

/** 500 containers adopted with `import --all` (latency 0 while building), so plan says No changes. */
function fixtures() {
  rmSync(DIR, { recursive: true, force: true });
  mkdirSync(DIR, { recursive: true });
  const cts = buildCluster(CLI, SIM, { nodes: NODES3, count: CONTAINERS });
  writeFileSync(join(DIR, "providers.pmx.hcl"), simProxmoxBlock(NODES3));
  execFileSync(process.execPath, [CLI, "import", "--all", "--generate-config-out", "containers.pmx.hcl"], { cwd: DIR, stdio: "ignore" });
  setLatency(SIM, LATENCY);
  return cts;
}

/** One spawned `pmxform plan --detailed-exitcode`: seconds and the simulated calls it made. */
function planOnce() {
  const before = readCalls(SIM).length;
  const t0 = performance.now();
  const r = spawnSync(process.execPath, [CLI, "plan", "--detailed-exitcode", "-no-color"], { cwd: DIR, encoding: "utf8", env: { ...process.env, NO_COLOR: "1" } });
  const seconds = (performance.now() - t0) / 1000;
  if (r.status !== 0) throw new Error(`plan did not report No changes (exit ${r.status}):\n${(r.stdout + r.stderr).slice(-2000)}`);
  const calls = readCalls(SIM).slice(before);
  return { seconds, calls: calls.length };
}

/** The per-container refresh the Terraform providers do, at their default parallelism of 10. */
async function baselineOnce(cts) {
  const { SimRunner } = await dist("src/exec/sim.js");
  const runners = new Map(NODES3.map((n) => [n, new SimRunner(SIM, n)]));
  let next = 0;
  const t0 = performance.now();
  const worker = async () => {
    while (next < cts.length) {
      const ct = cts[next++];
      const run = runners.get(ct.node);
      await run.run(["pct", "config", String(ct.vmid)]);
      await run.run(["pct", "status", String(ct.vmid)]);
    }
  };
  await Promise.all(Array.from({ length: 10 }, worker));
  return { seconds: (performance.now() - t0) / 1000 };
}

async function main() {
  requireBuild();
  const cts = fixtures();
  const plans = [];
  const baselines = [];
  for (let i = 0; i < RUNS; i++) {
    plans.push(planOnce());
    process.stdout.write(`plan run ${i + 1}/${RUNS}: ${plans[i].seconds.toFixed(2)} s\n`);
    if (i < BASELINE_RUNS) {
      baselines.push(await baselineOnce(cts));
      process.stdout.write(`baseline run ${i + 1}/${BASELINE_RUNS}: ${baselines[i].seconds.toFixed(2)} s\n`);
    }
  }
  const plan = median(plans.map((p) => p.seconds));
  const base = median(baselines.map((b) => b.seconds));
  const calls = Math.max(...plans.map((p) => p.calls));
  const rows = [
    { figure: `no-op plan, ${CONTAINERS} CTs, ${NODES3.length} nodes, ${LATENCY} ms/call`, value: round(plan, 2), unit: "s", budget: 3 },
    { figure: "per-container refresh (pct config + status, parallelism 10)", value: round(base, 2), unit: "s" },
    { figure: "baseline / plan", value: round(base / plan, 1), unit: "x", budget: 15, op: ">=" },
    { figure: "simulated Proxmox calls per plan", value: calls, unit: "" },
    {
      figure: "  per node",
      value: round(calls / NODES3.length, 2),
      unit: "",
      budget: 4,
      op: "<=",
      note: "per node: CT list + GPU device stat; per cluster: resources, conf grep (template listings only with an oci_image)",
    },
  ];
  const ok = report("refresh", `refresh benchmark: median of ${RUNS} plan runs and ${baselines.length} baseline runs, interleaved`, rows, {
    containers: CONTAINERS,
    nodes: NODES3.length,
    latencyMs: LATENCY,
    raw: { plans, baselines },
  });
  return CHECK && !ok ? 1 : 0;
}

process.exitCode = await main().catch((e) => (process.stderr.write(`bench/refresh.mjs: ${e.message}\n`), 2));
