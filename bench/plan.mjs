#!/usr/bin/env node
// Budget 3 of issue 9: parse + evaluate + plan with no I/O for 5,000 resources that reference
// each other (bench/lib/gen-config.mjs), under 1.5 s and 400 MB peak RSS, each sample a fresh Node
// process planning against a recorded cluster (bench/lib/offline-plan.mjs).
// Usage: node bench/plan.mjs [--resources 5000] [--runs 5] [--check]
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { generateHcl } from "./lib/gen-config.mjs";
import { offlinePlanner, recordEmptyCluster, sampleChild } from "./lib/offline-plan.mjs";
import { OUT, median, option, report, requireBuild, round } from "./lib/stats.mjs";

const RESOURCES = option("resources", 5000);
const RUNS = option("runs", 5);
const CHECK = process.argv.includes("--check");
const DIR = join(OUT, "plan");

/** One measured run inside a fresh process: prints { loadMs, planMs, changes, maxRssMB }. */
async function child() {
  const t0 = performance.now();
  const planner = await offlinePlanner(DIR);
  const t1 = performance.now();
  const session = await planner.load(join(DIR, "config"));
  const t2 = performance.now();
  const { creates } = planner.plan(session);
  const t3 = performance.now();
  process.stdout.write(JSON.stringify({ importMs: t1 - t0, loadMs: t2 - t1, planMs: t3 - t2, totalMs: t3 - t1, creates, maxRssMB: process.resourceUsage().maxRSS / 1024 }) + "\n");
}

function fixtures() {
  rmSync(DIR, { recursive: true, force: true });
  mkdirSync(join(DIR, "config"), { recursive: true });
  writeFileSync(join(DIR, "config", "main.pmx.hcl"), generateHcl(RESOURCES));
  recordEmptyCluster(DIR);
}

const sample = () => sampleChild();

async function main() {
  requireBuild();
  fixtures();
  sample(); // warm-up: file cache
  const runs = Array.from({ length: RUNS }, sample);
  const instances = runs[0].creates;
  const rows = [
    { figure: `parse + evaluate + plan, ${RESOURCES} resources (${instances} instances)`, value: round(median(runs.map((r) => r.totalMs))), unit: "ms", budget: 1500 },
    { figure: "  of which load (parse + decode + variables)", value: round(median(runs.map((r) => r.loadMs))), unit: "ms" },
    { figure: "  of which evaluate + plan", value: round(median(runs.map((r) => r.planMs))), unit: "ms" },
    { figure: "peak RSS of the process", value: round(median(runs.map((r) => r.maxRssMB))), unit: "MB", budget: 400 },
    { figure: "module loading before (not in the budget)", value: round(median(runs.map((r) => r.importMs))), unit: "ms" },
  ];
  const ok = report("plan", `plan benchmark: no I/O, median of ${RUNS} fresh processes`, rows, { resources: RESOURCES, runs: RUNS, raw: runs });
  return CHECK && !ok ? 1 : 0;
}

if (process.argv.includes("--child")) await child();
else process.exitCode = await main().catch((e) => (process.stderr.write(`bench/plan.mjs: ${e.message}\n`), 2));
