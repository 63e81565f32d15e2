// The lxc_template resource type: an appliance template downloaded with `pveam download STORAGE
// TEMPLATE` (pveam checks the catalogue's sha512 sum itself, pve-common Tools.pm
// download_file_from_url), removed with `pveam remove VOLID`. Its volid is known at plan time, so
// containers name it (`template = lxc_template.debian.volid`) and are created after it.
import { Unknown, isUnknown } from "../../src/config/value.js";
import type { ApplyContext, Attrs, ChangeReason, Diff, DiffRequest, PlannedOperation, ProviderIssue, ResourceType } from "../../src/provider/types.js";
import { asProxmoxSnapshot, contentArgv, parseStorageContent } from "../oci/snapshot.js";
import { lxcTemplateBlocks, lxcTemplateSchema, TEMPLATE_FILE } from "./schema.js";
import { templateStorageIssues } from "./checks.js";

const known = (v: unknown): boolean => v !== undefined && v !== null && !isUnknown(v);

export const volidOf = (storage: string, template: string): string => `${storage}:vztmpl/${template}`;

function planned(config: Attrs): Attrs {
  const { node, storage, template } = config;
  return {
    node,
    storage,
    template,
    volid: known(storage) && known(template) ? volidOf(String(storage), String(template)) : new Unknown("string"),
    size: new Unknown("number"),
  };
}

type Arg = string | { from: [string] };
/** The one step of a create: `pveam download STORAGE TEMPLATE` on NODE; a value unknown at plan names its argument. */
type DownloadOperation = { op: "download"; node: Arg; storage: Arg; template: Arg };

function downloadOperation(p: Attrs): PlannedOperation {
  const arg = (k: "node" | "storage" | "template"): Arg => (typeof p[k] === "string" ? p[k] : { from: [k] });
  const op: DownloadOperation = { op: "download", node: arg("node"), storage: arg("storage"), template: arg("template") };
  return op;
}

/** The plan's download step, its values the plan could not know read from the configuration now. */
function downloadOf(address: string, config: Attrs, operations: readonly PlannedOperation[] | undefined): { node: string; storage: string; template: string } {
  const o = operations?.length === 1 ? operations[0] : undefined;
  const value = (v: unknown): string | undefined =>
    typeof v === "string" ? v : Array.isArray((v as { from?: unknown })?.from) ? asString(config[String((v as { from: unknown[] }).from[0])]) : undefined;
  const node = value(o?.["node"]);
  const storage = value(o?.["storage"]);
  const template = value(o?.["template"]);
  if (o?.op !== "download" || node === undefined || storage === undefined || template === undefined) {
    throw new Error(
      `${address}: the plan holds no download step this pmxform can carry out (it was made by another pmxform version, or a value is still unknown). Nothing was done; run "pmxform plan" again.`,
    );
  }
  return { node, storage, template };
}

const asString = (v: unknown): string | undefined => (typeof v === "string" ? v : undefined);

function diffTemplate(req: DiffRequest): Diff {
  const { config, prior } = req;
  const issues: ProviderIssue[] = templateStorageIssues(config, req.snapshot);
  const notes: string[] = [];
  const p = planned(config);
  if (!prior) {
    const listing = asProxmoxSnapshot(req.snapshot).templates.get(`${String(config["node"])}/${String(config["storage"])}`);
    if (typeof p["volid"] === "string" && listing?.has(p["volid"])) {
      notes.push(`${p["volid"]} is already on node ${String(config["node"])}: apply adopts it once pveam has checked its sha512 sum against the catalogue, and destroying this resource removes it`);
    }
    return { action: "create", planned: p, reasons: [], issues, ...(notes.length ? { notes } : {}), operations: [downloadOperation(p)] };
  }
  const reasons: ChangeReason[] = [];
  for (const k of ["node", "storage", "template"]) {
    if (known(config[k]) && config[k] !== prior[k]) reasons.push({ path: [k], reason: "forces replacement" });
  }
  if (req.forceReplace) reasons.push({ path: [], reason: "replacement requested with --replace" });
  if (reasons.length) return { action: "replace", planned: p, reasons, issues, operations: [downloadOperation(p)] };
  return { action: "no-op", planned: { ...prior }, reasons: [], issues };
}

/** The template's size from a fresh listing of its storage (one pvesh call). */
async function sizeOf(node: string, storage: string, volid: string, ctx: ApplyContext): Promise<number> {
  const r = await ctx.runnerFor(node).run(contentArgv(node, storage), { signal: ctx.signal });
  const size = parseStorageContent(r.stdout).get(volid);
  if (size === undefined) throw new Error(`pveam download reported success, but ${volid} is not in the listing of storage ${storage} on node ${node}`);
  return size;
}

