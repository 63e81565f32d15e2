#!/usr/bin/env node
// `npm run bench`: builds, then runs every benchmark script in bench/ one after the other (each
// builds its own fixtures, prints its table of medians with budgets and PASS/FAIL and writes
// bench/out/<name>.json), and merges those into bench/results/<date>-<host>.json with the
// machine description. Exits 1 if any issue-9 benchmark reports a failed budget (other issues'
// budgets run along and are reported apart).
// Usage: node bench/run.mjs [name ...] [--skip name,...] [--no-build] [--rt]
//   --rt runs the benchmarks under `chrt -f 10` (SCHED_FIFO, needs root) to approximate an idle
//   machine on one shared with other jobs; the results record the policy used.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { hostname } from "node:os";
import { join } from "node:path";
import { OUT, ROOT, machine } from "./lib/stats.mjs";

const here = join(ROOT, "bench");
const args = process.argv.slice(2);
const flag = (f) => args.includes(f);
const skipAt = args.indexOf("--skip");
const skip = skipAt >= 0 ? args[skipAt + 1].split(",") : [];
const only = args.filter((a, i) => !a.startsWith("--") && !(skipAt >= 0 && i === skipAt + 1));

if (!flag("--no-build")) {
  const b = spawnSync("npm", ["run", "build", "--silent"], { cwd: ROOT, stdio: "inherit" });
  if (b.status !== 0) process.exit(2);
}
const order = ["config", "sim", "state", "plan", "refresh", "apply", "oci", "ssh"];
const scripts = readdirSync(here)
  .filter((f) => f.endsWith(".mjs") && f !== "run.mjs" && !f.startsWith("."))
  .map((f) => f.slice(0, -4))
  .filter((n) => (!only.length || only.some((o) => n.includes(o))) && !skip.includes(n))
  .sort((a, b) => (order.indexOf(a) + 1 || 99) - (order.indexOf(b) + 1 || 99));
const before = machine();
const summary = [];
for (const name of scripts) {
  process.stdout.write(`\n=== bench/${name}.mjs ===\n`);
  const argv = [join(here, `${name}.mjs`), "--check"];
  const r = flag("--rt") ? spawnSync("chrt", ["-f", "10", process.execPath, ...argv], { cwd: ROOT, stdio: "inherit" }) : spawnSync(process.execPath, argv, { cwd: ROOT, stdio: "inherit" });
  const file = join(OUT, `${name}.json`);
  const result = existsSync(file) ? JSON.parse(readFileSync(file, "utf8")) : null;
  summary.push({ name, exit: r.status, result });
}
// Budgets of other issues, run and reported with the rest but not part of issue 9's verdict:
// issue 3's simulator start-up budget ended blocked (two Node start-ups on this VM, one of them
// with the user's NODE_EXTRA_CA_CERTS, already exceed it; see docs/simulator.md).
const OTHER_ISSUES = { sim: "issue 3, ended blocked" };
const apart = summary.filter((s) => s.name in OTHER_ISSUES);
const failed = summary.filter((s) => s.exit !== 0 && !(s.name in OTHER_ISSUES));
mkdirSync(join(here, "results"), { recursive: true });
const stamp = new Date().toISOString().replace(/[:]/g, "").slice(0, 15);
const file = join(here, "results", `${stamp}-${hostname()}.json`);
writeFileSync(
  file,
  JSON.stringify(
    {
      date: new Date().toISOString(),
      machineAtStart: before,
      machineAtEnd: machine(),
      realtime: flag("--rt"),
      benchmarks: summary.map((s) => (s.name in OTHER_ISSUES ? { ...s, reportedApart: OTHER_ISSUES[s.name] } : s)),
    },
    null,
    2,
  ) + "\n",
);
const counted = scripts.length - apart.length;
const apartLine = apart.map((s) => `${s.name} (${OTHER_ISSUES[s.name]}): ${s.exit === 0 ? "PASS" : "FAIL"}`).join("; ");
process.stdout.write(
  `\n${counted - failed.length} benchmark scripts passed, ${failed.length} failed${failed.length ? ` (${failed.map((f) => f.name).join(", ")})` : ""}${apartLine ? `\nreported apart: ${apartLine}` : ""}\nwritten: ${file.slice(ROOT.length + 1)}\n`,
);
process.exit(failed.length ? 1 : 0);
