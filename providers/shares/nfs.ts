// The nfs_share resource type: one export as /etc/exports.d/pmxform-NAME.exports, written with
// every option explicit, checked (client specs and options at validate, the file by exportfs)
// and made live with `exportfs -ra`.
import { Unknown } from "../../src/config/value.js";
import type { ApplyContext, Attrs, Diff, DiffRequest, ImportCandidate, PlannedOperation, ResourceType } from "../../src/provider/types.js";
import { canonClient, nfsBody, nfsFileText, parseNfsFile, type ClientAttrs } from "./nfs-file.js";
import { EXPORTS_DIR, nfsFileOf, parseShareId } from "./paths.js";
import { sharesOf } from "./snapshot.js";
import { differs, hasUnknown, known, nodeShares, plannedOwner, replaceReasons, shareIdentity, takenFileIssue } from "./common.js";
import { applyNfs, checkOperations, deleteNfs, NFS_OPS, readBack } from "./apply.js";
import { nfsShareBlocks, nfsShareSchema, validateNfs } from "./schema.js";
import { NFS_CLIENT_FIELDS } from "./fields.js";

const COMPARED = ["path", "client", "unmanaged"];

function plannedClients(config: Attrs): unknown {
  const c = config["client"];
  if (!c || typeof c !== "object" || hasUnknown(Object.keys(c))) return c ?? {};
  return Object.fromEntries(Object.entries(c as Record<string, ClientAttrs>).map(([spec, opts]) => [spec, canonClient(opts ?? {})]));
}

function planned(config: Attrs, lineage: string | undefined): Attrs {
  const name = config["name"];
  return {
    node: config["node"],
    name,
    path: config["path"],
    client: plannedClients(config),
    file: known(name) ? nfsFileOf(String(name)) : new Unknown("string"),
    unmanaged: [],
    owner: plannedOwner(lineage),
  };
}

function bodyOf(p: Attrs): string | null {
  return hasUnknown(p["path"]) || hasUnknown(p["client"]) ? null : nfsBody(String(p["path"]), p["client"] as Record<string, ClientAttrs>);
}

const operations = (p: Attrs): PlannedOperation[] => [{ op: "nfs-stage", file: typeof p["file"] === "string" ? p["file"] : null, body: bodyOf(p) }, { op: "nfs-commit" }, { op: "exportfs" }];

function diffNfs(req: DiffRequest): Diff {
  const { config, prior } = req;
  const p = planned(config, req.lineage);
  const taken = takenFileIssue(req, p["file"], (text) => parseNfsFile(text).owner, "Export already exists");
  if (!prior) return { action: "create", planned: p, reasons: [], issues: taken.issues, ...taken.notes, operations: operations(p) };
  const reasons = replaceReasons(config, prior, req.forceReplace);
  if (reasons.length) {
    const moved = p["file"] !== prior["file"] || config["node"] !== prior["node"];
    return { action: "replace", planned: p, reasons, issues: moved ? taken.issues : [], operations: operations(p) };
  }
  if (!differs(p, prior, COMPARED) && (prior["owner"] === p["owner"] || prior["owner"] === undefined)) return { action: "no-op", planned: { ...prior }, reasons: [], issues: [] };
  const notes =
    typeof prior["owner"] === "string" && typeof p["owner"] === "string" && prior["owner"] !== p["owner"]
      ? [`${String(p["file"])} names another pmxform state in its header (owner ${prior["owner"]}); apply rewrites it as this state's`]
      : [];
  return { action: "update", planned: p, reasons: [], issues: [], ...(notes.length ? { notes } : {}), operations: operations(p) };
}

function attrsOfFile(node: string, name: unknown, file: string, text: string): Attrs {
  const parsed = parseNfsFile(text);
  return { node, name, path: parsed.path ?? null, client: parsed.clients, file, unmanaged: parsed.unmanaged, ...(parsed.owner ? { owner: parsed.owner } : {}) };
}

function readNfs(prior: Attrs, snapshot: unknown): Attrs | null {
  const shares = nodeShares(snapshot, prior["node"]);
  if (!shares) return prior;
  const file = String(prior["file"] ?? nfsFileOf(String(prior["name"])));
  const text = shares.nfs.get(file.slice(EXPORTS_DIR.length + 1));
  return text === undefined ? null : attrsOfFile(String(prior["node"]), prior["name"], file, text);
}

