#!/usr/bin/env node
// Budget 3 of issue 9: parse + evaluate + plan with no I/O for 5,000 resources that reference
// each other (bench/lib/gen-config.mjs), under 1.5 s and 400 MB peak RSS. Each sample is a fresh
// Node process (a CLI run pays its JIT warm-up too, and peak RSS is per process); the cluster
// snapshot is built by the provider's pure parsers from output recorded once from the simulator.
// Usage: node bench/plan.mjs [--resources 5000] [--runs 5] [--check]
import { execFileSync } from "node:child_process";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { generateHcl } from "./lib/gen-config.mjs";
import { CLI, OUT, dist, median, option, report, requireBuild, round } from "./lib/stats.mjs";

const RESOURCES = option("resources", 5000);
const RUNS = option("runs", 5);
const CHECK = process.argv.includes("--check");
const DIR = join(OUT, "plan");

/** One measured run inside a fresh process: prints { loadMs, planMs, changes, maxRssMB }. */
async function child() {
  const t0 = performance.now();
  const [{ buildRegistry }, { openSession }, { plan }, { buildSnapshot }, parse, { parseStorageContent }] = await Promise.all([
    dist("src/registry-wiring.js"),
    dist("src/engine/session.js"),
    dist("src/engine/plan.js"),
    dist("providers/lxc/snapshot.js"),
    dist("providers/lxc/snapshot-parse.js"),
    dist("providers/oci/snapshot.js"),
  ]);
  const registry = await buildRegistry();
  const rec = JSON.parse(readFileSync(join(DIR, "recorded.json"), "utf8"));
  const t1 = performance.now();
  const { session, diagnostics } = await openSession({ chdir: join(DIR, "config") }, registry, { variables: "resolve" });
  if (!session) throw new Error(`config does not load: ${diagnostics.map((d) => d.summary).join("; ")}`);
  const t2 = performance.now();
  const resources = parse.parseClusterResources(rec.resources);
  const lxc = buildSnapshot(resources, parse.parseConfDump(""), [parse.parseNodeLxcList(rec.lxc)]);
  const snapshot = { ...lxc, templates: new Map([["pve1/local", parseStorageContent(rec.templates)]]), registry: new Map(), imageVolumes: new Map() };
  const result = plan({
    session,
    prior: [],
    refreshed: new Map(),
    unreachable: new Map(),
    snapshotFor: () => snapshot,
    options: { destroy: false, refreshOnly: false, targets: [], replace: [] },
  });
  const t3 = performance.now();
  const errors = result.diagnostics.filter((d) => d.severity === "error");
  if (errors.length)
    throw new Error(
      `plan failed: ${errors
        .slice(0, 3)
        .map((d) => `${d.summary}: ${d.detail}`)
        .join("; ")}`,
    );
  const creates = result.changes.filter((c) => c.action === "create").length;
  process.stdout.write(JSON.stringify({ importMs: t1 - t0, loadMs: t2 - t1, planMs: t3 - t2, totalMs: t3 - t1, creates, maxRssMB: process.resourceUsage().maxRSS / 1024 }) + "\n");
}

function fixtures() {
  rmSync(DIR, { recursive: true, force: true });
  mkdirSync(join(DIR, "config"), { recursive: true });
  writeFileSync(join(DIR, "config", "main.pmx.hcl"), generateHcl(RESOURCES));
  // What the snapshot of an empty one-node cluster reads, recorded from the simulator once.
  const sim = join(DIR, "sim");
  execFileSync(process.execPath, [CLI, "sim", "init", sim], { stdio: "ignore" });
  const pvesh = (...a) => execFileSync(join(sim, "bin", "pvesh"), ["get", ...a, "--output-format", "json"], { encoding: "utf8" });
  const recorded = { resources: pvesh("/cluster/resources"), lxc: pvesh("/nodes/pve1/lxc"), templates: pvesh("/nodes/pve1/storage/local/content", "--content", "vztmpl") };
  writeFileSync(join(DIR, "recorded.json"), JSON.stringify(recorded));
}

function sample() {
  const out = execFileSync(process.execPath, [process.argv[1], "--child"], { encoding: "utf8", stdio: ["ignore", "pipe", "inherit"], maxBuffer: 1 << 26 });
  return JSON.parse(out.trim().split("\n").pop());
}

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
