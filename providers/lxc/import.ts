// `pmxform import ADDR NODE/VMID`: attributes from the snapshot, and the configuration that
// reproduces them (only meaningful, non-computed arguments, so the next plan is "No changes").
import type { Attrs, ImportCandidate } from "../../src/provider/types.js";
import type { Obj } from "../mounts/slots.js";
import type { ZodType } from "zod";
import { attrsFromConf } from "./attrs.js";
import { DEVICE, MOUNT, NETWORK, ROOTFS, TOP, importedFields } from "./fields/index.js";
import { lxcContainerSchema } from "./schema.js";
import { TEMPLATE_UNKNOWN_AT_IMPORT } from "./template-placeholder.js";
import { asSnapshot, type LxcSnapshot } from "./snapshot.js";

/** Parses "pve1/105" or "105"; a bare vmid is looked up in the snapshot. */
export function parseImportId(id: string): { node?: string; vmid: number } | undefined {
  const m = /^(?:([^/\s]+)\/)?(?:lxc\/)?([1-9]\d{2,8})$/.exec(id.trim());
  if (!m) return undefined;
  return m[1] ? { node: m[1], vmid: Number(m[2]) } : { vmid: Number(m[2]) };
}

export function importContainer(address: string, id: string, snap: LxcSnapshot): Attrs | null {
  const parsed = parseImportId(id);
  if (!parsed) throw new Error(`${address}: import id "${id}" is not NODE/VMID or VMID (e.g. "pve1/105")`);
  const ct = snap.containers.get(parsed.vmid);
  if (!ct || (parsed.node && parsed.node !== ct.node)) return null;
  const attrs = attrsFromConf(parsed.vmid, ct.node, ct.conf, ct.running, null, ct.digest);
  attrs["address"] = address;
  attrs["managed_keys"] = Object.keys(generateConfig(attrs)).sort();
  return attrs;
}

/** Every container of the snapshot, ordered by vmid. */
export function importableContainers(snap: LxcSnapshot): ImportCandidate[] {
  return [...snap.containers.entries()]
    .sort(([a], [b]) => a - b)
    .map(([vmid, ct]) => {
      const hostname = ct.conf.main.keys.get("hostname");
      // OCI application containers carry settings lxc_container cannot write (host-managed network);
      // oci_container adopts them.
      const ep = ct.conf.main.keys.get("entrypoint")?.trim();
      const oci = ep && ep !== "/sbin/init" ? "it is an OCI application container (entrypoint); adopt it as oci_container" : undefined;
      return {
        id: `${ct.node}/${vmid}`,
        node: ct.node,
        identity: { node: ct.node, vmid },
        suffix: String(vmid),
        namePrefix: "ct",
        ...(hostname ? { name: hostname } : {}),
        ...(oci ? { skip: oci } : {}),
      };
    });
}

export function explainImportMiss(id: string, snap: LxcSnapshot): string {
  const parsed = parseImportId(id);
  if (!parsed) return `"${id}" is not NODE/VMID or VMID (e.g. "pve1/105")`;
  if (snap.vms.has(parsed.vmid)) return `${parsed.vmid} is a virtual machine (qemu), not a container; pmxform manages containers only`;
  const ct = snap.containers.get(parsed.vmid);
  if (ct && parsed.node && ct.node !== parsed.node) return `container ${parsed.vmid} is on node ${ct.node}, not ${parsed.node}`;
  if (parsed.node && !snap.nodes.includes(parsed.node)) return `node ${parsed.node} is not part of the cluster (nodes: ${snap.nodes.join(", ")})`;
  return `no container with vmid ${parsed.vmid} exists in the cluster`;
}

/**
 * What was kept in state but cannot be written as arguments (pmxform leaves it as it is): unknown
 * keys, stored values the configuration language would refuse, and (given the snapshot) the conf
 * lines Proxmox itself ignores or cannot parse.
 */
export function unexpressedAttrs(attrs: Attrs, snapshot?: unknown, schema: ZodType = lxcContainerSchema, generate: (a: Attrs) => Attrs = rawConfig): string[] {
  const out: string[] = [];
  for (const d of validArguments(schema, generate(attrs)).dropped) out.push(d);
  const unknown = attrs["unknown_keys"] as Record<string, string> | undefined;
  for (const k of Object.keys(unknown ?? {}).sort()) out.push(k === "env" ? "lxc.environment lines (kept, not managed)" : `pct key "${k}" (kept, not managed)`);
  if (typeof attrs["lock"] === "string") out.push(`lock "${attrs["lock"]}" (the container is locked)`);
  const ct = snapshot !== undefined && typeof attrs["vmid"] === "number" ? asSnapshot(snapshot).containers.get(attrs["vmid"]) : undefined;
  for (const w of ct?.conf.warnings ?? []) {
    const text = w.replace(/^vm \d+ - /, "");
    const line = /^unable to parse config: (.*)$/.exec(text);
    if (line) out.push(`line "${line[1]}" (Proxmox ignores it too)`);
    else if (!text.startsWith("unable to parse value of")) out.push(`Proxmox warns: ${text}`); // bad values are reported by key above
  }
  return out;
}

