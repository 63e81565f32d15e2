// Configuration -> planned attributes: arguments the user set replace the prior value (after
// normalisation), arguments the user removed reset to Proxmox's default, the rest stay as read.
import { hash } from "node:crypto";
import { Unknown, isUnknown } from "../../src/config/value.js";
import type { Attrs } from "../../src/provider/types.js";
import { assignSlots, canonicalSize, type Obj } from "../mounts/slots.js";
import { gpuDevices, isLegacy, legacyGpuLines, nvidiaCapsPresent } from "../mounts/gpu.js";
import type { HostDevices } from "../mounts/host-devices.js";
import { normalizeRawLine } from "../mounts/raw-lxc.js";
import { planDetachedVolumes } from "../mounts/detached.js";
import { SCALARS, normalizeDescription } from "./attrs.js";
import { networkToPve } from "./conf-map.js";

/** Arguments that are not Proxmox settings (or only exist at create) and never reset. */
const NOT_RESETTABLE = new Set(["node", "vmid", "template", "unprivileged", "arch", "ostype", "rootfs", "password", "ssh_public_keys", "started", "restart_on_change", "hostname"]);
/** `pct set --delete` refuses these; removing the argument sets the create default instead. */
const RESET_VALUE: Record<string, unknown> = { memory: 512 };

export function sha256(text: string): string {
  return hash("sha256", text, "hex"); // one-shot: a fifth of createHash's cost, once per planned container
}

const isSet = (v: unknown) => v !== undefined && v !== null;
const obj = (v: unknown): Obj => (v && typeof v === "object" && !isUnknown(v) && !Array.isArray(v) ? (v as Obj) : {});

function copyKnown(src: Obj, keys: string[], into: Obj): void {
  for (const k of keys) if (isSet(src[k])) into[k] = src[k];
}

function sortedList(v: unknown): unknown {
  return Array.isArray(v) ? [...v].sort() : v;
}

function normalizeScalar(name: string, v: unknown): unknown {
  if (name === "cpuunits" && typeof v === "number" && v > 10000) return 10000; // stored clamped (cgroup v2)
  return v;
}

function normalizeTags(v: unknown): unknown {
  if (!Array.isArray(v) || v.some(isUnknown)) return v;
  return [...new Set(v.map((t) => String(t).toLowerCase()))].sort();
}

/**
 * A value Proxmox generates when the configuration leaves it out (volume id, MAC): Terraform's
 * optional+computed. It is what the node holds for the same item while the item `stays` where it
 * is (slot, storage); Unknown when apply makes Proxmox generate it, i.e. for a new item, or when
 * the node holds none and apply `rewrites` the item. Sets nothing when the node holds none and
 * nothing rewrites it (a hand-written netN without hwaddr): the plan shows no change.
 */
function keepComputed(into: Obj, field: string, prior: Obj | undefined, stays: boolean, rewrites: () => boolean): void {
  const held = stays ? prior?.[field] : undefined;
  if (typeof held === "string") into[field] = held;
  else if (!stays || rewrites()) into[field] = new Unknown("string");
}

function normalizeRootfs(c: Obj, prior: Obj | undefined): Obj {
  const r: Obj = { storage: c["storage"], size: typeof c["size"] === "string" ? canonicalSize(c["size"]) : c["size"] };
  copyKnown(c, ["acl", "quota", "replicate", "idmap"], r);
  if (isSet(c["mount_options"])) r["mount_options"] = sortedList(c["mount_options"]);
  // Without a volume id there is nothing to keep: pct allocates one.
  keepComputed(r, "volume", prior, prior?.["storage"] === c["storage"], () => true);
  return r;
}

