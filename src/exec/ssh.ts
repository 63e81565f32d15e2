// Runs commands on a Proxmox node through the system `ssh` client (so the user's ssh config,
// agent and known_hosts apply): one multiplexed connection per node, BatchMode, keepalives,
// argv quoted for the remote shell, and ssh's own failures turned into errors that say what to do.

import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { LocalRunner } from "./local.js";
import { CommandError, type RunOptions, type RunResult, type Runner } from "./runner.js";
import { remoteCommand } from "./shell-quote.js";

export interface SshTarget {
  /** "root@10.0.0.11" or a Host alias from ~/.ssh/config. */
  destination: string;
  port?: number;
  identityFile?: string;
  /** A known_hosts file to use instead of the user's (tests; pinned cluster keys). */
  knownHostsFile?: string;
  /** Seconds to wait for the TCP connection and the ssh handshake (default 10). */
  connectTimeoutS?: number;
  /** Extra `-o Key=Value` settings; they win over pmxform's defaults (ssh keeps the first value). */
  options?: Record<string, string>;
  /** For messages: "pve1 (root@10.0.0.11)". */
  description?: string;
}

/** dropped: the connection ended under a command (or before it started), not the command itself. */
export type SshFailureKind = "unreachable" | "auth" | "host-key" | "missing-command" | "dropped";

/** A command that failed because of the connection or the node's setup, not Proxmox itself. */
export class SshError extends CommandError {
  constructor(
    failure: ConstructorParameters<typeof CommandError>[0],
    readonly kind: SshFailureKind,
    explanation: string,
    redact?: readonly string[],
  ) {
    super(failure, redact);
    this.name = "SshError";
    this.message = `${this.argv.slice(0, 2).join(" ")} on ${this.node} failed: ${explanation}`;
  }
}

const CONTROL_PERSIST_S = 60;

/** Control sockets of this process, in one private (0700) directory removed at exit. */
let controlDir: string | undefined;
const masters = new Set<SshRunner>();

/**
 * A socket path must fit sun_path (108 bytes), and ssh adds a 17-character suffix while it sets
 * a master up: a long TMPDIR (macOS's /var/folders/..., a CI workspace) would make every command
 * fail with "too long for Unix domain socket". /tmp is used then.
 */
const CONTROL_NAME_LENGTH = "/pmxform-ssh-XXXXXX/".length + 8 + 1 + 40 + 17; // hash-%C.suffix
function controlParent(): string {
  const dir = tmpdir();
  return dir.length + CONTROL_NAME_LENGTH < 104 ? dir : "/tmp";
}

function privateControlDir(): string {
  if (!controlDir) {
    // mkdtemp creates the directory 0700: nobody else can reach the multiplexed connections.
    controlDir = mkdtempSync(join(controlParent(), "pmxform-ssh-"));
    process.once("exit", closeAllSshConnections);
  }
  return controlDir;
}

/** Stops every multiplexing master this process started and removes the socket directory. */
export function closeAllSshConnections(): void {
  for (const m of masters) m.close();
  masters.clear();
  if (controlDir) rmSync(controlDir, { recursive: true, force: true });
  controlDir = undefined;
}

export class SshRunner implements Runner {
  readonly description: string;
  private readonly local: LocalRunner;
  private readonly settingsHash: string;

  constructor(readonly target: SshTarget) {
    this.description = target.description ?? target.destination + (target.port ? `:${target.port}` : "");
    this.local = new LocalRunner(this.description);
    this.settingsHash = createHash("sha256")
      .update(JSON.stringify([target.identityFile, target.knownHostsFile, target.options]))
      .digest("hex")
      .slice(0, 8);
  }

  /** The ssh arguments before the remote command (exported for tests and docs). */
  sshArgs(): string[] {
    const t = this.target;
    const o = (k: string, v: string): string[] => ["-o", `${k}=${v}`];
    const args = ["-T"];
    for (const [k, v] of Object.entries(t.options ?? {})) args.push(...o(k, v));
    args.push(
      ...o("BatchMode", "yes"),
      ...o("ConnectTimeout", String(t.connectTimeoutS ?? 10)),
      // A silently dropped link is noticed within 45 s instead of hanging until TCP gives up.
      ...o("ServerAliveInterval", "15"),
      ...o("ServerAliveCountMax", "3"),
      ...o("ControlMaster", "auto"),
      // %C covers user, host and port but not the key: two node blocks reaching one host with
      // different keys must not share an authenticated master.
      ...o("ControlPath", join(privateControlDir(), `${this.settingsHash}-%C`)),
      ...o("ControlPersist", String(CONTROL_PERSIST_S)),
      ...o("LogLevel", "ERROR"),
    );
    if (t.knownHostsFile) args.push(...o("UserKnownHostsFile", t.knownHostsFile));
    if (t.identityFile) args.push("-i", t.identityFile, ...o("IdentitiesOnly", "yes"));
    if (t.port) args.push("-p", String(t.port));
    return args;
  }

