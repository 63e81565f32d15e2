// Benchmark for issue 3: `pmxform sim init DIR` plus one `DIR/bin/pct config VMID` on a created CT
// must cost under 150 ms together (2-core machine, no injected latency). Median of RUNS runs
// (default 9, at least 7), interleaved with bare `node -e ""` so that load hits every figure alike.
// Usage: node bench/sim.mjs [--runs N] [--check]   (needs `npm run build`; --check: exit 1 on FAIL)
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
const OUT = join(ROOT, "bench", "out");
const CLI = join(ROOT, "bin", "pmxform.js");
const BUNDLE = join(ROOT, "dist", "sim", "pmxsim.cjs");
const BUDGET_MS = 150;
const VMID = "100";

function option(name, fallback) {
  const i = process.argv.indexOf(`--${name}`);
  const v = i >= 0 ? Number(process.argv[i + 1]) : Number(process.env[name.toUpperCase()] ?? fallback);
  return Number.isFinite(v) && v > 0 ? v : fallback;
}
const RUNS = Math.max(7, option("runs", 9));
const CHECK = process.argv.includes("--check");
const env = { ...process.env, PMXSIM_LATENCY_MS: "0" };
// What DIR/bin/* give Node: the caller's environment without NODE_EXTRA_CA_CERTS (see binScript).
const simEnv = Object.fromEntries(Object.entries(env).filter(([k]) => k !== "NODE_EXTRA_CA_CERTS"));

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const round = (x) => Math.round(x * 10) / 10;

function timed(file, args, withEnv = env) {
  const t0 = process.hrtime.bigint();
  execFileSync(file, args, { stdio: "ignore", env: withEnv });
  return Number(process.hrtime.bigint() - t0) / 1e6;
}

/**
 * Instructions a command executes, counted by callgrind: unlike wall time this does not move with
 * the machine's load, so it shows what the processes cost even when other work skews the medians.
 * Undefined when valgrind is not installed.
 */
function instructions(file, args, withEnv = env) {
  const r = spawnSync("valgrind", ["--tool=callgrind", "--callgrind-out-file=/dev/null", file, ...args], { env: withEnv, encoding: "utf8" });
  const m = /Collected : (\d+)/.exec(r.stderr ?? "");
  return m ? Number(m[1]) : undefined;
}

