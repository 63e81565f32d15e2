// `pmxform mcp` through the official SDK's client over stdio, on the simulator: the tool list and
// annotations, a plan saved by id, apply refused without a person's approval, applied after
// `pmxform approve` or an elicitation the client's user answers with the plan's counts, stale and
// tampered plans refused with the CLI's diagnostics, the audit record (origin mcp) appended and
// verified, and the sensitive variable's value in no tool result.
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { createHash } from "node:crypto";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { BUILT, NOT_BUILT, ROOT, Workdir, cli, simCalls } from "../e2e/helpers.js";
import { CONFIG, SECRET, connect, type Session } from "./helpers.js";

const READ_TOOLS = ["drift", "explain_change", "plan", "show_plan", "state_list", "state_show", "validate"];

const sha256 = (path: string) => createHash("sha256").update(readFileSync(path)).digest("hex");
const planFile = (w: Workdir, id: string) => join(w.dir, ".pmxform/plans", `${id}.plan`);
const created = (w: Workdir) => simCalls(w).filter((c) => c.tool === "pct" && c.argv[0] === "create").length;

interface AuditList {
  intact: boolean;
  records: { seq: number; origin: string; approval?: string; plan_hash: string; plan_source: string; result: string; counts: { add: number } }[];
}

describe.skipIf(!BUILT)(`pmxform mcp${BUILT ? "" : ` (skipped: ${NOT_BUILT})`}`, () => {
  let w: Workdir;
  let s: Session | undefined;
  beforeEach(async () => {
    w = new Workdir("pmx-mcp-");
    w.write("main.pmx.hcl", CONFIG);
    expect((await w.run("sim", "init", "sim")).code).toBe(0);
  });
  afterEach(async () => {
    await s?.close();
    s = undefined;
    // No tool result, whatever the test did, ever held the secret.
    w.remove();
  });
  const noSecret = () => expect([...s!.texts, ...s!.progress].join("\n")).not.toContain(SECRET);

  it("lists read-only tools annotated as such, and apply_plan only with --allow-apply", async () => {
    s = await connect(w);
    const { tools } = await s.client.listTools();
    const names = tools.map((t) => t.name).sort();
    const expected = existsSync(join(ROOT, "catalog")) ? [...READ_TOOLS, "catalog_list"].sort() : READ_TOOLS;
    expect(names).toEqual(expected);
    for (const t of tools) expect(t.annotations?.readOnlyHint, t.name).toBe(true);
    if (names.includes("catalog_list")) {
      const catalog = await s.call("catalog_list");
      expect(catalog.result.isError, JSON.stringify(catalog.json)).toBeFalsy();
      expect((catalog.json["apps"] as unknown[]).length).toBeGreaterThan(0);
    }
    await s.close();

    s = await connect(w, ["--allow-apply"]);
    const withApply = (await s.client.listTools()).tools;
    const apply = withApply.find((t) => t.name === "apply_plan");
    expect(apply?.annotations).toMatchObject({ readOnlyHint: false, destructiveHint: true });
    expect(apply?.inputSchema.required).toEqual(["plan_id"]);
    // No tool lets the agent approve its own plan.
    expect(withApply.map((t) => t.name).filter((n) => /approv/.test(n))).toEqual([]);
    await s.close();

    // --dir serves a project other than the server's working directory; plans are saved there.
    const elsewhere = new Workdir("pmx-mcp-cwd-");
    try {
      s = await connect(w, ["--dir", w.dir], undefined, elsewhere.dir);
      const planned = await s.call("plan");
      expect(planned.result.isError, JSON.stringify(planned.json)).toBeFalsy();
      expect(existsSync(planFile(w, planned.json["plan_id"] as string))).toBe(true);
      expect(existsSync(join(elsewhere.dir, ".pmxform"))).toBe(false);
    } finally {
      elsewhere.remove();
    }
  });

  it("plans by id, refuses apply without approval, applies after pmxform approve, and audits it as mcp", async () => {
    s = await connect(w, ["--allow-apply"]);
    const v = await s.call("validate");
    expect(v.json["valid"]).toBe(true);

    const planned = await s.call("plan");
    expect(planned.result.isError).toBeFalsy();
    const id = planned.json["plan_id"] as string;
    expect(planned.json["sha256"]).toBe(sha256(planFile(w, id)));
    expect(planned.json["summary"]).toMatchObject({ add: 1, change: 0, destroy: 0 });
    expect(planned.json["changes"]).toEqual([{ address: "lxc_container.app", actions: ["create"] }]);

    const shown = await s.call("show_plan", { plan_id: id });
    expect((shown.json["resource_changes"] as unknown[]).length).toBe(1);
    expect(shown.json["variables"]).toMatchObject({ pw: { sensitive: true } });
    const explained = await s.call("explain_change", { plan_id: id, address: "lxc_container.app" });
    expect(explained.json).toMatchObject({ address: "lxc_container.app", change: { actions: ["create"], after: { memory: 512 } } });
    const unknown = await s.call("explain_change", { plan_id: id, address: "lxc_container.nope" });
    expect(unknown.result.isError).toBe(true);
    const escape = await s.call("show_plan", { plan_id: "../../etc/passwd" });
    expect(escape.result.isError).toBe(true);

    // This client cannot be asked (no elicitation) and nobody approved: nothing happens.
    const refused = await s.call("apply_plan", { plan_id: id });
    expect(refused.result.isError).toBe(true);
    expect(refused.json["error"]).toBe("The plan is not approved");
    expect(refused.json["detail"]).toContain(`pmxform approve ${id}`);
    expect(created(w)).toBe(0);
    expect(existsSync(w.path("pmxform.state.json.audit.jsonl"))).toBe(false);

    const approved = await cli(w.dir, ["approve", id, "--auto-approve"]);
    expect(approved.code, approved.stderr).toBe(0);
    expect(approved.stdout).toContain('+ resource "lxc_container" "app"');
    const approval = JSON.parse(readFileSync(w.path(`.pmxform/approvals/${id}.json`), "utf8")) as Record<string, string>;
    expect(approval).toMatchObject({ plan_id: id, plan_hash: sha256(planFile(w, id)) });

    const applied = await s.call("apply_plan", { plan_id: id });
    expect(applied.result.isError, JSON.stringify(applied.json)).toBeFalsy();
    expect(applied.json["apply_summary"]).toMatchObject({ add: 1, failed: 0 });
    expect(applied.json["approved_by"]).toContain("approval by");
    expect(created(w)).toBe(1);
    // The apply's progress lines reached the client as progress notifications.
    expect(s.progress.some((m) => m.includes("lxc_container.app: Creation complete"))).toBe(true);

    expect((await s.call("state_list")).json["resources"]).toEqual(["lxc_container.app"]);
    const st = await s.call("state_show", { address: "lxc_container.app" });
    expect(st.json).toMatchObject({ address: "lxc_container.app", values: { memory: 512 } });
    expect((await s.call("drift")).json["drifted"]).toBe(0);

    const audit = await cli(w.dir, ["audit", "list", "--json"]);
    const log = JSON.parse(audit.stdout) as AuditList;
    expect(log.intact).toBe(true);
    expect(log.records).toHaveLength(1);
    expect(log.records[0]).toMatchObject({ seq: 1, origin: "mcp", plan_hash: sha256(planFile(w, id)), plan_source: "file", result: "success", counts: { add: 1 } });
    expect(log.records[0]!.approval).toMatch(/^approval by \S+ at \d{4}-/);
    expect((await cli(w.dir, ["audit", "verify"])).code).toBe(0);

    // Applied once: the approval was spent, so the same plan again is refused before the CLI
    // (hostile.test.ts shows the CLI's stale-plan check refuses it too when the approval is put back).
    const again = await s.call("apply_plan", { plan_id: id });
    expect(again.result.isError).toBe(true);
    expect(again.json["error"]).toBe("The plan is not approved");
    expect(created(w)).toBe(1);
    noSecret();
  });

  it("applies after the client's user echoes the counts through elicitation, and not otherwise", async () => {
    const asked: string[] = [];
    let answer: Record<string, number> | "decline" = "decline";
    s = await connect(w, ["--allow-apply"], (message) => {
      asked.push(message);
      return answer === "decline" ? { action: "decline" } : { action: "accept", content: answer };
    });
    const id = (await s.call("plan")).json["plan_id"] as string;

    const declined = await s.call("apply_plan", { plan_id: id });
    expect(declined.result.isError).toBe(true);
    expect(asked[0]).toContain(`plan ${id}`);
    expect(asked[0]).toContain("1 to add, 0 to change, 0 to destroy");

    answer = { add: 1, change: 0, destroy: 1 };
    const wrong = await s.call("apply_plan", { plan_id: id });
    expect(wrong.result.isError).toBe(true);
    expect(wrong.json["detail"]).toContain("do not match");
    expect(created(w)).toBe(0);

    answer = { add: 1, change: 0, destroy: 0 };
    const ok = await s.call("apply_plan", { plan_id: id });
    expect(ok.result.isError, JSON.stringify(ok.json)).toBeFalsy();
    expect(ok.json["approved_by"]).toBe("confirmation by the client's user");
    expect(created(w)).toBe(1);
    expect(asked).toHaveLength(3);
    const log = JSON.parse((await cli(w.dir, ["audit", "list", "--json"])).stdout) as AuditList;
    expect(log.records.map((r) => [r.origin, r.approval])).toEqual([["mcp", "confirmation by the client's user"]]);
    noSecret();
  });

  it("refuses a plan made stale by another run in between, even when approved", async () => {
    s = await connect(w, ["--allow-apply"]);
    const first = (await s.call("plan")).json["plan_id"] as string;
    expect((await cli(w.dir, ["approve", first, "--auto-approve"])).code).toBe(0);
    // Someone applies from the CLI between plan and apply_plan (same configuration: only the state moved).
    const direct = await cli(w.dir, ["apply", "--auto-approve"], { PMXFORM_VAR_pw: SECRET });
    expect(direct.code, direct.stderr).toBe(0);
    expect(created(w)).toBe(1);

    const stale = await s.call("apply_plan", { plan_id: first });
    expect(stale.result.isError).toBe(true);
    const text = JSON.stringify(stale.json);
    expect(text).toContain("Saved plan is stale");
    // The diagnostic names the plan as the agent knows it, not the server's private copy.
    expect(text).toContain(`.pmxform/plans/${first}.plan`);
    expect(text).not.toContain("pmxform-mcp-apply-");
    expect(created(w)).toBe(1);
    const log = JSON.parse((await cli(w.dir, ["audit", "list", "--json"])).stdout) as AuditList;
    expect(log.records.map((r) => [r.origin, r.plan_source])).toEqual([["cli", "inline"]]);
    noSecret();
  });

  it("refuses a plan file modified after approval, and a modified one the user would confirm", async () => {
    s = await connect(w, ["--allow-apply"], () => ({ action: "accept", content: { add: 1, change: 0, destroy: 0 } }));
    const id = (await s.call("plan")).json["plan_id"] as string;
    expect((await cli(w.dir, ["approve", id, "--auto-approve"])).code).toBe(0);
    const path = planFile(w, id);
    const original = readFileSync(path, "utf8");
    writeFileSync(path, original.replace('"memory": 512', '"memory": 4096'));
    expect(readFileSync(path, "utf8")).not.toBe(original);

    const afterApproval = await s.call("apply_plan", { plan_id: id });
    expect(afterApproval.result.isError).toBe(true);
    expect(afterApproval.json["error"]).toBe("The plan file changed after it was approved");

    // A person cannot approve the modified file either: its checksum no longer matches.
    const reapprove = await cli(w.dir, ["approve", id, "--auto-approve"]);
    expect(reapprove.code).toBe(1);
    expect(reapprove.stderr).toMatch(/checksum|modified/i);

    // Without the approval, the elicitation path reaches the CLI, which refuses the file.
    const approvalFile = w.path(`.pmxform/approvals/${id}.json`);
    writeFileSync(approvalFile, "not an approval");
    const confirmed = await s.call("apply_plan", { plan_id: id });
    expect(confirmed.result.isError).toBe(true);
    expect(JSON.stringify(confirmed.json)).toMatch(/checksum|modified/i);
    expect(created(w)).toBe(0);
    expect(existsSync(w.path("pmxform.state.json.audit.jsonl"))).toBe(false);
    noSecret();
  });
});
