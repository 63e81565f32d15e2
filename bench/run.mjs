#!/usr/bin/env node
// `npm run bench`: builds if needed, then runs every benchmark script in bench/ one after the
// other (each prints its own table of medians with budgets and PASS/FAIL and writes
// bench/out/<name>.json). Exits 1 if any benchmark reports a failed budget.
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, "..");
if (!existsSync(join(root, "dist/src/cli.js"))) spawnSync("npm", ["run", "build", "--silent"], { cwd: root, stdio: "inherit" });

const only = process.argv.slice(2);
const scripts = readdirSync(here)
  .filter((f) => f.endsWith(".mjs") && f !== "run.mjs" && !f.startsWith("."))
  .filter((f) => !only.length || only.some((o) => f.includes(o)))
  .sort();
let failed = 0;
for (const s of scripts) {
  process.stdout.write(`\n=== bench/${s} ===\n`);
  const r = spawnSync(process.execPath, [join(here, s)], { cwd: root, stdio: "inherit" });
  if (r.status !== 0) failed++;
}
process.stdout.write(`\n${scripts.length - failed} benchmark scripts passed, ${failed} failed\n`);
process.exit(failed ? 1 : 0);
