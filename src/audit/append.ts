// Recording one apply/destroy run in the audit log of the state it changed: who (os user or
// $PMXFORM_USER), from where ($PMXFORM_ORIGIN: cli, web or mcp), which plan, what it did. Called
// while the run still holds the state's exclusive lock, which is what serialises appenders.
import { appendFileSync } from "node:fs";
import { userInfo } from "node:os";
import { dirname, join } from "node:path";
import type { Diagnostic } from "../diag/diagnostic.js";
import { warning } from "../diag/diagnostic.js";
import type { ApplySummary } from "../engine/apply.js";
import type { AuditLogStorage } from "../state/backends/types.js";
import type { StateStore } from "../state/store.js";
import { chainHead, seal, type AuditEntry, type AuditOrigin, type AuditRecord } from "./record.js";

const ORIGINS: readonly AuditOrigin[] = ["cli", "web", "mcp"];

export function auditOrigin(): AuditOrigin {
  const o = process.env["PMXFORM_ORIGIN"];
  return ORIGINS.includes(o as AuditOrigin) ? (o as AuditOrigin) : "cli";
}

export function auditUser(): string {
  const named = process.env["PMXFORM_USER"];
  if (named) return named;
  try {
    return userInfo().username;
  } catch {
    return process.env["USER"] ?? `uid ${process.getuid?.() ?? "?"}`;
  }
}

/** Set by pmxform mcp's apply_plan for the CLI it runs; meaningless for other origins, so ignored there. */
function approvalOf(): { approval?: string } {
  const a = process.env["PMXFORM_APPROVAL"];
  return auditOrigin() === "mcp" && a ? { approval: a.slice(0, 200) } : {};
}

export function auditLogOf(store: StateStore): AuditLogStorage | undefined {
  return store.backend.auditLog?.(store.workspace);
}

export interface RunFacts {
  operation: AuditEntry["operation"];
  planHash: string;
  planSource: AuditEntry["plan_source"];
  summary?: ApplySummary;
}

export function entryOf(store: StateStore, facts: RunFacts): AuditEntry {
  const s = facts.summary;
  const failed = s ? s.failed.length || s.skipped.length || s.diagnostics.length : 0;
  return {
    time: new Date().toISOString(),
    user: auditUser(),
    origin: auditOrigin(),
    operation: facts.operation,
    workspace: store.workspace,
    plan_hash: facts.planHash,
    plan_source: facts.planSource,
    counts: { import: s?.imported ?? 0, add: s?.added ?? 0, change: s?.changed ?? 0, destroy: s?.destroyed ?? 0, failed: s?.failed.length ?? 0, skipped: s?.skipped.length ?? 0 },
    result: store.errored ? "errored-state" : failed ? "failed" : "success",
    ...approvalOf(),
  };
}

/**
 * Appends the run's record. A log that cannot be written does not undo the run: it is reported
 * as a warning naming the log, with the record itself so it can be kept by hand.
 */
export async function recordRun(store: StateStore, facts: RunFacts): Promise<{ record?: AuditRecord; diagnostic?: Diagnostic }> {
  const log = auditLogOf(store);
  if (!log) return {};
  const entry = entryOf(store, facts);
  let record: AuditRecord | undefined;
  try {
    await log.append((lines) => {
      record = seal(entry, chainHead(lines));
      return JSON.stringify(record);
    });
    return { ...(record ? { record } : {}) };
  } catch (err) {
    const kept = keepUnrecorded(store, entry);
    return {
      diagnostic: warning(
        "The run was not recorded in the audit log",
        `Appending to the audit log (${log.description}) failed: ${err instanceof Error ? err.message : String(err)}. ` +
          (kept.file ? `Its record was kept in ${kept.file} (outside the chain). ` : `Its record was: ${JSON.stringify(entry)} (it could not be kept in ${kept.tried} either: ${kept.error}). `) +
          "Fix the log's storage (the backend down, as for the state, or its permissions); pmxform audit verify checks the chain.",
      ),
    };
  }
}

/** Runs the backend could not record (it is down, like for errored.pmxform.state.json): kept beside the errored state. */
export const UNRECORDED_FILE = "errored.pmxform.audit.jsonl";

function keepUnrecorded(store: StateStore, entry: AuditEntry): { file?: string; tried: string; error?: string } {
  const file = join(store.errored ? dirname(store.errored.file) : process.cwd(), UNRECORDED_FILE);
  try {
    appendFileSync(file, JSON.stringify(entry) + "\n", { mode: 0o600, flag: "a" });
    return { file, tried: file };
  } catch (err) {
    return { tried: file, error: err instanceof Error ? err.message : String(err) };
  }
}
