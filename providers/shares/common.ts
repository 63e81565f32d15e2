// What smb_share and nfs_share share: which node's files a snapshot holds, the ownership marker
// (the state's lineage in each file's header), identity hooks and the diff's replace rules.
import { Unknown, isUnknown } from "../../src/config/value.js";
import type { Attrs, ChangeReason, DiffRequest, ProviderIssue, ResourceType } from "../../src/provider/types.js";
import { EXPORTS_DIR, SMB_DIR, parseShareId } from "./paths.js";
import { sharesOf, type NodeShares } from "./snapshot.js";

export const known = (v: unknown): boolean => v !== undefined && v !== null && !isUnknown(v);

/** The node's shares from the snapshot: undefined when it was not read or could not be. */
export function nodeShares(snapshot: unknown, node: unknown): NodeShares | undefined {
  if (typeof node !== "string") return undefined;
  const s = sharesOf(snapshot, node);
  return s && !("error" in s) ? s : undefined;
}

/** Changing the node or the name makes another file (another share): a replacement. */
export function replaceReasons(config: Attrs, prior: Attrs, forceReplace: boolean): ChangeReason[] {
  const reasons: ChangeReason[] = [];
  for (const k of ["node", "name"]) if (known(config[k]) && config[k] !== prior[k]) reasons.push({ path: [k], reason: "forces replacement" });
  if (forceReplace) reasons.push({ path: [], reason: "replacement requested with --replace" });
  return reasons;
}

/** The planned owner: this state's lineage (known in a run), written into the file's header at apply. */
export const plannedOwner = (lineage: string | undefined): unknown => lineage ?? new Unknown("string");

/** Deep equality of JSON attribute values, null and absent alike. */
export function sameValue(a: unknown, b: unknown): boolean {
  if ((a === null || a === undefined) && (b === null || b === undefined)) return true;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => sameValue(x, b[i]));
  if (a && b && typeof a === "object" && typeof b === "object" && !Array.isArray(a) && !Array.isArray(b)) {
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    return [...keys].every((k) => sameValue((a as Attrs)[k], (b as Attrs)[k]));
  }
  return a === b;
}

/** Whether anything known in `planned` differs from `prior` (Unknown planned values count as a change). */
export function differs(planned: Attrs, prior: Attrs, keys: string[]): boolean {
  return keys.some((k) => isUnknown(planned[k]) || containsUnknown(planned[k]) || !sameValue(planned[k], prior[k]));
}

function containsUnknown(v: unknown): boolean {
  if (isUnknown(v)) return true;
  if (Array.isArray(v)) return v.some(containsUnknown);
  if (v && typeof v === "object") return Object.values(v).some(containsUnknown);
  return false;
}

export const hasUnknown = containsUnknown;

/** Identity hooks of both types: a share is its file on its node; the file's header names the state that owns it. */
export function shareIdentity(
  kind: "smb" | "nfs",
): Pick<ResourceType, "identityAttributes" | "objectNoun" | "objectId" | "objectKey" | "progressId" | "identityConflict" | "foreignOwner" | "importNode" | "nodeOf"> {
  return {
    nodeOf: (config, prior) => {
      const n = config?.["node"] ?? prior?.["node"];
      return typeof n === "string" ? n : undefined;
    },
    // node and name say which share it is: ignore_changes = all still takes them from the configuration.
    identityAttributes: ["node", "name"],
    objectNoun: "share",
    objectId: (a) => (typeof a["node"] === "string" && typeof a["file"] === "string" ? `${a["node"]}:${a["file"]}` : undefined),
    // A share is a file on one node: the same name on two nodes is two objects.
    objectKey: (a) => (typeof a["node"] === "string" && typeof a["file"] === "string" ? `${a["node"]}:${a["file"]}` : undefined),
    progressId: (a) => (typeof a["file"] === "string" ? `file=${a["file"]}` : undefined),
    importNode: (id) => parseShareId(id)?.node,
    identityConflict: ({ recorded, live }) =>
      typeof recorded["owner"] === "string" && typeof live["owner"] === "string" && recorded["owner"] !== live["owner"]
        ? `${String(live["file"])} on node ${String(live["node"])} now carries another pmxform state's marker (owner ${live["owner"]}), so it is no longer this ${kind} share. Remove this entry (pmxform state rm) or the other state's resource.`
        : undefined,
    foreignOwner: ({ attrs, lineage }) =>
      typeof attrs["owner"] === "string" && attrs["owner"] !== lineage
        ? `${String(attrs["file"])} was written by another pmxform state (owner ${attrs["owner"]}); the next apply marks it as this state's`
        : undefined,
  };
}

/**
 * A share about to be written at `file` where the node already has one: another owner's (or a
 * hand-written one) is an error naming the import that adopts it; this state's own (left by an
 * interrupted apply: the file was written, the state not saved) is rewritten, with a note.
 */
export function takenFileIssue(req: DiffRequest, file: unknown, ownerOf: (text: string) => string | undefined, summary: string): { issues: ProviderIssue[]; notes: { notes?: string[] } } {
  const shares = nodeShares(req.snapshot, req.config["node"]);
  if (!shares || typeof file !== "string") return { issues: [], notes: {} };
  const text = file.startsWith(SMB_DIR + "/") ? shares.smb.get(file.slice(SMB_DIR.length + 1)) : shares.nfs.get(file.slice(EXPORTS_DIR.length + 1));
  if (text === undefined) return { issues: [], notes: {} };
  const owner = ownerOf(text);
  if (owner !== undefined && owner === req.lineage)
    return { issues: [], notes: { notes: [`${file} on node ${String(req.config["node"])} was written by an interrupted apply of this state; apply writes it again`] } };
  const node = String(req.config["node"]);
  return {
    issues: [
      {
        severity: "error",
        path: ["name"],
        summary,
        detail: `Node ${node} already has ${file}${owner ? ` (written by pmxform, owner ${owner})` : ""}. Adopt it with pmxform import ${req.address} ${node}/${String(req.config["name"])}, or choose another name.`,
      },
    ],
    notes: {},
  };
}