/** The plan's `pveam download`, then the template's size from a listing. */
async function createTemplate(address: string, config: Attrs, operations: readonly PlannedOperation[] | undefined, ctx: ApplyContext): Promise<Attrs> {
  const { node, storage, template } = downloadOf(address, config, operations);
  const volid = volidOf(storage, template);
  try {
    await ctx.runnerFor(node).run(["pveam", "download", storage, template], { signal: ctx.signal, timeoutMs: 3_600_000 });
  } catch (err) {
    const text = String((err as { stderr?: unknown }).stderr ?? (err as Error).message).trim();
    const hint = /no such template/.test(text)
      ? ` Run pveam update and pveam available on ${node} for the names it can download.`
      : /checksum mismatch/.test(text)
        ? ` The file at ${volid} differs from the catalogue's; remove it (pveam remove ${volid}) and apply again.`
        : "";
    throw new Error(`${address}: pveam download ${storage} ${template} on node ${node} failed: ${text.split("\n").filter(Boolean).pop() ?? text}.${hint}`, { cause: err });
  }
  return { ...planned({ node, storage, template }), volid, size: await sizeOf(node, storage, volid, ctx) };
}

async function deleteTemplate(address: string, prior: Attrs, ctx: ApplyContext): Promise<void> {
  const node = String(prior["node"]);
  const volid = String(prior["volid"]);
  try {
    await ctx.runnerFor(node).run(["pveam", "remove", volid], { signal: ctx.signal });
  } catch (err) {
    const text = String((err as { stderr?: unknown }).stderr ?? (err as Error).message);
    if (/can't find file/.test(text)) return; // already gone
    throw new Error(`${address}: pveam remove ${volid} on node ${node} failed: ${text.trim().split("\n").pop()}`, { cause: err });
  }
}

function readTemplate(prior: Attrs, snapshot: unknown): Attrs | null {
  const listing = asProxmoxSnapshot(snapshot).templates.get(`${String(prior["node"])}/${String(prior["storage"])}`);
  if (!listing) return prior; // not listed (storage unavailable): kept as recorded
  const size = listing.get(String(prior["volid"]));
  return size === undefined ? null : { ...prior, size };
}

/** `pmxform import lxc_template.NAME NODE/STORAGE:vztmpl/FILE`. */
function parseId(id: string): { node: string; storage: string; template: string } | undefined {
  const m = /^([^/\s]+)\/([a-z][a-z0-9\-_.]*[a-z0-9]):vztmpl\/([^/\s]+)$/i.exec(id.trim());
  return m && TEMPLATE_FILE.test(m[3]!) ? { node: m[1]!, storage: m[2]!, template: m[3]! } : undefined;
}

function importTemplate(id: string, snapshot: unknown): Attrs | null {
  const p = parseId(id);
  if (!p) throw new Error(`"${id}" is not a template id; write NODE/STORAGE:vztmpl/FILE, e.g. pve1/local:vztmpl/debian-12-standard_12.7-1_amd64.tar.zst`);
  const volid = volidOf(p.storage, p.template);
  const size = asProxmoxSnapshot(snapshot).templates.get(`${p.node}/${p.storage}`)?.get(volid);
  return size === undefined ? null : { node: p.node, storage: p.storage, template: p.template, volid, size };
}

function explainMiss(id: string, snapshot: unknown): string {
  const p = parseId(id);
  if (!p) return `"${id}" is not a template id`;
  const snap = asProxmoxSnapshot(snapshot);
  if (!snap.templates.has(`${p.node}/${p.storage}`)) return `storage ${p.storage} on node ${p.node} holds no templates (or could not be listed)`;
  return `there is no ${volidOf(p.storage, p.template)} on node ${p.node} (pveam list ${p.storage} shows what is there)`;
}

export const lxcTemplate: ResourceType = {
  type: "lxc_template",
  blocks: lxcTemplateBlocks,
  schema: lxcTemplateSchema,
  sensitiveAttributes: [],
  computedAttributes: ["size"],
  nodeOf(config, prior) {
    const n = config?.["node"] ?? prior?.["node"];
    return typeof n === "string" ? n : undefined;
  },
  diff: diffTemplate,
  read: ({ prior, snapshot }) => readTemplate(prior, snapshot),
  create: ({ address, config, operations }, ctx) => createTemplate(address, config, operations, ctx),
  delete: ({ address, prior }, ctx) => deleteTemplate(address, prior, ctx),
  import: ({ id, snapshot }) => importTemplate(id, snapshot),
  explainImportMiss: explainMiss,
  generateConfig: (attrs) => ({ node: attrs["node"], storage: attrs["storage"], template: attrs["template"] }),
  objectNoun: "template",
  objectId: (attrs) => (typeof attrs["node"] === "string" && typeof attrs["volid"] === "string" ? `${attrs["node"]}/${attrs["volid"]}` : undefined),
};
