// The command runner contract: argv arrays only (never a shell string), timeouts, cancellation,
// stderr captured into the error. Providers get a Runner; they never spawn processes themselves.

export interface RunOptions {
  stdin?: string;
  timeoutMs?: number;
  signal?: AbortSignal;
  env?: Record<string, string>;
  /** Exit codes that count as success (default [0]). */
  okCodes?: number[];
  /** Strings (secrets) replaced by *** in the error's message, argv, stdout and stderr. */
  redact?: string[];
}

export interface RunResult {
  stdout: string;
  stderr: string;
  exitCode: number;
  durationMs: number;
}

export interface Runner {
  /** Where the commands run, for messages: "pve1 (simulator)", "root@10.0.0.11", "local". */
  readonly description: string;
  /** Runs argv; resolves on an ok exit code, otherwise rejects with a CommandError. */
  run(argv: string[], opts?: RunOptions): Promise<RunResult>;
}

export function redactText(text: string, secrets: readonly string[] | undefined): string {
  let out = text;
  for (const s of secrets ?? []) if (s) out = out.split(s).join("***");
  return out;
}

/**
 * The last meaningful lines of the output. Proxmox tools print a usage synopsis after a parameter
 * error and a task summary after the worker's output; the error itself is what the user needs.
 */
export function errorLines(output: string): string {
  const lines = output
    .split("\n")
    .map((l) => l.trimEnd())
    .filter((l) => l.trim() && !/^\s*(usage:|pct |pvesh |pvesm |pveam |Task finished)/i.test(l));
  return lines.slice(-4).join("\n");
}

export interface CommandFailure {
  argv: string[];
  /** -1 when the process did not exit by itself (not found, killed). */
  exitCode: number;
  stdout: string;
  stderr: string;
  timedOut: boolean;
  /** Stopped because the run was interrupted (AbortSignal). */
  aborted?: boolean;
  /** Where it ran (the runner's description). */
  node: string;
  /** Why no exit code: e.g. "spawn pct ENOENT". */
  spawnError?: string;
}

export class CommandError extends Error {
  readonly argv: string[];
  readonly exitCode: number;
  readonly stdout: string;
  readonly stderr: string;
  readonly timedOut: boolean;
  readonly aborted: boolean;
  /** Where the command ran (a runner description such as "pve1 (simulator)"). */
  readonly node: string;

  constructor(f: CommandFailure, redact?: readonly string[]) {
    const argv = f.argv.map((a) => redactText(a, redact));
    const stdout = redactText(f.stdout, redact);
    const stderr = redactText(f.stderr, redact);
    const why = f.timedOut ? "timed out" : f.aborted ? "interrupted" : f.exitCode === -1 ? "did not run" : `exit ${f.exitCode}`;
    const text = errorLines(stderr) || errorLines(stdout) || redactText(f.spawnError ?? "", redact);
    super(`${argv.slice(0, 2).join(" ")} on ${f.node} failed (${why})${text ? `: ${text}` : ""}`);
    this.name = "CommandError";
    this.argv = argv;
    this.exitCode = f.exitCode;
    this.stdout = stdout;
    this.stderr = stderr;
    this.timedOut = f.timedOut;
    this.aborted = f.aborted ?? false;
    this.node = f.node;
  }

  /** The same as `node`, under the name the first callers used. */
  get where(): string {
    return this.node;
  }
}
