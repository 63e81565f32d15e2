// The smb_share resource type: one Samba share as its own file under /etc/samba/pmxform.d,
// included through pmxform's index; the user's smb.conf is never written (its include line is
// checked at plan). Operations: stage the file, testparm the whole configuration with it, rename
// it into place, reload Samba.
import { Unknown } from "../../src/config/value.js";
import type { ApplyContext, Attrs, Diff, DiffRequest, ImportCandidate, PlannedOperation, ProviderIssue, ResourceType } from "../../src/provider/types.js";
import { SMB_FIELDS } from "./fields.js";
import { canonSmbAttrs, parseSmbFile, smbBody, smbFileText } from "./smb-file.js";
import { INCLUDE_LINE, SMB_CONF, SMB_DIR, SMB_INDEX, parseShareId, smbFileOf } from "./paths.js";
import { includeProblem, indexIncludes, sharesOf } from "./snapshot.js";
import { differs, hasUnknown, known, nodeShares, plannedOwner, replaceReasons, shareIdentity, takenFileIssue } from "./common.js";
import { applySmb, checkOperations, deleteSmb, readBack, SMB_OPS } from "./apply.js";
import { smbShareBlocks, smbShareSchema, validateSmb } from "./schema.js";

const COMPARED = ["path", ...SMB_FIELDS.map((f) => f.attr).filter((a) => a !== "path"), "unmanaged"];

function planned(config: Attrs, lineage: string | undefined): Attrs {
  const name = config["name"];
  return {
    node: config["node"],
    name,
    ...canonSmbAttrs(config),
    file: known(name) ? smbFileOf(String(name)) : new Unknown("string"),
    unmanaged: [],
    owner: plannedOwner(lineage),
  };
}

/** The body when every value is known at plan; null: apply writes it from the configuration it evaluates. */
function bodyOf(config: Attrs): string | null {
  const values = [config["name"], ...SMB_FIELDS.map((f) => config[f.attr])];
  return values.some(hasUnknown) ? null : smbBody(String(config["name"]), canonSmbAttrs(config));
}

function operations(config: Attrs, file: unknown): PlannedOperation[] {
  return [{ op: "smb-stage", file: typeof file === "string" ? file : null, body: bodyOf(config) }, { op: "testparm" }, { op: "smb-commit" }, { op: "reload" }];
}

/** Samba must load pmxform's index: without the include line in smb.conf the share would never be served. */
function includeIssues(config: Attrs, snapshot: unknown): ProviderIssue[] {
  const node = config["node"];
  const shares = nodeShares(snapshot, node);
  if (!shares) return [];
  if (shares.smbConf === undefined) {
    return [
      {
        severity: "error",
        path: ["node"],
        summary: "Samba is not set up on the node",
        detail: `Node ${String(node)} has no ${SMB_CONF}. Install Samba there (apt install samba), add the line "${INCLUDE_LINE}" to the [global] section of ${SMB_CONF}, and plan again.`,
      },
    ];
  }
  const problem = includeProblem(shares.smbConf);
  if (problem === "missing") {
    return [
      {
        severity: "error",
        path: [],
        summary: "smb.conf does not include pmxform's shares",
        detail: `${SMB_CONF} on node ${String(node)} lacks the line that loads the shares pmxform writes (pmxform never edits smb.conf itself). Add this line at the end of ${SMB_CONF}, then plan again:\n  ${INCLUDE_LINE}`,
      },
    ];
  }
  if (problem === "misplaced") {
    return [
      {
        severity: "error",
        path: [],
        summary: "The include line of smb.conf is followed by parameters",
        detail: `Samba reads "${INCLUDE_LINE}" as if the shares stood there, so the parameters after it in ${SMB_CONF} on node ${String(node)} would belong to the last share instead of their section. Move the line to the end of ${SMB_CONF} (or just before a [section] line), then plan again.`,
      },
    ];
  }
  return [];
}

function diffSmb(req: DiffRequest): Diff {
  const { config, prior } = req;
  const p = planned(config, req.lineage);
  const issues = includeIssues(config, req.snapshot);
  const taken = takenFileIssue(req, p["file"], (text) => parseSmbFile(text).owner, "Share already exists");
  if (!prior) return { action: "create", planned: p, reasons: [], issues: [...issues, ...taken.issues], ...taken.notes, operations: operations(config, p["file"]) };
  const reasons = replaceReasons(config, prior, req.forceReplace);
  if (reasons.length) {
    const moved = p["file"] !== prior["file"] || config["node"] !== prior["node"];
    return { action: "replace", planned: p, reasons, issues: [...issues, ...(moved ? taken.issues : [])], operations: operations(config, p["file"]) };
  }
  if (!differs(p, prior, COMPARED) && (prior["owner"] === p["owner"] || prior["owner"] === undefined)) return { action: "no-op", planned: { ...prior }, reasons: [], issues: [] };
  const notes =
    typeof prior["owner"] === "string" && typeof p["owner"] === "string" && prior["owner"] !== p["owner"]
      ? [`${String(p["file"])} names another pmxform state in its header (owner ${prior["owner"]}); apply rewrites it as this state's`]
      : [];
  return { action: "update", planned: p, reasons: [], issues, ...(notes.length ? { notes } : {}), operations: operations(config, p["file"]) };
}

