// Retrying operations that failed for a passing reason (a busy config lock, a cluster briefly
// without quorum, a dropped SSH connection) with exponential backoff and jitter; RetryingRunner
// applies it to every command of a node.

import type { RunOptions, RunResult, Runner } from "./runner.js";

export interface RetryOptions {
  /** Whether this error is worth another attempt. */
  isTransient: (err: unknown) => boolean;
  /** Total attempts, the first included (>= 1). */
  attempts: number;
  /** Delay before the second attempt; doubles each time, with jitter. */
  baseDelayMs: number;
  maxDelayMs?: number;
  /** Called before each wait: attempt is the one that just failed (1-based). */
  onRetry?: (info: { attempt: number; delayMs: number; error: unknown }) => void;
  /** Stops waiting and rethrows the last error when aborted. */
  signal?: AbortSignal;
  /** Source of randomness in [0, 1), for tests. */
  random?: () => number;
}

/**
 * Runs fn until it succeeds, fails with a non-transient error, or attempts run out; the last
 * error is rethrown unchanged. Delays use "equal jitter": half fixed, half random, so retries
 * from parallel resources hitting the same lock spread out instead of colliding again.
 */
export async function withRetry<T>(fn: (attempt: number) => Promise<T>, opts: RetryOptions): Promise<T> {
  const attempts = Math.max(1, Math.floor(opts.attempts));
  const random = opts.random ?? Math.random;
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn(attempt);
    } catch (error) {
      if (attempt >= attempts || opts.signal?.aborted || !opts.isTransient(error)) throw error;
      const ceiling = Math.min(opts.maxDelayMs ?? 30_000, opts.baseDelayMs * 2 ** (attempt - 1));
      const delayMs = Math.round(ceiling / 2 + random() * (ceiling / 2));
      opts.onRetry?.({ attempt, delayMs, error });
      if (!(await sleep(delayMs, opts.signal))) throw error;
    }
  }
}

