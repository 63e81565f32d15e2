// Plan-time checks of a container against what its node has (read during refresh): the
// template, the storages of rootfs and volume mounts, the bridges of the network blocks, and
// whether the new volumes fit. A mistake is a diagnostic at the attribute, with the closest name
// the node does have, instead of a failure halfway through apply. Anything the refresh did not
// read (an unreachable node, a listing not taken) is not checked.
import { isUnknown } from "../../src/config/value.js";
import { didYouMean } from "../../src/config/eval/suggest.js";
import { parseDiskSize } from "../../src/pve/size.js";
import { parseTemplateVolname, parseVolumeId } from "../../src/pve/volid.js";
import type { Attrs, AttrPath, ProviderIssue } from "../../src/provider/types.js";
import { asSnapshot, type LxcSnapshot } from "./snapshot.js";
import type { ClusterStorage } from "./snapshot-parse.js";
import { anyOciArchive, templateUsed } from "./snapshot-needs.js";

type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj => (v && typeof v === "object" && !Array.isArray(v) && !isUnknown(v) ? (v as Obj) : {});
const str = (v: unknown): string | undefined => (typeof v === "string" ? v : undefined);

/** pve-storage content types: a container volume needs rootdir, a template vztmpl. */
const CONTENT_NAMES: Record<string, string> = { rootdir: "container volumes (content type rootdir)", vztmpl: "container templates (content type vztmpl)" };

/** pve-storage plugins whose storages hold files (templates, ISOs); the rest hold only disk images. */
const FILE_STORAGES = new Set(["dir", "nfs", "cifs", "cephfs", "glusterfs", "btrfs"]);

function gib(bytes: number): string {
  return `${(bytes / 1024 ** 3).toFixed(1)} GiB`;
}

/** Every issue of one container's configuration against its node; `prior` null for a new one. */
export function nodeChecks(config: Attrs, prior: Attrs | null, snapshot: unknown): ProviderIssue[] {
  const node = str(config["node"]);
  if (!node) return [];
  const snap = asSnapshot(snapshot);
  const storages = nodeStorages(snap, node);
  const issues: ProviderIssue[] = [];
  const storageIssue = (path: AttrPath, id: string, content: "rootdir" | "vztmpl"): boolean => {
    const issue = storageContentIssue(node, storages, path, id, content);
    if (issue) issues.push(issue);
    return issue !== undefined;
  };

  const template = str(config["template"]);
  if (template && templateUsed(template, prior)) templateIssue(template, node, snap, issues, storageIssue);

  const rootfs = obj(config["rootfs"]);
  const priorRootfs = obj(prior?.["rootfs"]);
  const rootStorage = str(rootfs["storage"]);
  if (rootStorage && rootStorage !== priorRootfs["storage"]) storageIssue(["rootfs", "storage"], rootStorage, "rootdir");
  const priorMounts = obj(prior?.["mount"]);
  for (const [name, m] of Object.entries(obj(config["mount"]))) {
    const id = str(obj(m)["storage"]);
    if (id && id !== obj(priorMounts[name])["storage"]) storageIssue(["mount", name, "storage"], id, "rootdir");
  }

  issues.push(...bridgeIssues(config, prior, node, snap));
  issues.push(...spaceWarnings(config, prior, node, storages));
  return issues;
}

/**
 * Storage `id` on `node` against the content it must hold: missing (with the closest name), or
 * without the content type. Undefined when it is fine or the node's storages were not read.
 */
