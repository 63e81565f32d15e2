// Who owns a container. A container pmxform creates carries a marker tag bound to the state's
// lineage and the resource address, so no two projects (states) ever give the same marker; a
// state entry records the marker of the container it created or imported (none for an imported
// container without one), and nothing is changed or destroyed unless the live container still
// carries exactly that. See docs/provider-lxc.md (Marker) and docs/decisions.md.
import { parseConf } from "../../src/pve/conf.js";
import type { Attrs, RecordedIntent } from "../../src/provider/types.js";
import { attrsFromConf } from "./attrs.js";
import { readConfText, type ConfTarget } from "./conf-write.js";
import { sha256 } from "./desired.js";

/** The marker of containers created for `address` by the state with `lineage`. */
export function markerFor(lineage: string, address: string): string {
  return `pmxform-${sha256(`${lineage}\n${address}`).slice(0, 8)}`;
}

/**
 * The marker pmxform gave before markers were bound to the lineage: the same for the address in
 * every project. Containers already in a state keep it (their entries recorded it); it never
 * proves that an unrecorded container is this state's.
 */
export function legacyMarkerFor(address: string): string {
  return `pmxform-${sha256(address).slice(0, 8)}`;
}

const markerOf = (a: Attrs): string | undefined => (typeof a["marker"] === "string" ? a["marker"] : undefined);

/** The object a state entry names, for finding two entries that claim one container. */
export function containerId(a: Attrs): string | undefined {
  return typeof a["node"] === "string" && typeof a["vmid"] === "number" ? `${a["node"]}/${a["vmid"]}` : undefined;
}

/** The container's key on its cluster (ResourceType.objectKey): its vmid, which no migration changes. */
export function containerKey(a: Attrs): string | undefined {
  return a["vmid"] !== undefined ? `vmid ${String(a["vmid"])}` : undefined;
}

/** The container a recorded intent names (ResourceType.intentObject): the vmid it was recorded with. */
export function containerOfIntent(intent: RecordedIntent): Attrs | undefined {
  return intent.vmid !== undefined ? { node: intent.node, vmid: intent.vmid } : undefined;
}

/** What apply's progress lines show for a container (ResourceType.progressId). */
export function containerProgressId(a: Attrs): string | undefined {
  return a["vmid"] !== undefined && a["vmid"] !== null ? `vmid=${String(a["vmid"])}` : undefined;
}

/** The node part of an import id ("pve1/105" -> "pve1", ResourceType.importNode). */
export function importIdNode(id: string): string | undefined {
  const m = /^([^/\s]+)\//.exec(id.trim());
  return m?.[1];
}

function describeLive(live: Attrs): string {
  const m = markerOf(live);
  const name = typeof live["hostname"] === "string" ? ` (hostname ${live["hostname"]})` : "";
  return m ? `it carries the marker ${m}${name}, so it belongs to another pmxform state or address` : `it carries no pmxform marker${name}: pmxform did not create it, or its marker tag was removed`;
}

/**
 * Why the container read for a state entry is not the one the entry recorded (undefined when it
 * is): the recorded marker, or its absence for an imported unmarked container, must match.
 */
export function ownerConflict(address: string, recorded: Attrs, live: Attrs): string | undefined {
  const want = markerOf(recorded);
  if (want === markerOf(live)) return undefined;
  const id = containerId(live) ?? containerId(recorded) ?? `vmid ${String(live["vmid"])}`;
  const mine = want ? `${address} recorded the container carrying ${want}` : `${address} recorded a container without a pmxform marker (imported)`;
  return `container ${id} is not the one ${address} manages: ${describeLive(live)}; ${mine}. If the marker tag was removed by hand, add it back (pct set ${String(live["vmid"])} --tags ...); if ${address}'s container is gone, remove the entry with "pmxform state rm ${address}" (nothing on the cluster is touched) and plan again`;
}

/**
 * Apply-time check before the first step that changes or destroys a container: its conf is read
 * now and must carry the marker `prior` recorded. Returns the text read (callers may reuse it).
 */
export async function assertOwnContainer(t: ConfTarget, prior: Attrs): Promise<string> {
  const text = await readConfText(t);
  const live = attrsFromConf(t.vmid, t.node, parseConf(text, String(t.vmid)), false);
  const conflict = ownerConflict(t.address, prior, live);
  if (conflict) throw new Error(`${t.address}: nothing was done: ${conflict}.`);
  return text;
}

/**
 * An imported container carrying a pmxform marker this state would not give `address`: another
 * project created it (or this one at another address). Managing it from two states lets either
 * change or destroy it, so import says so.
 */
export function foreignOwner(address: string, attrs: Attrs, lineage: string): string | undefined {
  const m = markerOf(attrs);
  if (!m || m === markerFor(lineage, address)) return undefined;
  const id = containerId(attrs) ?? `vmid ${String(attrs["vmid"])}`;
  return `container ${id} carries the pmxform marker ${m}, which this state does not give ${address}: another pmxform project (or this one under another address) created it`;
}
