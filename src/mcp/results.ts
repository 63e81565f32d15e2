// What a tool returns: one text block of pretty JSON (what agents read), marked as an error when
// the CLI refused or failed. Diagnostics pass through as the CLI's --json gives them.
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import type { CliOutcome } from "./cli.js";
import { jsonOf } from "./cli.js";

export function ok(value: unknown): CallToolResult {
  return { content: [{ type: "text", text: JSON.stringify(value, null, 2) }] };
}

export function refused(summary: string, detail: string, extra: Record<string, unknown> = {}): CallToolResult {
  return { isError: true, content: [{ type: "text", text: JSON.stringify({ error: summary, detail, ...extra }, null, 2) }] };
}

/** A CLI run that failed: its diagnostics (from the --json document, else its stderr). */
export function cliFailed(what: string, out: CliOutcome): CallToolResult {
  const doc = jsonOf(out);
  const diagnostics = doc?.["diagnostics"] ?? out.stderr.trim();
  return { isError: true, content: [{ type: "text", text: JSON.stringify({ error: `${what} failed (pmxform exit code ${out.code})`, diagnostics }, null, 2) }] };
}

interface ResourceChange {
  address: string;
  change: { actions: string[] };
  action_reason?: string;
  reasons?: unknown[];
}

/** Counts as `plan --json`'s summary has them, from a document's resource_changes (show -json of a plan has no summary). */
export function countsOf(doc: Record<string, unknown>): { import: number; add: number; change: number; destroy: number } {
  const counts = { import: 0, add: 0, change: 0, destroy: 0 };
  for (const rc of (doc["resource_changes"] ?? []) as (ResourceChange & { change: { importing?: unknown } })[]) {
    const a = rc.change.actions;
    if (rc.change.importing !== undefined) counts.import++;
    if (a.includes("create")) counts.add++;
    if (a.includes("delete")) counts.destroy++;
    if (a.length === 1 && a[0] === "update") counts.change++;
  }
  return counts;
}

/** The changes of a plan document, no-ops left out, for an agent to read at a glance. */
export function changeList(doc: Record<string, unknown>): { address: string; actions: string[]; action_reason?: string; reasons?: unknown[] }[] {
  return ((doc["resource_changes"] ?? []) as ResourceChange[])
    .filter((rc) => !(rc.change.actions.length === 1 && rc.change.actions[0] === "no-op"))
    .map((rc) => ({ address: rc.address, actions: rc.change.actions, ...(rc.action_reason ? { action_reason: rc.action_reason } : {}), ...(rc.reasons ? { reasons: rc.reasons } : {}) }));
}
