// `pmxform audit verify` and `pmxform audit list [--json]`: the hash-chained log of apply/destroy
// runs kept beside the workspace's state (docs/audit.md). Both read without taking the lock.
import type { Diagnostic } from "../diag/diagnostic.js";
import { error } from "../diag/diagnostic.js";
import { contextOf } from "../engine/backend-context.js";
import type { CommonOptions } from "../engine/session.js";
import { auditLogOf } from "../audit/append.js";
import { checkChain, type ParsedLog } from "../audit/record.js";
import { openStore } from "../state/context.js";
import { printDiagnostics } from "./output-format.js";

type AuditOpts = CommonOptions & { json?: boolean };

interface ReadLog {
  where?: string;
  parsed?: ParsedLog;
  total?: number;
  diagnostics: Diagnostic[];
  sources?: ReadonlyMap<string, string>;
}

async function readLog(opts: AuditOpts): Promise<ReadLog> {
  const c = await contextOf({ opts });
  if (!c.ctx) return { diagnostics: c.diagnostics, sources: c.sources };
  try {
    const store = await openStore(c.ctx, { lock: false, lockTimeoutMs: 0, operation: "audit" });
    try {
      const log = auditLogOf(store);
      if (!log) return { diagnostics: [error("No audit log", `The state backend ${store.backend.description} keeps no audit log. Use the local, pg or pve backend.`)] };
      const lines = await log.lines();
      return { where: log.description, parsed: checkChain(lines), total: lines.length, diagnostics: [] };
    } finally {
      await store.release();
    }
  } catch (e) {
    return { diagnostics: [error("Error reading the audit log", e instanceof Error ? e.message : String(e))] };
  }
}

function brokenDiagnostic(read: Required<Pick<ReadLog, "where" | "parsed">>): Diagnostic | undefined {
  const p = read.parsed.problem;
  if (!p) return undefined;
  const n = read.parsed.records.length;
  return error(
    `The audit log is broken at ${p.seq !== undefined ? `record ${p.seq}` : "a damaged record"} (line ${p.line})`,
    `In the audit log (${read.where}), line ${p.line}: ${p.reason}. The ${n} record${n === 1 ? "" : "s"} before it ${n === 1 ? "is" : "are"} intact. Restore the log from a backup, or find out who changed it; pmxform never rewrites it.`,
  );
}

export async function verify(opts: AuditOpts): Promise<number> {
  const read = await readLog(opts);
  if (!read.parsed || !read.where) return (printDiagnostics(read.diagnostics, opts, read.sources), 1);
  const broken = brokenDiagnostic({ where: read.where, parsed: read.parsed });
  const head = read.parsed.records.at(-1);
  if (opts.json) {
    process.stdout.write(
      JSON.stringify(
        {
          format_version: "1.0",
          log: read.where,
          intact: !broken,
          records: read.parsed.records.length,
          ...(head ? { head: { seq: head.seq, hash: head.hash } } : {}),
          ...(read.parsed.problem ? { problem: read.parsed.problem } : {}),
        },
        null,
        2,
      ) + "\n",
    );
    return broken ? 1 : 0;
  }
  if (broken) return (printDiagnostics([broken], opts), 1);
  process.stdout.write(
    head
      ? `The audit log (${read.where}) is intact: ${read.parsed.records.length} record(s), the last is ${head.seq} with hash ${head.hash}.\n`
      : `The audit log (${read.where}) is empty: no apply or destroy has been recorded yet.\n`,
  );
  return 0;
}

export async function list(opts: AuditOpts): Promise<number> {
  const read = await readLog(opts);
  if (!read.parsed || !read.where) return (printDiagnostics(read.diagnostics, opts, read.sources), 1);
  const broken = brokenDiagnostic({ where: read.where, parsed: read.parsed });
  if (opts.json) {
    process.stdout.write(
      JSON.stringify({ format_version: "1.0", log: read.where, intact: !broken, records: read.parsed.records, ...(read.parsed.problem ? { problem: read.parsed.problem } : {}) }, null, 2) + "\n",
    );
    return broken ? 1 : 0;
  }
  if (!read.parsed.records.length && !broken) {
    process.stdout.write(`The audit log (${read.where}) is empty.\n`);
    return 0;
  }
  for (const r of read.parsed.records) {
    const c = r.counts;
    process.stdout.write(
      `${r.seq}\t${r.time}\t${r.user}\t${r.origin}\t${r.operation}\t${r.result}\t+${c.add} ~${c.change} -${c.destroy}${c.import ? ` import ${c.import}` : ""}${c.failed ? ` failed ${c.failed}` : ""}\tplan ${r.plan_hash.slice(0, 12)}\n`,
    );
  }
  // The records after a break cannot be trusted, so they are not listed as if they were.
  if (broken) return (printDiagnostics([broken], opts), 1);
  return 0;
}

export const commands = { verify, list };
