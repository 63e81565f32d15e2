// The command runner contract: argv arrays only (never a shell string), timeouts, cancellation,
// stderr captured into the error. Providers get a Runner; they never spawn processes themselves.

export interface RunOptions {
  stdin?: string;
  timeoutMs?: number;
  signal?: AbortSignal;
  env?: Record<string, string>;
  /** Exit codes that count as success (default [0]). */
  okCodes?: number[];
  /** Strings (secrets) replaced by *** in error messages and logs. */
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
  run(argv: string[], opts?: RunOptions): Promise<RunResult>;
}

export function redactText(text: string, secrets: readonly string[] | undefined): string {
  let out = text;
  for (const s of secrets ?? []) if (s) out = out.split(s).join("***");
  return out;
}

/** The last meaningful lines of stderr (Proxmox prints usage after the error; keep the error). */
export function errorLines(stderr: string): string {
  const lines = stderr.split("\n").map((l) => l.trimEnd()).filter((l) => l && !/^\s*(usage:|pct |pvesh |Task finished)/i.test(l));
  return lines.slice(-4).join("\n");
}

export class CommandError extends Error {
  constructor(
    readonly argv: string[],
    readonly exitCode: number,
    readonly stdout: string,
    readonly stderr: string,
    readonly timedOut: boolean,
    readonly where: string,
    redact?: readonly string[],
  ) {
    const cmd = redactText(argv.slice(0, 2).join(" "), redact);
    const why = timedOut ? "timed out" : `exit ${exitCode}`;
    const text = redactText(errorLines(stderr) || errorLines(stdout), redact);
    super(`${cmd} on ${where} failed (${why})${text ? `: ${text}` : ""}`);
    this.name = "CommandError";
  }
}
