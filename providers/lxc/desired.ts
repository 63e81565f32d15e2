// Configuration -> planned attributes: arguments the user set replace the prior value (after
// normalisation), arguments the user removed reset to Proxmox's default, the rest stay as read.
import { hash } from "node:crypto";
import { Unknown, isUnknown, putKey } from "../../src/config/value.js";
import type { Attrs } from "../../src/provider/types.js";
import type { Obj } from "../mounts/slots.js";
import { assignSlots } from "../mounts/slot-assign.js";
import { gpuDevices, isLegacy, legacyGpuLines, nvidiaCapsPresent } from "../mounts/gpu.js";
import type { HostDevices } from "../mounts/host-devices.js";
import { normalizeRawLine } from "../mounts/raw-lxc.js";
import { planDetachedVolumes } from "../mounts/detached.js";
import { normalizeDescription } from "./attrs.js";
import { networkToPve } from "./conf-map.js";
import { DEVICE, FEATURES, MOUNT, NETWORK, NOT_RESETTABLE, RESET_VALUE, ROOTFS, SCALAR_FIELDS, TOP, canonFields, canonOf } from "./fields/index.js";

const TOP_FIELD = new Map(TOP.map((f) => [f.attr, f]));

export function sha256(text: string): string {
  return hash("sha256", text, "hex"); // one-shot: a fifth of createHash's cost, once per planned container
}

const isSet = (v: unknown) => v !== undefined && v !== null;
const obj = (v: unknown): Obj => (v && typeof v === "object" && !isUnknown(v) && !Array.isArray(v) ? (v as Obj) : {});

/** A configured top-level value as pct stores it (its field's canonicaliser, e.g. cpuunits clamped). */
function normalizeScalar(name: string, v: unknown): unknown {
  const f = TOP_FIELD.get(name);
  return f ? canonOf(f, v) : v;
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
  const r: Obj = {};
  canonFields(ROOTFS, c, prior, r);
  // Without a volume id there is nothing to keep: pct allocates one.
  keepComputed(r, "volume", prior, prior?.["storage"] === c["storage"], () => true);
  return r;
}

function normalizeNetwork(c: Record<string, Obj>, prior: Record<string, Obj> | undefined): Record<string, Obj> {
  const slots = assignSlots(c, prior as Record<string, { slot: number }> | undefined, NETWORK.maxIndex!);
  const out: Record<string, Obj> = {};
  for (const [name, n] of Object.entries(c)) {
    const i: Obj = { slot: slots.get(name) };
    const p = prior?.[name];
    canonFields(NETWORK, n, p, i, ["slot"]);
    if (!isSet(n["hwaddr"])) {
      // The MAC stays as long as the interface keeps its slot; a netN that pct set writes gets one.
      keepComputed(i, "hwaddr", p, p?.["slot"] === i["slot"], () => networkToPve(name, i) !== networkToPve(name, p!));
    }
    putKey(out, name, i);
  }
  return out;
}

function normalizeFeatures(c: Obj): Obj {
  const f: Obj = {};
  canonFields(FEATURES, c, undefined, f);
  return f;
}

/** A volume mount's size (besides storage and volume, which the code sets); the rest is the same for binds. */
const VOLUME_ONLY_BY_HAND = MOUNT.fields.map((f) => f.attr).filter((a) => a !== "size");
const MOUNT_BY_HAND = ["slot", "path", "host_path", "storage", "size", "volume"];

function normalizeMounts(c: Record<string, Obj>, prior: Record<string, Obj> | undefined): Record<string, Obj> {
  const slots = assignSlots(c, prior as Record<string, { slot: number }> | undefined, MOUNT.maxIndex!);
  const out: Record<string, Obj> = {};
  for (const [name, m] of Object.entries(c)) {
    const o: Obj = { slot: slots.get(name), path: m["path"] };
    if (isSet(m["host_path"])) o["host_path"] = m["host_path"];
    else {
      o["storage"] = m["storage"];
      canonFields(MOUNT, m, undefined, o, VOLUME_ONLY_BY_HAND);
      const p = prior?.[name];
      keepComputed(o, "volume", p, p?.["slot"] === o["slot"] && p?.["storage"] === m["storage"], () => true);
    }
    canonFields(MOUNT, m, undefined, o, MOUNT_BY_HAND);
    putKey(out, name, o);
  }
  return out;
}

