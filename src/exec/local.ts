// Runs commands on this machine with execa: argv only (shell: false), C.UTF-8 locale so
// non-ASCII arguments reach Perl tools intact, timeouts and cancellation kill the process.

import { execa } from "execa";
import { CommandError, type RunOptions, type RunResult, type Runner } from "./runner.js";

/** After SIGTERM (timeout, abort), how long a process gets before SIGKILL. */
const KILL_GRACE_MS = 3000;

export class LocalRunner implements Runner {
  constructor(
    readonly description = "local",
    /** Replaces argv[0] before running (the simulator maps pct to DIR/bin/pct). */
    private readonly resolveCommand: (cmd: string) => string = (c) => c,
    private readonly baseEnv: Record<string, string> = {},
  ) {}

  async run(argv: string[], opts: RunOptions = {}): Promise<RunResult> {
    if (argv.length === 0) throw new Error("bug: empty argv");
    const [cmd, ...args] = argv as [string, ...string[]];
    const started = performance.now();
    const subprocess = execa(this.resolveCommand(cmd), args, {
      shell: false,
      reject: false,
      stripFinalNewline: false,
      env: { LANG: "C.UTF-8", LC_ALL: "C.UTF-8", ...this.baseEnv, ...(opts.env ?? {}) },
      ...(opts.stdin !== undefined ? { input: opts.stdin } : { stdin: "ignore" as const }),
      ...(opts.timeoutMs ? { timeout: opts.timeoutMs } : {}),
      ...(opts.signal ? { cancelSignal: opts.signal } : {}),
      forceKillAfterDelay: KILL_GRACE_MS,
      // Not execa's cleanup: it hooks every running command into signal-exit, whose handler
      // re-raises a signal when its own hooks equal the listeners it sees. With two commands in
      // flight and apply's interrupt handler installed the counts match, so one Ctrl-C became two
      // (exit at once) and signal-exit's exit hooks SIGTERMed the pct create in flight. A graceful
      // interrupt lets operations finish (commands/interrupt.ts); timeouts and aborts still kill.
      cleanup: false,
      maxBuffer: 256 * 1024 * 1024,
    });
    abandonOutputWhenKilled(subprocess, opts);
    const r = await subprocess;
    const result: RunResult = {
      stdout: typeof r.stdout === "string" ? r.stdout : "",
      stderr: typeof r.stderr === "string" ? r.stderr : "",
      exitCode: typeof r.exitCode === "number" ? r.exitCode : -1,
      durationMs: Math.round(performance.now() - started),
    };
    const ok = opts.okCodes ?? [0];
    if (r.timedOut || r.isCanceled || !ok.includes(result.exitCode)) {
      const spawnFailed = r.failed && r.exitCode === undefined && !r.timedOut && !r.isCanceled && !r.signal;
      throw new CommandError(
        {
          argv,
          exitCode: result.exitCode,
          stdout: result.stdout,
          stderr: result.stderr,
          timedOut: Boolean(r.timedOut),
          aborted: Boolean(r.isCanceled),
          node: this.description,
          ...(spawnFailed ? { spawnError: (r as { originalMessage?: string }).originalMessage ?? r.shortMessage } : {}),
        },
        opts.redact,
      );
    }
    return result;
  }
}

/**
 * execa waits for the output pipes to close, not just for the process to exit. A process stopped
 * for a timeout or an interrupt may have handed its pipes on — an ssh client passes them to its
 * multiplexing master, which keeps them until the remote command ends — so once such a process
 * has exited its output is abandoned, and the timeout holds.
 */
function abandonOutputWhenKilled(subprocess: ReturnType<typeof execa>, opts: RunOptions): void {
  let timedOut = false;
  const timer = opts.timeoutMs ? setTimeout(() => (timedOut = true), opts.timeoutMs) : undefined;
  timer?.unref();
  // The signal is read at exit rather than listened to: many commands share one run's signal.
  subprocess.once("exit", () => {
    clearTimeout(timer);
    if (!timedOut && !opts.signal?.aborted) return;
    subprocess.stdout?.destroy();
    subprocess.stderr?.destroy();
  });
}