function normalizeNetwork(c: Record<string, Obj>, prior: Record<string, Obj> | undefined): Record<string, Obj> {
  const slots = assignSlots(c, prior as Record<string, { slot: number }> | undefined, 31);
  const out: Record<string, Obj> = {};
  for (const [name, n] of Object.entries(c)) {
    const i: Obj = { slot: slots.get(name) };
    copyKnown(n, ["bridge", "ip", "gw", "ip6", "gw6", "tag", "firewall", "mtu", "rate", "link_down", "trunks", "host_managed"], i);
    const hw = n["hwaddr"];
    if (typeof hw === "string") i["hwaddr"] = hw.toUpperCase();
    else if (isUnknown(hw)) i["hwaddr"] = hw;
    else {
      // The MAC stays as long as the interface keeps its slot; a netN that pct set writes gets one.
      const p = prior?.[name];
      keepComputed(i, "hwaddr", p, p?.["slot"] === i["slot"], () => networkToPve(name, i) !== networkToPve(name, p!));
    }
    out[name] = i;
  }
  return out;
}

function normalizeFeatures(c: Obj): Obj {
  const f: Obj = {};
  copyKnown(c, ["nesting", "keyctl", "fuse", "mknod", "force_rw_sys"], f);
  if (isSet(c["mount"])) f["mount"] = sortedList(c["mount"]);
  return f;
}

function normalizeMounts(c: Record<string, Obj>, prior: Record<string, Obj> | undefined): Record<string, Obj> {
  const slots = assignSlots(c, prior as Record<string, { slot: number }> | undefined, 255);
  const out: Record<string, Obj> = {};
  for (const [name, m] of Object.entries(c)) {
    const o: Obj = { slot: slots.get(name), path: m["path"] };
    if (isSet(m["host_path"])) o["host_path"] = m["host_path"];
    else {
      o["storage"] = m["storage"];
      if (typeof m["size"] === "string") o["size"] = canonicalSize(m["size"]);
      else if (isSet(m["size"])) o["size"] = m["size"];
      const p = prior?.[name];
      keepComputed(o, "volume", p, p?.["slot"] === o["slot"] && p?.["storage"] === m["storage"], () => true);
    }
    copyKnown(m, ["read_only", "backup", "acl", "quota", "replicate", "shared", "idmap", "keep_on_remove"], o);
    if (isSet(m["mount_options"])) o["mount_options"] = sortedList(m["mount_options"]);
    out[name] = o;
  }
  return out;
}

function normalizeDevices(c: Record<string, Obj>, prior: Record<string, Obj> | undefined): Record<string, Obj> {
  const slots = assignSlots(c, prior as Record<string, { slot: number }> | undefined, 255);
  const out: Record<string, Obj> = {};
  for (const [name, d] of Object.entries(c)) {
    const o: Obj = { slot: slots.get(name), path: d["path"] };
    copyKnown(d, ["mode", "uid", "gid", "deny_write"], o);
    out[name] = o;
  }
  return out;
}

function namesOf(items: unknown, prefix: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, item] of Object.entries(obj(items))) {
    const slot = obj(item)["slot"];
    if (typeof slot === "number") out[`${prefix}${slot}`] = name;
  }
  return out;
}

/** Keys of the configuration the user set, i.e. the arguments pmxform manages. */
export function managedKeys(config: Attrs): string[] {
  const keys = Object.keys(config).filter((k) => isSet(config[k]));
  // The gpu block writes devN entries, or raw lxc lines on pre-8.1 nodes (legacy).
  const gpuKey = isLegacy(obj(config["gpu"])) ? "raw_lxc" : "device";
  if (keys.includes("gpu") && !keys.includes(gpuKey)) keys.push(gpuKey);
  return keys.sort();
}

/**
 * Planned attributes for `config` on top of `prior` (null: a new container). Computed parts the
 * plan cannot know (volume ids, generated MACs, digest) are Unknown. A new container's marker is
 * the caller's to set (it binds to the state's lineage: providers/lxc/identity.ts).
 */
