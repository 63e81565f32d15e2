// pct argv builders (pure): one `pct create`, one `pct set`, resizes and lifecycle verbs.
import { isUnknown, putKey } from "../../src/config/value.js";
import type { Attrs } from "../../src/provider/types.js";
import { canonicalSize, mountToPve, type Obj } from "../mounts/slots.js";
import { UNKNOWN_VALUE, pveKeysFromAttrs, rootfsToPve } from "./conf-map.js";
import type { ChangeSet } from "./changes.js";

/** Drops values only apply learns (volume ids, generated MACs) so pct allocates/generates them. */
function withoutComputed(a: Attrs): Attrs {
  const out: Attrs = { ...a };
  const strip = (items: unknown, field: string) => {
    if (!items || typeof items !== "object") return items;
    const o: Record<string, Obj> = {};
    for (const [n, x] of Object.entries(items as Record<string, Obj>)) {
      const c = { ...x };
      if (isUnknown(c[field])) delete c[field];
      putKey(o, n, c);
    }
    return o;
  };
  out["network"] = strip(a["network"], "hwaddr");
  out["mount"] = strip(a["mount"], "volume");
  if (a["rootfs"] && typeof a["rootfs"] === "object") {
    const r = { ...(a["rootfs"] as Obj) };
    if (isUnknown(r["volume"])) delete r["volume"];
    out["rootfs"] = r;
  }
  delete out["digest"];
  return out;
}

/**
 * The `--key value` pairs of `pct create` the planned attributes give, sorted by key; a value
 * still unknown is undefined. A block whose items are all unknown is one key `net*`/`mp*`/`dev*`
 * (apply expands it). The plan prints these (operations.ts createOperations) and apply prints
 * the ones the plan could not from the configuration evaluated then, by this same function.
 */
export function createValues(planned: Attrs): [string, string | undefined][] {
  const attrs = withoutComputed(planned);
  const keys = pveKeysFromAttrs(attrs);
  for (const [field, key] of [
    ["mount", "mp*"],
    ["device", "dev*"],
  ] as const)
    if (isUnknown(attrs[field])) keys.set(key, UNKNOWN_VALUE);
  // Without a rootfs block pct allocates its default (4 GiB on the --storage default).
  if (!keys.has("rootfs") && attrs["rootfs"] && typeof attrs["rootfs"] === "object") {
    const r = rootfsToPve(attrs["rootfs"] as Obj);
    if (r) keys.set("rootfs", r);
  }
  // pmxform creates unprivileged containers unless told otherwise (pct's own default is privileged).
  if (!keys.has("unprivileged")) keys.set("unprivileged", "1");
  return [...keys.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([k, v]) => [k, v === UNKNOWN_VALUE ? undefined : v]);
}

/** `pct create VMID TEMPLATE --key value ... [--ssh-public-keys FILE]` from printed pieces. */
export function createArgvOf(vmid: number, template: string, pieces: readonly { key: string; value: string }[], sshKeysFile?: string): string[] {
  const argv = ["pct", "create", String(vmid), template];
  for (const p of pieces) argv.push(`--${p.key}`, p.value);
  if (sshKeysFile) argv.push("--ssh-public-keys", sshKeysFile);
  return argv;
}

/** `pct create` from planned attributes whose values are all known (what the plan's create step holds). */
export function createArgv(vmid: number, planned: Attrs, opts: { sshKeysFile?: string } = {}): string[] {
  const pieces = createValues(planned).map(([key, value]) => {
    if (value === undefined) throw new Error(`bug: value of ${key} unknown at create`);
    return { key, value };
  });
  return createArgvOf(vmid, String(planned["template"]), pieces, opts.sshKeysFile);
}

/** The single `pct set` of an update, guarded by the digest the plan was made from. */
export function setArgv(vmid: number, digest: string | undefined, cs: ChangeSet, prior: Attrs, planned: Attrs): string[] | undefined {
  if (cs.set.size === 0 && cs.del.length === 0) return undefined;
  const grown = new Map(cs.grow.map((g) => [g.disk, g.size]));
  const pieces = [...cs.set.keys()].sort().map((key) => {
    const value = setValue(key, planned, prior, grown);
    if (value === undefined) throw new Error(`bug: value of ${key} unknown at apply`);
    return { key, value };
  });
  return setArgvOf(vmid, digest, pieces, cs.del);
}

