#!/usr/bin/env node
// The configuration speed budget (issue 2): a generated 2,000-resource config in HCL and in YAML
// goes through what `pmxform validate` does (load = parse + decode, then evaluation + schema
// validation), in process, median of N runs after a warm-up; plus spawned `--version`/`--help`
// and `validate` of a 5-resource config (issue 9 budget 4).
// Usage: node bench/config.mjs [--resources 2000] [--runs 7] [--check]   (--check: exit 1 on FAIL)
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { generateHcl, generateYaml } from "./lib/gen-config.mjs";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
const OUT = join(ROOT, "bench", "out");

function option(name, fallback) {
  const at = process.argv.indexOf(`--${name}`);
  if (at === -1) return fallback;
  const value = Number(process.argv[at + 1]);
  if (!Number.isInteger(value) || value < 1) throw new Error(`--${name} needs a positive whole number`);
  return value;
}

const RESOURCES = option("resources", 2000);
const RUNS = option("runs", 7);
const CHECK = process.argv.includes("--check");

/** Newest modification time of any file under `dir` (0 when it does not exist). */
function newest(dir) {
  if (!existsSync(dir)) return 0;
  let latest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    latest = Math.max(latest, entry.isDirectory() ? newest(path) : statSync(path).mtimeMs);
  }
  return latest;
}