export function storageContentIssue(node: string, storages: ClusterStorage[], path: AttrPath, id: string, content: "rootdir" | "vztmpl"): ProviderIssue | undefined {
  if (!storages.length) return undefined; // the node's storages were not read
  const fit = storages.filter((x) => (x.content ?? []).includes(content)).map((x) => x.storage);
  const s = storages.find((x) => x.storage === id);
  if (!s) {
    return {
      severity: "error",
      path,
      summary: "Storage does not exist",
      detail: `Node ${node} has no storage "${id}".${didYouMean(
        id,
        storages.map((x) => x.storage),
      )} Storages on ${node} for ${CONTENT_NAMES[content]}: ${fit.join(", ") || "none"}.`,
    };
  }
  if (!(s.content ?? []).includes(content)) {
    return {
      severity: "error",
      path,
      summary: `Storage cannot hold ${content === "vztmpl" ? "templates" : "container volumes"}`,
      detail: `Storage "${id}" on node ${node} holds ${(s.content ?? []).join(", ") || "nothing"}, not ${CONTENT_NAMES[content]}. Use ${fit.length ? fit.map((f) => `"${f}"`).join(" or ") : "a storage with that content type"}${content === "vztmpl" && !FILE_STORAGES.has(s.plugintype ?? "") ? ` (a ${s.plugintype ?? "block"} storage cannot hold files)` : `, or add ${content} to the storage's content (pvesm set ${id} --content ...)`}.`,
    };
  }
  return undefined;
}

/** Per storage listing, node -> its storages: every container of a plan asks for its node's. */
const storagesByNode = new WeakMap<readonly ClusterStorage[], Map<string, ClusterStorage[]>>();

/** The storages refresh read for `node` (none: not read). */
export function nodeStorages(snapshot: unknown, node: string): ClusterStorage[] {
  const all = asSnapshot(snapshot).storages;
  let byNode = storagesByNode.get(all);
  if (!byNode) {
    byNode = new Map();
    for (const s of all) {
      const list = byNode.get(s.node);
      if (list) list.push(s);
      else byNode.set(s.node, [s]);
    }
    storagesByNode.set(all, byNode);
  }
  return byNode.get(node) ?? [];
}

/** A template volid's parts, parsed once per distinct volid of a plan (thousands of containers share a few). */
const templatePartsCache = new Map<string, { v: ReturnType<typeof parseVolumeId>; t: ReturnType<typeof parseTemplateVolname> }>();
function templateParts(template: string): { v: ReturnType<typeof parseVolumeId>; t: ReturnType<typeof parseTemplateVolname> } {
  let parts = templatePartsCache.get(template);
  if (!parts) {
    const v = parseVolumeId(template);
    parts = { v, t: v && parseTemplateVolname(v.volname) };
    if (templatePartsCache.size > 1000) templatePartsCache.clear();
    templatePartsCache.set(template, parts);
  }
  return parts;
}

function templateIssue(template: string, node: string, snap: LxcSnapshot, issues: ProviderIssue[], storageIssue: (path: AttrPath, id: string, content: "vztmpl") => boolean): void {
  if (snap.plannedTemplates?.has(`${node}/${template}`)) return; // an lxc_template of this configuration downloads it first
  const { v, t } = templateParts(template);
  if (!v || !t) return; // the schema reports the format
  if (t.ext === "tar" && snap.plannedTemplates?.has(anyOciArchive(node, v.storage))) return; // an oci_image of this configuration pulls it
  if (storageIssue(["template"], v.storage, "vztmpl")) return;
  const listing = snap.templates?.get(`${node}/${v.storage}`);
  if (!listing || listing.has(template)) return;
  const known = [...(snap.templates ?? new Map<string, Map<string, number>>())].filter(([k]) => k.startsWith(`${node}/`)).flatMap(([, l]) => [...l.keys()]);
  issues.push({
    severity: "error",
    path: ["template"],
    summary: "Template not found",
    detail: `Node ${node} has no template ${template}.${didYouMean(template, known)} Download it first: add an lxc_template resource (storage = "${v.storage}", template = "${t.file}") and set template = lxc_template.NAME.volid, or run pveam download ${v.storage} ${t.file} on the node (pveam available lists the names).`,
  });
}

