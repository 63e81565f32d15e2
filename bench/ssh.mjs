// Benchmark for issue 8: apply N containers (default 30) spread over a three-node simulated
// cluster reached through three real sshd ports, with the simulator's latency at 300 ms per call,
// at --parallelism 1 and 10. The per-node limit (4) caps the speed-up at 12 here, and so does the
// machine: every call costs CPU (ssh client, sshd session, login shell, a Node process for the
// simulated tool), so the CPU time of the whole run divided by the cores is a floor as well.
// Usage: node bench/ssh.mjs [--count N] [--latency-ms MS]   (needs root, sshd, `npm run build`)
import { execFileSync, spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer, createConnection } from "node:net";
import { cpus, loadavg, tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
const CLI = join(ROOT, "bin", "pmxform.js");
const OUT = join(ROOT, "bench", "out");
const NODES = ["pve1", "pve2", "pve3"];

function option(name, fallback) {
  const i = process.argv.indexOf(`--${name}`);
  const v = i >= 0 ? Number(process.argv[i + 1]) : fallback;
  return Number.isFinite(v) && v > 0 ? v : fallback;
}
const COUNT = option("count", 30);
const LATENCY = option("latency-ms", 300);

if (!existsSync("/usr/sbin/sshd") || process.getuid?.() !== 0) {
  console.error("bench/ssh.mjs needs root and /usr/sbin/sshd (apt-get install openssh-server)");
  process.exit(2);
}
if (!existsSync(join(ROOT, "dist", "src", "cli.js"))) {
  console.error("run `npm run build` first");
  process.exit(2);
}

const freePort = () =>
  new Promise((resolve) => {
    const s = createServer();
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
const listening = (port) =>
  new Promise((resolve) => {
    const c = createConnection({ host: "127.0.0.1", port });
    c.once("connect", () => (c.destroy(), resolve(true)));
    c.once("error", () => resolve(false));
  });

/** Same sshd setup as test/helpers/sshd.ts (dependencies.md §3), one per node. */
async function startSshd(dir, env, clientKey) {
  mkdirSync(dir, { recursive: true });
  const port = await freePort();
  execFileSync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", join(dir, "hostkey")]);
  writeFileSync(join(dir, "authorized_keys"), execFileSync("ssh-keygen", ["-y", "-f", clientKey]));
  const hostPub = execFileSync("ssh-keygen", ["-y", "-f", join(dir, "hostkey")], { encoding: "utf8" }).trim();
  writeFileSync(join(dir, "known_hosts"), `[127.0.0.1]:${port} ${hostPub}\n`);
  // An empty HOME, as in test/helpers/sshd.ts: no ~/.bashrc of this machine's root in every command.
  mkdirSync(join(dir, "home"));
  const setEnv = Object.entries({ HOME: join(dir, "home"), ...env })
    .map(([k, v]) => `"${k}=${v}"`)
    .join(" ");
  writeFileSync(
    join(dir, "sshd_config"),
    `ListenAddress 127.0.0.1\nPort ${port}\nHostKey ${join(dir, "hostkey")}\nPidFile ${join(dir, "sshd.pid")}\nAuthorizedKeysFile ${join(dir, "authorized_keys")}\nStrictModes no\nPermitRootLogin prohibit-password\nPasswordAuthentication no\nKbdInteractiveAuthentication no\nUsePAM no\nLogLevel ERROR\nMaxStartups 50:30:100\nSetEnv ${setEnv}\n`,
  );
  const child = spawn("/usr/sbin/sshd", ["-D", "-e", "-f", join(dir, "sshd_config")], { stdio: "ignore" });
  const exited = new Promise((r) => child.once("exit", r));
  while (!(await listening(port))) await new Promise((r) => setTimeout(r, 20));
  return { port, knownHosts: join(dir, "known_hosts"), stop: async () => (child.kill("SIGTERM"), await exited) };
}

function config(sim, servers, key) {
  const nodes = NODES.map(
    (n) =>
      `  node "${n}" {\n    ssh = "root@127.0.0.1"\n    port = ${servers[n].port}\n    identity_file = "${key}"\n    known_hosts_file = "${servers[n].knownHosts}"\n    pve_root = "${join(sim, "etc/pve")}"\n  }\n`,
  );
  const cts = Array.from(
    { length: COUNT },
    (_, i) =>
      `resource "lxc_container" "ct${i}" {\n  node = "${NODES[i % NODES.length]}"\n  vmid = ${500 + i}\n  template = "local:vztmpl/alpine-3.22-default_20250617_amd64.tar.xz"\n  rootfs {\n    storage = "local-lvm"\n    size = "1G"\n  }\n}\n`,
  );
  return `proxmox {\n${nodes.join("")}}\n${cts.join("")}`;
}

/** CPU seconds used by this process's waited-for descendants (pmxform, and sshd with its sessions). */
function childCpuSeconds() {
  const stat = readFileSync("/proc/self/stat", "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  // cutime and cstime are fields 16 and 17 of /proc/PID/stat, in clock ticks (100 per second on Linux).
  return (Number(fields[13]) + Number(fields[14])) / 100;
}

/** How many simulated pct create calls ran at once on average (their run time over the span they cover). */
function createConcurrency(sim) {
  const calls = readFileSync(join(sim, "log", "calls.jsonl"), "utf8")
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l))
    .filter((c) => c.tool === "pct" && c.argv[0] === "create");
  const start = Math.min(...calls.map((c) => Date.parse(c.ts)));
  const end = Math.max(...calls.map((c) => Date.parse(c.ts) + c.ms));
  return calls.reduce((sum, c) => sum + c.ms, 0) / (end - start);
}

async function applyOnce(parallelism, key) {
  const dir = mkdtempSync(join(tmpdir(), "pmx-bench-ssh-"));
  const sim = join(dir, "sim");
  execFileSync(process.execPath, [CLI, "sim", "init", sim, "--nodes", NODES.join(","), "--latency-ms", String(LATENCY)], { stdio: "ignore" });
  const servers = {};
  for (const n of NODES) servers[n] = await startSshd(join(dir, `sshd-${n}`), { PATH: `${join(sim, "bin")}:/usr/sbin:/usr/bin:/sbin:/bin`, PMXSIM_NODE: n }, key);
  writeFileSync(join(dir, "main.pmx.hcl"), config(sim, servers, key));
  const cpu0 = childCpuSeconds();
  let seconds;
  let concurrency;
  try {
    const t0 = performance.now();
    execFileSync(process.execPath, [CLI, "apply", "--auto-approve", `--parallelism=${parallelism}`], { cwd: dir, stdio: ["ignore", "ignore", "inherit"], env: { ...process.env, NO_COLOR: "1" } });
    seconds = (performance.now() - t0) / 1000;
    concurrency = createConcurrency(sim);
  } finally {
    for (const s of Object.values(servers)) await s.stop();
    rmSync(dir, { recursive: true, force: true });
  }
  return { seconds, cpuSeconds: childCpuSeconds() - cpu0, createConcurrency: concurrency };
}

const keyDir = mkdtempSync(join(tmpdir(), "pmx-bench-key-"));
const key = join(keyDir, "clientkey");
execFileSync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", key]);
const results = {};
const load = loadavg()[0];
try {
  for (const p of [1, 10]) {
    results[p] = await applyOnce(p, key);
    const r = results[p];
    console.log(
      `apply ${COUNT} containers over ${NODES.length} nodes, latency ${LATENCY} ms, --parallelism ${p}: ${r.seconds.toFixed(1)} s (CPU ${r.cpuSeconds.toFixed(1)} s; pct create calls running at once: ${r.createConcurrency.toFixed(1)})`,
    );
  }
} finally {
  rmSync(keyDir, { recursive: true, force: true });
}
const cores = cpus().length;
const speedup = results[1].seconds / results[10].seconds;
const ideal = Math.min(10, 4 * NODES.length);
// With the whole machine to itself, p10 cannot beat either the latency-bound time (p1 / ideal)
// or the CPU it needs spread over every core.
const floor = Math.max(results[1].seconds / ideal, results[10].cpuSeconds / cores);
console.log(`speed-up 1 -> 10: ${speedup.toFixed(1)}x (ideal ${ideal}x by parallelism and the per-node limit 4)`);
console.log(
  `floor for --parallelism 10 on ${cores} cores: ${floor.toFixed(1)} s (max of p1/${ideal} and CPU/${cores}); best possible speed-up here ${(results[1].seconds / floor).toFixed(1)}x; load average at start ${load.toFixed(1)}`,
);
mkdirSync(OUT, { recursive: true });
writeFileSync(
  join(OUT, "ssh.json"),
  JSON.stringify(
    { count: COUNT, nodes: NODES.length, latencyMs: LATENCY, p1: results[1], p10: results[10], speedup, idealSpeedup: ideal, floorSeconds: floor, cpus: cores, loadavg: loadavg() },
    null,
    2,
  ) + "\n",
);
