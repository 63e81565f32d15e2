// The audit chain (src/audit/record.ts) and its file storage: a sealed log verifies; any single
// edit, deletion, reordering or truncation is found and named at the record it hits (seeded random
// mutations over random logs); appends land at the end even after a damaged last line.
import { mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { chainHead, checkChain, GENESIS, seal, type AuditEntry, type AuditRecord } from "../../src/audit/record.js";
import { FileAuditLog } from "../../src/state/backends/audit-file.js";
import { prng } from "../helpers/prng.js";

const SEED = Number(process.env["PMXFORM_AUDIT_SEED"] ?? 20261207);

function entry(rand: () => number, i: number): AuditEntry {
  const n = () => Math.floor(rand() * 5);
  return {
    time: new Date(Date.UTC(2026, 11, 7, 12, 0, i)).toISOString(),
    user: ["alice", "bob", "ci-runner", "ünïcode"][Math.floor(rand() * 4)]!,
    origin: (["cli", "web", "mcp"] as const)[Math.floor(rand() * 3)]!,
    operation: (["apply", "destroy", "refresh-only"] as const)[Math.floor(rand() * 3)]!,
    workspace: "default",
    plan_hash: Array.from({ length: 64 }, () => "0123456789abcdef"[Math.floor(rand() * 16)]).join(""),
    plan_source: rand() < 0.5 ? "file" : "inline",
    counts: { import: n(), add: n(), change: n(), destroy: n(), failed: n(), skipped: n() },
    result: (["success", "failed", "errored-state"] as const)[Math.floor(rand() * 3)]!,
  };
}

function log(rand: () => number, length: number): string[] {
  const lines: string[] = [];
  let last: AuditRecord | null = null;
  for (let i = 0; i < length; i++) {
    last = seal(entry(rand, i), last);
    lines.push(JSON.stringify(last));
  }
  return lines;
}

describe("audit chain", () => {
  it("seals records into a chain that verifies, starting from the genesis hash", () => {
    const lines = log(prng(SEED), 4);
    const parsed = checkChain(lines);
    expect(parsed.problem).toBeUndefined();
    expect(parsed.records.map((r) => r.seq)).toEqual([1, 2, 3, 4]);
    expect(parsed.records[0]!.prev).toBe(GENESIS);
    expect(parsed.records[2]!.prev).toBe(parsed.records[1]!.hash);
    expect(chainHead(lines)).toEqual({ seq: 4, hash: parsed.records[3]!.hash });
  });

  it("names the record an edit, a deletion, a swap or a cut hits (seeded random logs and mutations)", () => {
    const rand = prng(SEED);
    for (let trial = 0; trial < 300; trial++) {
      const length = 2 + Math.floor(rand() * 8);
      const lines = log(rand, length);
      const k = Math.floor(rand() * length);
      const kind = ["edit-byte", "edit-field", "delete", "swap", "truncate"][Math.floor(rand() * 5)]!;
      const mutated = [...lines];
      const expectedLine = k + 1;
      if (kind === "edit-byte") {
        const text = lines[k]!;
        const at = Math.floor(rand() * text.length);
        const replacement = text[at] === "x" ? "y" : "x";
        mutated[k] = text.slice(0, at) + replacement + text.slice(at + 1);
      } else if (kind === "edit-field") {
        const r = JSON.parse(lines[k]!) as AuditRecord;
        r.counts.destroy += 1;
        mutated[k] = JSON.stringify(r);
      } else if (kind === "delete") {
        if (k === length - 1) continue; // the last record's removal leaves a valid shorter chain (docs/audit.md)
        mutated.splice(k, 1);
      } else if (kind === "swap") {
        if (k === length - 1) continue;
        [mutated[k], mutated[k + 1]] = [mutated[k + 1]!, mutated[k]!];
      } else {
        mutated[k] = lines[k]!.slice(0, Math.floor(rand() * lines[k]!.length));
      }
      const { problem, records } = checkChain(mutated);
      const why = `seed ${SEED} trial ${trial}: ${kind} of record ${k + 1} of ${length}`;
      expect(problem, why).toBeDefined();
      expect(problem!.line, why).toBe(expectedLine);
      expect(records, why).toHaveLength(expectedLine - 1);
    }
  });

  it("reports a deleted record by the seq that is missing", () => {
    const lines = log(prng(SEED + 1), 5);
    const { problem } = checkChain([lines[0]!, lines[2]!, lines[3]!, lines[4]!]);
    expect(problem).toMatchObject({ line: 2, seq: 3, reason: "record 2 is missing (deleted?)" });
    const edited = JSON.parse(lines[1]!) as AuditRecord;
    edited.user = "mallory";
    expect(checkChain([lines[0]!, JSON.stringify(edited)]).problem).toMatchObject({ line: 2, seq: 2, reason: expect.stringContaining("modified") });
  });
});

describe("audit log file", () => {
  const dirs: string[] = [];
  const tmp = () => {
    const d = mkdtempSync(join(tmpdir(), "pmx-audit-"));
    dirs.push(d);
    return d;
  };
  afterEach(() => {
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  it("appends records that chain, with mode 0600", async () => {
    const path = join(tmp(), "s.json.audit.jsonl");
    const file = new FileAuditLog(path);
    expect(await file.lines()).toEqual([]);
    const rand = prng(SEED + 2);
    for (let i = 0; i < 3; i++) await file.append((lines) => JSON.stringify(seal(entry(rand, i), chainHead(lines))));
    expect(checkChain(await file.lines()).records).toHaveLength(3);
    const { statSync } = await import("node:fs");
    expect(statSync(path).mode & 0o777).toBe(0o600);
  });

  it("after a cut-off last line, the next record starts on its own line and verify names the damage", async () => {
    const path = join(tmp(), "s.json.audit.jsonl");
    const lines = log(prng(SEED + 3), 2);
    writeFileSync(path, `${lines[0]}\n${lines[1]!.slice(0, 40)}`);
    const file = new FileAuditLog(path);
    await file.append((ls) => JSON.stringify(seal(entry(prng(1), 9), chainHead(ls))));
    const after = readFileSync(path, "utf8").split("\n");
    expect(after).toHaveLength(4);
    expect(after[1]).toBe(lines[1]!.slice(0, 40));
    expect((JSON.parse(after[2]!) as AuditRecord).seq).toBe(3);
    expect(checkChain(await file.lines()).problem).toMatchObject({ line: 2, reason: expect.stringContaining("not JSON") });
  });

  it("refuses to append through a planted symbolic link", async () => {
    const d = tmp();
    writeFileSync(join(d, "elsewhere"), "");
    symlinkSync(join(d, "elsewhere"), join(d, "s.json.audit.jsonl"));
    const file = new FileAuditLog(join(d, "s.json.audit.jsonl"));
    await expect(file.append(() => "{}")).rejects.toThrow(/symbolic link/);
    expect(readFileSync(join(d, "elsewhere"), "utf8")).toBe("");
  });
});
