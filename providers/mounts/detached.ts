// Volumes of removed mounts. Proxmox detaches a removed mpN volume to unusedN (at once on a stopped
// CT, at the next start on a running one); pmxform then either keeps it (keep_on_remove, recorded
// as kept_volumes) or deletes it with `pct set --delete unusedN` (volumes_to_delete until done).
import { isUnknown } from "../../src/config/value.js";
import type { ParsedConf } from "../../src/pve/conf.js";
import type { Attrs, ProviderIssue, VolumeDeletion } from "../../src/provider/types.js";
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
  return [...conf.main.keys]
    .filter(([k, v]) => UNUSED.test(k) && volumes.includes(v))
    .map(([k]) => k)
    .sort();
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

/** Plan notes: what happens to the data of each removed volume mount that is kept. */
export function removedVolumeNotes(prior: Attrs, planned: Attrs): string[] {
  return removedVolumes(prior, planned)
    .filter((r) => r.keep)
    .map((r) => `mount "${r.name}" is removed: its volume ${r.volume}${r.size ? ` (${r.size})` : ""} is kept, detached as an unused disk (keep_on_remove = true)`);
}

const RESTART_WAIT = "by the first apply after the container restarts (Proxmox detaches a running container's mount only then)";

/**
 * The volumes with data an in-place update deletes: those of removed mounts without
 * keep_on_remove (at once, or after the next restart when Proxmox detaches them only then), and
 * the unusedN volumes such a removal left for this apply.
 */
export function updateVolumeDeletions(prior: Attrs, planned: Attrs, detachesNow: boolean): VolumeDeletion[] {
  const out: VolumeDeletion[] = [];
  for (const r of removedVolumes(prior, planned)) {
    if (r.keep) continue;
    out.push({
      volume: r.volume,
      ...(r.size ? { size: r.size } : {}),
      reason: `mount "${r.name}"${slotName(r.name, prior)} is no longer in the configuration`,
      ...(detachesNow ? {} : { when: RESTART_WAIT }),
    });
  }
  const unknown = obj(prior["unknown_keys"]);
  for (const k of unusedDeletes(prior, planned)) out.push({ volume: String(unknown[k]), reason: `${k}, detached from a mount removed earlier` });
  return out;
}

/** The mount volumes, kept volumes included, that `pct destroy --purge` deletes with the container. */
export function volumesDeletedWithContainer(prior: Attrs, movedToReplacement: ReadonlySet<string> = new Set()): VolumeDeletion[] {
  const out: VolumeDeletion[] = [];
  for (const [name, m] of Object.entries(obj(prior["mount"]))) {
    const mo = obj(m);
    if (typeof mo["volume"] !== "string" || movedToReplacement.has(name)) continue;
    out.push({ volume: mo["volume"], ...(typeof mo["size"] === "string" ? { size: mo["size"] } : {}), reason: `mount "${name}"${slotName(name, prior)}, destroyed with the container` });
  }
  // pct destroy deletes every volume the CT owns, unusedN included (pve-reference.md, "pct
  // destroy"), so a volume kept by keep_on_remove goes as well.
  for (const [name, v] of Object.entries(obj(prior["kept_volumes"]))) {
    if (typeof v === "string") out.push({ volume: v, reason: `kept when mount "${name}" was removed (keep_on_remove), destroyed with the container` });
  }
  return out;
}

function slotName(name: string, prior: Attrs): string {
  const slot = obj(obj(prior["mount"])[name])["slot"];
  return typeof slot === "number" && name !== `mp${slot}` ? ` (mp${slot})` : "";
}

/** The resource argument that lets an in-place update delete volumes with data. */
export const ALLOW_VOLUME_REMOVAL = "allow_volume_removal";

/**
 * The error of a plan that would delete volumes with data while the resource has not opted in:
 * located at the resource block, it names each volume and both ways out.
 */
export function volumeRemovalIssue(prior: Attrs, deletions: VolumeDeletion[]): ProviderIssue {
  const mounts = obj(prior["mount"]);
  const lines = deletions.map((d) => `  ${d.volume}${d.size ? ` (${d.size})` : ""}: ${d.reason}`);
  const removed = removedVolumes(prior, {}).filter((r) => deletions.some((d) => d.volume === r.volume));
  const keep = removed.map((r) => {
    const m = obj(mounts[r.name]);
    return `  mount "${r.name}" { storage = ${JSON.stringify(m["storage"])}${r.size ? `  size = ${JSON.stringify(r.size)}` : ""}  path = ${JSON.stringify(m["path"])} }`;
  });
  const them = deletions.length === 1 ? "it" : "them";
  const keepWay = keep.length
    ? `Either keep the data: add the mount block back, and the plan is "No changes" (with keep_on_remove = true in it, removing it later keeps the volume, detached as an unused disk):\n${keep.join("\n")}\nor delete ${them}: `
    : `To let apply delete ${them}, `;
  return {
    severity: "error",
    path: [],
    summary: "Plan would delete data volumes",
    detail: `Applying this plan deletes ${deletions.length === 1 ? "a volume" : `${deletions.length} volumes`} and all data on ${them}:\n${lines.join("\n")}\n\npmxform deletes data only when the resource allows it, never because something was left out of the configuration. ${keepWay}set ${ALLOW_VOLUME_REMOVAL} = true in this resource block.`,
  };
}
