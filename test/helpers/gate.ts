// A pmxform run held at one of its simulated calls (src/sim/faults.ts Fault.gate) while a test
// acts "in between": another person's pct set, another project's command, a kill -9. The test
// learns the held call's pid and lets it go with open(); the faults are cleared when the run ends.
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { expect } from "vitest";
import { setFaults, type Fault } from "../../src/sim/faults.js";
import { BIN, type CliResult } from "../e2e/helpers.js";

export interface HeldRun {
  child: ChildProcess;
  /** The simulated call waiting at the gate (a separate process: killing it means the call never happens). */
  heldPid: number;
  /** Lets the held call run. */
  open(): void;
  /** The run's result, once it ends (however it ends). */
  done: Promise<CliResult>;
}

/** Starts `pmxform ...args` in `cwd` and resolves once its first call matching `at` is held. */
export async function runHeldAt(simDir: string, at: Omit<Fault, "gate">, cwd: string, args: string[], env: Record<string, string> = {}): Promise<HeldRun> {
  const gate = join(cwd, `gate-${process.pid}-${Date.now()}`);
  setFaults(simDir, [{ ...at, gate }]);
  const child = spawn(process.execPath, [BIN, ...args], { cwd, env: { ...process.env, NO_COLOR: "1", ...env } });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
  child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
  const done = new Promise<CliResult>((resolve) =>
    child.on("close", (code) => {
      setFaults(simDir, []);
      resolve({ code: code ?? 1, stdout, stderr });
    }),
  );
  for (let i = 0; i < 3000 && !existsSync(`${gate}.reached`) && child.exitCode === null; i++) await new Promise((r) => setTimeout(r, 50));
  expect(existsSync(`${gate}.reached`), `pmxform ${args.join(" ")} never reached the held call\n${stdout}\n${stderr}`).toBe(true);
  return { child, heldPid: Number(readFileSync(`${gate}.reached`, "utf8")), open: () => writeFileSync(`${gate}.open`, ""), done };
}