function instructionCounts() {
  const tmp = mkdtempSync(join(tmpdir(), "pmxsim-bench-ir-"));
  const dir = join(tmp, "sim");
  try {
    const node = instructions(process.execPath, ["-e", ""]);
    if (node === undefined) return undefined;
    const nodeSim = instructions(process.execPath, ["-e", ""], simEnv);
    const init = instructions(process.execPath, [CLI, "sim", "init", dir]);
    execFileSync(join(dir, "bin", "pct"), ["create", VMID, "local:vztmpl/debian-12-standard_12.7-1_amd64.tar.zst", "--hostname", "bench", "--rootfs", "local-lvm:8"], { stdio: "ignore", env });
    const entry = existsSync(BUNDLE) ? BUNDLE : join(ROOT, "dist", "src", "sim", "main.js");
    const config = instructions(process.execPath, [entry, dir, "pct", "config", VMID], simEnv);
    return { node, nodeSim, init, config };
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

/** One sample: init timed, a CT created untimed, its config read timed. */
function sample() {
  const tmp = mkdtempSync(join(tmpdir(), "pmxsim-bench-"));
  const dir = join(tmp, "sim");
  try {
    const init = timed(process.execPath, [CLI, "sim", "init", dir]);
    const pct = join(dir, "bin", "pct");
    execFileSync(pct, ["create", VMID, "local:vztmpl/debian-12-standard_12.7-1_amd64.tar.zst", "--hostname", "bench", "--rootfs", "local-lvm:8", "--net0", "name=eth0,bridge=vmbr0,ip=dhcp"], {
      stdio: "ignore",
      env,
    });
    const config = timed(pct, ["config", VMID]);
    return { init, config };
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

function main() {
  if (!existsSync(CLI) || !existsSync(join(ROOT, "dist", "src", "cli.js"))) {
    process.stderr.write("bench/sim.mjs needs the build: run npm run build\n");
    return 1;
  }
  if (!existsSync(BUNDLE)) process.stdout.write(`warning: ${BUNDLE} missing, the simulator runs unbundled (npm run build makes it)\n`);
  sample(); // warm-up: file cache, node binary pages
  const samples = [];
  const baseline = [];
  const baselineSim = [];
  for (let i = 0; i < RUNS; i++) {
    samples.push(sample());
    baseline.push(timed(process.execPath, ["-e", ""]));
    baselineSim.push(timed(process.execPath, ["-e", ""], simEnv));
  }
  const init = median(samples.map((s) => s.init));
  const config = median(samples.map((s) => s.config));
  const node = median(baseline);
  const nodeSim = median(baselineSim);
  const caNote = env.NODE_EXTRA_CA_CERTS ? ", without NODE_EXTRA_CA_CERTS" : "";
  const sum = init + config;
  const verdict = sum < BUDGET_MS ? "PASS" : "FAIL";
  const ir = instructionCounts();
  const mi = (n) => `${(n / 1e6).toFixed(0)} M`;
  const irLine = ir
    ? `\ninstructions (callgrind, load-independent): bare node ${mi(ir.node)}, sim init ${mi(ir.init)} (+${(((ir.init - ir.node) / ir.node) * 100).toFixed(0)} %), ` +
      `pct config ${mi(ir.config)} (+${(((ir.config - ir.nodeSim) / ir.nodeSim) * 100).toFixed(0)} % over bare node${caNote} ${mi(ir.nodeSim)})\n`
    : "\ninstructions: valgrind not installed, not counted\n";
  const load = loadavg()
    .map((x) => x.toFixed(2))
    .join(" ");
  process.stdout.write(
    `\nsimulator benchmark: median of ${RUNS} runs after a warm-up (node ${process.version}, ${cpus().length} CPUs, load ${load})\n\n` +
      `pmxform sim init DIR          ${init.toFixed(1).padStart(6)} ms   (${(init - node).toFixed(1)} above node start-up)\n` +
      `DIR/bin/pct config ${VMID}        ${config.toFixed(1).padStart(6)} ms   (${(config - nodeSim).toFixed(1)} above node start-up${caNote})\n` +
      `sum                           ${sum.toFixed(1).padStart(6)} ms   budget ${BUDGET_MS} ms  ${verdict}\n` +
      `bare \`node -e ""\`             ${node.toFixed(1).padStart(6)} ms\n` +
      (caNote ? `  the same${caNote}  ${nodeSim.toFixed(1).padStart(6)} ms   (NODE_EXTRA_CA_CERTS=${env.NODE_EXTRA_CA_CERTS} is parsed at every Node start)\n` : "") +
      `floor for the two processes   ${(node + nodeSim).toFixed(1).padStart(6)} ms\n` +
      irLine,
  );
  mkdirSync(OUT, { recursive: true });
  const json = {
    runs: RUNS,
    node: process.version,
    cpus: cpus().length,
    loadavg: loadavg(),
    bundled: existsSync(BUNDLE),
    budgetMs: BUDGET_MS,
    medianMs: { init: round(init), config: round(config), sum: round(sum), nodeStartup: round(node), nodeStartupSimEnv: round(nodeSim) },
    extraCaCerts: env.NODE_EXTRA_CA_CERTS ?? null,
    verdict,
    instructions: ir ?? null,
    raw: { samples: samples.map((s) => ({ init: round(s.init), config: round(s.config) })), nodeStartup: baseline.map(round), nodeStartupSimEnv: baselineSim.map(round) },
  };
  writeFileSync(join(OUT, "sim.json"), JSON.stringify(json, null, 2) + "\n");
  process.stdout.write(`\nwritten: bench/out/sim.json\n`);
  return CHECK && verdict === "FAIL" ? 1 : 0;
}

process.exitCode = main();
