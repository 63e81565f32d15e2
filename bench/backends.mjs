#!/usr/bin/env node
// Issue 17: what a state backend costs. A no-op `pmxform plan` (the CLI, a fresh process each
// time, 20 applied containers on a simulated node) with the state in the local file, in
// PostgreSQL (a throwaway server from test/helpers/postgres.ts, when the machine has Debian's
// postgresql package and root) and in the cluster filesystem (pve, when this build has it),
// reported as medians and as the ratio to the local file. Runs are interleaved so that load
// changes hit every backend alike.
// Usage: node bench/backends.mjs [--containers 20] [--runs 7] [--check]
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { CLI, OUT, ROOT, median, option, report, requireBuild, round } from "./lib/stats.mjs";

const CONTAINERS = option("containers", 20);
const RUNS = option("runs", 7);
const CHECK = process.argv.includes("--check");
const DIR = join(OUT, "backends");

function config(sim, backend) {
  const resources = Array.from(
    { length: CONTAINERS },
    (_, i) => `resource "lxc_container" "c${i}" {
  node     = "pve1"
  hostname = "c${i}"
  template = "local:vztmpl/debian-12-standard_12.7-1_amd64.tar.zst"
  rootfs {
    storage = "local-lvm"
    size    = "1G"
  }
}
`,
  );
  return `proxmox {\n  node "pve1" {\n    sim = ${JSON.stringify(sim)}\n  }\n}\n${backend}\n${resources.join("\n")}`;
}

function cli(dir, args, env) {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd: dir, env: { ...process.env, NO_COLOR: "1", ...env }, encoding: "utf8" });
  return r;
}

/** A working directory for one backend, applied once: its plans are then no-ops. */
function setup(name, backend, env) {
  const dir = join(DIR, name);
  mkdirSync(dir, { recursive: true });
  const sim = join(dir, "sim");
  execFileSync(process.execPath, [CLI, "sim", "init", sim], { stdio: "ignore" });
  writeFileSync(join(dir, "main.pmx.hcl"), config(sim, backend));
  for (const args of [["init"], ["apply", "-auto-approve", "-parallelism=4"]]) {
    const r = cli(dir, args, env);
    if (r.status !== 0) return { name, skipped: `${args[0]} failed: ${(r.stderr || r.stdout).trim().split("\n").slice(0, 3).join(" ")}` };
  }
  return { name, dir, env, times: [] };
}

async function main() {
  requireBuild();
  rmSync(DIR, { recursive: true, force: true });
  mkdirSync(DIR, { recursive: true });
  const subjects = [setup("local", "", {})];
  let pg;
  const { register } = await import("tsx/esm/api");
  register();
  const helper = await import(new URL(`file://${join(ROOT, "test/helpers/postgres.ts")}`).href);
  if (helper.HAVE_POSTGRES) {
    pg = await helper.startPostgres();
    subjects.push(setup("pg", 'backend "pg" {\n  schema_name = "bench"\n}', { PG_CONN_STR: pg.url }));
  } else subjects.push({ name: "pg", skipped: helper.NO_POSTGRES });
  if (existsSync(join(ROOT, "dist/src/state/backends/pve.js"))) subjects.push(setup("pve", 'backend "pve" {\n  nodes = ["pve1"]\n}', {}));
  else subjects.push({ name: "pve", skipped: "this build has no pve backend" });
  try {
    const live = subjects.filter((s) => !s.skipped);
    for (let i = 0; i < RUNS + 1; i++) {
      for (const s of live) {
        const t0 = performance.now();
        const r = cli(s.dir, ["plan", "-detailed-exitcode"], s.env);
        const ms = performance.now() - t0;
        if (r.status !== 0) throw new Error(`${s.name}: the plan is not a no-op (exit ${r.status}): ${(r.stderr || r.stdout).slice(0, 400)}`);
        if (i > 0) s.times.push(ms); // the first round warms the disk cache and the server
      }
    }
    const local = median(subjects[0].times);
    const rows = [{ figure: `no-op plan, local file, ${CONTAINERS} containers`, value: round(local), unit: "ms" }];
    for (const s of subjects.slice(1)) {
      if (s.skipped) {
        rows.push({ figure: `no-op plan, ${s.name}`, value: 0, unit: "ms", note: `skipped: ${s.skipped}` });
        continue;
      }
      const m = median(s.times);
      rows.push({ figure: `no-op plan, ${s.name}`, value: round(m), unit: "ms" });
      // A CLI run costs hundreds of ms; a backend should not double it.
      rows.push({ figure: `  ${s.name} / local`, value: round(m / local, 2), unit: "x", budget: 2 });
      rows.push({ figure: `  ${s.name} overhead`, value: round(m - local), unit: "ms" });
    }
    const ok = report("backends", `backend overhead: median of ${RUNS} no-op plans each (fresh CLI process)`, rows, {
      containers: CONTAINERS,
      runs: RUNS,
      raw: Object.fromEntries(subjects.map((s) => [s.name, s.times?.map((t) => round(t)) ?? s.skipped])),
    });
    return CHECK && !ok ? 1 : 0;
  } finally {
    pg?.remove();
  }
}

process.exitCode = await main().catch((e) => (process.stderr.write(`bench/backends.mjs: ${e.stack ?? e.message}\n`), 2));
