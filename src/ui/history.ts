// The history of applies the web view shows: the audit log's records (written by every apply,
// CLI, web or MCP, next to the state). Only this file knows where the log is and how a record
// reads, so the path can be repointed when the audit log lands.
import { readFile } from "node:fs/promises";

/** The audit log of the local backend's state file. */
export function auditLogPath(statePath: string): string {
  return `${statePath}.audit.jsonl`;
}

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

/** Reads the records, newest first; a missing log is no history, and a line that is not a JSON object is skipped. */
export async function readHistory(path: string): Promise<HistoryEntry[]> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch {
    return [];
  }
  const entries: HistoryEntry[] = [];
  for (const line of text.split("\n")) {
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
