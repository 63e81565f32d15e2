// The pve state backend: each workspace's state in the Proxmox cluster filesystem (pmxcfs), under
// <pveRoot>/priv/<dir>/<workspace>/ (dir "pmxform" by default), reached through the node runners
// pmxform already has (local, SSH, simulator), so the cluster replicates it and corosync's quorum
// guards it with nothing new to install. pmxcfs's rules and what this backend does about them
// (docs/backends.md; pve-cluster sources cited where each rule is used):
// - files are limited to 1 MiB: the state is split into chunks behind a manifest (pve-manifest.ts)
//   that a write swaps last, by rename, so a reader sees the old state or the new one, never a mix;
//   the old chunks are removed after the swap;
// - writes need quorum: without it pmxcfs answers EACCES, which becomes a clear refusal and leaves
//   the state as it was;
// - a cluster lock is a directory in priv/lock that pmxcfs expires after 120 s: runs hold leases
//   renewed by a heartbeat (pve-lease.ts) and record holder, operation and time in holder files;
//   plan's shared leases do not block each other, apply's exclusive one excludes everything;
// - every write is a compare-and-swap on lineage and serial under its own short cluster lock, so no
//   update is lost even when the run lock was bypassed or broken;
// - a node that cannot be reached (or has no pmxcfs mounted) is skipped for the next configured one.
import { hostname, userInfo } from "node:os";
import type { Runner } from "../../exec/runner.js";
import { StateError, StateLockedError } from "../errors.js";
import type { LockInfo } from "../lock-info.js";
import { StateConflictError, type AuditLogStorage, type BackendLock, type LockMode, type StateBackend, type StateVersion } from "./types.js";
import { decodeState, encodeState, MANIFEST, parseManifest, type Manifest } from "./pve-manifest.js";
import { FsError, NodeDownError, PveNode } from "./pve-node.js";
import { Lease, leaseTiming, NoQuorumError, takeLockDir, type HolderRecord, type LeaseTiming } from "./pve-lease.js";
import { describeHolders, PveLockedError } from "./pve-messages.js";

export interface PveBackendOptions {
  /** Nodes of one cluster, tried in this order; the first that answers serves the run. */
  nodes: string[];
  runnerFor(node: string): Runner;
  /** The node's /etc/pve as its runner sees it (default /etc/pve; a simulator's DIR/etc/pve). */
  pveRootFor?(node: string): string;
  /**
   * Where the workspaces live: a directory under /etc/pve/priv, as "/etc/pve/priv/pmxform" (the
   * backend block's path) or relative to priv ("pmxform", the default).
   */
  dir?: string;
}

const NAME = /^[A-Za-z0-9][A-Za-z0-9_-]{0,62}$/;
const READ_ATTEMPTS = 5;

export function createPveBackend(opts: PveBackendOptions): StateBackend {
  return new PveBackend(opts, leaseTiming());
}

/** "pmxform" or "/etc/pve/priv/pmxform" -> "pmxform"; nothing that could leave priv. */
function privRelative(dir: string): string {
  const rel = dir.startsWith("/etc/pve/priv/") ? dir.slice("/etc/pve/priv/".length) : dir;
  const parts = rel.replace(/\/+$/, "").split("/");
  if (rel === "lock" || parts[0] === "lock" || !parts.every((p) => /^[A-Za-z0-9_.-]+$/.test(p) && p !== "." && p !== "..")) {
    throw new StateError(
      `The pve backend's path "${dir}" must be a directory under /etc/pve/priv (not priv/lock), like "/etc/pve/priv/pmxform": names of letters, digits, ".", "-" and "_", no "." or ".." components.`,
      "pve",
    );
  }
  return parts.join("/");
}

const sameVersion = (a: StateVersion | null, b: StateVersion | null): boolean => (a === null || b === null ? a === b : a.lineage === b.lineage && a.serial === b.serial);

class PveBackend implements StateBackend {
  readonly description: string;
  /** Below <pveRoot>/priv. */
  private readonly dir: string;
  /** Names the workspace's cluster locks: priv/lock/<prefix>-<workspace>[.w|.r-<id>]. */
  private readonly lockPrefix: string;
  private readonly nodes: PveNode[];
  /** Index of the node that answered last: later calls start there. */
  private preferred = 0;

