// PMXFORM_LOG=debug (or trace): a record of every command pmxform runs on a node — node, argv,
// duration, exit status and stderr — so a user can see what happened on their host. Written to
// PMXFORM_LOG_PATH (appended) or stderr, one line each in Terraform's TF_LOG style. Secrets given
// to a run as `redact` are *** here as in errors; stdin (passwords piped to chpasswd) is never
// logged.
import { appendFileSync } from "node:fs";
import { CommandError, redactText, type RunOptions, type RunResult, type Runner } from "./runner.js";

/** The log level asked for, if it includes command records. */
export function commandLogWanted(env: NodeJS.ProcessEnv): boolean {
  return /^(debug|trace)$/i.test(env["PMXFORM_LOG"] ?? "");
}

export class LoggingRunner implements Runner {
  constructor(
    private readonly inner: Runner,
    private readonly node: string,
    private readonly write: (line: string) => void,
  ) {}

  get description(): string {
    return this.inner.description;
  }

  async run(argv: string[], opts: RunOptions = {}): Promise<RunResult> {
    const started = Date.now();
    try {
      const r = await this.inner.run(argv, opts);
      this.record(argv, opts, r.exitCode, Date.now() - started, r.stderr);
      return r;
    } catch (e) {
      if (e instanceof CommandError) this.record(argv, opts, e.exitCode, Date.now() - started, e.stderr, e.timedOut ? "timed out" : e.aborted ? "interrupted" : undefined);
      else this.record(argv, opts, -1, Date.now() - started, e instanceof Error ? e.message : String(e));
      throw e;
    }
  }

  private record(argv: string[], opts: RunOptions, exit: number, ms: number, stderr: string, why?: string): void {
    const r = (t: string) => redactText(t, opts.redact);
    const fields = [
      `node=${this.node}`,
      `via=${JSON.stringify(this.inner.description)}`,
      `argv=${JSON.stringify(argv.map(r))}`,
      `exit=${exit}`,
      `duration_ms=${ms}`,
      ...(why ? [`status=${JSON.stringify(why)}`] : []),
      ...(opts.stdin !== undefined ? ["stdin=(not logged)"] : []),
      ...(stderr.trim() ? [`stderr=${JSON.stringify(r(stderr.trim()).slice(0, 2000))}`] : []),
    ];
    this.write(`${new Date().toISOString()} [DEBUG] command: ${fields.join(" ")}\n`);
  }
}

/** Where log lines go: PMXFORM_LOG_PATH (appended, created 0600) or stderr. */
export function logWriter(env: NodeJS.ProcessEnv): (line: string) => void {
  const path = env["PMXFORM_LOG_PATH"];
  if (path) return (line) => appendFileSync(path, line, { mode: 0o600 });
  return (line) => void process.stderr.write(line);
}