  async run(argv: string[], opts: RunOptions = {}): Promise<RunResult> {
    if (argv.length === 0) throw new Error("bug: empty argv");
    masters.add(this);
    // The remote login shell runs the string; env(1) sets the locale (Perl tools need UTF-8 for
    // non-ASCII arguments) and the caller's variables without relying on sshd's AcceptEnv.
    const env = Object.entries({ LANG: "C.UTF-8", LC_ALL: "C.UTF-8", ...(opts.env ?? {}) }).map(([k, v]) => `${k}=${v}`);
    const command = remoteCommand(["env", ...env, ...argv]);
    const { env: _localEnv, okCodes, ...rest } = opts;
    try {
      // 255 is ssh's own failure code, but Proxmox tools exit 255 too: the text decides.
      const r = await this.local.run(["ssh", ...this.sshArgs(), "--", this.target.destination, command], { ...rest, okCodes: [...(okCodes ?? [0]), 255, 127] });
      const failure = classify(r.exitCode, r.stderr, argv.slice(0, 2).join(" "));
      const ok = (okCodes ?? [0]).includes(r.exitCode);
      if (!failure && ok) return r;
      const f = { argv, exitCode: r.exitCode, stdout: r.stdout, stderr: r.stderr, timedOut: false, node: this.description };
      if (failure) throw new SshError(f, failure.kind, failure.explain(this), opts.redact);
      throw new CommandError(f, opts.redact);
    } catch (e) {
      if (e instanceof CommandError && !(e instanceof SshError) && e.argv[0] === "ssh") {
        // Timeout, interrupt or ssh missing locally: report it against the remote argv.
        throw new CommandError({ argv, exitCode: e.exitCode, stdout: e.stdout, stderr: e.stderr, timedOut: e.timedOut, aborted: e.aborted, node: this.description }, opts.redact);
      }
      throw e;
    }
  }

  /** Stops this node's multiplexing master (no-op when none runs). */
  close(): void {
    if (!controlDir) return;
    spawnSync("ssh", [...this.sshArgs(), "-O", "exit", this.target.destination], { stdio: "ignore", timeout: 5000 });
  }
}

interface Failure {
  kind: SshFailureKind;
  explain(r: SshRunner): string;
}

function hostOf(r: SshRunner): string {
  const d = r.target.destination;
  return d.includes("@") ? d.slice(d.indexOf("@") + 1) : d;
}

/** ssh's own failure texts (OpenSSH 9.x), checked before the output is read as the command's. */
export function classify(exitCode: number, stderr: string, commandLine: string): Failure | undefined {
  const command = commandLine.split(" ")[0]!;
  if (exitCode === 127 && /(command not found|not found|No such file or directory)/.test(stderr) && stderr.includes(command)) {
    return {
      kind: "missing-command",
      explain: (r) =>
        `${command} was not found on ${r.target.destination}. Is it a Proxmox VE node? pmxform runs ${command} through a non-interactive ssh session, whose PATH must include /usr/sbin (root's default on Proxmox VE).`,
    };
  }
  if (exitCode !== 255) return undefined;
  if (/REMOTE HOST IDENTIFICATION HAS CHANGED|Host key for .* has changed/.test(stderr)) {
    return {
      kind: "host-key",
      explain: (r) =>
        `the host key of ${r.target.destination} does not match the one in known_hosts (possible man-in-the-middle, or the node was reinstalled). If the node was reinstalled, remove the old key with ssh-keygen -R ${hostOf(r)}, then connect once with ssh to check and accept the new key.`,
    };
  }
  if (/No .* host key is known for|Host key verification failed/.test(stderr)) {
    return {
      kind: "host-key",
      explain: (r) =>
        `the host key of ${r.target.destination} is not in known_hosts, and pmxform never asks (BatchMode). Connect once with ssh ${r.target.port ? `-p ${r.target.port} ` : ""}${r.target.destination} to check and accept it, or add it with ssh-keyscan.`,
    };
  }
  if (/Permission denied \(|Too many authentication failures/.test(stderr)) {
    return {
      kind: "auth",
      explain: (r) =>
        `${r.target.destination} refused the login. Check identity_file${r.target.identityFile ? ` (${r.target.identityFile})` : ""} or your ssh-agent, and that the public key is in the node's /root/.ssh/authorized_keys.`,
    };
  }
  if (/Connection refused|No route to host|Could not resolve hostname|Network is unreachable|Connection timed out|Operation timed out/.test(stderr) && !/Control socket/.test(stderr)) {
    const why =
      stderr
        .split("\n")
        .find((l) => /ssh: /.test(l))
        ?.replace(/^ssh: /, "")
        .trim() ?? stderr.trim();
    return {
      kind: "unreachable",
      explain: (r) =>
        `cannot reach ${r.target.destination}${r.target.port ? ` port ${r.target.port}` : ""} (${why}). Check that the node is up, the address and port in its node block, and that a firewall lets ssh through.`,
    };
  }
  if (BEFORE_COMMAND.test(stderr)) {
    const why =
      stderr
        .split("\n")
        .map((l) => l.trim())
        .find((l) => BEFORE_COMMAND.test(l)) ?? "";
    return {
      kind: "dropped",
      explain: (r) =>
        `the connection to ${r.target.destination} was closed before ${commandLine} started (${why}), so it did not run. Check that the node is up and that its sshd accepts this many connections (MaxStartups, MaxSessions).`,
    };
  }
  // A multiplexed client whose master connection died exits 255 without a word; a direct one
  // says "Connection to HOST closed by remote host". Proxmox's own failures always say something.
  if (stderr.trim() === "" || CONNECTION_LOST.test(stderr)) {
    return {
      kind: "dropped",
      explain: (r) =>
        `the connection to ${r.target.destination} dropped while ${commandLine} was running, so it may or may not have been carried out on the node. Check that the node is up, then run pmxform plan: it shows what the node holds now.`,
    };
  }
  return undefined;
}

/** ssh's words for a connection that failed before the remote command started. */
const BEFORE_COMMAND =
  /kex_exchange_identification|ssh_exchange_identification|Connection timed out during banner exchange|mux_client_request_session: .*failed|Control socket connect\(.*\): Connection refused/;
/** ssh's words for a connection that ended under a running session. */
const CONNECTION_LOST = /Connection to \S+ closed by remote host|Connection reset by|client_loop: send disconnect|Broken pipe|packet_write_wait|Timeout, server \S+ not responding/;