function getAt(o: unknown, path: PropertyKey[]): unknown {
  return path.reduce<unknown>((cur, k) => (cur && typeof cur === "object" ? (cur as Record<PropertyKey, unknown>)[k] : undefined), o);
}

/**
 * The generated arguments the schema accepts: a stored value the configuration would refuse
 * (a hand-edited "memory: lots", a negative swap) is left out and reported, so the generated
 * file validates and pmxform leaves that setting as it is.
 */
export function validArguments(schema: ZodType, config: Attrs): { config: Attrs; dropped: string[] } {
  const c = JSON.parse(JSON.stringify(config, (_k, v: unknown) => (typeof v === "number" && !Number.isFinite(v) ? String(v) : v))) as Attrs;
  const dropped: string[] = [];
  for (let round = 0; round < 20; round++) {
    const r = schema.safeParse(c);
    if (r.success) break;
    let removed = false;
    for (const issue of r.error.issues) {
      const path = issue.path;
      if (!path.length) continue;
      const parent = getAt(c, path.slice(0, -1));
      const last = path[path.length - 1]!;
      if (!parent || typeof parent !== "object" || !(last in parent)) continue;
      dropped.push(`${path.join(".")} = ${JSON.stringify(getAt(c, path))} (${issue.message.replace(/\.$/, "")}; kept, not managed)`);
      delete (parent as Record<PropertyKey, unknown>)[last];
      removed = true;
    }
    if (!removed) break;
  }
  return { config: c, dropped };
}

function pick(o: Obj, keys: string[]): Obj {
  const out: Obj = {};
  for (const k of keys) if (o[k] !== undefined) out[k] = o[k];
  return out;
}

/** Configuration arguments that reproduce `attrs`, without values the schema refuses. */
export function generateConfig(attrs: Attrs): Attrs {
  return validArguments(lxcContainerSchema, rawConfig(attrs)).config;
}

const ROOTFS_ARGS = importedFields(ROOTFS);
const NETWORK_ARGS = importedFields(NETWORK);
const DEVICE_ARGS = importedFields(DEVICE);
/** A bind mount writes host_path, a volume mount storage and size; both write the options. */
const MOUNT_OPTION_ARGS = importedFields(MOUNT).filter((k) => !["host_path", "storage", "size"].includes(k));
const isEmptyObj = (v: unknown) => !v || typeof v !== "object" || Object.keys(v).length === 0;

/** Every argument `attrs` holds, as configuration, before the schema's check (in the field table's order). */
export function rawConfig(attrs: Attrs): Attrs {
  const c: Attrs = { node: attrs["node"], vmid: attrs["vmid"] };
  // pct does not store the template: a placeholder that validates and never forces a replacement.
  c["template"] = typeof attrs["template"] === "string" ? attrs["template"] : TEMPLATE_UNKNOWN_AT_IMPORT;
  for (const f of TOP) {
    if (f.attr in c || f.noImport || !(f.schema || f.block)) continue;
    const v = attrs[f.attr];
    if (v === undefined || (f.importDefault !== undefined && f.importDefault === v)) continue;
    if (Array.isArray(v) && v.length === 0) continue;
    switch (f.attr) {
      case "rootfs":
        c[f.attr] = pick(v as Obj, ROOTFS_ARGS);
        break;
      case "network":
        c[f.attr] = Object.fromEntries(Object.entries(v as Record<string, Obj>).map(([name, n]) => [name, pick(n, NETWORK_ARGS)]));
        break;
      case "mount":
        c[f.attr] = Object.fromEntries(
          Object.entries(v as Record<string, Obj>).map(([name, m]) => {
            const base = typeof m["host_path"] === "string" ? pick(m, ["host_path"]) : pick(m, ["storage", "size"]);
            return [name, { ...base, ...pick(m, MOUNT_OPTION_ARGS) }];
          }),
        );
        break;
      case "device":
        c[f.attr] = Object.fromEntries(Object.entries(v as Record<string, Obj>).map(([name, d]) => [name, pick(d, DEVICE_ARGS)]));
        break;
      case "features":
      case "startup":
        if (!isEmptyObj(v)) c[f.attr] = v;
        break;
      case "started":
        if (typeof v === "boolean") c[f.attr] = v;
        break;
      default:
        // gpu is configuration only: a read container holds its devices as devN entries.
        if (!f.block) c[f.attr] = v;
    }
  }
  return c;
}
