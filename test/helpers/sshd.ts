// Real-component harness for SSH tests: an OpenSSH sshd on 127.0.0.1 with a free port, a
// throwaway host key and client key (dependencies.md §3), spawned from Node so the test owns the
// PID. `env` is set in every session with sshd's SetEnv: a simulator node is a PATH with
// <sim>/bin first plus PMXSIM_NODE, so production code needs no test-only special case.
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createConnection } from "node:net";
import { freePort } from "./net.js";

export { freePort };
import { tmpdir } from "node:os";
import { join } from "node:path";

export const SSHD = "/usr/sbin/sshd";
export const HAVE_SSHD = existsSync(SSHD) && existsSync("/usr/bin/ssh") && existsSync("/usr/bin/ssh-keygen") && process.getuid?.() === 0;
export const NO_SSHD = "needs root, /usr/sbin/sshd and ssh (apt-get install openssh-server; scripts/test.sh does)";

export interface Sshd {
  port: number;
  dir: string;
  /** Private key the server accepts. */
  clientKey: string;
  /** A known_hosts file holding this server's host key. */
  knownHosts: string;
  /** Stops the server (the process and its sessions); the directory stays until remove(). */
  stop(): Promise<void>;
  /** Starts it again on the same port with the same keys. */
  start(): Promise<void>;
  remove(): Promise<void>;
}


function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const c = createConnection({ host: "127.0.0.1", port });
    c.once("connect", () => {
      c.destroy();
      resolve(true);
    });
    c.once("error", () => resolve(false));
  });
}

/** Quotes a SetEnv value for sshd_config (double quotes; our paths contain no quotes). */
const q = (v: string): string => `"${v}"`;

export async function startSshd(opts: { env?: Record<string, string>; clientKey?: string } = {}): Promise<Sshd> {
  mkdirSync("/run/sshd", { recursive: true });
  const dir = mkdtempSync(join(tmpdir(), "pmx-sshd-"));
  const port = await freePort();
  const keygen = (file: string): void => {
    execFileSync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", file]);
  };
  keygen(join(dir, "hostkey"));
  let clientKey = opts.clientKey;
  if (!clientKey) {
    clientKey = join(dir, "clientkey");
    keygen(clientKey);
  }
  writeFileSync(join(dir, "authorized_keys"), execFileSync("ssh-keygen", ["-y", "-f", clientKey]));
  const hostPub = execFileSync("ssh-keygen", ["-y", "-f", join(dir, "hostkey")], { encoding: "utf8" }).trim();
  writeFileSync(join(dir, "known_hosts"), `[127.0.0.1]:${port} ${hostPub}\n`);
  const setEnv = Object.entries(opts.env ?? {}).map(([k, v]) => q(`${k}=${v}`)).join(" ");
  writeFileSync(
    join(dir, "sshd_config"),
    [
      "ListenAddress 127.0.0.1",
      `Port ${port}`,
      `HostKey ${join(dir, "hostkey")}`,
      `PidFile ${join(dir, "sshd.pid")}`,
      `AuthorizedKeysFile ${join(dir, "authorized_keys")}`,
      "StrictModes no",
      "PermitRootLogin prohibit-password",
      "PasswordAuthentication no",
      "KbdInteractiveAuthentication no",
      "UsePAM no",
      "LogLevel ERROR",
      "MaxSessions 50",
      "MaxStartups 50:30:100",
      ...(setEnv ? [`SetEnv ${setEnv}`] : []),
      "",
    ].join("\n"),
  );
  let child: ChildProcess | undefined;
  let exited: Promise<void> = Promise.resolve();
  const start = async (): Promise<void> => {
    const c = spawn(SSHD, ["-D", "-e", "-f", join(dir, "sshd_config")], { stdio: ["ignore", "ignore", "pipe"] });
    let err = "";
    c.stderr?.on("data", (d: Buffer) => (err += d.toString()));
    child = c;
    exited = new Promise((resolve) => c.once("exit", () => resolve()));
    let gone = false;
    void exited.then(() => (gone = true));
    const deadline = Date.now() + 10_000;
    while (!(await listening(port))) {
      if (gone || Date.now() > deadline) throw new Error(`sshd did not start on port ${port}: ${err}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  };
  const stop = async (): Promise<void> => {
    if (!child || child.exitCode !== null) return;
    child.kill("SIGTERM");
    await exited;
    child = undefined;
  };
  await start();
  return {
    port,
    dir,
    clientKey,
    knownHosts: join(dir, "known_hosts"),
    stop,
    start,
    remove: async () => {
      await stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
