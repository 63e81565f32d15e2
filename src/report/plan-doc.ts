// The parts of the JSON plan representation (docs/json-output.md) the HTML report reads, and the
// review summary computed from them: what gets destroyed, replaced, restarted and which volumes
// lose their data. The report is built from this document, never from a plan file, so it can only
// show what `show -json` already shows: secrets are null in it before the report sees them.

import type { Mirror, OutputChangeJson } from "../commands/plan-json.js";

// The JSON document's own shapes, written once where `plan -json` builds them.
export type { Mirror } from "../commands/plan-json.js";

export interface ResourceChangeDoc {
  address: string;
  type: string;
  name: string;
  index?: number | string;
  previous_address?: string;
  deposed?: string;
  change: {
    actions: string[];
    before: Record<string, unknown> | null;
    after: Record<string, unknown> | null;
    after_unknown: Mirror;
    before_sensitive: Mirror;
    after_sensitive: Mirror;
    importing?: { id: string };
  };
  action_reason?: string;
  reasons?: { path: string[]; reason: string }[];
}

export interface VolumeDeletionDoc {
  address: string;
  volume: string;
  size?: string;
  reason: string;
  when?: string;
}

export type OutputChangeDoc = OutputChangeJson;

export interface ConfigResourceDoc {
  address: string;
  type: string;
  name: string;
  expressions?: Record<string, unknown>;
  depends_on?: string[];
}

export interface PlanDoc {
  pmxform_version?: string;
  timestamp?: string;
  resource_changes: ResourceChangeDoc[];
  resource_drift?: ResourceChangeDoc[];
  volume_deletions?: VolumeDeletionDoc[];
  output_changes?: Record<string, OutputChangeDoc>;
  configuration?: { root_module?: { resources?: ConfigResourceDoc[] } };
}

export type ActionKind = "create" | "update" | "delete" | "replace" | "read" | "no-op";

/** One of Terraform's action lists as a single word. */
export function actionKind(actions: readonly string[]): ActionKind {
  if (actions.includes("create") && actions.includes("delete")) return "replace";
  if (actions.includes("delete")) return "delete";
  if (actions.includes("create")) return "create";
  if (actions.includes("update")) return "update";
  if (actions.includes("read")) return "read";
  return "no-op";
}

export interface PlanCounts {
  import: number;
  add: number;
  change: number;
  destroy: number;
}

/** The plan line's counts, counted as src/plan/render.ts summaryCounts counts them. */
export function planCounts(doc: PlanDoc): PlanCounts {
  const n: PlanCounts = { import: 0, add: 0, change: 0, destroy: 0 };
  for (const c of doc.resource_changes) {
    if (c.change.importing) n.import++;
    const kind = actionKind(c.change.actions);
    if (kind === "create") n.add++;
    else if (kind === "update") n.change++;
    else if (kind === "delete") n.destroy++;
    else if (kind === "replace") {
      n.add++;
      n.destroy++;
    }
  }
  return n;
}

/** "2 to add, 1 to change, 1 to destroy" (with "N to import, " first when there are imports): what the plan line says and what the web view asks a user to type. */
export function countsPhrase(n: PlanCounts): string {
  return `${n.import ? `${n.import} to import, ` : ""}${n.add} to add, ${n.change} to change, ${n.destroy} to destroy`;
}

/** Whether applying the plan would do anything (a plan of only no-ops has nothing to confirm). */
export function hasActions(doc: PlanDoc): boolean {
  return (
    doc.resource_changes.some((c) => actionKind(c.change.actions) !== "no-op" || c.change.importing || c.previous_address) ||
    Object.values(doc.output_changes ?? {}).some((o) => !o.actions.includes("no-op"))
  );
}

export interface Highlights {
  destroys: ResourceChangeDoc[];
  replacements: ResourceChangeDoc[];
  volumeDeletions: VolumeDeletionDoc[];
  restarts: { change: ResourceChangeDoc; paths: string[] }[];
}

/** What a reviewer must see before anything else, in the order the report shows it. */
export function highlights(doc: PlanDoc): Highlights {
  const byAddress = (a: ResourceChangeDoc, b: ResourceChangeDoc) => (a.address < b.address ? -1 : a.address > b.address ? 1 : 0);
  const changes = [...doc.resource_changes].sort(byAddress);
  return {
    destroys: changes.filter((c) => actionKind(c.change.actions) === "delete"),
    replacements: changes.filter((c) => actionKind(c.change.actions) === "replace"),
    volumeDeletions: doc.volume_deletions ?? [],
    restarts: changes
      .map((change) => ({ change, paths: (change.reasons ?? []).filter((r) => r.reason === "requires restart").map((r) => r.path.join(".") || "(whole resource)") }))
      .filter((r) => r.paths.length > 0),
  };
}

/** A resource address without its instance key: `lxc_container.web[0]` → `lxc_container.web`. */
export function configAddress(address: string): string {
  const bracket = address.indexOf("[");
  return bracket < 0 ? address : address.slice(0, bracket);
}

/**
 * The report's view of a plan document: what `show -json PLANFILE` prints (in process, or parsed
 * from a child CLI's stdout). Only the list the report walks is checked; every other field is
 * read defensively where it is used.
 */
export function asPlanDoc(json: unknown): PlanDoc | undefined {
  if (!json || typeof json !== "object" || !Array.isArray((json as { resource_changes?: unknown }).resource_changes)) return undefined;
  return json as PlanDoc;
}
