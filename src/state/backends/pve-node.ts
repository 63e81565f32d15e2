// One Proxmox node's view of the cluster filesystem for the pve state backend: the coreutils argv
// (never a shell string) that read, write, swap and remove files under <pveRoot>/priv and take,
// renew and release cluster locks under <pveRoot>/priv/lock, each failure sorted into what the
// backend must do about it (the node is down, the cluster has no quorum, the path is taken...).
// A real node runs the system's tools on /etc/pve; a simulated node keeps its /etc/pve at
// DIR/etc/pve and its pmxcfs rules in DIR/bin's tools (src/sim/cfs-tools.ts), the same convention
// the lxc provider follows for flock (providers/lxc/conf-write.ts nodeCommand).
import { join } from "node:path";
import { CommandError, type RunOptions, type Runner } from "../../exec/runner.js";

const REAL_ROOT = "/etc/pve";

/** Why a command on the node failed, as far as the backend cares. */
export type FsErrno = "ENOENT" | "EEXIST" | "EACCES" | "EFBIG" | "ENOTEMPTY" | "OTHER";

/** The node could not be used at all (unreachable, pmxcfs not mounted): another node may serve. */
export class NodeDownError extends Error {
  constructor(
    readonly node: string,
    why: string,
  ) {
    super(`${node}: ${why}`);
    this.name = "NodeDownError";
  }
}

/** A command ran and failed; errno says how (from coreutils' strerror text). */
export class FsError extends Error {
  constructor(
    readonly errno: FsErrno,
    readonly node: string,
    readonly command: CommandError,
  ) {
    super(command.message);
    this.name = "FsError";
  }
}

const ERRNO_TEXT: [RegExp, FsErrno][] = [
  [/No such file or directory/, "ENOENT"],
  [/File exists/, "EEXIST"],
  [/Permission denied|Read-only file system/, "EACCES"],
  [/File too large/, "EFBIG"],
  [/Directory not empty/, "ENOTEMPTY"],
];

/** Failures that mean the command never reached a working node, so trying another one is safe. */
function isNodeDown(err: CommandError): string | undefined {
  const kind = (err as { kind?: unknown }).kind;
  if (kind === "unreachable") return err.message;
  if (err.exitCode === -1 && !err.aborted) return err.message;
  if (err.timedOut) return `${err.message} (no answer in time)`;
  return undefined;
}

export class PveNode {
  readonly root: string;
  constructor(
    readonly name: string,
    readonly runner: Runner,
    root: string | undefined,
  ) {
    this.root = (root ?? REAL_ROOT).replace(/\/+$/, "") || REAL_ROOT;
  }

  /** A path below this node's /etc/pve, as its runner sees it. */
  path(rel: string): string {
    return `${this.root}/${rel}`;
  }

  /** Where a tool that changes pmxcfs runs from: the system's, or the simulator's bin next to DIR/etc/pve. */
  private tool(name: "mkdir" | "touch" | "rmdir" | "dd" | "mv" | "rm"): string {
    return this.root === REAL_ROOT ? name : join(this.root, "..", "..", "bin", name);
  }

  private async run(argv: string[], opts: RunOptions = {}): Promise<string> {
    try {
      return (await this.runner.run(argv, { timeoutMs: 60_000, ...opts })).stdout;
    } catch (err) {
      if (!(err instanceof CommandError)) throw err;
      const down = isNodeDown(err);
      if (down) throw new NodeDownError(this.name, down);
      const text = `${err.stderr}\n${err.message}`;
      const errno = ERRNO_TEXT.find(([re]) => re.test(text))?.[1] ?? "OTHER";
      throw new FsError(errno, this.name, err);
    }
  }

  /** Whether pmxcfs is mounted here: without it /etc/pve is an empty directory and "no file" would lie. */
  async ensureMounted(): Promise<void> {
    try {
      await this.run(["test", "-d", this.path("nodes")]);
    } catch (err) {
      if (err instanceof FsError) throw new NodeDownError(this.name, `the cluster filesystem is not mounted at ${this.root} (pve-cluster/pmxcfs not running?)`);
      throw err;
    }
  }

  /** The files' contents concatenated (one command however many files). */
  cat(rels: string[]): Promise<string> {
    return this.run(["cat", "--", ...rels.map((r) => this.path(r))]);
  }

  /** Names in a directory (dot files too), or [] when it does not exist. */
  async list(rel: string): Promise<string[]> {
    try {
      const out = await this.run(["ls", "-A1", "--", this.path(rel)]);
      return out.split("\n").filter(Boolean);
    } catch (err) {
      if (err instanceof FsError && err.errno === "ENOENT") return [];
      throw err;
    }
  }

  /** Names and mtimes (epoch seconds) of a directory's entries; for lock ages in messages. */
  async listTimes(rel: string): Promise<Map<string, number>> {
    const out = new Map<string, number>();
    try {
      const text = await this.run(["ls", "-lA", "--time-style=+%s", "--", this.path(rel)]);
      for (const line of text.split("\n")) {
        const m = /^\S+\s+\d+\s+\S+\s+\S+\s+\d+\s+(\d+)\s+(.+)$/.exec(line);
        if (m) out.set(m[2]!, Number(m[1]));
      }
    } catch (err) {
      if (!(err instanceof FsError)) throw err;
    }
    return out;
  }

  /** Writes `text` to the file (created 0600, truncated first), its content through stdin. */
  async writeFile(rel: string, text: string): Promise<void> {
    await this.run([this.tool("dd"), `of=${this.path(rel)}`, "bs=65536", "status=none"], { stdin: text });
  }

  /** rename(2): pmxcfs replaces the target in one step (memdb.c memdb_rename). */
  async rename(fromRel: string, toRel: string): Promise<void> {
    await this.run([this.tool("mv"), "-f", "-T", "--", this.path(fromRel), this.path(toRel)]);
  }

  async remove(rels: string[]): Promise<void> {
    if (rels.length) await this.run([this.tool("rm"), "-f", "--", ...rels.map((r) => this.path(r))]);
  }

  async mkdirP(rel: string): Promise<void> {
    await this.run([this.tool("mkdir"), "-p", this.path(rel)]);
  }

  /** mkdir of a lock directory: the cluster-wide test-and-set (EEXIST while anyone holds it). */
  async mkdir(rel: string): Promise<void> {
    await this.run([this.tool("mkdir"), this.path(rel)]);
  }

  async rmdir(rel: string): Promise<void> {
    await this.run([this.tool("rmdir"), this.path(rel)]);
  }

  /** Renews a lock: its mtime moves to now, which restarts pmxcfs's expiry (memdb.c memdb_mtime). */
  async renew(rel: string): Promise<void> {
    await this.run([this.tool("touch"), "-c", this.path(rel)]);
  }

  /**
   * pmxcfs's unlock request, utime 0 on the lock (PVE/Cluster.pm cfs_lock does the same): it
   * removes the lock only when nobody renewed it for 120 s, and fails otherwise, so its outcome is
   * ignored and the caller retries its mkdir.
   */
  async unlockRequest(rel: string): Promise<void> {
    await this.run([this.tool("touch"), "-c", "-d", "@0", this.path(rel)]).catch((err: unknown) => {
      if (err instanceof NodeDownError) throw err;
    });
  }
}
