// Change classification derived from the field tables: which pct keys wait for a restart on a
// running container, which arguments force a replacement, which are never reset, and the
// defaults generated configuration leaves out.
import type { Block, Change } from "./types.js";
import { TOP, type TopField } from "./top.js";

/** pct keys pmxform writes that are no argument: unusedN (deleted once a removed mount's volume is detached). */
const BOOKKEEPING: Record<string, Change> = { unused: "live" };

const byKey = new Map<string, TopField>(TOP.filter((f) => f.pve).map((f) => [f.pve!, f]));
const indexed = new Map<string, Block>(TOP.filter((f) => f.block?.maxIndex !== undefined).map((f) => [f.block!.pve!, f.block!]));

/** The table entry of a pct key (`net3` -> the network block), with its index. */
export function fieldOfKey(key: string): { change: Change; block?: Block; index?: number } | undefined {
  const m = /^([a-z]+)(\d+)$/.exec(key);
  if (m) {
    const b = indexed.get(m[1]!);
    if (b) return Number(m[2]) <= b.maxIndex! ? { change: b.change, block: b, index: Number(m[2]) } : undefined;
    const c = BOOKKEEPING[m[1]!];
    return c ? { change: c } : undefined;
  }
  const f = byKey.get(key);
  if (!f) return undefined;
  return { change: f.change === "replace" ? (f.pctSet ?? "pending") : f.change, ...(f.block ? { block: f.block } : {}) };
}

/**
 * Whether `pct set` of `key` on a running container stays pending until a restart: pending keys,
 * changed or removed indexed items that are only hot-plugged when new (mpN, devN), and removed
 * interfaces Proxmox does not hot-unplug (net10 and above).
 */
export function waitsForRestart(key: string, existed: boolean, deleted: boolean): boolean {
  const f = fieldOfKey(key === "net*" ? "net0" : key);
  if (!f) return false;
  if (f.change === "pending") return true;
  if (f.change === "add-live") return existed;
  const max = f.block?.liveDeleteMaxIndex;
  return deleted && max !== undefined && (f.index ?? 0) > max;
}

/** Top-level arguments whose change replaces the container, with the value a container without the key has. */
export const REPLACED_WHEN_CHANGED: { attr: string; absentMeans: unknown }[] = TOP.filter((f) => f.change === "replace" && f.pve && "absentMeans" in f).map((f) => ({
  attr: f.attr,
  absentMeans: f.absentMeans,
}));

/** Arguments that removing from the configuration leaves as they are. */
export const NOT_RESETTABLE: ReadonlySet<string> = new Set(TOP.filter((f) => f.noReset).map((f) => f.attr));

/** `pct set --delete` refuses these; removing the argument sets the value instead. */
export const RESET_VALUE: Readonly<Record<string, unknown>> = Object.fromEntries(TOP.filter((f) => f.resetTo !== undefined).map((f) => [f.attr, f.resetTo]));

/** Values generated configuration leaves out (the node's default as pct create writes it). */
export const IMPORT_DEFAULTS: Readonly<Record<string, unknown>> = Object.fromEntries(TOP.filter((f) => f.importDefault !== undefined).map((f) => [f.attr, f.importDefault]));

/** Sensitive arguments (never shown in plans). */
export const SENSITIVE: readonly string[] = TOP.filter((f) => f.sensitive).map((f) => f.attr);

/** Sensitive attributes of a container's state: the sensitive arguments and the hashes the state keeps of them (ResourceType.sensitiveAttributes). */
export const SENSITIVE_ATTRIBUTES: readonly string[] = TOP.filter((f) => f.sensitive).flatMap((f) => [f.attr, ...(f.hashedAs ? [f.hashedAs] : [])]);
