// The audit log's records and their hash chain: what one apply/destroy run leaves behind, how a
// record is sealed (hash over its canonical JSON, `prev` included) and how a chain is checked.
// Pure: storage lives with the state backends (StateBackend.auditLog).
import { canonicalJson, sha256Hex } from "../plan/canonical.js";

/** `prev` of the first record: no predecessor. */
export const GENESIS = "0".repeat(64);

export type AuditOrigin = "cli" | "web" | "mcp";
export type AuditResult = "success" | "failed" | "errored-state";

export interface AuditCounts {
  import: number;
  add: number;
  change: number;
  destroy: number;
  failed: number;
  skipped: number;
}

/** What a run says about itself; seq, prev and hash are added when it is appended. */
export interface AuditEntry {
  time: string;
  user: string;
  origin: AuditOrigin;
  operation: "apply" | "destroy" | "refresh-only";
  workspace: string;
  /** sha256 of the saved plan file's bytes, or of the in-memory plan's canonical JSON (apply without a file). */
  plan_hash: string;
  /** "file" when a saved plan was applied, "inline" when apply planned itself. */
  plan_source: "file" | "inline";
  counts: AuditCounts;
  result: AuditResult;
  /** Origin mcp only: whose approval let the agent apply ("approval by USER at TIME" or the client's user's confirmation). */
  approval?: string;
}

export interface AuditRecord extends AuditEntry {
  seq: number;
  prev: string;
  hash: string;
}

export function hashOf(record: Omit<AuditRecord, "hash">): string {
  return sha256Hex(canonicalJson(record));
}

/** The record that follows `last` (null: the log is empty). */
export function seal(entry: AuditEntry, last: Pick<AuditRecord, "seq" | "hash"> | null): AuditRecord {
  const unsealed = { seq: (last?.seq ?? 0) + 1, ...entry, prev: last?.hash ?? GENESIS };
  return { ...unsealed, hash: hashOf(unsealed) };
}

export interface ChainProblem {
  /** 1-based line of the log. */
  line: number;
  /** The seq the record claims, when it could be read. */
  seq?: number;
  reason: string;
}

export interface ParsedLog {
  records: AuditRecord[];
  problem?: ChainProblem;
}

/**
 * Reads and checks a log's lines: every record parses, seqs run 1, 2, 3..., each `prev` is the
 * previous record's hash and each hash matches the record's content. Stops at the first problem,
 * returning the records before it.
 */
export function checkChain(lines: readonly string[]): ParsedLog {
  const records: AuditRecord[] = [];
  let prev = GENESIS;
  for (const [i, text] of lines.entries()) {
    const line = i + 1;
    let r: AuditRecord;
    try {
      r = JSON.parse(text) as AuditRecord;
    } catch {
      return { records, problem: { line, reason: "the line is not JSON (truncated or edited)" } };
    }
    if (typeof r !== "object" || r === null || typeof r.hash !== "string" || typeof r.seq !== "number")
      return { records, problem: { line, reason: "the line is not an audit record (no seq or hash)" } };
    const expectedSeq = records.length + 1;
    if (r.seq !== expectedSeq)
      return {
        records,
        problem: {
          line,
          seq: r.seq,
          reason:
            r.seq > expectedSeq ? `record ${expectedSeq}${r.seq - expectedSeq > 1 ? ` to ${r.seq - 1}` : ""} is missing (deleted?)` : `seq ${r.seq} repeats or goes back (expected ${expectedSeq})`,
        },
      };
    if (r.prev !== prev) return { records, problem: { line, seq: r.seq, reason: "its prev does not match the previous record's hash (a record before it was removed or replaced)" } };
    const { hash, ...rest } = r;
    let recomputed: string;
    try {
      recomputed = hashOf(rest);
    } catch {
      return { records, problem: { line, seq: r.seq, reason: "it holds a value canonical JSON cannot represent" } };
    }
    if (recomputed !== hash) return { records, problem: { line, seq: r.seq, reason: "its content does not match its hash (the record was modified)" } };
    records.push(r);
    prev = hash;
  }
  return { records };
}

/**
 * Where the next record chains from: the last line's seq and hash. A damaged last line (a crash
 * mid-write, an edit) is chained from by its position and the hash of its raw text, so the run is
 * still recorded and `audit verify` still names the damaged line.
 */
export function chainHead(lines: readonly string[]): Pick<AuditRecord, "seq" | "hash"> | null {
  const text = lines.at(-1);
  if (text === undefined) return null;
  try {
    const r = JSON.parse(text) as Partial<AuditRecord>;
    if (typeof r.seq === "number" && typeof r.hash === "string") return { seq: r.seq, hash: r.hash };
  } catch {
    // fall through: damaged line
  }
  return { seq: lines.length, hash: sha256Hex(text) };
}
