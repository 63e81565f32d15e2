// The audit log under abuse, through the CLI on the simulator: verify on a log that does not exist
// yet, a run cut off mid-append (the next run still records, verify names the damaged line), two
// workspaces' logs kept apart with a destroy recorded, and a log of tens of
// thousands of records verified (a quadratic check would not finish within the test's timeout).
import { appendFileSync, existsSync, readFileSync, writeFileSync } from "node:fs";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { seal, type AuditEntry, type AuditRecord } from "../../src/audit/record.js";
import { BUILT, NOT_BUILT, SIM_NODE, Workdir, container } from "../e2e/helpers.js";

const CONFIG = SIM_NODE + container("app", `  vmid     = 170\n  hostname = "app"\n  memory   = 512`);
const LOG = "pmxform.state.json.audit.jsonl";

interface Listed {
  intact: boolean;
  records: { seq: number; workspace: string; operation: string; result: string }[];
  problem?: { line: number; reason: string };
}
const listed = async (w: Workdir): Promise<Listed> => JSON.parse((await w.run("audit", "list", "--json")).stdout) as Listed;

describe.skipIf(!BUILT)(`audit log under abuse${BUILT ? "" : ` (skipped: ${NOT_BUILT})`}`, () => {
  let w: Workdir;
  beforeEach(async () => {
    w = new Workdir("pmx-audit-hostile-");
    w.write("main.pmx.hcl", CONFIG);
    expect((await w.run("sim", "init", "sim")).code).toBe(0);
  });
  afterEach(() => w.remove());

  it("verifies a missing log as empty, without creating it", async () => {
    const v = await w.run("audit", "verify", "--json");
    expect(v.code, v.stderr).toBe(0);
    expect(JSON.parse(v.stdout)).toMatchObject({ intact: true, records: 0 });
    expect((await w.run("audit", "list")).stdout).toContain("is empty");
    expect(existsSync(w.path(LOG))).toBe(false);
  });

  it("after a record cut off mid-write, the next run is still recorded and verify names the cut line", async () => {
    expect((await w.run("apply", "--auto-approve")).code).toBe(0);
    const whole = readFileSync(w.path(LOG), "utf8");
    // A crash halfway through appending record 2: half a line, no newline.
    appendFileSync(w.path(LOG), whole.slice(0, Math.floor(whole.length / 2)));
    w.write("main.pmx.hcl", CONFIG.replace("memory   = 512", "memory   = 640"));
    const applied = await w.run("apply", "--auto-approve");
    expect(applied.code, applied.stderr).toBe(0);
    const lines = readFileSync(w.path(LOG), "utf8").split("\n");
    expect(lines).toHaveLength(4); // record 1, the cut line, record 3, the final newline
    expect((JSON.parse(lines[2]!) as AuditRecord).seq).toBe(3);
    const v = await w.run("audit", "verify");
    expect(v.code).toBe(1);
    expect(v.stderr).toContain("(line 2)");
    expect(v.stderr).toMatch(/not JSON \(truncated or edited\)/);
    expect(v.stderr).toContain("The 1 record before it is intact");
  });

  it("keeps two workspaces' logs apart, each with its own chain, destroy recorded", async () => {
    expect((await w.run("apply", "--auto-approve")).code).toBe(0);
    expect((await w.run("workspace", "new", "staging")).code).toBe(0);
    w.write("main.pmx.hcl", CONFIG.replace("vmid     = 170", "vmid     = 171"));
    expect((await w.run("apply", "--auto-approve")).code).toBe(0);
    expect((await w.run("destroy", "--auto-approve")).code).toBe(0);
    const staging = await listed(w);
    expect(staging.intact).toBe(true);
    expect(staging.records.map((r) => [r.seq, r.workspace, r.operation])).toEqual([
      [1, "staging", "apply"],
      [2, "staging", "destroy"],
    ]);
    expect((await w.run("workspace", "select", "default")).code).toBe(0);
    const main = await listed(w);
    expect(main.records.map((r) => [r.seq, r.workspace, r.operation])).toEqual([[1, "default", "apply"]]);
  });

  it("verifies a log of 30,000 records", async () => {
    expect((await w.run("apply", "--auto-approve")).code).toBe(0);
    const first = JSON.parse(readFileSync(w.path(LOG), "utf8").trim()) as AuditRecord;
    const entry: AuditEntry = { ...first };
    for (const k of ["seq", "prev", "hash"]) delete (entry as unknown as Record<string, unknown>)[k];
    const lines: string[] = [JSON.stringify(first)];
    let last: AuditRecord = first;
    for (let i = 1; i < 30000; i++) {
      last = seal({ ...entry, time: new Date(Date.parse(entry.time) + i * 1000).toISOString() }, last);
      lines.push(JSON.stringify(last));
    }
    writeFileSync(w.path(LOG), lines.join("\n") + "\n", { mode: 0o600 });
    const v = await w.run("audit", "verify");
    expect(v.code, v.stderr).toBe(0);
    expect(v.stdout).toContain("intact: 30000 record(s)");
    // The next run appends record 30001 after them.
    w.write("main.pmx.hcl", CONFIG.replace("memory   = 512", "memory   = 640"));
    expect((await w.run("apply", "--auto-approve")).code).toBe(0);
    expect((await w.run("audit", "verify")).stdout).toContain("intact: 30001 record(s)");
  }, 120_000);
});