/** The bench measures compiled code; rebuild when dist/ is missing or older than the sources. */
function ensureBuilt() {
  const built = join(ROOT, "dist", "src", "cli.js");
  const stale = !existsSync(built) || Math.max(newest(join(ROOT, "src")), newest(join(ROOT, "providers"))) > statSync(built).mtimeMs;
  if (!stale) return;
  process.stdout.write("dist/ is missing or older than src/: building (tsc -p tsconfig.build.json) ...\n");
  const tsc = join(ROOT, "node_modules", "typescript", "bin", "tsc");
  const r = spawnSync(process.execPath, [tsc, "-p", "tsconfig.build.json"], { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"], encoding: "utf8" });
  // tsc still emits when some file has type errors; only a missing output is fatal here.
  if (r.status !== 0) process.stdout.write(`tsc reported errors (continuing with what it emitted):\n${(r.stdout + r.stderr).split("\n").slice(0, 10).join("\n")}\n`);
  if (!existsSync(built)) throw new Error("the build produced no dist/src/cli.js");
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
};

async function loadPipeline() {
  const dist = (p) => import(pathToFileURL(join(ROOT, "dist", p)).href);
  const [{ buildRegistry }, { openSession }, { walkConfig, evaluateOutputs }, { Unknown }, { hasErrors }] = await Promise.all([
    dist("src/registry-wiring.js"),
    dist("src/engine/session.js"),
    dist("src/engine/walk-config.js"),
    dist("src/config/value.js"),
    dist("src/diag/diagnostic.js"),
  ]);
  const registry = await buildRegistry();
  /** Exactly what `pmxform validate` does (src/commands/validate.ts), timed in two halves. */
  return async function validate(dir) {
    const t0 = performance.now();
    const { session, diagnostics } = await openSession({ chdir: dir }, registry, { variables: "unknown" });
    const t1 = performance.now();
    const all = [...diagnostics];
    if (session) {
      const walked = walkConfig(session.evaluation, (visit) => {
        for (const inst of visit.instances) session.evaluation.setInstanceValue(visit.decl, inst.key, new Unknown("object"));
      });
      all.push(...walked.diagnostics);
      if (!hasErrors(walked.diagnostics)) all.push(...evaluateOutputs(session.evaluation).diagnostics);
    }
    const t2 = performance.now();
    const errors = all.filter((d) => d.severity === "error");
    if (!session || errors.length > 0) {
      const shown = errors
        .slice(0, 3)
        .map((d) => `  ${d.summary}: ${d.detail ?? ""}`)
        .join("\n");
      throw new Error(`the generated config in ${dir} does not validate (${errors.length} errors), so the timing would be meaningless:\n${shown}`);
    }
    return { load: t1 - t0, evaluate: t2 - t1, total: t2 - t0, resources: session.module.resources.size };
  };
}

function spawnMedian(args, cwd = ROOT) {
  const run = () => {
    const t = performance.now();
    const r = spawnSync(process.execPath, args, { cwd, stdio: "ignore" });
    if (r.status !== 0) throw new Error(`node ${args.join(" ")} exited with ${r.status}`);
    return performance.now() - t;
  };
  run();
  return median(Array.from({ length: RUNS }, run));
}

async function main() {
  ensureBuilt();
  const dirs = { hcl: join(OUT, "config", "hcl"), yaml: join(OUT, "config", "yaml") };
  for (const dir of Object.values(dirs)) mkdirSync(dir, { recursive: true });
  writeFileSync(join(dirs.hcl, "main.pmx.hcl"), generateHcl(RESOURCES));
  writeFileSync(join(dirs.yaml, "main.pmx.yaml"), generateYaml(RESOURCES));

  const validate = await loadPipeline();
  const rows = [];
  const raw = {};
  for (const [syntax, dir] of Object.entries(dirs)) {
    const warm = await validate(dir);
    if (warm.resources !== RESOURCES) throw new Error(`expected ${RESOURCES} resources in ${dir}, decoded ${warm.resources}`);
    const runs = [];
    for (let i = 0; i < RUNS; i++) runs.push(await validate(dir));
    raw[syntax] = { firstRun: warm, runs };
    const label = syntax.toUpperCase();
    rows.push({ figure: `${label} load (parse + decode)`, ms: median(runs.map((r) => r.load)), budget: 350 });
    rows.push({ figure: `${label} evaluate + validate`, ms: median(runs.map((r) => r.evaluate)), budget: undefined });
    rows.push({ figure: `${label} parse + evaluate + validate`, ms: median(runs.map((r) => r.total)), budget: 1000 });
  }
  const cli = join(ROOT, "bin", "pmxform.js");
  rows.push({ figure: "pmxform --version (spawned)", ms: spawnMedian([cli, "--version"]), budget: 200 });
  rows.push({ figure: "pmxform --help (spawned)", ms: spawnMedian([cli, "--help"]), budget: 200 });
  // Issue 9 budget 4: validate of a small configuration, spawned like a user runs it.
  const small = join(OUT, "config", "small");
  mkdirSync(small, { recursive: true });
  writeFileSync(join(small, "main.pmx.hcl"), generateHcl(5));
  rows.push({ figure: "pmxform validate, 5 resources (spawned)", ms: spawnMedian([cli, "validate"], small), budget: 400 });
  // Node's own start-up on this machine right now: the floor under the two figures above.
  rows.push({ figure: "node -e 0 (spawned, reference)", ms: spawnMedian(["-e", "0"]), budget: undefined });

  const results = rows.map((r) => ({ ...r, ms: Math.round(r.ms * 10) / 10, verdict: r.budget === undefined ? "-" : r.ms <= r.budget ? "PASS" : "FAIL" }));
  const width = Math.max(...results.map((r) => r.figure.length));
  const load = loadavg()
    .map((x) => x.toFixed(2))
    .join(" ");
  process.stdout.write(`\nconfig benchmark: ${RESOURCES} lxc_container resources, median of ${RUNS} runs after a warm-up (node ${process.version}, ${cpus().length} CPUs, load ${load})\n\n`);
  process.stdout.write(`${"figure".padEnd(width)}  ${"median ms".padStart(9)}  ${"budget".padStart(6)}  result\n`);
  for (const r of results) {
    process.stdout.write(`${r.figure.padEnd(width)}  ${r.ms.toFixed(1).padStart(9)}  ${(r.budget === undefined ? "" : String(r.budget)).padStart(6)}  ${r.verdict}\n`);
  }
  const json = { resources: RESOURCES, runs: RUNS, node: process.version, cpus: cpus().length, loadavg: loadavg(), results, raw };
  writeFileSync(join(OUT, "config.json"), JSON.stringify(json, null, 2) + "\n");
  process.stdout.write(`\nwritten: bench/out/config.json\n`);
  const failed = results.some((r) => r.verdict === "FAIL");
  return CHECK && failed ? 1 : 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (e) => {
    process.stderr.write(`bench/config.mjs: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exitCode = 2;
  },
);
