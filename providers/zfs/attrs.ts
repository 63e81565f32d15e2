// zfs_dataset attributes from what a node reports (`zfs get -Hp` of one dataset, its snapshots,
// its mountpoint's owner): the read of refresh, of apply's read-back and of import. Values are
// kept in the prior's spelling when ZFS reports the same thing ("1M" stays "1M" while recordsize
// is 1048576), so a configuration that was applied plans no change. Pure.
import type { Attrs } from "../../src/provider/types.js";
import { canonOr } from "./canon.js";
import { UNPRIVILEGED_BASE, UNPRIVILEGED_COUNT } from "./access.js";
import { DEDICATED, FIELD, MARKER, isUserProperty } from "./fields.js";
import type { DatasetView } from "./snapshot.js";

/** Above this many bytes referenced by the dataset itself it holds data (an empty filesystem's metadata is 24-200 KiB). */
export const DATA_THRESHOLD = 1024 * 1024;

const str = (v: unknown): string | undefined => (typeof v === "string" ? v : undefined);

/** The prior's spelling of `prop` when it means what the node reports, else the node's value. */
function spelled(prop: string, actual: string, prior: unknown): string {
  const p = str(prior);
  return p !== undefined && canonOr(prop, p) === actual ? p : actual;
}

/** Managed properties: set locally (or fixed at creation to other than the default), minus dedicated arguments and pmxform's marker. */
export function managedProperties(d: DatasetView, prior: Record<string, unknown> = {}): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [prop, { value, source }] of d.props) {
    if ((DEDICATED as readonly string[]).includes(prop) || prop.startsWith("pmxform:")) continue;
    const f = FIELD.get(prop);
    if (!f && !isUserProperty(prop)) continue; // a property pmxform does not model is left alone
    if (f?.change === "readonly") continue;
    // Set-once properties have no source; the default counts only when the configuration names it.
    const fixedAtCreation = f?.change === "create" && source === "-" && value !== "-" && (value !== f.dflt || prop in prior);
    if (source !== "local" && !fixedAtCreation) continue;
    out[prop] = spelled(prop, value, prior[prop]);
  }
  return out;
}

const num = (d: DatasetView, p: string): number => Number(d.props.get(p)?.value ?? 0);

function sizeArg(d: DatasetView, prop: string, prior: unknown): string | null {
  const v = d.props.get(prop);
  if (!v || v.source !== "local" || v.value === "0") return null;
  return spelled(prop, v.value, prior);
}

/** The attributes of a dataset as read, shaped after `prior` (the state entry or the plan). */
export function attrsFromView(node: string, d: DatasetView, prior: Attrs | null): Attrs {
  const pp = (prior?.["properties"] ?? {}) as Record<string, unknown>;
  const mp = d.props.get("mountpoint");
  const priorOwner = (prior?.["owner"] ?? null) as Record<string, unknown> | null;
  const owner = priorOwner
    ? { ...priorOwner, host_uid: d.owner?.uid ?? priorOwner["host_uid"] ?? null, host_gid: d.owner?.gid ?? priorOwner["host_gid"] ?? null }
    : prior === null && d.owner && (d.owner.uid !== 0 || d.owner.gid !== 0)
      ? importedOwner(d.owner)
      : null;
  const marker = d.props.get(MARKER);
  return {
    node,
    name: d.name,
    profile: prior?.["profile"] ?? null,
    properties: managedProperties(d, pp),
    quota: sizeArg(d, "quota", prior?.["quota"]),
    refquota: sizeArg(d, "refquota", prior?.["refquota"]),
    reservation: sizeArg(d, "reservation", prior?.["reservation"]),
    mountpoint: mp?.value ?? null,
    mountpoint_local: mp?.source === "local",
    owner,
    destroy_with_data: prior?.["destroy_with_data"] ?? null,
    used: num(d, "used"),
    available: num(d, "available"),
    referenced: num(d, "referenced"),
    snapshot_count: d.snapshots.length,
    marker: marker?.source === "local" ? marker.value : null,
  };
}

/**
 * The owner block an import records for a mountpoint owned by host ids other than root's: ids an
 * unprivileged container maps by default are written as the container sees them.
 */
export function importedOwner(h: { uid: number; gid: number }): Attrs {
  const inCt = (id: number) => id >= UNPRIVILEGED_BASE && id < UNPRIVILEGED_BASE + UNPRIVILEGED_COUNT;
  const ct = inCt(h.uid) && inCt(h.gid);
  return { uid: ct ? h.uid - UNPRIVILEGED_BASE : h.uid, gid: ct ? h.gid - UNPRIVILEGED_BASE : h.gid, unprivileged: ct ? true : null, idmap: null, host_uid: h.uid, host_gid: h.gid };
}

/** Why destroying this dataset would lose data (its own files or snapshots), or undefined. */
export function holdsData(attrs: Attrs): string | undefined {
  const why: string[] = [];
  const referenced = Number(attrs["referenced"] ?? 0);
  const snaps = Number(attrs["snapshot_count"] ?? 0);
  if (referenced > DATA_THRESHOLD) why.push(`it holds ${(referenced / 1024 ** 2).toFixed(1)} MiB of files`);
  if (snaps > 0) why.push(`it has ${snaps} snapshot${snaps === 1 ? "" : "s"}`);
  return why.length ? why.join(" and ") : undefined;
}
