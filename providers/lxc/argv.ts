// pct argv builders (pure): one `pct create`, one `pct set`, resizes and lifecycle verbs, from
// values already printed (the plan's operations; conf-map.ts prints them).
import type { Attrs } from "../../src/provider/types.js";
import { createValues, setValue } from "./conf-map.js";
import type { ChangeSet } from "./changes.js";

/** `pct create VMID TEMPLATE --key value ... [--ssh-public-keys FILE]` from printed pieces. */
export function createArgvOf(vmid: number, template: string, pieces: readonly { key: string; value: string }[], sshKeysFile?: string): string[] {
  const argv = ["pct", "create", String(vmid), template];
  for (const p of pieces) argv.push(`--${p.key}`, p.value);
  if (sshKeysFile) argv.push("--ssh-public-keys", sshKeysFile);
  return argv;
}

/** `pct create` from planned attributes whose values are all known (what the plan's create step holds). */
export function createArgv(vmid: number, planned: Attrs, opts: { sshKeysFile?: string } = {}): string[] {
  const pieces = createValues(planned).map(({ key, value }) => {
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

/** `--digest`: the first write of an update checks the conf is still the one the plan read. */
export const resizeArgv = (vmid: number, disk: string, size: string, digest?: string) => ["pct", "resize", String(vmid), disk, size, ...(digest ? ["--digest", digest] : [])];
/** `--delete 1`: the old volume is destroyed instead of staying behind as unusedN. */
/**
 * `--digest`: refused unless the conf still has it (pve-container src/PVE/API2/LXC.pm move_volume
 * calls PVE::Tools::assert_if_modified under the CT lock before copying anything).
 */
export const moveVolumeArgv = (vmid: number, disk: string, storage: string, digest?: string) => [
  "pct",
  "move-volume",
  String(vmid),
  disk,
  storage,
  "--delete",
  "1",
  ...(digest ? ["--digest", digest] : []),
];
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
