// Runs this install's CLI as a child process for the web view: every plan, apply and read goes
// through the same verbs a person types, so the lock, the saved-plan and staleness checks and the
// audit record are the CLI's own. argv arrays only; the origin is recorded as "web".
import { spawn, type ChildProcess } from "node:child_process";
import { realpathSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { dirname, join } from "node:path";

/** The script this process was started from (bin/pmxform.js), so the child is the very same install. */
export function cliEntry(): string {
  const started = process.argv[1];
  if (started) {
    try {
      return realpathSync(started);
    } catch {
      // fall through to the path next to this module
    }
  }
  return join(dirname(fileURLToPath(import.meta.url)), "../../../bin/pmxform.js");
}

export interface CliOutcome {
  code: number;
  stdout: string;
  stderr: string;
}

export interface CliRun {
  child: ChildProcess;
  done: Promise<CliOutcome>;
}

/** Splits a stream into lines as they arrive; the last partial line is flushed at the end. */
function lineSplitter(onLine: (line: string) => void): { push(chunk: string): void; end(): void } {
  let pending = "";
  return {
    push(chunk) {
      pending += chunk;
      const parts = pending.split("\n");
      pending = parts.pop()!;
      for (const p of parts) onLine(p);
    },
    end() {
      if (pending) onLine(pending);
      pending = "";
    },
  };
}

export function runCli(args: readonly string[], opts: { cwd: string; env?: Record<string, string>; onLine?: (stream: "stdout" | "stderr", line: string) => void }): CliRun {
  const child = spawn(process.execPath, [cliEntry(), ...args], {
    cwd: opts.cwd,
    env: { ...process.env, ...opts.env, PMXFORM_ORIGIN: "web", NO_COLOR: "1" },
    stdio: ["ignore", "pipe", "pipe"],
    // Its own process group: a Ctrl-C in the terminal reaches only `pmxform ui`, which then
    // interrupts a running apply once (a second SIGINT would make the CLI exit at once).
    detached: true,
  });
  let stdout = "";
  let stderr = "";
  const out = lineSplitter((l) => opts.onLine?.("stdout", l));
  const err = lineSplitter((l) => opts.onLine?.("stderr", l));
  child.stdout.setEncoding("utf8").on("data", (c: string) => {
    stdout += c;
    out.push(c);
  });
  child.stderr.setEncoding("utf8").on("data", (c: string) => {
    stderr += c;
    err.push(c);
  });
  const done = new Promise<CliOutcome>((resolve) => {
    child.on("error", (e) => resolve({ code: 127, stdout, stderr: stderr + e.message }));
    child.on("close", (code, signal) => {
      out.end();
      err.end();
      resolve({ code: code ?? (signal ? 130 : 1), stdout, stderr });
    });
  });
  return { child, done };
}
