// Real-component harness for SSH tests: an OpenSSH sshd on 127.0.0.1 with a free port, a
// throwaway host key and client key (dependencies.md §3), spawned from Node so the test owns the
// PID. `env` is set in every session with sshd's SetEnv: a simulator node is a PATH with
// <sim>/bin first plus PMXSIM_NODE, so production code needs no test-only special case.
import { execFileSync, spawn, spawnSync, type ChildProcess } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createConnection } from "node:net";
import { freePort } from "./net.js";

export { freePort };
import { tmpdir } from "node:os";
import { join } from "node:path";

export const SSHD = "/usr/sbin/sshd";
export const HAVE_SSHD = existsSync(SSHD) && existsSync("/usr/bin/ssh") && existsSync("/usr/bin/ssh-keygen") && process.getuid?.() === 0;
export const NO_SSHD = "needs root, /usr/sbin/sshd and ssh (apt-get install openssh-server; scripts/test.sh does)";

/** Whether this machine lets root give a process a mount namespace of its own (startSshd's `hide`). */
export const CAN_HIDE = HAVE_SSHD && spawnSync("unshare", ["-m", "--propagation", "private", "sh", "-c", "mount -t tmpfs pmx-probe /mnt"], { stdio: "ignore" }).status === 0;
export const NO_HIDE = "needs unshare(1) and permission to mount a tmpfs in a private mount namespace (root)";

/** Which call drops the connection: the nth call of `tool` (with `sub` as first argument, or any). */
export interface DropRule {
  tool: string;
  sub?: string;
  nth: number;
  /** "connection": that session's connection dies (sshd keeps listening); "node": sshd and all its sessions die. */
  what: "connection" | "node";
}

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
  /** Replaces the drop rules (needs startSshd's `wrap`); an empty list drops nothing. */
  dropOn(rules: DropRule[]): void;
  /** One line per connection dropped so far: "TOOL ARGS (what)". */
  dropped(): string[];
}

/**
 * Wrappers for `tools`, put first in every session's PATH. A wrapper counts its calls (mkdir is
 * atomic, so parallel sessions count right) and on the call a rule names kills the sshd process
 * serving its session (the child of the listener among its ancestors) — to the client exactly
 * a connection lost mid-command — or, for "node", the listener and every session first. The
 * wrapped command then does not run; otherwise the wrapper execs the real one.
 */
function writeDropWrappers(dir: string, tools: string[]): string {
  const bin = join(dir, "wrap-bin");
  mkdirSync(bin, { recursive: true });
  const script = `#!/bin/sh
tool=$(basename "$0")
state=${dir}/drop
ppid_of() { sed 's/.*) //' "/proc/$1/stat" | cut -d' ' -f2; }
if [ -s "$state/rules" ]; then
  rule=0
  while read -r rtool rsub nth what; do
    rule=$((rule+1))
    [ "$rtool" = "$tool" ] || continue
    [ "$rsub" = "-" ] || [ "$rsub" = "$1" ] || continue
    i=1
    while ! mkdir "$state/count-$rule-$i" 2>/dev/null; do
      [ -d "$state" ] || exit 255
      i=$((i+1))
    done
    [ "$i" = "$nth" ] || continue
    read -r listener < "$state/listener.pid"
    echo "$tool $* ($what)" >> "$state/dropped"
    if [ "$what" = node ]; then
      # Sessions first found, then killed after the listener: once it is gone they belong to init.
      sessions=""
      for f in /proc/[0-9]*/stat; do
        p=\${f#/proc/}; p=\${p%/stat}
        [ "$(ppid_of "$p" 2>/dev/null)" = "$listener" ] && sessions="$sessions $p"
      done
      kill -9 "$listener" $sessions 2>/dev/null
    else
      p=$$
      while [ "$p" -gt 1 ]; do
        pp=$(ppid_of "$p")
        [ "$pp" = "$listener" ] && { kill -9 "$p"; break; }
        p=$pp
      done
    fi
    exit 255
  done < "$state/rules"
fi
# The login shell may have put more in front of PATH: drop this directory wherever it is.
rest=""
IFS=:
for d in $PATH; do [ "$d" = "${bin}" ] || rest="\${rest:+$rest:}$d"; done
unset IFS
PATH=$rest
exec "$tool" "$@"
`;
  for (const t of tools) writeFileSync(join(bin, t), script, { mode: 0o755 });
  mkdirSync(join(dir, "drop"), { recursive: true });
  return bin;
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

/** Every process below `pid` (children first found by their parent in /proc/PID/stat). */
function descendantsOf(pid: number): number[] {
  const parentOf = new Map<number, number>();
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      parentOf.set(Number(entry), Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]));
    } catch {
      // exited meanwhile
    }
  }
  const found: number[] = [];
  const walk = (p: number): void => {
    for (const [child, parent] of parentOf) {
      if (parent === p) {
        found.push(child);
        walk(child);
      }
    }
  };
  walk(pid);
  return found;
}

