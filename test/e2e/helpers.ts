// Runs the real CLI (compiled) in a temporary working directory against a fresh simulator.
import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

export const ROOT = resolve(import.meta.dirname, "../..");
export const BIN = join(ROOT, "bin/pmxform.js");
export const BUILT = existsSync(join(ROOT, "dist/cli/cli.js")) && existsSync(join(ROOT, "dist/src/cli.js")) && existsSync(join(ROOT, "dist/src/sim/main.js"));
export const NOT_BUILT = "dist/ is missing: run `npm run build` (the test script does) before the end-to-end tests";

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export function cli(cwd: string, args: string[], env: Record<string, string> = {}): Promise<CliResult> {
  return new Promise((resolveP) => {
    execFile(process.execPath, [BIN, ...args], { cwd, env: { ...process.env, NO_COLOR: "1", ...env }, maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as { code?: unknown }).code === "number" ? (err as { code: number }).code : 1) : 0;
      resolveP({ code, stdout, stderr });
    });
  });
}

export class Workdir {
  readonly dir: string;
  constructor(prefix = "pmx-e2e-") {
    this.dir = mkdtempSync(join(tmpdir(), prefix));
  }
  write(name: string, text: string): this {
    writeFileSync(join(this.dir, name), text);
    return this;
  }
  path(name: string): string {
    return join(this.dir, name);
  }
  run(...args: string[]): Promise<CliResult> {
    return cli(this.dir, args);
  }
  remove(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** The proxmox block every e2e config uses: a simulator inside the working directory. */
export const SIM_NODE = `proxmox {
  node "pve1" {
    sim = "sim"
  }
}
`;

export function container(name: string, body: string): string {
  return `resource "lxc_container" "${name}" {
  node     = "pve1"
  template = "local:vztmpl/debian-12-standard_12.7-1_amd64.tar.zst"
  rootfs {
    storage = "local-lvm"
    size    = "4G"
  }
${body}
}
`;
}

/** One simulated command as the simulator logged it (sim/log/calls.jsonl). */
export interface SimCall {
  tool: string;
  argv: string[];
}

/** Every command the simulator of `w` has run so far, oldest first. */
export function simCalls(w: Workdir): SimCall[] {
  return readFileSync(w.path("sim/log/calls.jsonl"), "utf8")
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l) as SimCall);
}
