// Runs commands on this machine with execa: argv only (shell: false), C.UTF-8 locale so
// non-ASCII arguments reach Perl tools intact, timeouts and cancellation kill the process.
import { execa } from "execa";
import { CommandError, type RunOptions, type RunResult, type Runner } from "./runner.js";

export class LocalRunner implements Runner {
  constructor(
    readonly description = "local",
    /** Replaces argv[0] before running (the simulator maps pct to DIR/bin/pct). */
    private readonly resolveCommand: (cmd: string) => string = (c) => c,
    private readonly baseEnv: Record<string, string> = {},
  ) {}

  async run(argv: string[], opts: RunOptions = {}): Promise<RunResult> {
    if (!argv.length) throw new Error("empty argv");
    const [cmd, ...args] = argv as [string, ...string[]];
    const started = Date.now();
    const r = await execa(this.resolveCommand(cmd), args, {
      shell: false,
      reject: false,
      stripFinalNewline: false,
      env: { LANG: "C.UTF-8", LC_ALL: "C.UTF-8", ...this.baseEnv, ...(opts.env ?? {}) },
      ...(opts.stdin !== undefined ? { input: opts.stdin } : { stdin: "ignore" }),
      ...(opts.timeoutMs ? { timeout: opts.timeoutMs } : {}),
      ...(opts.signal ? { cancelSignal: opts.signal } : {}),
      maxBuffer: 256 * 1024 * 1024,
    });
    const result: RunResult = {
      stdout: typeof r.stdout === "string" ? r.stdout : "",
      stderr: typeof r.stderr === "string" ? r.stderr : "",
      exitCode: typeof r.exitCode === "number" ? r.exitCode : -1,
      durationMs: Date.now() - started,
    };
    const ok = opts.okCodes ?? [0];
    if (r.timedOut || r.isCanceled || !ok.includes(result.exitCode)) {
      const stderr = r.failed && r.exitCode === undefined && !r.timedOut && !r.isCanceled ? `${result.stderr}\n${r.shortMessage ?? ""}` : result.stderr;
      throw new CommandError(argv, result.exitCode, result.stdout, stderr, Boolean(r.timedOut), this.description, opts.redact);
    }
    return result;
  }
}
