// Container-config operations shared by the pct verbs: lock checks, applying pending changes,
// unusedN bookkeeping and the list of volumes a CT owns.
import type { ConfSection, ParsedConf } from "../pve/conf.js";
import { parsePropertyString } from "../pve/propstring.js";
import { mountKind, parseVolumeId, volumeOwner } from "../pve/volid.js";
import { SimError } from "./errors.js";
import { freeVolume } from "./storage.js";
import type { Ctx } from "./ctx.js";
import { sectionDelete, sectionGet } from "./normalize.js";

export function checkLock(conf: ParsedConf, skiplock = false): void {
  const lock = conf.main.keys.get("lock");
  if (lock && !skiplock) throw new SimError(`CT is locked (${lock})`);
}

export function isMountKey(key: string): boolean {
  return key === "rootfs" || /^mp\d+$/.test(key);
}

/** The storage volume of a rootfs/mpN/unusedN value, or undefined for bind/device mounts. */
export function volumeOf(key: string, value: string): string | undefined {
  const fmt = key === "rootfs" ? "rootfs" : key.startsWith("mp") ? "mp" : key.startsWith("unused") ? "unused" : undefined;
  if (!fmt) return undefined;
  const vol = parsePropertyString(fmt, value).value["volume"];
  if (!vol || mountKind(vol) !== "volume" || !parseVolumeId(vol)) return undefined;
  return vol;
}

export function addUnused(section: ConfSection, volid: string): void {
  for (const v of section.keys.values()) if (v === volid) return;
  for (let i = 0; i < 256; i++) {
    if (!section.keys.has(`unused${i}`)) {
      section.keys.set(`unused${i}`, volid);
      return;
    }
  }
}

/** Every volume referenced anywhere in the config (main, pending, snapshots). */
export function referencedVolumes(conf: ParsedConf): Set<string> {
  const out = new Set<string>();
  const scan = (s: ConfSection | undefined): void => {
    if (!s) return;
    for (const [k, v] of s.keys) {
      const vol = volumeOf(k, v);
      if (vol) out.add(vol);
    }
  };
  scan(conf.main);
  scan(conf.pending);
  for (const s of conf.snapshots.values()) scan(s);
  return out;
}

/** Volumes destroy removes: those named after this CT (never bind/device mounts). */
export function ownedVolumes(conf: ParsedConf, vmid: number): string[] {
  return [...referencedVolumes(conf)].filter((v) => volumeOwner(parseVolumeId(v)!.volname) === vmid);
}

/** Deletes one key from the main section the way pct does (mp volumes become unusedN). */
export function deleteKeyNow(ctx: Ctx, conf: ParsedConf, key: string): void {
  const value = sectionGet(conf.main, key);
  if (value === undefined) return;
  sectionDelete(conf.main, key);
  if (/^mp\d+$/.test(key)) {
    const vol = volumeOf(key, value);
    if (vol) addUnused(conf.main, vol);
  } else if (/^unused\d+$/.test(key)) {
    if (!referencedVolumes(conf).has(value)) freeVolume(ctx, value);
  }
}

export function clearFromPending(conf: ParsedConf, key: string): void {
  if (!conf.pending) return;
  sectionDelete(conf.pending, key);
  if (conf.pending.delete) conf.pending.delete = conf.pending.delete.filter((d) => d.replace(/^!/, "") !== key);
  if (conf.pending.delete?.length === 0) delete conf.pending.delete;
}

/**
 * AbstractConfig.pm cleanup_pending (pve-guest-common): a pending value equal to the current one
 * and a pending delete of a key that is not set are dropped; an empty [pve:pending] goes away.
 */
export function cleanupPending(conf: ParsedConf): void {
  const p = conf.pending;
  if (!p) return;
  for (const [k, v] of [...p.keys]) if (conf.main.keys.get(k) === v) p.keys.delete(k);
  if (p.description !== undefined && p.description === conf.main.description) delete p.description;
  if (p.env.length && p.env.join("\0") === conf.main.env.join("\0")) p.env = [];
  if (p.delete) p.delete = p.delete.filter((d) => sectionGet(conf.main, d.replace(/^!/, "")) !== undefined);
  if (!p.delete?.length) delete p.delete;
  if (!p.keys.size && !p.delete && !p.env.length && p.description === undefined) delete conf.pending;
}

/** Moves every pending change into the main section (pct start / reboot / set on a stopped CT). */
export function applyPending(ctx: Ctx, conf: ParsedConf): void {
  const p = conf.pending;
  if (!p) return;
  for (const d of p.delete ?? []) {
    deleteKeyNow(ctx, conf, d.replace(/^!/, ""));
  }
  for (const [k, v] of p.keys) {
    const old = conf.main.keys.get(k);
    if (old !== undefined && /^mp\d+$/.test(k)) {
      const oldVol = volumeOf(k, old);
      if (oldVol && oldVol !== volumeOf(k, v)) addUnused(conf.main, oldVol);
    }
    // Verbatim, size= included (pve-container Config.pm vmconfig_apply_pending:
    // `$conf->{$opt} = delete $conf->{pending}->{$opt}`).
    conf.main.keys.set(k, v);
  }
  if (p.env.length) conf.main.env = [...p.env];
  if (p.description !== undefined) conf.main.description = p.description;
  delete conf.pending;
}

/** The config with pending values merged in (pct config default view). */
export function mergedSection(conf: ParsedConf): ConfSection {
  const m: ConfSection = { keys: new Map(conf.main.keys), env: [...conf.main.env], lxc: conf.main.lxc };
  if (conf.main.description !== undefined) m.description = conf.main.description;
  const p = conf.pending;
  if (p) {
    for (const d of p.delete ?? []) {
      const key = d.replace(/^!/, "");
      m.keys.delete(key);
      if (key === "env") m.env = [];
      if (key === "description") delete m.description;
    }
    for (const [k, v] of p.keys) m.keys.set(k, v);
    if (p.env.length) m.env = [...p.env];
    if (p.description !== undefined) m.description = p.description;
  }
  return m;
}
