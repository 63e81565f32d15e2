// The steps of an lxc_container change in pct's terms, decided once by the plan (diff.ts) and
// executed as they are by apply (apply.ts runCreate / runUpdate). A create: the one pct create
// (argv pieces, volumes allocated by their storage:size pieces, SSH keys), raw lxc lines, start,
// the password. An update: the digest the first write checks, the migration, stop, raw lxc lines,
// protection off, resizes, the one pct set (argv pieces and --delete), volume moves, start,
// secrets by reference, restart, deleting detached volumes. They are JSON data
// (src/provider/types.ts PlannedOperation) and travel in the plan file.
import { isUnknown } from "../../src/config/value.js";
import type { Attrs, AttrPath } from "../../src/provider/types.js";
import { createValues } from "./conf-map.js";
import type { ChangeSet } from "./changes.js";
import type { Migration } from "./migrate.js";
import { unprotectFirst } from "./protection.js";

/**
 * One `--key value` of pct set: the value as the plan printed it, or, when the plan could not
 * print it (unknown until apply, or sensitive), the attribute path apply reads it from.
 */
export type SetPiece = { key: string; value: string } | { key: string; from: AttrPath };

export type PctOperation =
  /**
   * `pct create VMID TEMPLATE --key value ... [--ssh-public-keys FILE]`: volumes are allocated by
   * their `storage:size` pieces. A vmid or template the plan could not know names its path.
   */
  | { op: "create"; vmid: number | { from: AttrPath }; template: SetPiece; set: SetPiece[]; ssh_keys?: string[] | { from: AttrPath } }
  /** The conf must still be the one the plan read: the first write passes it as --digest. */
  | { op: "digest"; digest: string }
  /** pct migrate (stop_first: a running container the configuration stops is stopped, then moved offline). */
  | { op: "migrate"; to: string; restart: boolean; stop_first: boolean; storage_map: [string, string][] }
  | { op: "stop" }
  /** The raw lxc.* lines written into the conf (pct cannot set them), or the path to read them from. */
  | { op: "raw_lxc"; lines: string[] }
  | { op: "raw_lxc"; from: AttrPath }
  /** `pct set --protection 0` alone: Proxmox checks the flag the container has, not the one a set brings. */
  | { op: "unprotect" }
  /** pct resize; `if_already`: what pct set stores when the volume already has the size and only size= lags. */
  | { op: "resize"; disk: string; size: string; if_already?: SetPiece }
  | { op: "set"; set: SetPiece[]; delete: string[] }
  | { op: "move_volume"; disk: string; storage: string }
  | { op: "start" }
  /** chpasswd inside the container; the password is read from the configuration at apply. */
  | { op: "password"; from: AttrPath }
  | { op: "ssh_keys"; keys: string[] }
  | { op: "ssh_keys"; from: AttrPath }
  | { op: "reboot" }
  /** Nothing runs: apply says which changes wait for the next restart. */
  | { op: "pending"; keys: string[] }
  /** pct set --delete of the unusedN keys holding these volumes, once Proxmox has detached them. */
  | { op: "delete_detached"; volumes: string[] };

const hasUnknown = (v: unknown): boolean => isUnknown(v) || (Array.isArray(v) ? v.some(hasUnknown) : v !== null && typeof v === "object" ? Object.values(v).some(hasUnknown) : false);
/** Whether one path is a prefix of the other (a secret block covers its items, a secret item its block's printed key). */
function overlaps(a: AttrPath, b: AttrPath): boolean {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i] && String(a[i]) !== String(b[i])) return false;
  return true;
}

/** What the plan decided besides the change set (diff.ts). */
export interface UpdatePlan {
  /** The container as the changes start from (after a migration: where it lands). */
  base: Attrs;
  planned: Attrs;
  cs: ChangeSet;
  digest?: string;
  migration?: Migration & { stopFirst: boolean };
  /** Stopped for volume moves and started again. */
  cycling: boolean;
  /** Paths whose configured values are secret (DiffRequest.sensitivePaths). */
  sensitive: readonly AttrPath[];
}

