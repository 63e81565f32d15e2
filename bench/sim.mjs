// Benchmark: `pmxform sim init` start-up plus one `pct config` call, median of several runs
// (budget 150 ms on a 2-core machine without injected latency). Needs `npm run build` first.
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const cli = join(root, "bin", "pmxform.js");
const runs = Number(process.env.RUNS ?? 7);
const env = { ...process.env, PMXSIM_LATENCY_MS: "0" };
const CONF = "arch: amd64\nhostname: bench\nmemory: 512\nostype: debian\nrootfs: local-lvm:vm-100-disk-0,size=8G\nswap: 512\nunprivileged: 1\n";
const samples = [];
for (let i = 0; i < runs; i++) {
  const tmp = mkdtempSync(join(tmpdir(), "pmxsim-bench-"));
  const dir = join(tmp, "sim");
  const t0 = process.hrtime.bigint();
  execFileSync(process.execPath, [cli, "sim", "init", dir], { stdio: "ignore" });
  const t1 = process.hrtime.bigint();
  writeFileSync(join(dir, "etc/pve/nodes/pve1/lxc/100.conf"), CONF); // untimed: a CT to read
  const t2 = process.hrtime.bigint();
  execFileSync(join(dir, "bin", "pct"), ["config", "100"], { stdio: "ignore", env });
  const t3 = process.hrtime.bigint();
  samples.push({ init: Number(t1 - t0) / 1e6, config: Number(t3 - t2) / 1e6 });
  rmSync(tmp, { recursive: true, force: true });
}
const baseline = [];
for (let i = 0; i < runs; i++) {
  const t0 = process.hrtime.bigint();
  execFileSync(process.execPath, ["-e", ""], { stdio: "ignore" });
  baseline.push(Number(process.hrtime.bigint() - t0) / 1e6);
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const init = median(samples.map((s) => s.init));
const config = median(samples.map((s) => s.config));
const total = median(samples.map((s) => s.init + s.config));
console.log(`sim init ${init.toFixed(1)} ms + pct config ${config.toFixed(1)} ms = ${total.toFixed(1)} ms median of ${runs} (budget 150 ms; bare \`node -e ""\` start-up here: ${median(baseline).toFixed(1)} ms)`);
