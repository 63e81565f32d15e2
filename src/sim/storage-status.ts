// One storage's status on one node, as pve-storage Storage.pm storage_info reports it: the row
// behind `pvesm status` (PVE/CLI/pvesm.pm, sizes in KiB) and `pvesh get /nodes/N/storage`
// (pve-manager API2/Storage/Status.pm index: the same fields plus `storage`).
import type { Ctx } from "./ctx.js";
import { listVolumes, type StorageDef, STORAGES } from "./storage.js";

export interface StorageStatus {
  storage: string;
  type: StorageDef["type"];
  /** content types, sorted and comma-joined as storage_info prints them */
  content: string;
  active: 1;
  enabled: 1;
  shared: 0;
  total: number;
  used: number;
  avail: number;
  used_fraction: number;
}

/** Used space is the sum of the volumes' nominal sizes (a ZFS subvol's refquota, an LV's size). */
export function storageStatus(ctx: Ctx, s: StorageDef, node = ctx.node): StorageStatus {
  const used = listVolumes(ctx, s.id, node).reduce((acc, v) => acc + v.size, 0);
  return {
    storage: s.id,
    type: s.type,
    content: [...s.content].sort().join(","),
    active: 1,
    enabled: 1,
    shared: 0,
    total: s.total,
    used,
    avail: s.total - used,
    used_fraction: used / s.total,
  };
}

/** The node's storages, optionally only those holding a content type (both front-ends filter so). */
export function nodeStorages(ctx: Ctx, node: string, content?: string): StorageStatus[] {
  return STORAGES.filter((s) => !content || s.content.includes(content)).map((s) => storageStatus(ctx, s, node));
}
