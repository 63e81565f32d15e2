// The audit log end to end through the CLI on the simulator: every apply and destroy (planned
// inline or from a saved plan, succeeded or failed) appends a record beside the state; `audit
// verify` passes, then fails naming the record after one is edited or deleted; concurrent applies
// on one state are serialised by the state lock into one unbroken chain.
import { createHash } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { BUILT, NOT_BUILT, SIM_NODE, Workdir, cli, container } from "../e2e/helpers.js";

const CONFIG = SIM_NODE + container("app", `  vmid     = 170\n  hostname = "app"\n  memory   = 512`);
const LOG = "pmxform.state.json.audit.jsonl";

interface Listed {
  intact: boolean;
  records: { seq: number; user: string; origin: string; operation: string; plan_hash: string; plan_source: string; result: string; counts: Record<string, number> }[];
  problem?: { line: number; seq?: number; reason: string };
}

const listed = async (w: Workdir): Promise<Listed> => JSON.parse((await w.run("audit", "list", "--json")).stdout) as Listed;

describe.skipIf(!BUILT)(`audit log${BUILT ? "" : ` (skipped: ${NOT_BUILT})`}`, () => {
  let w: Workdir;
  beforeEach(async () => {
    w = new Workdir("pmx-audit-");
    w.write("main.pmx.hcl", CONFIG);
    expect((await w.run("sim", "init", "sim")).code).toBe(0);
  });
  afterEach(() => w.remove());

  it("records apply (inline and saved plan), a failed apply and destroy, with user and origin", async () => {
    expect((await w.run("audit", "verify")).stdout).toContain("is empty");
    expect((await cli(w.dir, ["apply", "--auto-approve"], { PMXFORM_USER: "alice" })).code).toBe(0);

    w.write("main.pmx.hcl", CONFIG.replace("memory   = 512", "memory   = 640"));
    expect((await w.run("plan", "-out=p.plan")).code).toBe(0);
    const planHash = createHash("sha256")
      .update(readFileSync(w.path("p.plan")))
      .digest("hex");
    expect((await cli(w.dir, ["apply", "p.plan"], { PMXFORM_ORIGIN: "web" })).code).toBe(0);

    // A creation the node refuses: the run fails and is recorded as failed.
    w.write("main.pmx.hcl", CONFIG.replace("memory   = 512", "memory   = 640") + container("db", `  vmid     = 171\n  hostname = "db"`));
    writeFileSync(w.path("sim/faults.json"), JSON.stringify([{ tool: "pct", args: ["create", "171"], exit: 255, stderr: "simulated failure" }]));
    expect((await w.run("apply", "--auto-approve")).code).toBe(1);
    writeFileSync(w.path("sim/faults.json"), "[]");
    expect((await w.run("destroy", "--auto-approve")).code).toBe(0);

    const log = await listed(w);
    expect(log.intact).toBe(true);
    expect(log.records.map((r) => [r.seq, r.origin, r.operation, r.plan_source, r.result])).toEqual([
      [1, "cli", "apply", "inline", "success"],
      [2, "web", "apply", "file", "success"],
      [3, "cli", "apply", "inline", "failed"],
      [4, "cli", "destroy", "inline", "success"],
    ]);
    expect(log.records[0]!.user).toBe("alice");
    expect(log.records[1]!.plan_hash).toBe(planHash);
    expect(log.records[1]!.counts).toMatchObject({ change: 1, add: 0 });
    expect(log.records[2]!.counts).toMatchObject({ add: 0, failed: 1 });
    expect(log.records[3]!.counts).toMatchObject({ destroy: 1 });
    const verified = await w.run("audit", "verify");
    expect(verified.code).toBe(0);
    expect(verified.stdout).toContain("intact: 4 record(s)");
    const text = await w.run("audit", "list");
    expect(text.stdout.split("\n")[1]).toMatch(/^2\t\S+\t\S+\tweb\tapply\tsuccess\t\+0 ~1 -0\tplan [0-9a-f]{12}$/);
  });

  it("verify fails naming the edited record, then the deleted one", async () => {
    expect((await w.run("apply", "--auto-approve")).code).toBe(0);
    w.write("main.pmx.hcl", CONFIG.replace("memory   = 512", "memory   = 640"));
    expect((await w.run("apply", "--auto-approve")).code).toBe(0);
    expect((await w.run("destroy", "--auto-approve")).code).toBe(0);
    const original = readFileSync(w.path(LOG), "utf8");
    const lines = original.trimEnd().split("\n");
    expect(lines).toHaveLength(3);

    // Someone rewrites who ran the second apply.
    writeFileSync(w.path(LOG), [lines[0], lines[1]!.replace('"user":"', '"user":"mallory-'), lines[2]].join("\n") + "\n");
    const edited = await w.run("audit", "verify");
    expect(edited.code).toBe(1);
    expect(edited.stderr).toContain("The audit log is broken at record 2 (line 2)");
    expect(edited.stderr).toContain("does not match its hash");
    const json = JSON.parse((await w.run("audit", "verify", "--json")).stdout) as { intact: boolean; records: number; problem: { line: number } };
    expect(json).toMatchObject({ intact: false, records: 1, problem: { line: 2, seq: 2 } });

    writeFileSync(w.path(LOG), [lines[0], lines[2]].join("\n") + "\n");
    const deleted = await w.run("audit", "verify");
    expect(deleted.code).toBe(1);
    expect(deleted.stderr).toContain("broken at record 3 (line 2)");
    expect(deleted.stderr).toContain("record 2 is missing");
    // list shows only what can be trusted, and fails too.
    const list = await w.run("audit", "list");
    expect(list.code).toBe(1);
    expect(list.stdout.trim().split("\n")).toHaveLength(1);

    writeFileSync(w.path(LOG), original);
    expect((await w.run("audit", "verify")).code).toBe(0);
  });

  it("serialises concurrent applies on one state into one chain", async () => {
    const runs = await Promise.all(Array.from({ length: 4 }, (_, i) => cli(w.dir, ["apply", "--auto-approve", "--lock-timeout=120s"], { PMXFORM_USER: `op${i}` })));
    for (const r of runs) expect(r.code, r.stderr).toBe(0);
    const log = await listed(w);
    expect(log.intact).toBe(true);
    expect(log.records.map((r) => r.seq)).toEqual([1, 2, 3, 4]);
    expect(new Set(log.records.map((r) => r.user))).toEqual(new Set(["op0", "op1", "op2", "op3"]));
    // Exactly one of them created the container; the others found nothing to do.
    expect(log.records.map((r) => r.counts["add"]).sort()).toEqual([0, 0, 0, 1]);
    expect((await w.run("audit", "verify")).code).toBe(0);
  });
});