/** Quotes a SetEnv value for sshd_config (double quotes; our paths contain no quotes). */
const q = (v: string): string => `"${v}"`;

/**
 * `wrap`: tools whose calls can drop the connection (see dropOn); their wrappers come first in
 * the session's PATH (env.PATH must be set).
 */
/**
 * `hide`: directories this node's sessions see empty (a tmpfs over each in sshd's own mount
 * namespace), so a path on the machine running pmxform is not a path on the node, as with a
 * real remote node. Needs CAN_HIDE.
 */
export async function startSshd(opts: { env?: Record<string, string>; clientKey?: string; wrap?: string[]; hide?: string[] } = {}): Promise<Sshd> {
  mkdirSync("/run/sshd", { recursive: true });
  const dir = mkdtempSync(join(tmpdir(), "pmx-sshd-"));
  // An empty HOME: the session's shell then reads no ~/.bashrc. A stock Proxmox node's is Debian's
  // (cheap); this machine's root runs pyenv init in it, which would cost every command ~0.1 s CPU.
  const home = join(dir, "home");
  mkdirSync(home);
  const env: Record<string, string> = { HOME: home, ...opts.env };
  if (opts.wrap?.length) env["PATH"] = `${writeDropWrappers(dir, opts.wrap)}:${env["PATH"] ?? "/usr/sbin:/usr/bin:/sbin:/bin"}`;
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
  const setEnv = Object.entries(env)
    .map(([k, v]) => q(`${k}=${v}`))
    .join(" ");
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
    const sshdArgv = [SSHD, "-D", "-e", "-f", join(dir, "sshd_config")];
    // unshare without --fork and sh's exec keep one process: the child's pid is sshd's.
    const hidden = `for d in "$@"; do mount -t tmpfs pmx-node-fs "$d" || exit 1; done; exec ${sshdArgv.join(" ")}`;
    const c = opts.hide?.length
      ? spawn("unshare", ["-m", "--propagation", "private", "sh", "-c", hidden, "sh", ...opts.hide], { stdio: ["ignore", "ignore", "pipe"] })
      : spawn(sshdArgv[0]!, sshdArgv.slice(1), { stdio: ["ignore", "ignore", "pipe"] });
    let err = "";
    c.stderr?.on("data", (d: Buffer) => (err += d.toString()));
    child = c;
    if (opts.wrap?.length) writeFileSync(join(dir, "drop", "listener.pid"), `${c.pid}\n`);
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
    const c = child;
    child = undefined;
    if (!c?.pid) return;
    // The sessions (and what they run) outlive the listener: end them too, like a node going down.
    for (const pid of descendantsOf(c.pid)) {
      try {
        process.kill(pid, "SIGKILL");
      } catch {
        // already gone
      }
    }
    if (c.exitCode === null && c.signalCode === null) c.kill("SIGTERM");
    await exited;
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
    dropOn: (rules) => {
      const state = join(dir, "drop");
      for (const f of readdirSync(state)) if (f.startsWith("count-")) rmSync(join(state, f), { recursive: true });
      writeFileSync(join(state, "rules"), rules.map((r) => `${r.tool} ${r.sub ?? "-"} ${r.nth} ${r.what}\n`).join(""));
    },
    dropped: () => {
      const file = join(dir, "drop", "dropped");
      return existsSync(file) ? readFileSync(file, "utf8").split("\n").filter(Boolean) : [];
    },
  };
}

/**
 * A node block reaching a simulator node behind `s` (its /etc/pve at `pveRoot`), with fast
 * retries; `extra` lines go inside the block.
 */
export function simNodeBlock(name: string, s: Sshd, pveRoot: string, extra: string[] = []): string {
  return `  node "${name}" {
    ssh              = "root@127.0.0.1"
    port             = ${s.port}
    identity_file    = "${s.clientKey}"
    known_hosts_file = "${s.knownHosts}"
    pve_root         = "${pveRoot}"
    retry_delay_ms   = 20
${extra.map((l) => `    ${l}\n`).join("")}  }
`;
}