/** `pct set VMID [--digest D] --key value ... [--delete k1,k2]` from printed pieces. */
export function setArgvOf(vmid: number, digest: string | undefined, pieces: { key: string; value: string }[], del: string[]): string[] {
  const argv = ["pct", "set", String(vmid)];
  if (digest) argv.push("--digest", digest);
  for (const p of pieces) argv.push(`--${p.key}`, p.value);
  if (del.length) argv.push("--delete", del.join(","));
  return argv;
}

/**
 * The text pct set gets for `key` from `planned`, or undefined while it is not known. rootfs and
 * existing volume mounts are stored verbatim by `pct set`: they echo the size the volume has when
 * the set runs, the grown one (`grown`: disk -> size; apply resizes first) or the prior's.
 */
export function setValue(key: string, planned: Attrs, prior: Attrs, grown: ReadonlyMap<string, string>): string | undefined {
  const size = (disk: string, was: unknown) => {
    const g = grown.get(disk);
    return g !== undefined ? canonicalSize(g) : sizeOf(was);
  };
  let v = pveKeysFromAttrs(withoutComputed(planned)).get(key);
  // A volume id pct allocates is left out (pct set then allocates it); any other unknown waits.
  const printable = (x: Obj) => !hasUnknown(stripUnknownVolume(x));
  if (key === "rootfs") v = printable(planned["rootfs"] as Obj) ? rootfsToPve(planned["rootfs"] as Obj, size(key, prior["rootfs"])) : UNKNOWN_VALUE;
  const mp = /^mp(\d+)$/.exec(key);
  if (mp) {
    const m = Object.values((planned["mount"] ?? {}) as Record<string, Obj>).find((x) => x["slot"] === Number(mp[1]));
    const pm = Object.values((prior["mount"] ?? {}) as Record<string, Obj>).find((x) => x["slot"] === Number(mp[1]));
    if (m) v = printable(m) ? mountToPve(stripUnknownVolume(m), typeof m["volume"] === "string" ? size(key, pm) : undefined) : UNKNOWN_VALUE;
  }
  return v === UNKNOWN_VALUE ? undefined : v;
}

function sizeOf(x: unknown): string | undefined {
  const s = x && typeof x === "object" ? (x as Obj)["size"] : undefined;
  return typeof s === "string" ? s : undefined;
}

const hasUnknown = (v: unknown): boolean => isUnknown(v) || (Array.isArray(v) ? v.some(hasUnknown) : v !== null && typeof v === "object" ? Object.values(v).some(hasUnknown) : false);

function stripUnknownVolume(m: Obj): Obj {
  if (!isUnknown(m["volume"])) return m;
  const { volume: _v, ...rest } = m;
  return rest;
}

/** `--digest`: the first write of an update checks the conf is still the one the plan read. */
export const resizeArgv = (vmid: number, disk: string, size: string, digest?: string) => ["pct", "resize", String(vmid), disk, size, ...(digest ? ["--digest", digest] : [])];
/** `--delete 1`: the old volume is destroyed instead of staying behind as unusedN. */
export const moveVolumeArgv = (vmid: number, disk: string, storage: string) => ["pct", "move-volume", String(vmid), disk, storage, "--delete", "1"];
export const startArgv = (vmid: number) => ["pct", "start", String(vmid)];
export const stopArgv = (vmid: number) => ["pct", "stop", String(vmid)];
export const rebootArgv = (vmid: number) => ["pct", "reboot", String(vmid)];
export const destroyArgv = (vmid: number) => ["pct", "destroy", String(vmid), "--purge", "1"];
/** For what an interrupted `pct create` left: volumes it allocated may not be in the conf yet. */
export const destroyHalfCreatedArgv = (vmid: number) => [...destroyArgv(vmid), "--destroy-unreferenced-disks", "1"];
export const unlockArgv = (vmid: number) => ["pct", "unlock", String(vmid)];
export const chpasswdArgv = (vmid: number) => ["pct", "exec", String(vmid), "--keep-env", "0", "--", "chpasswd"];
export const pushKeysArgv = (vmid: number, file: string) => ["pct", "push", String(vmid), file, "/root/.ssh/authorized_keys", "--perms", "0600"];
export const mkSshDirArgv = (vmid: number) => ["pct", "exec", String(vmid), "--keep-env", "0", "--", "mkdir", "-p", "-m", "0700", "/root/.ssh"];
export const readConfArgv = (node: string, vmid: number) => ["pvesh", "get", `/nodes/${node}/lxc/${vmid}/config`, "--output-format", "json"];
