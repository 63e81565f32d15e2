// A `node` change of an existing container carried out as `pct migrate` (pure): the storage
// mapping implied by the configured storages, what the container will look like on the target,
// the argv, and what the real pct migrate would refuse (pve-container src/PVE/LXC/Migrate.pm
// prepare; src/PVE/API2/LXC.pm migrate_vm), so the plan says it instead of apply failing.
import { isUnknown } from "../../src/config/value.js";
import type { Attrs, ProviderIssue } from "../../src/provider/types.js";
import type { Obj } from "../mounts/slots.js";
import { structuredCloneAttrs } from "./desired.js";

const obj = (v: unknown): Obj => (v && typeof v === "object" && !Array.isArray(v) && !isUnknown(v) ? (v as Obj) : {});
const str = (v: unknown): string | undefined => (typeof v === "string" ? v : undefined);

export interface Migration {
  from: string;
  to: string;
  /** `--restart`: the container runs, so pct migrate shuts it down and starts it on the target. */
  restart: boolean;
  /** `--target-storage SRC:DST,...`: only the storages that change. */
  storageMap: [source: string, target: string][];
}

/** The volumes of a container in pct's order (rootfs, then mounts by slot), with where each should go. */
function volumes(prior: Attrs, config: Attrs): { source: string; want: string | undefined; path: (string | number)[] }[] {
  const out: { source: string; want: string | undefined; path: (string | number)[] }[] = [];
  const pr = obj(prior["rootfs"]);
  if (str(pr["volume"]) && str(pr["storage"])) out.push({ source: String(pr["storage"]), want: str(obj(config["rootfs"])["storage"]), path: ["rootfs"] });
  const mounts = Object.entries(obj(prior["mount"])).sort(([, a], [, b]) => Number(obj(a)["slot"] ?? 0) - Number(obj(b)["slot"] ?? 0));
  for (const [name, m] of mounts) {
    const mo = obj(m);
    if (str(mo["volume"]) && str(mo["storage"])) out.push({ source: String(mo["storage"]), want: str(obj(obj(config["mount"])[name])["storage"]), path: ["mount", name] });
  }
  return out;
}

/**
 * pct migrate maps whole storages (`--target-storage`), not single volumes: each source storage
 * goes where the first of its volumes (rootfs first) is configured to be. A volume that wants yet
 * another storage is moved there afterwards with pct move-volume, as any storage change is.
 */
export function storageMapFor(prior: Attrs, config: Attrs): [string, string][] {
  const map = new Map<string, string>();
  for (const v of volumes(prior, config)) if (v.want && !map.has(v.source)) map.set(v.source, v.want);
  return [...map].filter(([s, t]) => s !== t);
}

export function planMigration(prior: Attrs, config: Attrs, running: boolean): Migration {
  return { from: String(prior["node"]), to: String(config["node"]), restart: running, storageMap: storageMapFor(prior, config) };
}

/**
 * The prior as the container will be on the target node right after the migration: other node,
 * mapped storages (a volume keeps its name where it can: storage_migrate's allow_rename), and
 * no pending changes after a restart (pct start applies them).
 */
export function migratedPrior(prior: Attrs, m: Migration): Attrs {
  const p = structuredCloneAttrs(prior);
  p["node"] = m.to;
  delete p["migrated_from"];
  const map = new Map(m.storageMap);
  const remap = (v: Obj): void => {
    const s = str(v["storage"]);
    const to = s !== undefined ? map.get(s) : undefined;
    if (to === undefined || typeof v["volume"] !== "string") return;
    v["storage"] = to;
    v["volume"] = `${to}:${v["volume"].slice(s!.length + 1)}`;
  };
  if (p["rootfs"] && typeof p["rootfs"] === "object") remap(p["rootfs"] as Obj);
  for (const mo of Object.values(obj(p["mount"]))) remap(obj(mo));
  if (m.restart) p["pending_keys"] = [];
  return p;
}

/** Volume ids a mapped storage renames: known only after apply. */
export function volumesRenamed(m: Migration): (v: unknown) => boolean {
  const sources = new Set(m.storageMap.map(([, t]) => t));
  return (v) => sources.has(str(obj(v)["storage"]) ?? "");
}

export function migrateArgv(vmid: number, m: Migration): string[] {
  const argv = ["pct", "migrate", String(vmid), m.to];
  if (m.restart) argv.push("--restart", "1");
  if (m.storageMap.length) argv.push("--target-storage", m.storageMap.map(([s, t]) => `${s}:${t}`).join(","));
  return argv;
}

/** What the plan tells about a migration. */
export function migrationNote(m: Migration): string {
  const how = m.restart ? "pct migrate --restart: the container is shut down, moved and started on the target" : "pct migrate, offline";
  const storages = m.storageMap.length ? `; volumes move from storage ${m.storageMap.map(([s, t]) => `${s} to ${t}`).join(", ")}` : "; local volumes are copied to the same storages there";
  return `moves from node ${m.from} to ${m.to} with ${how}${storages}`;
}

/**
 * What Migrate.pm prepare refuses: bind and device mount points that are not marked shared
 * ("cannot migrate local bind mount point 'mpN'"), since their host path is only on this node.
 */
export function migrationIssues(prior: Attrs, m: Migration): ProviderIssue[] {
  const issues: ProviderIssue[] = [];
  for (const [name, mo] of Object.entries(obj(prior["mount"]))) {
    const host = str(obj(mo)["host_path"]);
    if (!host || obj(mo)["shared"] === true) continue;
    const kind = host.startsWith("/dev/") ? "device" : "bind";
    issues.push({
      severity: "error",
      path: ["mount", name],
      summary: "Cannot migrate a local bind mount",
      detail: `Mount "${name}" binds ${host} of node ${m.from}, and pct migrate refuses local ${kind} mount points ("cannot migrate local ${kind} mount point 'mp${String(obj(mo)["slot"])}'"). If ${host} exists on node ${m.to} too (shared storage), set shared = true on the mount and apply that before changing node; otherwise remove the mount or keep node = "${m.from}".`,
    });
  }
  return issues;
}