function attrsOfFile(node: string, file: string, text: string, index: string | undefined, fallbackName: unknown): Attrs {
  const parsed = parseSmbFile(text);
  const unmanaged = [...parsed.unmanaged];
  if (!indexIncludes(index).includes(file)) unmanaged.push(`(${SMB_INDEX} does not include this file)`);
  return { node, name: parsed.name ?? fallbackName ?? null, ...parsed.attrs, file, unmanaged, ...(parsed.owner ? { owner: parsed.owner } : {}) };
}

function readSmb(prior: Attrs, snapshot: unknown): Attrs | null {
  const shares = nodeShares(snapshot, prior["node"]);
  const file = String(prior["file"] ?? smbFileOf(String(prior["name"])));
  if (!shares) return prior; // the node could not be read: kept as recorded
  const text = shares.smb.get(file.slice(SMB_DIR.length + 1));
  return text === undefined ? null : attrsOfFile(String(prior["node"]), file, text, shares.index, prior["name"]);
}

async function writeSmb(address: string, config: Attrs, ops: PlannedOperation[] | undefined, ctx: ApplyContext): Promise<Attrs> {
  const steps = checkOperations(address, ops, SMB_OPS);
  const node = String(config["node"]);
  const file = smbFileOf(String(config["name"]));
  const stage = steps.find((o) => o.op === "smb-stage");
  const body = typeof stage?.["body"] === "string" ? stage["body"] : smbBody(String(config["name"]), canonSmbAttrs(config));
  await applySmb(address, node, file, smbFileText(String(config["name"]), ctx.lineage, body), steps, ctx);
  const shares = await readBack(ctx, node);
  const text = shares.smb.get(file.slice(SMB_DIR.length + 1));
  if (text === undefined) throw new Error(`${address}: ${file} is missing on node ${node} right after it was written`);
  return attrsOfFile(node, file, text, shares.index, config["name"]);
}

function importSmb(id: string, snapshot: unknown): Attrs | null {
  const p = parseShareId(id);
  if (!p) throw new Error(`"${id}" is not a share id; write NODE/NAME, e.g. pve1/media`);
  const shares = nodeShares(snapshot, p.node);
  const file = smbFileOf(p.name);
  const text = shares?.smb.get(file.slice(SMB_DIR.length + 1));
  return text === undefined ? null : attrsOfFile(p.node, file, text, shares!.index, p.name);
}

function explainMiss(id: string, snapshot: unknown): string {
  const p = parseShareId(id);
  if (!p) return `"${id}" is not a share id (NODE/NAME)`;
  const s = sharesOf(snapshot, p.node);
  if (!s) return `node ${p.node} was not read`;
  if ("error" in s) return `the shares of node ${p.node} could not be read: ${s.error}`;
  return `node ${p.node} has no ${smbFileOf(p.name)} (pmxform manages Samba shares as one file each under ${SMB_DIR})`;
}

/** Every pmxform-format share file (with the header) of every node read. */
function importableSmb(snapshot: unknown): ImportCandidate[] {
  const out: ImportCandidate[] = [];
  for (const [node, s] of (snapshot as { shares?: Map<string, unknown> } | undefined)?.shares ?? []) {
    const shares = nodeShares(snapshot, node);
    if (!shares || !s) continue;
    for (const [base, text] of shares.smb) {
      const parsed = parseSmbFile(text);
      if (!parsed.owner || !parsed.name || !base.endsWith(".conf") || base.startsWith(".")) continue;
      // identity is what objectKey reads (node + file).
      out.push({ id: `${node}/${parsed.name}`, node, identity: { node, file: `${SMB_DIR}/${base}` }, name: parsed.name, suffix: parsed.name.replace(/[^A-Za-z0-9]+/g, "_"), namePrefix: "smb" });
    }
  }
  return out;
}

function generate(attrs: Attrs): Attrs {
  const out: Attrs = { node: attrs["node"], name: attrs["name"] };
  for (const f of SMB_FIELDS) if (attrs[f.attr] !== null && attrs[f.attr] !== undefined) out[f.attr] = attrs[f.attr];
  return out;
}

export const smbShare: ResourceType = {
  type: "smb_share",
  blocks: smbShareBlocks,
  schema: smbShareSchema,
  sensitiveAttributes: [],
  hiddenAttributes: ["owner"],
  ...shareIdentity("smb"),
  validate: validateSmb,
  diff: diffSmb,
  read: ({ prior, snapshot }) => readSmb(prior, snapshot),
  create: ({ address, config, operations }, ctx) => writeSmb(address, config, operations, ctx),
  update: ({ address, config, operations }, ctx) => writeSmb(address, config, operations, ctx),
  delete: ({ prior }, ctx) => deleteSmb(String(prior["node"]), String(prior["file"] ?? smbFileOf(String(prior["name"]))), ctx),
  import: ({ id, snapshot }) => importSmb(id, snapshot),
  explainImportMiss: explainMiss,
  importable: importableSmb,
  generateConfig: generate,
  unexpressed: (attrs) => (Array.isArray(attrs["unmanaged"]) ? attrs["unmanaged"].map((l) => `${String(l)} (removed by the next apply)`) : []),
};
