// Owner ids of a dataset's mountpoint as the host sees them, and whether a container's mapped ids
// can write there. An unprivileged container's id N is host id 100000 + N (pve-container's
// default lxc.idmap, `u 0 100000 65536` / `g 0 100000 65536`); an idmap ("u:CT:HOST:COUNT;g:..."),
// the format of Proxmox's mount-point idmap option, maps ranges explicitly; "passthrough" keeps
// ids as they are. Pure.

export const UNPRIVILEGED_BASE = 100000;
export const UNPRIVILEGED_COUNT = 65536;

export interface IdRange {
  kind: "u" | "g";
  ct: number;
  host: number;
  count: number;
}

export function parseIdmap(idmap: string): IdRange[] | "passthrough" {
  if (idmap === "passthrough") return "passthrough";
  return idmap.split(";").map((part) => {
    const [kind, ct, host, count] = part.split(":");
    return { kind: kind as "u" | "g", ct: Number(ct), host: Number(host), count: Number(count) };
  });
}

export const DEFAULT_UNPRIVILEGED: IdRange[] = [
  { kind: "u", ct: 0, host: UNPRIVILEGED_BASE, count: UNPRIVILEGED_COUNT },
  { kind: "g", ct: 0, host: UNPRIVILEGED_BASE, count: UNPRIVILEGED_COUNT },
];

function mapOne(ranges: IdRange[], kind: "u" | "g", id: number): number | undefined {
  const r = ranges.find((x) => x.kind === kind && id >= x.ct && id < x.ct + x.count);
  return r ? r.host + (id - r.ct) : undefined;
}

export interface OwnerConfig {
  uid: number;
  gid: number;
  unprivileged?: boolean;
  idmap?: string;
}

/** The host uid/gid of an owner block, or why it cannot be mapped. */
export function hostIds(o: OwnerConfig): { uid: number; gid: number } | { error: string } {
  if (o.idmap === undefined && !o.unprivileged) return { uid: o.uid, gid: o.gid };
  const ranges = o.idmap !== undefined ? parseIdmap(o.idmap) : DEFAULT_UNPRIVILEGED;
  if (ranges === "passthrough") return { uid: o.uid, gid: o.gid };
  const uid = mapOne(ranges, "u", o.uid);
  const gid = mapOne(ranges, "g", o.gid);
  if (uid === undefined) return { error: `uid ${o.uid} is not mapped by ${o.idmap ?? "an unprivileged container's default map (ids 0-65535)"}` };
  if (gid === undefined) return { error: `gid ${o.gid} is not mapped by ${o.idmap ?? "an unprivileged container's default map (ids 0-65535)"}` };
  return { uid, gid };
}

/** The host uid range a container writes as: everything for a privileged one (its root is host root). */
export function containerUidRanges(unprivileged: boolean, idmap?: string): IdRange[] | "all" {
  if (!unprivileged) return "all";
  if (idmap === undefined) return DEFAULT_UNPRIVILEGED;
  const r = parseIdmap(idmap);
  return r === "passthrough" ? "all" : r;
}

/** Whether some user of the container is the host owner (uid) or in its group (gid) of the directory. */
export function canWrite(ranges: IdRange[] | "all", owner: { uid: number; gid: number }): boolean {
  if (ranges === "all") return true;
  const inRange = (kind: "u" | "g", host: number) => ranges.some((r) => r.kind === kind && host >= r.host && host < r.host + r.count);
  return inRange("u", owner.uid);
}