async function writeNfs(address: string, config: Attrs, ops: PlannedOperation[] | undefined, ctx: ApplyContext): Promise<Attrs> {
  const steps = checkOperations(address, ops, NFS_OPS);
  const node = String(config["node"]);
  const name = String(config["name"]);
  const file = nfsFileOf(name);
  const stage = steps.find((o) => o.op === "nfs-stage");
  const body = typeof stage?.["body"] === "string" ? stage["body"] : nfsBody(String(config["path"]), plannedClients(config) as Record<string, ClientAttrs>);
  await applyNfs(address, node, file, nfsFileText(name, ctx.lineage, body), steps, ctx);
  const text = (await readBack(ctx, node)).nfs.get(file.slice(EXPORTS_DIR.length + 1));
  if (text === undefined) throw new Error(`${address}: ${file} is missing on node ${node} right after it was written`);
  return attrsOfFile(node, name, file, text);
}

function importNfs(id: string, snapshot: unknown): Attrs | null {
  const p = parseShareId(id);
  if (!p) throw new Error(`"${id}" is not a share id; write NODE/NAME, e.g. pve1/backups`);
  const file = nfsFileOf(p.name);
  const text = nodeShares(snapshot, p.node)?.nfs.get(file.slice(EXPORTS_DIR.length + 1));
  return text === undefined ? null : attrsOfFile(p.node, p.name, file, text);
}

function explainMiss(id: string, snapshot: unknown): string {
  const p = parseShareId(id);
  if (!p) return `"${id}" is not a share id (NODE/NAME)`;
  const s = sharesOf(snapshot, p.node);
  if (!s) return `node ${p.node} was not read`;
  if ("error" in s) return `the shares of node ${p.node} could not be read: ${s.error}`;
  return `node ${p.node} has no ${nfsFileOf(p.name)} (pmxform manages NFS exports as ${EXPORTS_DIR}/pmxform-NAME.exports)`;
}

function importableNfs(snapshot: unknown): ImportCandidate[] {
  const out: ImportCandidate[] = [];
  for (const [node] of (snapshot as { shares?: Map<string, unknown> } | undefined)?.shares ?? []) {
    const shares = nodeShares(snapshot, node);
    for (const [base, text] of shares?.nfs ?? []) {
      const m = /^pmxform-([A-Za-z0-9][A-Za-z0-9_-]*)\.exports$/.exec(base);
      if (!m || !parseNfsFile(text).owner) continue;
      // identity is what objectKey reads (node + file).
      out.push({ id: `${node}/${m[1]}`, node, identity: { node, file: `${EXPORTS_DIR}/${base}` }, name: m[1]!, suffix: m[1]!.replace(/[^A-Za-z0-9]+/g, "_"), namePrefix: "nfs" });
    }
  }
  return out;
}

function generate(attrs: Attrs): Attrs {
  const clients: Record<string, Attrs> = {};
  for (const [spec, c] of Object.entries((attrs["client"] ?? {}) as Record<string, ClientAttrs>)) {
    const body: Attrs = {};
    for (const f of NFS_CLIENT_FIELDS) {
      const v = c[f.attr];
      if (v === null || v === undefined || (f.words && v === f.words.default)) continue;
      body[f.attr] = v;
    }
    clients[spec] = body;
  }
  return { node: attrs["node"], name: attrs["name"], path: attrs["path"], client: clients };
}

export const nfsShare: ResourceType = {
  type: "nfs_share",
  blocks: nfsShareBlocks,
  schema: nfsShareSchema,
  sensitiveAttributes: [],
  hiddenAttributes: ["owner"],
  ...shareIdentity("nfs"),
  validate: validateNfs,
  diff: diffNfs,
  read: ({ prior, snapshot }) => readNfs(prior, snapshot),
  create: ({ address, config, operations }, ctx) => writeNfs(address, config, operations, ctx),
  update: ({ address, config, operations }, ctx) => writeNfs(address, config, operations, ctx),
  delete: ({ prior }, ctx) => deleteNfs(String(prior["node"]), String(prior["file"] ?? nfsFileOf(String(prior["name"]))), ctx),
  import: ({ id, snapshot }) => importNfs(id, snapshot),
  explainImportMiss: explainMiss,
  importable: importableNfs,
  generateConfig: generate,
  unexpressed: (attrs) => (Array.isArray(attrs["unmanaged"]) ? attrs["unmanaged"].map((l) => `${String(l)} (removed by the next apply)`) : []),
};