/** A network block's bridge against the node's: new or changed, a missing one is an error; kept, a warning (it will not start). */
function bridgeIssues(config: Attrs, prior: Attrs | null, node: string, snap: LxcSnapshot): ProviderIssue[] {
  const bridges = snap.bridges?.get(node);
  if (!bridges) return [];
  const out: ProviderIssue[] = [];
  const priorNets = obj(prior?.["network"]);
  for (const [name, n] of Object.entries(obj(config["network"]))) {
    const bridge = str(obj(n)["bridge"]);
    if (!bridge) continue;
    const kept = obj(priorNets[name])["bridge"] === bridge && prior?.["node"] === node;
    const found = bridges.find((b) => b.name === bridge);
    if (!found) {
      const names = bridges.map((b) => b.name);
      out.push({
        severity: kept ? "warning" : "error",
        path: ["network", name, "bridge"],
        summary: "Bridge does not exist",
        detail: `Node ${node} has no bridge "${bridge}" in its network configuration (bridges: ${names.join(", ") || "none"}).${didYouMean(bridge, names)} ${kept ? "The container keeps it, but Proxmox refuses to start it (\"bridge '" + bridge + "' does not exist\"). " : ""}Use one of the node's bridges, or create ${bridge} on the node (System > Network, or /etc/network/interfaces and ifreload -a).`,
      });
      continue;
    }
    const mtu = obj(n)["mtu"];
    if (typeof mtu === "number" && mtu > found.mtu) {
      const keptMtu = kept && obj(priorNets[name])["mtu"] === mtu;
      out.push({
        severity: keptMtu ? "warning" : "error",
        path: ["network", name, "mtu"],
        summary: "MTU bigger than the bridge's",
        detail: `Bridge ${bridge} on node ${node} has MTU ${found.mtu}; Proxmox refuses a NIC with MTU ${mtu} on it ("MTU size '${mtu}' is bigger than bridge MTU '${found.mtu}'"). Lower mtu to ${found.mtu} or less, or raise the bridge's MTU.`,
      });
    }
  }
  return out;
}

/** Bytes a change allocates on each storage (new volumes, and the growth of resized ones), with the first attribute asking. */
function newAllocations(config: Attrs, prior: Attrs | null): Map<string, { bytes: number; path: AttrPath }> {
  const out = new Map<string, { bytes: number; path: AttrPath }>();
  const add = (storage: unknown, size: unknown, before: Obj | undefined, path: AttrPath): void => {
    if (typeof storage !== "string" || typeof size !== "string") return;
    const want = parseDiskSize(size);
    if (want === undefined) return;
    const had = before && before["storage"] === storage && typeof before["size"] === "string" ? (parseDiskSize(before["size"]) ?? 0) : 0;
    if (want <= had) return;
    const cur = out.get(storage);
    out.set(storage, { bytes: (cur?.bytes ?? 0) + want - had, path: cur?.path ?? path });
  };
  const r = obj(config["rootfs"]);
  add(r["storage"], r["size"], prior ? obj(prior["rootfs"]) : undefined, ["rootfs", "size"]);
  const pm = obj(prior?.["mount"]);
  for (const [name, m] of Object.entries(obj(config["mount"]))) add(obj(m)["storage"], obj(m)["size"], pm[name] ? obj(pm[name]) : undefined, ["mount", name, "size"]);
  return out;
}

/** A warning when what this container allocates exceeds a storage's free space (thin pools may overcommit). */
function spaceWarnings(config: Attrs, prior: Attrs | null, node: string, storages: ClusterStorage[]): ProviderIssue[] {
  const out: ProviderIssue[] = [];
  for (const [id, { bytes, path }] of newAllocations(config, prior)) {
    const s = storages.find((x) => x.storage === id);
    if (!s || s.total === undefined || s.used === undefined) continue;
    const free = Math.max(0, s.total - s.used); // thin pools report more used than their size when overcommitted
    if (bytes > free) {
      out.push({
        severity: "warning",
        path,
        summary: "Not enough free space on the storage",
        detail: `This container allocates ${gib(bytes)} on storage "${id}" of node ${node}, which has ${gib(free)} free (of ${gib(s.total)}). ${s.plugintype === "lvmthin" || s.plugintype === "zfspool" ? "A thin pool may allow it, but fills up when the volumes are used. " : ""}Free space on ${id}, choose another storage, or make the volume smaller.`,
      });
    }
  }
  return out;
}