/** The ordered steps of an update; every value in them is one the plan shows. */
export function updateOperations(u: UpdatePlan): PctOperation[] {
  const { base, planned, cs } = u;
  const secret = (path: AttrPath) => u.sensitive.some((s) => overlaps(s, path));
  const running = base["started"] === true;
  const ops: PctOperation[] = [];
  if (u.digest) ops.push({ op: "digest", digest: u.digest });
  if (u.migration) ops.push({ op: "migrate", to: u.migration.to, restart: u.migration.restart, stop_first: u.migration.stopFirst, storage_map: u.migration.storageMap });
  if ((cs.start === false && running) || u.cycling) ops.push({ op: "stop" });
  const rawUnknown = Array.isArray(planned["raw_lxc"]) && hasUnknown(planned["raw_lxc"]);
  if (rawUnknown || (cs.rawLxc && secret(["raw_lxc"]))) ops.push({ op: "raw_lxc", from: ["raw_lxc"] });
  else if (cs.rawLxc) ops.push({ op: "raw_lxc", lines: cs.rawLxc });
  if (unprotectFirst(base, cs)) ops.push({ op: "unprotect" });
  // Grown before pct set: resize writes size= into the current section only, so a pct set before
  // it would leave a pending value with the old size that the next start applies over the grown
  // one (changes.ts). The set then echoes the grown size (the values changes.ts printed).
  const piece = (key: string): SetPiece => {
    const { value, path } = cs.written.get(key)!;
    return value === undefined || secret(path) ? { key, from: path } : { key, value };
  };
  for (const g of cs.grow) ops.push({ op: "resize", disk: g.disk, size: g.size, if_already: piece(g.disk) });
  if (cs.set.size || cs.del.length) ops.push({ op: "set", set: [...cs.set.keys()].sort().map(piece), delete: cs.del });
  for (const m of cs.moves) ops.push({ op: "move_volume", disk: m.disk, storage: m.storage });
  if (cs.start === true || u.cycling) ops.push({ op: "start" });
  if (cs.password) ops.push({ op: "password", from: ["password"] });
  if (cs.sshKeys) {
    const keys = planned["ssh_public_keys"];
    ops.push(Array.isArray(keys) && !hasUnknown(keys) && !secret(["ssh_public_keys"]) ? { op: "ssh_keys", keys: keys.map(String) } : { op: "ssh_keys", from: ["ssh_public_keys"] });
  }
  const pendingBefore = (base["pending_keys"] as string[] | undefined) ?? [];
  const waiting = [...cs.restartKeys, ...(cs.rawLxc || rawUnknown ? ["raw_lxc"] : [])];
  if (running && cs.start === undefined && !u.cycling && (waiting.length || pendingBefore.length)) {
    if (planned["restart_on_change"] === true) ops.push({ op: "reboot" });
    else if (waiting.length) ops.push({ op: "pending", keys: waiting });
  }
  const doomed = planned["volumes_to_delete"];
  if (Array.isArray(doomed) && doomed.length) ops.push({ op: "delete_detached", volumes: doomed.map(String) });
  return ops;
}

/** What the plan decided for a new container (diff.ts createPlan). */
export interface CreatePlan {
  planned: Attrs;
  /** Paths whose configured values are secret (DiffRequest.sensitivePaths). */
  sensitive: readonly AttrPath[];
  /** Whether the configuration has a root password (its value is read at apply). */
  password: boolean;
}

/**
 * The ordered steps of a create: pct create with every piece the plan can print, the raw lxc
 * lines, then start (to run, or to set the password inside it) and stop again when it is to stay
 * stopped. Pieces the plan cannot print (unknown, or secret) name the path apply reads.
 */
export function createOperations(c: CreatePlan): PctOperation[] {
  const { planned } = c;
  const secret = (path: AttrPath) => c.sensitive.length > 0 && c.sensitive.some((s) => overlaps(s, path));
  const piece = (key: string, value: string | undefined, path: AttrPath): SetPiece => (value === undefined || secret(path) ? { key, from: path } : { key, value });
  const vmid = planned["vmid"];
  const template = planned["template"];
  const keys = planned["ssh_public_keys"];
  const create: PctOperation = {
    op: "create",
    vmid: typeof vmid === "number" ? vmid : { from: ["vmid"] },
    template: piece("template", typeof template === "string" ? template : undefined, ["template"]),
    set: createValues(planned).map((v) => piece(v.key, v.value, v.path)),
  };
  if (Array.isArray(keys) && keys.length) create.ssh_keys = hasUnknown(keys) || secret(["ssh_public_keys"]) ? { from: ["ssh_public_keys"] } : keys.map(String);
  else if (isUnknown(keys)) create.ssh_keys = { from: ["ssh_public_keys"] };
  const ops: PctOperation[] = [create];
  const raw = planned["raw_lxc"];
  if (isUnknown(raw) || (Array.isArray(raw) && raw.length && (hasUnknown(raw) || secret(["raw_lxc"])))) ops.push({ op: "raw_lxc", from: ["raw_lxc"] });
  else if (Array.isArray(raw) && raw.length) ops.push({ op: "raw_lxc", lines: raw.map(String) });
  const running = planned["started"] === true;
  if (running || c.password) ops.push({ op: "start" });
  if (c.password) ops.push({ op: "password", from: ["password"] });
  if (c.password && !running) ops.push({ op: "stop" });
  return ops;
}
