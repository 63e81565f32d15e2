// The history of applies the web view shows: the audit log's records (written by every apply,
// CLI, web or MCP), read through the configured backend's audit log (src/audit auditLogOf), so
// the local, pg and pve backends all show theirs. Only this file knows how a record reads.
import { auditLogOf } from "../audit/append.js";
import { contextOf } from "../engine/backend-context.js";
import type { CommonOptions } from "../engine/session.js";
import { openStore } from "../state/context.js";

export interface HistoryEntry {
  time?: string;
  user?: string;
  origin?: string;
  planHash?: string;
  counts?: string;
  result?: string;
  /** The record as written, for fields this view does not know. */
  raw: Record<string, unknown>;
}

const str = (v: unknown): string | undefined => (typeof v === "string" ? v : typeof v === "number" || typeof v === "boolean" ? String(v) : undefined);

const COUNT_LABELS: [key: string, label: string, onlyWhenSome: boolean][] = [
  ["import", "to import", true],
  ["add", "to add", false],
  ["change", "to change", false],
  ["destroy", "to destroy", false],
  ["failed", "failed", true],
];

function countsText(v: unknown): string | undefined {
  if (typeof v === "string") return v;
  if (!v || typeof v !== "object") return undefined;
  const c = v as Record<string, unknown>;
  return COUNT_LABELS.filter(([k, , some]) => typeof c[k] === "number" && (!some || Number(c[k]) > 0))
    .map(([k, label]) => `${String(c[k])} ${label}`)
    .join(", ");
}

/** The selected workspace's audit log, unlocked: its description and records, newest first. */
export async function readHistory(opts: CommonOptions): Promise<{ where: string; entries: HistoryEntry[] }> {
  const c = await contextOf({ opts });
  if (!c.ctx) return { where: c.diagnostics.map((d) => d.summary).join("; ") || "the state backend", entries: [] };
  try {
    const store = await openStore(c.ctx, { lock: false, lockTimeoutMs: 0, operation: "ui" });
    try {
      const log = auditLogOf(store);
      if (!log) return { where: `${store.backend.description} (keeps no audit log)`, entries: [] };
      return { where: log.description, entries: parseHistory(await log.lines()) };
    } finally {
      await store.release();
    }
  } finally {
    await c.ctx.backend.close();
  }
}

/** The records, newest first; a line that is not a JSON object is skipped. */
export function parseHistory(lines: readonly string[]): HistoryEntry[] {
  const entries: HistoryEntry[] = [];
  for (const line of lines) {
    if (!line.trim()) continue;
    let raw: unknown;
    try {
      raw = JSON.parse(line);
    } catch {
      continue;
    }
    if (!raw || typeof raw !== "object" || Array.isArray(raw)) continue;
    const r = raw as Record<string, unknown>;
    const entry: HistoryEntry = { raw: r };
    const fields: [keyof HistoryEntry, unknown][] = [
      ["time", r["time"] ?? r["timestamp"]],
      ["user", r["user"]],
      ["origin", r["origin"]],
      ["planHash", r["plan_hash"] ?? r["planHash"]],
      ["counts", countsText(r["counts"])],
      ["result", r["result"] ?? r["status"]],
    ];
    for (const [k, v] of fields) {
      const s = str(v);
      if (s !== undefined) (entry as unknown as Record<string, string>)[k] = s;
    }
    entries.push(entry);
  }
  return entries.reverse();
}