function normalizeDevices(c: Record<string, Obj>, prior: Record<string, Obj> | undefined): Record<string, Obj> {
  const slots = assignSlots(c, prior as Record<string, { slot: number }> | undefined, DEVICE.maxIndex!);
  const out: Record<string, Obj> = {};
  for (const [name, d] of Object.entries(c)) {
    const o: Obj = { slot: slots.get(name), path: d["path"] };
    canonFields(DEVICE, d, undefined, o, ["slot", "path"]);
    putKey(out, name, o);
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

/** Block and list arguments: how each configured value becomes the planned one (built once, not per container). */
const SIMPLE: [string, (v: unknown, prior: unknown, hasPrior: boolean, config: Attrs, hostDevices: HostDevices | undefined) => unknown][] = [
  ["description", (v) => (typeof v === "string" ? normalizeDescription(v) : v)],
  ["tags", normalizeTags],
  ["rootfs", (v, pr, hasPrior) => (isUnknown(v) ? v : normalizeRootfs(obj(v), hasPrior ? obj(pr) : undefined))],
  ["features", (v) => (isUnknown(v) ? v : normalizeFeatures(obj(v)))],
  ["startup", (v) => v],
  ["network", (v, pr) => (isUnknown(v) ? v : normalizeNetwork(obj(v) as Record<string, Obj>, obj(pr) as Record<string, Obj>))],
  ["mount", (v, pr) => (isUnknown(v) ? v : normalizeMounts(obj(v) as Record<string, Obj>, obj(pr) as Record<string, Obj>))],
  ["raw_lxc", (v, _pr, _h, config, hostDevices) => withLegacyGpu(Array.isArray(v) ? (v as unknown[]).map((l) => (typeof l === "string" ? normalizeRawLine(l) : l)) : v, config["gpu"], hostDevices)],
  ["template", (v) => v],
  ["restart_on_change", (v) => v],
  ["ssh_public_keys", (v) => v],
  ["gpu", (v) => v],
];

/**
 * Planned attributes for `config` on top of `prior` (null: a new container). Computed parts the
 * plan cannot know (volume ids, generated MACs, digest) are Unknown. A new container's marker is
 * the caller's to set (it binds to the state's lineage: providers/lxc/identity.ts).
 */
export function plannedAttrs(config: Attrs, prior: Attrs | null, vmid: number | Unknown, address: string, hostDevices?: HostDevices): Attrs {
  const p: Attrs = prior ? structuredCloneAttrs(prior) : {};
  const managed = managedKeys(config);
  const wasManaged = new Set((prior?.["managed_keys"] as string[] | undefined) ?? []);
  const managedSet = new Set(managed);
  const set = (k: string) => managedSet.has(k);
  const reset = (k: string) => !set(k) && wasManaged.has(k) && !NOT_RESETTABLE.has(k);

  p["node"] = config["node"];
  p["vmid"] = vmid;
  for (const { attr: name } of SCALAR_FIELDS) {
    if (set(name)) p[name] = normalizeScalar(name, config[name]);
    else if (reset(name)) {
      if (name in RESET_VALUE) p[name] = RESET_VALUE[name];
      else delete p[name];
    }
  }
  for (const [k, norm] of SIMPLE) {
    if (set(k)) p[k] = norm(config[k], prior?.[k], prior !== null, config, hostDevices);
    else if (reset(k) || (k === "gpu" && !set(k))) delete p[k];
  }
  if (set("device")) {
    const priorDevices = obj(prior?.["device"]) as Record<string, Obj>;
    const caps = nvidiaCapsPresent(
      hostDevices,
      Object.values(priorDevices).map((d) => String(obj(d)["path"])),
    );
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
  const own: unknown[] = Array.isArray(lines) ? (lines as unknown[]) : [];
  return [...own, ...(legacyGpuLines(obj(gpu), devices) ?? [new Unknown("string")])];
}

/** Deep copy of JSON-like attributes (Unknown instances are kept as they are). */
export function structuredCloneAttrs<T>(v: T): T {
  if (Array.isArray(v)) return v.map(structuredCloneAttrs) as T;
  if (v && typeof v === "object" && !isUnknown(v)) {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) putKey(out, k, structuredCloneAttrs(x));
    return out as T;
  }
  return v;
}