export function plannedAttrs(config: Attrs, prior: Attrs | null, vmid: number | Unknown, address: string, hostDevices?: HostDevices): Attrs {
  const p: Attrs = prior ? structuredCloneAttrs(prior) : {};
  const managed = managedKeys(config);
  const wasManaged = new Set((prior?.["managed_keys"] as string[] | undefined) ?? []);
  const set = (k: string) => managed.includes(k);
  const reset = (k: string) => !set(k) && wasManaged.has(k) && !NOT_RESETTABLE.has(k);

  p["node"] = config["node"];
  p["vmid"] = vmid;
  for (const name of Object.keys(SCALARS)) {
    if (set(name)) p[name] = normalizeScalar(name, config[name]);
    else if (reset(name)) {
      if (name in RESET_VALUE) p[name] = RESET_VALUE[name];
      else delete p[name];
    }
  }
  const simple: [string, (v: unknown, prior: unknown) => unknown][] = [
    ["description", (v) => (typeof v === "string" ? normalizeDescription(v) : v)],
    ["tags", normalizeTags],
    ["rootfs", (v, pr) => (isUnknown(v) ? v : normalizeRootfs(obj(v), prior ? obj(pr) : undefined))],
    ["features", (v) => (isUnknown(v) ? v : normalizeFeatures(obj(v)))],
    ["startup", (v) => v],
    ["network", (v, pr) => (isUnknown(v) ? v : normalizeNetwork(obj(v) as Record<string, Obj>, obj(pr) as Record<string, Obj>))],
    ["mount", (v, pr) => (isUnknown(v) ? v : normalizeMounts(obj(v) as Record<string, Obj>, obj(pr) as Record<string, Obj>))],
    ["raw_lxc", (v) => withLegacyGpu(Array.isArray(v) ? v.map((l) => (typeof l === "string" ? normalizeRawLine(l) : l)) : v, config["gpu"], hostDevices)],
    ["template", (v) => v],
    ["restart_on_change", (v) => v],
    ["ssh_public_keys", (v) => v],
    ["gpu", (v) => v],
  ];
  for (const [k, norm] of simple) {
    if (set(k)) p[k] = norm(config[k], prior?.[k]);
    else if (reset(k) || (k === "gpu" && !set(k))) delete p[k];
  }
  if (set("device")) {
    const priorDevices = obj(prior?.["device"]) as Record<string, Obj>;
    const caps = nvidiaCapsPresent(hostDevices, Object.values(priorDevices).map((d) => String(obj(d)["path"])));
    const wanted = { ...(obj(config["device"]) as Record<string, Obj>), ...gpuDevices(set("gpu") ? obj(config["gpu"]) : undefined, caps) };
    p["device"] = normalizeDevices(wanted, priorDevices);
  } else if (reset("device")) delete p["device"];
  if (set("started")) p["started"] = config["started"];
  else if (!prior) p["started"] = false;

  const pw = config["password"];
  if (typeof pw === "string") p["password_sha256"] = sha256(pw);
  else if (isUnknown(pw)) p["password_sha256"] = new Unknown("string");
  else delete p["password_sha256"];

  if (prior) planDetachedVolumes(prior, p);
  // Read back, the names are always there (empty once the last item is gone): planned likewise.
  if (p["mount"] !== undefined || set("mount") || prior) p["mount_names"] = namesOf(p["mount"], "mp");
  if (p["device"] !== undefined || set("device") || prior) p["device_names"] = namesOf(p["device"], "dev");
  p["managed_keys"] = managed;
  p["address"] = address;
  if (!prior) {
    p["pending_keys"] = [];
    p["digest"] = new Unknown("string");
  }
  return p;
}

/** The user's raw lines followed by a legacy gpu block's lines (Unknown while their numbers are). */
function withLegacyGpu(lines: unknown, gpu: unknown, devices: HostDevices | undefined): unknown {
  if (!isLegacy(obj(gpu))) return lines;
  if (isUnknown(lines)) return lines;
  const own = Array.isArray(lines) ? lines : [];
  return [...own, ...(legacyGpuLines(obj(gpu), devices) ?? [new Unknown("string")])];
}

/** Deep copy of JSON-like attributes (Unknown instances are kept as they are). */
export function structuredCloneAttrs<T>(v: T): T {
  if (Array.isArray(v)) return v.map(structuredCloneAttrs) as T;
  if (v && typeof v === "object" && !isUnknown(v)) {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) out[k] = structuredCloneAttrs(x);
    return out as T;
  }
  return v;
}
