// pct/pvesh failures -> messages that name the resource and say what to do. Matched on stderr
// texts from pve-reference §5, since pct's exit codes carry no meaning beyond "failed".

export interface ErrorPattern {
  re: RegExp;
  message: (m: RegExpExecArray, address: string) => string;
}

/** pct create's refusal of a vmid that exists (checked before it writes anything). */
const VMID_TAKEN = /(?:CT|VM) (\d+) already exists on node '([^']+)'/;

export const PATTERNS: ErrorPattern[] = [
  { re: VMID_TAKEN, message: (m, a) => `${a}: VMID ${m[1]} was taken on node ${m[2]} after the plan was made. Run "pmxform plan" again to pick a free VMID (or set vmid explicitly).` },
  { re: /storage '([^']+)' does not exist/, message: (m, a) => `${a}: storage "${m[1]}" does not exist on this cluster. Fix the storage name (see "pvesm status").` },
  { re: /storage '([^']+)' is disabled/, message: (m, a) => `${a}: storage "${m[1]}" is disabled. Enable it or choose another storage.` },
  { re: /storage '([^']+)' is not available on node '([^']+)'/, message: (m, a) => `${a}: storage "${m[1]}" is not available on node ${m[2]}. Choose a storage of that node.` },
  {
    re: /storage '([^']+)' does not (?:support container directories|allow content type 'rootdir')/,
    message: (m, a) => `${a}: storage "${m[1]}" cannot hold container volumes (content type rootdir). Choose another storage, e.g. local-lvm.`,
  },
  { re: /can't find file '([^']+)'/, message: (m, a) => `${a}: template ${m[1]} was not found. Download it first ("pveam download <storage> <template>") or fix the template name.` },
  { re: /unable to parse (?:directory )?volume (?:ID|name) '([^']+)'/, message: (m, a) => `${a}: "${m[1]}" is not a valid volume id. Use STORAGE:vztmpl/FILE for templates.` },
  { re: /CT is locked \(([^)]+)\)/, message: (m, a) => `${a}: the container is locked (${m[1]}). Wait for the running operation to finish, or remove a stale lock with "pct unlock".` },
  { re: /can't lock file '([^']+)' - got timeout/, message: (_m, a) => `${a}: another operation holds the container's lock. Try again when it has finished, or lower --parallelism.` },
  {
    re: /config file has been modified by another user|detected modified configuration/i,
    message: (_m, a) => `${a}: the container was changed outside pmxform since the plan was made. Run "pmxform plan" again.`,
  },
  { re: /protection mode enabled/, message: (_m, a) => `${a}: the container has protection enabled. Set protection = false and apply first, then destroy it.` },
  { re: /unable to shrink disk size/, message: (_m, a) => `${a}: Proxmox cannot shrink a disk. Keep the size, or replace the container.` },
  { re: /Configuration file 'nodes\/([^/]+)\/lxc\/(\d+)\.conf' does not exist/, message: (m, a) => `${a}: container ${m[2]} no longer exists on node ${m[1]}. Run "pmxform plan" again.` },
  { re: /cluster not ready - no quorum\?/, message: (_m, a) => `${a}: the Proxmox cluster has no quorum, so no configuration can be written. Restore quorum and retry.` },
  // pct migrate's task log carries the reason; its stderr only says "migration aborted".
  {
    re: /ERROR: migration aborted \(duration [^)]*\): (.+)/,
    message: (m, a) => `${a}: pct migrate failed: ${m[1]!.trim()}. The container was left on its node (a restart migration starts it there again); fix the cause and apply again.`,
  },
  { re: /MTU size '(\d+)' is bigger than bridge MTU '(\d+)'/, message: (m, a) => `${a}: mtu ${m[1]} is bigger than the bridge's MTU ${m[2]}. Lower mtu.` },
];

interface CommandErrorLike {
  stderr?: unknown;
  stdout?: unknown;
  message?: unknown;
}

/** The clear message for a failed pct/pvesh call, or undefined when no pattern knows it. */
export function explainPveError(stderr: string, address: string): string | undefined {
  for (const p of PATTERNS) {
    const m = p.re.exec(stderr);
    if (m) return p.message(m, address);
  }
  return undefined;
}

/** Whether a pveError (or runner failure) is pct's "already exists" refusal. */
export function vmidTaken(err: unknown): boolean {
  const e = (err ?? {}) as CommandErrorLike & { cause?: CommandErrorLike };
  return [e.stderr, e.message, e.cause?.stderr, e.cause?.message].some((x) => typeof x === "string" && VMID_TAKEN.test(x));
}

/** Wraps a runner failure as an Error whose message names the resource; keeps the cause. */
export function pveError(err: unknown, address: string, doing: string): Error {
  const e = (err ?? {}) as CommandErrorLike;
  const text = [e.stderr, e.stdout, e.message].filter((x): x is string => typeof x === "string").join("\n");
  const explained = explainPveError(text, address);
  // An SshError's message already says what happened to the connection and what to do; ssh's raw stderr does not.
  const connection = (err as { name?: unknown }).name === "SshError";
  const detail = !connection && typeof e.stderr === "string" && e.stderr.trim() ? e.stderr.trim().split("\n").slice(-3).join(" ") : String(e.message ?? err);
  return new Error(explained ?? `${address}: ${doing} failed: ${detail}`, { cause: err });
}
