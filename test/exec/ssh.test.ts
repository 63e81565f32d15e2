// SshRunner against a real OpenSSH server on loopback: arguments arrive byte for byte, exit codes
// and stdin pass through, one multiplexed connection, and each ssh failure gets its own message.
import { chmodSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CommandError } from "../../src/exec/runner.js";
import { SshError, SshRunner, closeAllSshConnections, type SshTarget } from "../../src/exec/ssh.js";
import { RetryingRunner } from "../../src/exec/retry.js";
import { HAVE_SSHD, NO_SSHD, freePort, startSshd, type Sshd } from "../helpers/sshd.js";

describe.skipIf(!HAVE_SSHD)(`SshRunner over a real sshd${HAVE_SSHD ? "" : ` (skipped: ${NO_SSHD})`}`, () => {
  let sshd: Sshd;
  let other: Sshd;
  let shims: string;
  const target = (over: Partial<SshTarget> = {}): SshTarget => ({
    destination: "root@127.0.0.1",
    port: sshd.port,
    identityFile: sshd.clientKey,
    knownHostsFile: sshd.knownHosts,
    ...over,
  });

  beforeAll(async () => {
    // A fake "pct" that prints each argument on its own line, NUL-terminated, so the test sees
    // exactly the words the remote side received.
    shims = mkdtempSync(join(tmpdir(), "pmx-shims-"));
    writeFileSync(join(shims, "pct"), '#!/bin/sh\nfor a in "$@"; do printf "%s\\0" "$a"; done\n[ "$1" = fail ] && { echo "unable to lock" >&2; exit 255; }\nexit 0\n');
    chmodSync(join(shims, "pct"), 0o755);
    sshd = await startSshd({ env: { PATH: `${shims}:/usr/sbin:/usr/bin:/sbin:/bin` } });
    other = await startSshd(); // another server: its host key is not the one in sshd's known_hosts
  });
  afterAll(async () => {
    closeAllSshConnections();
    await sshd?.remove();
    await other?.remove();
    rmSync(shims, { recursive: true, force: true });
  });

  it("passes spaces, quotes, $, ;, |, newlines and unicode through unchanged", async () => {
    const args = ["with space", "it's", 'say "hi"', "$HOME", "$(id)", "`id`", "a;b", "x|y", "line1\nline2", "grüße 日本 ✓", "", "*", "~root", "-n", "\\back\\", "tab\there", "&&", "#c"];
    const r = await new SshRunner(target()).run(["pct", ...args]);
    expect(r.stdout.split("\0").slice(0, -1)).toEqual(args);
    expect(r.exitCode).toBe(0);
  });

  it("pipes stdin, keeps stderr separate and reports the remote exit code", async () => {
    const runner = new SshRunner(target());
    expect((await runner.run(["cat"], { stdin: "from stdin ✓\n" })).stdout).toBe("from stdin ✓\n");
    const err = await runner.run(["pct", "fail"]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CommandError);
    expect(err).not.toBeInstanceOf(SshError);
    expect((err as CommandError).exitCode).toBe(255);
    expect((err as CommandError).stderr).toContain("unable to lock");
    expect((await runner.run(["sh", "-c", "exit 3"], { okCodes: [3] })).exitCode).toBe(3);
  });

  it("multiplexes: one control socket per node in a private directory", async () => {
    const runner = new SshRunner(target());
    await runner.run(["true"]);
    const path = runner
      .sshArgs()
      .find((a) => a.startsWith("ControlPath="))!
      .slice("ControlPath=".length);
    const dir = path.slice(0, path.lastIndexOf("/"));
    expect(readdirSync(dir).length).toBeGreaterThanOrEqual(1);
    const { statSync } = await import("node:fs");
    expect(statSync(dir).mode & 0o077).toBe(0);
    // A second command reuses the master: the server sees no new connection (sshd would log it
    // at LogLevel ERROR only on failure), so check through ssh -O check instead.
    const { execFileSync } = await import("node:child_process");
    expect(() => execFileSync("ssh", [...runner.sshArgs(), "-O", "check", "root@127.0.0.1"], { stdio: "pipe" })).not.toThrow();
  });

  it("says a node is unreachable when nothing listens", async () => {
    const port = await freePort();
    const err = await new SshRunner(target({ port })).run(["pct", "list"]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SshError);
    expect((err as SshError).kind).toBe("unreachable");
    expect((err as Error).message).toMatch(/cannot reach root@127\.0\.0\.1 port \d+ \(.*Connection refused\)\. Check that the node is up/);
  });

  it("says the login was refused for a key the node does not accept", async () => {
    const err = await new SshRunner(target({ identityFile: other.clientKey })).run(["pct", "list"]).catch((e: unknown) => e);
    expect((err as SshError).kind).toBe("auth");
    expect((err as Error).message).toContain("refused the login. Check identity_file");
  });

  it("refuses a host key that does not match known_hosts, and an unknown one, without prompting", async () => {
    // other's known_hosts names other's port; copy sshd's key under other's port to fake a changed key.
    const { readFileSync } = await import("node:fs");
    const wrong = join(other.dir, "wrong_known_hosts");
    writeFileSync(wrong, readFileSync(sshd.knownHosts, "utf8").replace(`]:${sshd.port} `, `]:${other.port} `));
    const changed = await new SshRunner(target({ port: other.port, identityFile: other.clientKey, knownHostsFile: wrong })).run(["true"]).catch((e: unknown) => e);
    expect((changed as SshError).kind).toBe("host-key");
    expect((changed as Error).message).toContain("does not match the one in known_hosts");
    const empty = join(other.dir, "empty_known_hosts");
    writeFileSync(empty, "");
    const unknown = await new SshRunner(target({ port: other.port, identityFile: other.clientKey, knownHostsFile: empty, options: { StrictHostKeyChecking: "yes" } }))
      .run(["true"])
      .catch((e: unknown) => e);
    expect((unknown as SshError).kind).toBe("host-key");
    expect((unknown as Error).message).toContain("is not in known_hosts");
  });

  it("says pct is missing on a machine that is not a Proxmox node", async () => {
    // `other` has the default PATH, so there is no pct there.
    const err = await new SshRunner(target({ port: other.port, identityFile: other.clientKey, knownHostsFile: other.knownHosts })).run(["pct", "list"]).catch((e: unknown) => e);
    expect((err as SshError).kind).toBe("missing-command");
    expect((err as Error).message).toContain("pct was not found on root@127.0.0.1. Is it a Proxmox VE node?");
  });

  it("tells a connection lost under a running command from the command's failure, and retries it for reads only", async () => {
    const node = await startSshd({ env: { PATH: `${shims}:/usr/sbin:/usr/bin:/sbin:/bin` }, clientKey: sshd.clientKey, wrap: ["pct"] });
    try {
      const lines: string[] = [];
      const ssh = new SshRunner(target({ port: node.port, knownHostsFile: node.knownHosts }));
      const runner = new RetryingRunner(ssh, { attempts: 3, baseDelayMs: 10, log: (l) => lines.push(l) });
      node.dropOn([
        { tool: "pct", sub: "list", nth: 1, what: "connection" },
        { tool: "pct", sub: "create", nth: 1, what: "connection" },
      ]);
      await runner.run(["true"]); // a master connection is up, as during a real run
      const list = await runner.run(["pct", "list"]);
      expect(list.stdout).toBe("list\0");
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(/: pct list failed \(the SSH connection dropped\); retrying in \d\.\ds \(attempt 2 of 3\)$/);

      const err = await runner.run(["pct", "create", "150"]).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(SshError);
      expect((err as SshError).kind).toBe("dropped");
      expect((err as Error).message).toContain("the connection to root@127.0.0.1 dropped while pct create was running, so it may or may not have been carried out on the node");
      expect(lines).toHaveLength(1); // a mutation is never run twice
      expect(node.dropped()).toEqual(["pct list (connection)", "pct create 150 (connection)"]);
      // The command's own failure (exit 255 with Proxmox's words) stays the command's.
      const own = await ssh.run(["pct", "fail"]).catch((e: unknown) => e);
      expect(own).not.toBeInstanceOf(SshError);
    } finally {
      await node.remove();
    }
  });

  it("stops waiting at the timeout or an interrupt although the master keeps the session open", async () => {
    // A multiplexed client hands its output pipes to the master, which holds them until the
    // remote command ends: the remote sleep outlasts the test's own time limit, so waiting for
    // it would fail the test.
    const runner = new SshRunner(target());
    await runner.run(["true"]);
    // The remote sleeps record their pids (same machine) so the test can end them afterwards.
    const pids = join(shims, "sleep-pids");
    const sleep = ["sh", "-c", `echo $$ >> ${pids}; exec sleep 300`];
    try {
      const timedOut = await runner.run(sleep, { timeoutMs: 500 }).catch((e: unknown) => e);
      expect(timedOut).toBeInstanceOf(CommandError);
      expect((timedOut as CommandError).timedOut).toBe(true);
      expect((timedOut as Error).message).toMatch(/^sh -c on root@127\.0\.0\.1:\d+ failed \(timed out\)/);
      const interrupt = new AbortController();
      const running = runner.run(sleep, { signal: interrupt.signal });
      const { readFileSync, existsSync } = await import("node:fs");
      // Interrupt once the remote command runs (its pid is the second line).
      const poll = setInterval(() => {
        if (existsSync(pids) && readFileSync(pids, "utf8").split("\n").filter(Boolean).length >= 2) interrupt.abort();
      }, 20);
      running.finally(() => clearInterval(poll)).catch(() => undefined);
      const aborted = await running.catch((e: unknown) => e);
      expect((aborted as CommandError).aborted).toBe(true);
    } finally {
      const { readFileSync } = await import("node:fs");
      for (const pid of readFileSync(pids, "utf8").split("\n").filter(Boolean)) process.kill(Number(pid));
    }
  });

  it("retries a dropped link for read-only commands only, and says so", async () => {
    const port = await freePort();
    const lines: string[] = [];
    // Something that accepts TCP and closes at once looks like a dropped connection to ssh.
    const { createServer } = await import("node:net");
    const server = createServer((s) => s.destroy());
    await new Promise<void>((r) => server.listen(port, "127.0.0.1", () => r()));
    try {
      const runner = new RetryingRunner(new SshRunner(target({ port })), { attempts: 3, baseDelayMs: 10, log: (l) => lines.push(l) });
      await expect(runner.run(["pvesh", "get", "/nodes"])).rejects.toBeInstanceOf(CommandError);
      expect(runner.retries).toBe(2);
      expect(lines[0]).toMatch(/pvesh get failed \(.*\); retrying in \d+\.\ds \(attempt 2 of 3\)/);
      lines.length = 0;
      await expect(runner.run(["pct", "create", "150"])).rejects.toBeInstanceOf(CommandError);
      // kex_exchange_identification: the command never started, so even a mutation is retried.
      expect(lines.length).toBe(2);
    } finally {
      server.close();
    }
  });
});
