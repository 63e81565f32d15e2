// Shared by the bench scripts: options, medians, the machine description, the PASS/FAIL table
// and the JSON result file. One shape for every script so bench/run.mjs can merge them.
import { execFileSync } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { cpus, loadavg, totalmem } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
export const CLI = join(ROOT, "bin", "pmxform.js");
export const OUT = join(ROOT, "bench", "out");

export function option(name, fallback) {
  const at = process.argv.indexOf(`--${name}`);
  if (at === -1) return fallback;
  const value = Number(process.argv[at + 1]);
  if (!Number.isFinite(value) || value < 1) throw new Error(`--${name} needs a positive number`);
  return value;
}

export const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

export const round = (x, digits = 1) => Math.round(x * 10 ** digits) / 10 ** digits;

export function machine() {
  let memTotal = totalmem();
  try {
    memTotal = Number(/MemTotal:\s+(\d+)/.exec(readFileSync("/proc/meminfo", "utf8"))[1]) * 1024;
  } catch {
    // not Linux: os.totalmem is fine
  }
  let policy = "other";
  try {
    policy = execFileSync("chrt", ["-p", String(process.pid)], { encoding: "utf8" })
      .split("\n")[0]
      .replace(/^.*: /, "");
  } catch {
    // chrt missing: report the default
  }
  return {
    cpuModel: cpus()[0]?.model ?? "unknown",
    cores: cpus().length,
    memoryMB: Math.round(memTotal / 2 ** 20),
    node: process.version,
    platform: `${process.platform} ${process.arch}`,
    loadavg: loadavg().map((x) => round(x, 2)),
    schedulingPolicy: policy,
  };
}

/**
 * rows: { figure, value, unit, budget?, op?: "<" | "<=" | ">=", note? }. Prints the table and
 * writes bench/out/<name>.json; returns true when every budgeted row passes.
 */
export function report(name, title, rows, extra = {}) {
  const judged = rows.map((r) => {
    if (r.budget === undefined) return { ...r, verdict: "-" };
    const op = r.op ?? "<";
    const ok = op === "<" ? r.value < r.budget : op === "<=" ? r.value <= r.budget : r.value >= r.budget;
    return { ...r, op, verdict: ok ? "PASS" : "FAIL" };
  });
  const m = machine();
  const w = Math.max(6, ...judged.map((r) => r.figure.length));
  const fmt = (r) => (Number.isInteger(r.value) ? String(r.value) : r.value.toFixed(r.unit === "x" ? 1 : r.unit === "s" ? 2 : 1));
  const lines = [`\n${title} (${m.cores} x ${m.cpuModel}, node ${m.node}, load ${m.loadavg.join(" ")})\n`];
  lines.push(`${"figure".padEnd(w)}  ${"median".padStart(9)}  unit  ${"budget".padStart(9)}  result`);
  for (const r of judged) {
    const budget = r.budget === undefined ? "" : `${r.op} ${r.budget}`;
    lines.push(`${r.figure.padEnd(w)}  ${fmt(r).padStart(9)}  ${(r.unit ?? "").padEnd(4)}  ${budget.padStart(9)}  ${r.verdict}${r.note ? `  (${r.note})` : ""}`);
  }
  process.stdout.write(lines.join("\n") + "\n");
  mkdirSync(OUT, { recursive: true });
  writeFileSync(join(OUT, `${name}.json`), JSON.stringify({ name, title, machine: m, results: judged, ...extra }, null, 2) + "\n");
  process.stdout.write(`written: bench/out/${name}.json\n`);
  return judged.every((r) => r.verdict !== "FAIL");
}

/** The bench measures compiled code: refuse to run on a missing build. */
export function requireBuild() {
  try {
    readFileSync(join(ROOT, "dist", "src", "cli.js"));
  } catch {
    throw new Error("dist/ is missing: run npm run build first (npm run bench does)");
  }
}

export const dist = (p) => import(new URL(`file://${join(ROOT, "dist", p)}`).href);