/** Resolves true after ms, or false as soon as the signal aborts. */
function sleep(ms: number, signal?: AbortSignal): Promise<boolean> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve(false);
    const onAbort = (): void => {
      clearTimeout(timer);
      resolve(false);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve(true);
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

const TRANSIENT_PVE = [
  /can't lock file '[^']*' - got timeout/, // another pct holds the CT config lock (pve-common lock_file_full)
  /cfs-lock '[^']*' error: got lock request timeout/, // cluster-wide /etc/pve lock busy
  /cluster not ready - no quorum\?/, // quorum usually returns within seconds after a node restarts
];

/** ssh exits 255 for its own failures; these texts mean the connection, not the command, failed. */
const TRANSIENT_SSH = [
  /Connection closed by /,
  /Connection reset by /,
  /connection reset/i,
  /kex_exchange_identification/,
  /ssh_exchange_identification/,
  /Connection timed out during banner exchange/,
  /Broken pipe/,
  /mux_client_request_session: .*failed/,
  /Control socket connect\(.*\): Connection refused/,
];

/** Whether a runner failure is worth retrying: a busy lock, no quorum, or a dropped SSH link. */
export function isTransientProxmoxError(err: unknown): boolean {
  if (!err || typeof err !== "object") return false;
  const e = err as { stderr?: unknown; message?: unknown; exitCode?: unknown; timedOut?: unknown; aborted?: unknown };
  if (e.aborted === true) return false;
  // SshRunner already told a dropped connection from the command's own failure.
  if ((err as { kind?: unknown }).kind === "dropped") return true;
  const stderr = typeof e.stderr === "string" ? e.stderr : "";
  const text = `${stderr}\n${typeof e.message === "string" ? e.message : ""}`;
  if (TRANSIENT_PVE.some((re) => re.test(text))) return true;
  // Proxmox task failures exit 255 too, so the exit code alone proves nothing: require ssh's words.
  return e.exitCode === 255 && TRANSIENT_SSH.some((re) => re.test(stderr));
}

/** ssh failures before the remote command started: retrying can never run a command twice. */
const SSH_BEFORE_COMMAND = [/kex_exchange_identification/, /ssh_exchange_identification/, /banner exchange/, /mux_client_request_session/, /Control socket connect\(/];

const READ_ONLY_PCT = new Set(["config", "status", "list", "pending", "listsnapshot"]);

/** Commands that change nothing, so a dropped connection mid-run can simply be retried. */
export function isReadOnlyCommand(argv: readonly string[]): boolean {
  const [cmd, sub] = argv;
  if (cmd === "pct") return READ_ONLY_PCT.has(sub ?? "");
  if (cmd === "pvesh") return sub === "get";
  if (cmd === "pvesm") return sub === "status" || sub === "list" || sub === "path";
  if (cmd === "skopeo") return sub === "inspect" || sub === "list-tags";
  return cmd === "grep" || cmd === "cat" || cmd === "test" || cmd === "stat" || cmd === "true";
}

/**
 * Whether argv may run again after err. A busy lock or missing quorum means Proxmox did nothing;
 * an SSH link dropped while a mutating command ran may have let it finish remotely, so only
 * read-only commands (or failures before the command started) are retried then.
 */
export function shouldRetryCommand(argv: readonly string[], err: unknown): boolean {
  if (!isTransientProxmoxError(err)) return false;
  const e = err as { stderr?: unknown; message?: unknown };
  const text = `${typeof e.stderr === "string" ? e.stderr : ""}\n${typeof e.message === "string" ? e.message : ""}`;
  if (TRANSIENT_PVE.some((re) => re.test(text))) return true;
  return isReadOnlyCommand(argv) || SSH_BEFORE_COMMAND.some((re) => re.test(text));
}

export interface RetryPolicy {
  /** Total attempts per command, the first included (default 4). */
  attempts?: number;
  /** First backoff delay (default 1000 ms), doubled each retry with jitter, at most 15 s. */
  baseDelayMs?: number;
  /** Receives one line per retry, so none is silent. */
  log?: (message: string) => void;
  random?: () => number;
}

/** Wraps a node's runner so transient Proxmox/SSH failures are retried, visibly, for every caller. */
export class RetryingRunner implements Runner {
  readonly description: string;
  /** Retries done so far (all commands). */
  retries = 0;

  constructor(
    readonly inner: Runner,
    private readonly policy: RetryPolicy = {},
  ) {
    this.description = inner.description;
  }

  run(argv: string[], opts: RunOptions = {}): Promise<RunResult> {
    const attempts = this.policy.attempts ?? 4;
    return withRetry(() => this.inner.run(argv, opts), {
      attempts,
      baseDelayMs: this.policy.baseDelayMs ?? 1000,
      maxDelayMs: 15_000,
      isTransient: (err) => shouldRetryCommand(argv, err),
      ...(opts.signal ? { signal: opts.signal } : {}),
      ...(this.policy.random ? { random: this.policy.random } : {}),
      onRetry: ({ attempt, delayMs, error }) => {
        this.retries++;
        const why = firstLine(error);
        this.policy.log?.(`${this.description}: ${argv.slice(0, 2).join(" ")} failed (${why}); retrying in ${(delayMs / 1000).toFixed(1)}s (attempt ${attempt + 1} of ${attempts})`);
      },
    });
  }
}

function firstLine(err: unknown): string {
  const e = err as { stderr?: unknown; message?: unknown };
  const fromStderr =
    typeof e.stderr === "string"
      ? e.stderr
          .split("\n")
          .map((l) => l.trim())
          .filter(Boolean)
          .find((l) => [...TRANSIENT_PVE, ...TRANSIENT_SSH].some((re) => re.test(l)))
      : undefined;
  if (fromStderr) return fromStderr;
  if ((err as { kind?: unknown }).kind === "dropped") return "the SSH connection dropped";
  return err instanceof Error ? err.message.split("\n")[0]! : String(err);
}