  constructor(
    opts: PveBackendOptions,
    private readonly t: LeaseTiming,
  ) {
    this.dir = privRelative(opts.dir ?? "pmxform");
    this.lockPrefix = this.dir.replace(/\//g, "_");
    if (opts.nodes.length === 0) throw new StateError('The pve backend needs at least one node: nodes = ["pve1", ...], nodes of the cluster that holds the state.', "pve");
    this.nodes = opts.nodes.map((n) => new PveNode(n, opts.runnerFor(n), opts.pveRootFor?.(n)));
    this.description = `pve (/etc/pve/priv/${this.dir} through ${opts.nodes.join(", ")})`;
  }

  private wsRel(ws: string): string {
    if (!NAME.test(ws)) throw new StateError(`The workspace name "${ws}" cannot be stored in the pve backend: use letters, digits, - and _ (at most 63, starting with a letter or digit).`, "pve");
    return `priv/${this.dir}/${ws}`;
  }

  private lockRel(ws: string, suffix = ""): string {
    return `priv/lock/${this.lockPrefix}-${ws}${suffix}`;
  }

  private where(ws: string): string {
    return `${this.description}, workspace ${ws}`;
  }

  /**
   * Runs fn on the first node that works, starting with the last one that did. Only NodeDownError
   * (the node never ran the command) moves on, so fn is safe to repeat on another node.
   */
  private async onSomeNode<T>(fn: (node: PveNode) => Promise<T>): Promise<T> {
    const failures: string[] = [];
    for (let k = 0; k < this.nodes.length; k++) {
      const i = (this.preferred + k) % this.nodes.length;
      try {
        const out = await fn(this.nodes[i]!);
        this.preferred = i;
        return out;
      } catch (err) {
        if (!(err instanceof NodeDownError)) throw err;
        failures.push(err.message);
      }
    }
    throw new StateError(
      `None of the nodes of ${this.description} could be used:\n  ${failures.join("\n  ")}\nCheck that at least one of them is up and reachable, and that the backend's nodes are nodes of the cluster holding the state.`,
      "pve",
    );
  }

  /** A node that answers now, for a sequence of changes that must all go through one node. */
  private liveNode(): Promise<PveNode> {
    return this.onSomeNode(async (n) => {
      await n.ensureMounted();
      return n;
    });
  }

  /** Turns a refusal by pmxcfs into the user's message; other errors pass unchanged. */
  private failure(ws: string, doing: string, err: unknown): Error {
    if (err instanceof StateError || err instanceof StateConflictError || err instanceof StateLockedError) return err;
    if (err instanceof NoQuorumError || (err instanceof FsError && err.errno === "EACCES")) {
      const node = err.node;
      return new StateError(
        `The cluster has no quorum, so ${this.where(ws)} cannot be changed: node ${node} refused ${doing} ("Permission denied"; pmxcfs makes /etc/pve read-only without quorum). Nothing was changed and the state stays as it was. Restore quorum (check pvecm status on the nodes) and run again. If the cluster is quorate, the SSH user of ${node} lacks root's access to /etc/pve/priv.`,
        "pve",
      );
    }
    if (err instanceof FsError && err.errno === "EFBIG")
      return new StateError(
        `pmxcfs on ${err.node} refused a file while ${doing} in ${this.where(ws)} (File too large: pmxcfs limits each file to 1 MiB). Nothing was changed. This is a bug in pmxform's chunking; please report it.`,
        "pve",
      );
    if (err instanceof FsError || err instanceof NodeDownError)
      return new StateError(`The state backend ${this.where(ws)} failed while ${doing}: ${err.message}. Check the node and run again.`, "pve");
    return err as Error;
  }

  private async manifestOn(node: PveNode, ws: string): Promise<Manifest | null> {
    let text: string;
    try {
      text = await node.cat([`${this.wsRel(ws)}/${MANIFEST}`]);
    } catch (err) {
      if (!(err instanceof FsError && err.errno === "ENOENT")) throw err;
      await node.ensureMounted();
      return null;
    }
    try {
      return parseManifest(text);
    } catch (err) {
      throw new StateError(
        `The state of ${this.where(ws)} cannot be read: ${(err as Error).message} (${node.path(`${this.wsRel(ws)}/${MANIFEST}`)} on ${node.name}). Nothing was changed; restore the file from a backup or push a state with pmxform state push -force.`,
        "pve",
      );
    }
  }

  async read(workspace: string): Promise<Buffer | null> {
    const rel = this.wsRel(workspace);
    try {
      return await this.onSomeNode(async (node) => {
        for (let attempt = 0; attempt < READ_ATTEMPTS; attempt++) {
          const m = await this.manifestOn(node, workspace);
          if (!m) return null;
          let text: string;
          try {
            text = await node.cat(m.chunks.map((c) => `${rel}/${c}`));
          } catch (err) {
            // A newer write swapped the manifest and removed these chunks since: read it again.
            if (err instanceof FsError && err.errno === "ENOENT") continue;
            throw err;
          }
          const bytes = decodeState(m, text);
          if (bytes) return bytes;
        }
        throw new StateError(
          `The state of ${this.where(workspace)} could not be read consistently in ${READ_ATTEMPTS} attempts: its chunks did not match its manifest each time (serial changing under the read, or damaged files in ${node.path(rel)}). Nothing was changed; run again.`,
          "pve",
        );
      });
    } catch (err) {
      throw this.failure(workspace, "reading the state", err);
    }
  }

  async write(workspace: string, bytes: Buffer, expected: StateVersion | null, next: StateVersion): Promise<void> {
    const rel = this.wsRel(workspace);
    let node: PveNode | undefined;
    let mutex: Lease | undefined;
    const written: string[] = [];
    let swapped = false;
    try {
      node = await this.liveNode();
      // The compare-and-swap's own short lock: separate from the run's lease, so a run holding the
      // exclusive lease writes through it, and a run that bypassed the lease still cannot interleave.
      const taken = Date.now();
      const mutexRel = this.lockRel(workspace, ".w");
      if (!(await takeLockDir(node, mutexRel, taken + this.t.expiryMs + 10 * this.t.pollMs, this.t))) {
        throw new StateError(
          `Another write to ${this.where(workspace)} has held its cluster lock (${node.path(mutexRel)}) for longer than pmxcfs keeps an unrenewed lock. Nothing was changed. Check for a stuck pmxform on the cluster's clients and run again.`,
          "pve",
        );
      }
      mutex = new Lease(node, mutexRel, this.t, async () => true, taken);
      await node.mkdirP(rel);
      const current = await this.manifestOn(node, workspace);
      const found = current ? { lineage: current.lineage, serial: current.serial } : null;
      if (!sameVersion(found, expected)) throw new StateConflictError(this.where(workspace), expected, found);
      const enc = encodeState(bytes, next, { who: `${userInfo().username}@${hostname()}`, node: node.name });
      for (const [name, text] of enc.chunks) {
        written.push(name);
        await node.writeFile(`${rel}/${name}`, text);
        await mutex.keepAlive(); // a big state over a slow link may take a while
      }
      const tmp = `.manifest.${enc.manifest.chunks[0]!.split(".")[1]}.tmp`;
      written.push(tmp);
      await node.writeFile(`${rel}/${tmp}`, JSON.stringify(enc.manifest, null, 1) + "\n");
      // The swap must still happen under the write lock: renew it if due, or give up if it may be gone.
      await mutex.keepAlive();
      const lost = mutex.lost();
      if (lost) throw new StateError(`Writing ${this.where(workspace)} took longer than its cluster lock lasts (${lost.message}). Nothing was changed; run again.`, "pve");
      await node.rename(`${rel}/${tmp}`, `${rel}/${MANIFEST}`);
      swapped = true;
      // The old chunks, and leftovers of writes that died before their swap, are no one's now.
      const keep = new Set(enc.manifest.chunks);
      const names = await node.list(rel);
      await node.remove(names.filter((n) => (n.startsWith("chunk.") && !keep.has(n)) || /^\.manifest\..*\.tmp$/.test(n)).map((n) => `${rel}/${n}`)).catch(() => undefined);
    } catch (err) {
      if (node && !swapped && written.length) await node.remove(written.map((n) => `${rel}/${n}`)).catch(() => undefined);
      throw this.failure(workspace, "saving the state", err);
    } finally {
      await mutex?.release(async () => undefined);
    }
  }

  /**
   * One file per record in <workspace>/audit/ (pmxcfs has no append, and a growing single file
   * would reach its 1 MiB limit): <seq, 10 digits>.json, written to a temp name and renamed, under
   * the run's exclusive lease that serialises appenders.
   */
  auditLog(workspace: string): AuditLogStorage {
    const dir = `${this.wsRel(workspace)}/audit`;
    const records = (names: string[]): string[] => names.filter((n) => /^\d{10}\.json$/.test(n)).sort();
    const lines = async (node: PveNode): Promise<string[]> => {
      const names = records(await node.list(dir));
      if (!names.length) return [];
      return (await node.cat(names.map((n) => `${dir}/${n}`))).split("\n").filter(Boolean);
    };
    return {
      description: `${this.where(workspace)}, directory audit`,
      lines: async () => {
        try {
          return await this.onSomeNode(lines);
        } catch (err) {
          throw this.failure(workspace, "reading the audit log", err);
        }
      },
      append: async (next) => {
        try {
          const node = await this.liveNode();
          await node.mkdirP(dir);
          const before = await lines(node);
          const line = next(before);
          const name = `${String(before.length + 1).padStart(10, "0")}.json`;
          const tmp = `.${name}.tmp-${process.pid}`;
          await node.writeFile(`${dir}/${tmp}`, `${line}\n`);
          await node.rename(`${dir}/${tmp}`, `${dir}/${name}`);
        } catch (err) {
          throw this.failure(workspace, "appending to the audit log", err);
        }
      },
    };
  }

  private holderRel(ws: string, mode: LockMode, id: string): string {
    return `${this.wsRel(ws)}/${mode === "exclusive" ? "holder.json" : `holder.r-${id}.json`}`;
  }

  private async readHolder(node: PveNode, rel: string): Promise<HolderRecord | null> {
    try {
      return JSON.parse(await node.cat([rel])) as HolderRecord;
    } catch (err) {
      if (err instanceof NodeDownError) throw err;
      return null;
    }
  }

  /** Every holder record of the workspace (exclusive first), with its lock's last renewal. */
  private async holders(node: PveNode, ws: string): Promise<{ rec: HolderRecord; renewed: number | undefined }[]> {
    const rel = this.wsRel(ws);
    const names = (await node.list(rel)).filter((n) => /^holder(\.r-[\w-]+)?\.json$/.test(n)).sort();
    const times = await node.listTimes("priv/lock");
    const out: { rec: HolderRecord; renewed: number | undefined }[] = [];
    for (const n of names) {
      const rec = await this.readHolder(node, `${rel}/${n}`);
      const renewed = rec?.info ? times.get(rec.lock.replace(/^priv\/lock\//, "")) : undefined;
      // A plan's record without its lease is a killed plan's leftover, not a holder.
      if (rec?.info && (renewed !== undefined || rec.mode === "exclusive")) out.push({ rec, renewed });
    }
    return out;
  }

  private async writeHolder(node: PveNode, rel: string, rec: HolderRecord): Promise<void> {
    const tmp = `${rel}.${rec.info.id}.tmp`;
    await node.writeFile(tmp, JSON.stringify(rec, null, 1) + "\n");
    await node.rename(tmp, rel);
  }

  private async lockedError(node: PveNode, ws: string, wanted: LockMode, self?: string): Promise<StateLockedError> {
    const all = (await this.holders(node, ws).catch(() => [])).filter((h) => h.rec.info.id !== self);
    // A shared lock waits only for an exclusive holder; an exclusive one for anyone.
    const relevant = wanted === "shared" ? all.filter((h) => h.rec.mode === "exclusive") : all;
    return new PveLockedError(this.where(ws), relevant, this.t.expiryMs);
  }

  async lock(workspace: string, mode: LockMode, info: LockInfo, timeoutMs: number): Promise<BackendLock> {
    const rel = this.wsRel(workspace);
    const gate = this.lockRel(workspace);
    const deadline = Date.now() + Math.max(0, timeoutMs);
    let node: PveNode | undefined;
    try {
      node = await this.liveNode();
      const n = node;
      const taken = Date.now();
      if (!(await takeLockDir(n, gate, deadline, this.t))) throw await this.lockedError(n, workspace, mode);
      await n.mkdirP(rel).catch(async (err: unknown) => {
        await n.rmdir(gate).catch(() => undefined);
        throw err;
      });
      const holderRel = this.holderRel(workspace, mode, info.id);
      const record = (lockRel: string): HolderRecord => ({ info, mode, node: n.name, lock: lockRel, taken_at: new Date().toISOString() });
      const stillOurs = async () => (await this.readHolder(n, holderRel))?.info.id === info.id;
      if (mode === "exclusive") {
        await this.writeHolder(n, holderRel, record(gate));
        const lease = new Lease(n, gate, this.t, stillOurs, taken);
        lease.start();
        try {
          await this.drainReaders(n, workspace, deadline, lease, info.id);
        } catch (err) {
          await lease.release(() => n.remove([holderRel]));
          throw err;
        }
        return this.handle(info, mode, lease, () => n.remove([holderRel]));
      }
      // Shared: pass the gate (no exclusive holder), leave a lease of one's own, reopen the gate.
      const mine = this.lockRel(workspace, `.r-${info.id}`);
      try {
        if (!(await takeLockDir(n, mine, Date.now(), this.t))) throw new StateError(`The shared lock ${n.path(mine)} already exists: lock IDs must be unique. Run again.`, "pve");
        await this.writeHolder(n, holderRel, record(mine));
      } finally {
        await n.rmdir(gate).catch(() => undefined);
      }
      const lease = new Lease(n, mine, this.t, stillOurs, Date.now());
      lease.start();
      return this.handle(info, mode, lease, () => n.remove([holderRel]));
    } catch (err) {
      throw this.failure(workspace, "taking the state lock", err);
    }
  }

  /** Waits (holding the gate, so no new reader enters) until every shared lease has ended or expired. */
  private async drainReaders(node: PveNode, ws: string, deadline: number, lease: Lease, self: string): Promise<void> {
    const prefix = `${this.lockPrefix}-${ws}.r-`;
    for (;;) {
      const readers = (await node.list("priv/lock")).filter((n) => n.startsWith(prefix));
      if (readers.length === 0) {
        // Records of plans whose leases pmxcfs expired (killed plans) are no one's: no plan can be
        // entering now, since entering needs the gate this run holds.
        const rel = this.wsRel(ws);
        const stale = (await node.list(rel)).filter((n) => /^holder\.r-[\w-]+\.json$/.test(n));
        await node.remove(stale.map((n) => `${rel}/${n}`)).catch(() => undefined);
        return;
      }
      for (const r of readers) await node.unlockRequest(`priv/lock/${r}`);
      const lost = lease.lost();
      if (lost) throw new StateError(`Lost the state lock of ${this.where(ws)} while waiting for plans to finish: ${lost.message}. Run again.`, "pve");
      if (Date.now() >= deadline) throw await this.lockedError(node, ws, "exclusive", self);
      await new Promise((r) => setTimeout(r, Math.min(this.t.pollMs, Math.max(0, deadline - Date.now()))));
    }
  }

  private handle(info: LockInfo, mode: LockMode, lease: Lease, removeHolder: () => Promise<void>): BackendLock {
    return { info, mode, lost: () => lease.lost(), release: () => lease.release(removeHolder) };
  }

  async forceUnlock(workspace: string, id: string): Promise<void> {
    try {
      await this.onSomeNode(async (node) => {
        await node.ensureMounted();
        const all = await this.holders(node, workspace);
        const hit = all.find((h) => h.rec.info.id === id);
        if (!hit) {
          throw new StateError(
            `No lock with ID ${id} is held on ${this.where(workspace)}.${all.length ? `\n\n${describeHolders(all, this.t.expiryMs)}\n\nForce-unlock one of these IDs if its run is gone.` : " No lock is held there now."}`,
            "pve",
          );
        }
        // Holder file first: the holder's next heartbeat sees it gone and stops renewing.
        await node.remove([this.holderRel(workspace, hit.rec.mode, id)]);
        await node.rmdir(hit.rec.lock).catch((err: unknown) => {
          if (!(err instanceof FsError && err.errno === "ENOENT")) throw err;
        });
      });
    } catch (err) {
      throw this.failure(workspace, "removing the lock", err);
    }
  }

  async workspaces(): Promise<string[]> {
    return this.onSomeNode(async (node) => {
      await node.ensureMounted();
      const names = await node.list(`priv/${this.dir}`);
      const out: string[] = [];
      for (const ws of names.filter((n) => NAME.test(n)).sort()) {
        if ((await node.list(`priv/${this.dir}/${ws}`)).includes(MANIFEST)) out.push(ws);
      }
      return out;
    });
  }

  async deleteWorkspace(workspace: string): Promise<void> {
    const rel = this.wsRel(workspace);
    let node: PveNode | undefined;
    let mutex: Lease | undefined;
    try {
      node = await this.liveNode();
      const taken = Date.now();
      const mutexRel = this.lockRel(workspace, ".w");
      if (!(await takeLockDir(node, mutexRel, taken + this.t.expiryMs + 10 * this.t.pollMs, this.t)))
        throw new StateError(`A write to ${this.where(workspace)} holds its cluster lock; run again later.`, "pve");
      mutex = new Lease(node, mutexRel, this.t, async () => true, taken);
      // The manifest first: from then on readers see no state rather than a partial one.
      await node.remove([`${rel}/${MANIFEST}`]);
      const names = await node.list(rel);
      await node.remove(names.filter((n) => n.startsWith("chunk.") || n.endsWith(".tmp")).map((n) => `${rel}/${n}`));
      // Holder files of a live lock keep the directory; it goes with the last of them.
      await node.rmdir(rel).catch(() => undefined);
    } catch (err) {
      throw this.failure(workspace, "deleting the workspace", err);
    } finally {
      await mutex?.release(async () => undefined);
    }
  }

  async close(): Promise<void> {
    // Nothing is held between calls: every lease belongs to a BackendLock its owner releases.
  }
}
