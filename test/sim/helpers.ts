// Test helpers: a fresh simulated cluster per suite and a runner for its executables (argv arrays).
import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { initSim, simBin, simMainPath, type Tool } from "../../src/sim/index.js";

export const simBuilt = existsSync(simMainPath());
export const skipMessage = `simulator tests need the build (${simMainPath()} missing; run npm run build)`;

export interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

export function newSim(nodes = ["pve1", "pve2"]): { dir: string; run: Runner; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), "pmxsim-"));
  initSim(dir, { nodes, latencyMs: 0 });
  const run: Runner = (tool, args, env = {}) =>
    new Promise((resolve) => {
      execFile(simBin(dir, tool), args, { env: { ...process.env, PMXSIM_LATENCY_MS: "", ...env } }, (err, stdout, stderr) => {
        const code = err ? (typeof (err as { code?: unknown }).code === "number" ? (err as { code: number }).code : 1) : 0;
        resolve({ code, stdout: String(stdout), stderr: String(stderr) });
      });
    });
  return { dir, run, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export type Runner = (tool: Tool, args: string[], env?: Record<string, string>) => Promise<Result>;

export const DEBIAN = "local:vztmpl/debian-12-standard_12.7-1_amd64.tar.zst";
export const ALPINE = "local:vztmpl/alpine-3.22-default_20250617_amd64.tar.xz";
