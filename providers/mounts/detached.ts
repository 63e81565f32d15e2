// Volumes of removed mounts. Proxmox detaches a removed mpN volume to unusedN (at once on a stopped
// CT, at the next start on a running one); pmxform then either keeps it (keep_on_remove, recorded
// as kept_volumes) or deletes it with `pct set --delete unusedN` (volumes_to_delete until done).
import { isUnknown } from "../../src/config/value.js";
import type { ParsedConf } from "../../src/pve/conf.js";
import type { Attrs } from "../../src/provider/types.js";
import type { Obj } from "./slots.js";

const obj = (v: unknown): Obj => (v && typeof v === "object" && !Array.isArray(v) && !isUnknown(v) ? (v as Obj) : {});
const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === "string") : []);
const UNUSED = /^unused\d+$/;

export interface RemovedVolume {
  name: string;
  volume: string;
  size?: string;
  keep: boolean;
}

/** Storage volumes of mounts in `prior` that `planned` no longer has (renamed mounts included). */
export function removedVolumes(prior: Attrs, planned: Attrs): RemovedVolume[] {
  if (isUnknown(planned["mount"])) return [];
  const after = obj(planned["mount"]);
  const out: RemovedVolume[] = [];
  for (const [name, m] of Object.entries(obj(prior["mount"]))) {
    const mo = obj(m);
    if (name in after || typeof mo["volume"] !== "string") continue;
    const r: RemovedVolume = { name, volume: mo["volume"], keep: mo["keep_on_remove"] === true };
    if (typeof mo["size"] === "string") r.size = mo["size"];
    out.push(r);
  }
  return out;
}

/**
 * Sets planned `kept_volumes` (mount name -> volume) and `volumes_to_delete`, and drops from the
 * planned `unknown_keys` every unusedN holding a volume to delete: this apply deletes it.
 */
export function planDetachedVolumes(prior: Attrs, planned: Attrs): void {
  const kept: Record<string, string> = { ...(obj(prior["kept_volumes"]) as Record<string, string>) };
  let doomed = strings(prior["volumes_to_delete"]);
  for (const r of removedVolumes(prior, planned)) {
    if (r.keep) kept[r.name] = r.volume;
    else if (!doomed.includes(r.volume)) doomed.push(r.volume);
  }
  const unknown = { ...(obj(prior["unknown_keys"]) as Record<string, string>) };
  for (const [k, v] of Object.entries(unknown)) {
    if (UNUSED.test(k) && doomed.includes(v)) {
      delete unknown[k];
      doomed = doomed.filter((d) => d !== v);
    }
  }
  setOrDelete(planned, "kept_volumes", Object.keys(kept).length ? kept : undefined);
  setOrDelete(planned, "volumes_to_delete", doomed.length ? doomed : undefined);
  setOrDelete(planned, "unknown_keys", Object.keys(unknown).length ? unknown : undefined);
}

/** unusedN keys the plan deletes (present before, dropped from the planned unknown_keys). */
export function unusedDeletes(prior: Attrs, planned: Attrs): string[] {
  const after = obj(planned["unknown_keys"]);
  return Object.keys(obj(prior["unknown_keys"])).filter((k) => UNUSED.test(k) && !(k in after));
}

/** The unusedN keys of `conf` holding one of `volumes` (after Proxmox detached them). */
export function unusedKeysHolding(conf: ParsedConf, volumes: string[]): string[] {
  return [...conf.main.keys].filter(([k, v]) => UNUSED.test(k) && volumes.includes(v)).map(([k]) => k).sort();
}

function referenced(conf: ParsedConf, volume: string): boolean {
  const holds = (v: string) => v === volume || v.startsWith(`${volume},`);
  for (const v of conf.main.keys.values()) if (holds(v)) return true;
  for (const v of conf.pending?.keys.values() ?? []) if (holds(v)) return true;
  return false;
}

/** Carries the two records from `prior` into freshly read attributes, minus volumes that are gone. */
export function carryDetachedVolumes(a: Attrs, prior: Attrs | null | undefined, conf: ParsedConf): void {
  if (!prior) return;
  const kept = Object.entries(obj(prior["kept_volumes"]) as Record<string, string>).filter(([, v]) => referenced(conf, v));
  const doomed = strings(prior["volumes_to_delete"]).filter((v) => referenced(conf, v));
  if (kept.length) a["kept_volumes"] = Object.fromEntries(kept);
  if (doomed.length) a["volumes_to_delete"] = doomed;
}

function setOrDelete(a: Attrs, key: string, v: unknown): void {
  if (v === undefined) delete a[key];
  else a[key] = v;
}

/** Plan notes: what happens to the data of each removed volume mount, and unused volumes deleted now. */
export function removedVolumeNotes(prior: Attrs, planned: Attrs, detachesNow: boolean): string[] {
  const notes: string[] = [];
  for (const r of removedVolumes(prior, planned)) {
    const what = `mount "${r.name}" is removed: its volume ${r.volume}${r.size ? ` (${r.size})` : ""}`;
    if (r.keep) notes.push(`${what} is kept, detached as an unused disk (keep_on_remove = true)`);
    else if (detachesNow) notes.push(`${what} and all data on it will be deleted`);
    else notes.push(`${what} and all data on it will be deleted once the container restarts (Proxmox detaches a running container's mount only then; the next apply deletes it)`);
  }
  const unknown = obj(prior["unknown_keys"]);
  for (const k of unusedDeletes(prior, planned)) notes.push(`the unused volume ${String(unknown[k])} (${k}) of a removed mount and all data on it will be deleted`);
  return notes;
}
