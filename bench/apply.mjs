#!/usr/bin/env node
// Budget 5 of issue 9: `pmxform apply` of 60 new containers on a 3-node simulated cluster with
// 300 ms per simulated call, at the default parallelism and at --parallelism=1 (alternating, each
// on a fresh cluster): at least 5x faster, with no lock error (no retry printed, no failed call in
// the call log). Budget 6 (second half): an apply of 100 in-place changes (latency 0) rewrites
// the state at most once per finished resource (the serial counts the writes).
// Usage: node bench/apply.mjs [--containers 60] [--runs 2] [--latency-ms 300] [--changes 100] [--check]
import { execFileSync, spawnSync } from "node:child_process";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { NODES3, TEMPLATE, buildCluster, readCalls, simProxmoxBlock } from "./lib/cluster.mjs";
import { CLI, OUT, median, option, report, requireBuild, round } from "./lib/stats.mjs";

const CONTAINERS = option("containers", 60);
const RUNS = option("runs", 2);
const LATENCY = option("latency-ms", 300);
const CHANGES = option("changes", 100);
const CHECK = process.argv.includes("--check");
const DIR = join(OUT, "apply");

const newContainers = (n) => `resource "lxc_container" "ct" {
  count    = ${n}
  node     = ${JSON.stringify(NODES3)}[count.index % ${NODES3.length}]
  vmid     = 2000 + count.index
  hostname = "new\${count.index}"
  template = "${TEMPLATE}"
  rootfs {
    storage = "local-lvm"
    size    = "1G"
  }
}
`;

function apply(dir, args) {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, [CLI, "apply", "--auto-approve", ...args], { cwd: dir, encoding: "utf8", env: { ...process.env, NO_COLOR: "1" }, maxBuffer: 1 << 26 });
  const seconds = (performance.now() - t0) / 1000;
  if (r.status !== 0) throw new Error(`apply ${args.join(" ")} failed (exit ${r.status}):\n${(r.stdout + r.stderr).slice(-2000)}`);
  return { seconds, stdout: r.stdout, stderr: r.stderr };
}

/** A fresh cluster, then the timed apply of CONTAINERS creates. */
function createOnce(parallelism) {
  const dir = join(DIR, `create-p${parallelism ?? "default"}`);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  execFileSync(process.execPath, [CLI, "sim", "init", join(dir, "sim"), "--nodes", NODES3.join(","), "--latency-ms", String(LATENCY)], { stdio: "ignore" });
  writeFileSync(join(dir, "main.pmx.hcl"), simProxmoxBlock(NODES3) + newContainers(CONTAINERS));
  const r = apply(dir, parallelism ? [`--parallelism=${parallelism}`] : []);
  const created = (r.stdout.match(/Creation complete/g) ?? []).length;
  if (created !== CONTAINERS) throw new Error(`expected ${CONTAINERS} creations, saw ${created}`);
  const retries = r.stderr.split("\n").filter((l) => l.startsWith("retry:")).length;
  // stat exits 1 when some of the GPU device paths it is asked about are absent: an answer, not a failure.
  const failedCalls = readCalls(join(dir, "sim")).filter((c) => c.exit !== 0 && !(c.tool === "stat" && c.exit === 1)).length;
  return { seconds: r.seconds, retries, failedCalls, lockErrors: retries + failedCalls + (r.stdout + r.stderr).split("\n").filter((l) => /lock/i.test(l) && /error|fail|timeout/i.test(l)).length };
}

/** CHANGES imported containers, then an apply that changes the memory of each. */
function stateWrites() {
  const dir = join(DIR, "updates");
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  buildCluster(CLI, join(dir, "sim"), { nodes: NODES3, count: CHANGES });
  writeFileSync(join(dir, "providers.pmx.hcl"), simProxmoxBlock(NODES3));
  execFileSync(process.execPath, [CLI, "import", "--all", "--generate-config-out", "containers.pmx.hcl"], { cwd: dir, stdio: "ignore" });
  const cfg = join(dir, "containers.pmx.hcl");
  writeFileSync(
    cfg,
    readFileSync(cfg, "utf8").replace(/memory(\s*)= (\d+)/g, (_, sp, m) => `memory${sp}= ${Number(m) + 128}`),
  );
  const serial = () => JSON.parse(readFileSync(join(dir, "pmxform.state.json"), "utf8")).serial;
  const before = serial();
  const r = apply(dir, []);
  const finished = (r.stdout.match(/Modifications complete/g) ?? []).length;
  if (finished !== CHANGES) throw new Error(`expected ${CHANGES} updates, saw ${finished}`);
  return { finished, writes: serial() - before, seconds: r.seconds };
}

function main() {
  requireBuild();
  const fast = [];
  const slow = [];
  for (let i = 0; i < RUNS; i++) {
    fast.push(createOnce(undefined));
    slow.push(createOnce(1));
    process.stdout.write(`run ${i + 1}/${RUNS}: default ${fast[i].seconds.toFixed(1)} s, --parallelism=1 ${slow[i].seconds.toFixed(1)} s\n`);
  }
  const writes = stateWrites();
  const f = median(fast.map((r) => r.seconds));
  const s = median(slow.map((r) => r.seconds));
  const lockErrors = [...fast, ...slow].reduce((n, r) => n + r.lockErrors, 0);
  const rows = [
    { figure: `apply ${CONTAINERS} new CTs, ${NODES3.length} nodes, ${LATENCY} ms/call, default parallelism`, value: round(f, 2), unit: "s" },
    { figure: "  the same at --parallelism=1", value: round(s, 2), unit: "s" },
    { figure: "  speed-up", value: round(s / f, 1), unit: "x", budget: 5, op: ">=" },
    { figure: "  lock errors (retries + failed calls)", value: lockErrors, unit: "", budget: 0, op: "<=" },
    { figure: `apply ${CHANGES} updates: state writes`, value: writes.writes, unit: "" },
    { figure: "  state writes per finished resource", value: round(writes.writes / writes.finished, 2), unit: "", budget: 1, op: "<=" },
  ];
  const ok = report("apply", `apply benchmark: median of ${RUNS} alternating runs`, rows, { containers: CONTAINERS, latencyMs: LATENCY, changes: CHANGES, raw: { fast, slow, writes } });
  return CHECK && !ok ? 1 : 0;
}

try {
  process.exitCode = main();
} catch (e) {
  process.stderr.write(`bench/apply.mjs: ${e.message}\n`);
  process.exitCode = 2;
}
