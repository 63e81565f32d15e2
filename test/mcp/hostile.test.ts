// An agent trying to get around apply_plan's approval gate through the SDK's Client over stdio on
// the simulator: ids that escape .pmxform/plans, approvals copied to another plan, planted through
// a symbolic link, replayed after the apply, two calls racing for one plan, elicitation answers
// that are not an exact echo, and tool arguments of the wrong shape. Nothing may be created that a
// person did not approve, and no result may hold a stack trace or the sensitive variable.
import { copyFileSync, existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { ElicitResult } from "@modelcontextprotocol/sdk/types.js";
import { BUILT, NOT_BUILT, Workdir, cli, simCalls } from "../e2e/helpers.js";
import { CONFIG, SECRET, connect, type Session } from "./helpers.js";

const created = (w: Workdir) => simCalls(w).filter((c) => c.tool === "pct" && c.argv[0] === "create").length;
const STACK = /\n\s+at .*\(.*:\d+:\d+\)|\bat [\w.<>]+ \(file:/;

describe.skipIf(!BUILT)(`pmxform mcp against a hostile agent${BUILT ? "" : ` (skipped: ${NOT_BUILT})`}`, () => {
  let w: Workdir;
  let s: Session | undefined;
  beforeEach(async () => {
    w = new Workdir("pmx-mcp-hostile-");
    w.write("main.pmx.hcl", CONFIG);
    expect((await w.run("sim", "init", "sim")).code).toBe(0);
  });
  afterEach(async () => {
    if (s) {
      const all = [...s.texts, ...s.progress].join("\n");
      expect(all).not.toContain(SECRET);
      expect(all).not.toMatch(STACK);
    }
    await s?.close();
    s = undefined;
    w.remove();
  });
  const plan = async () => (await s!.call("plan")).json["plan_id"] as string;
  const approve = async (id: string) => expect((await cli(w.dir, ["approve", id, "--auto-approve"])).code).toBe(0);

  it("refuses ids that name files outside .pmxform/plans, with the id quoted and cut short", async () => {
    s = await connect(w, ["--allow-apply"]);
    const id = await plan();
    await approve(id);
    // A plan and an approval an attacker left outside the plans directory.
    writeFileSync(w.path("evil.plan"), readFileSync(w.path(`.pmxform/plans/${id}.plan`)));
    const hostile = ["../evil", `../../${w.dir}/evil`, w.path("evil"), `${id}\0`, `${id}/../${id}`, "..", ".", "", "x".repeat(5000), `../plans/${id}`, `${id}.plan`];
    for (const bad of hostile)
      for (const tool of ["apply_plan", "show_plan", "explain_change"]) {
        const r = await s.call(tool, { plan_id: bad, address: "lxc_container.app" });
        expect(r.result.isError, `${tool} ${bad.slice(0, 40)}`).toBe(true);
        expect(String(r.json["error"])).toMatch(/Not a plan id|No such plan/);
        expect(String(r.json["detail"]).length).toBeLessThan(600);
        expect(String(r.json["detail"])).not.toContain("\0");
      }
    expect(created(w)).toBe(0);
  });

  it("an approval copied to another plan id approves nothing, even for the same bytes", async () => {
    s = await connect(w, ["--allow-apply"]);
    const a = await plan();
    const b = await plan();
    await approve(a);
    // Same id inside, other hash: plan b's bytes differ (its own random id is not inside, but its time may be).
    copyFileSync(w.path(`.pmxform/approvals/${a}.json`), w.path(`.pmxform/approvals/${b}.json`));
    const other = await s.call("apply_plan", { plan_id: b });
    expect(other.result.isError).toBe(true);
    // Same hash, other id: b's file replaced by a's approved bytes, a's approval copied as b's.
    copyFileSync(w.path(`.pmxform/plans/${a}.plan`), w.path(`.pmxform/plans/${b}.plan`));
    const sameBytes = await s.call("apply_plan", { plan_id: b });
    expect(sameBytes.result.isError).toBe(true);
    expect(sameBytes.json["error"]).toBe("The plan is not approved");
    expect(created(w)).toBe(0);
    // The genuine approval still works for its own id.
    const real = await s.call("apply_plan", { plan_id: a });
    expect(real.result.isError, JSON.stringify(real.json)).toBeFalsy();
    expect(created(w)).toBe(1);
  });

  it("ignores an approval reached through a symbolic link (file or directory)", async () => {
    s = await connect(w, ["--allow-apply"]);
    const id = await plan();
    await approve(id);
    const approval = w.path(`.pmxform/approvals/${id}.json`);
    const elsewhere = w.path("planted");
    mkdirSync(elsewhere);
    copyFileSync(approval, join(elsewhere, `${id}.json`));
    // The approval file as a link to a copy outside.
    writeFileSync(approval, "");
    const { rmSync } = await import("node:fs");
    rmSync(approval);
    symlinkSync(join(elsewhere, `${id}.json`), approval);
    expect((await s.call("apply_plan", { plan_id: id })).json["error"]).toBe("The plan is not approved");
    // The whole approvals directory as a link.
    rmSync(w.path(".pmxform/approvals"), { recursive: true });
    symlinkSync(elsewhere, w.path(".pmxform/approvals"));
    expect((await s.call("apply_plan", { plan_id: id })).json["error"]).toBe("The plan is not approved");
    expect(created(w)).toBe(0);
  });

  it("applies an approved plan once: a replay finds the approval spent, and a re-planted one a stale plan", async () => {
    s = await connect(w, ["--allow-apply"]);
    const id = await plan();
    await approve(id);
    const approvalText = readFileSync(w.path(`.pmxform/approvals/${id}.json`));
    const first = await s.call("apply_plan", { plan_id: id });
    expect(first.result.isError, JSON.stringify(first.json)).toBeFalsy();
    expect(existsSync(w.path(`.pmxform/approvals/${id}.json`))).toBe(false);
    const replay = await s.call("apply_plan", { plan_id: id });
    expect(replay.json["error"]).toBe("The plan is not approved");
    // Even with the approval put back, the CLI refuses the plan: the state moved when it was applied.
    writeFileSync(w.path(`.pmxform/approvals/${id}.json`), approvalText);
    const stale = await s.call("apply_plan", { plan_id: id });
    expect(stale.result.isError).toBe(true);
    expect(JSON.stringify(stale.json)).toContain("Saved plan is stale");
    expect(created(w)).toBe(1);
    const log = JSON.parse((await cli(w.dir, ["audit", "list", "--json"])).stdout) as { records: unknown[] };
    expect(log.records).toHaveLength(1);
  });

  it("concurrent apply_plan calls for one plan apply it once (one server, and two servers)", async () => {
    s = await connect(w, ["--allow-apply"]);
    const id = await plan();
    await approve(id);
    const both = await Promise.all([s.call("apply_plan", { plan_id: id }), s.call("apply_plan", { plan_id: id })]);
    expect(both.filter((r) => !r.result.isError)).toHaveLength(1);
    expect(created(w)).toBe(1);

    // Two servers on one project: the state lock and the stale-plan check let one through.
    w.write("main.pmx.hcl", CONFIG.replace("vmid     = 170", "vmid     = 170\n  cores    = 2"));
    const id2 = await plan();
    await approve(id2);
    const t = await connect(w, ["--allow-apply"]);
    try {
      const racing = await Promise.all([s.call("apply_plan", { plan_id: id2 }), t.call("apply_plan", { plan_id: id2 })]);
      expect(
        racing.filter((r) => !r.result.isError),
        JSON.stringify(racing.map((r) => r.json)),
      ).toHaveLength(1);
      expect([...t.texts].join("\n")).not.toContain(SECRET);
    } finally {
      await t.close();
    }
    const log = JSON.parse((await cli(w.dir, ["audit", "list", "--json"])).stdout) as { intact: boolean; records: unknown[] };
    expect(log.intact).toBe(true);
    expect(log.records).toHaveLength(2);
  });

  it("an elicitation answer that is not an exact echo refuses: strings, extra fields, cancel, a client error", async () => {
    let answer: () => ElicitResult = () => ({ action: "cancel" });
    s = await connect(w, ["--allow-apply"], () => answer());
    const id = await plan();
    const tries: [string, () => ElicitResult][] = [
      ["cancel", () => ({ action: "cancel" })],
      ["strings", () => ({ action: "accept", content: { add: "1", change: "0", destroy: "0" } })],
      ["booleans", () => ({ action: "accept", content: { add: true, change: false, destroy: false } })],
      ["extra field", () => ({ action: "accept", content: { add: 1, change: 0, destroy: 0, approve_everything: true } })],
      ["missing field", () => ({ action: "accept", content: { add: 1, change: 0 } })],
      ["floats", () => ({ action: "accept", content: { add: 1.0000001, change: 0, destroy: 0 } })],
      [
        "client error",
        () => {
          throw new Error("client blew up");
        },
      ],
    ];
    for (const [what, a] of tries) {
      answer = a;
      const r = await s.call("apply_plan", { plan_id: id });
      expect(r.result.isError, what).toBe(true);
      expect(r.json["error"], what).toBe("The plan was not confirmed");
    }
    expect(created(w)).toBe(0);
    answer = () => ({ action: "accept", content: { add: 1, change: 0, destroy: 0 } });
    expect((await s.call("apply_plan", { plan_id: id })).result.isError).toBeFalsy();
    expect(created(w)).toBe(1);
  });

  it("missing, extra and ill-typed arguments get clear errors, never a stack", async () => {
    s = await connect(w, ["--allow-apply"]);
    const bad: [string, Record<string, unknown>][] = [
      ["apply_plan", {}],
      ["apply_plan", { plan_id: 42 }],
      ["apply_plan", { plan_id: null }],
      ["show_plan", { plan_id: ["a"] }],
      ["explain_change", { plan_id: "x" }],
      ["plan", { destroy: "yes" }],
      ["plan", { targets: "lxc_container.app" }],
      ["state_show", {}],
    ];
    for (const [tool, args] of bad) {
      const result = await s.client.callTool({ name: tool, arguments: args });
      const text = (result.content as { type: string; text: string }[]).map((c) => c.text).join("\n");
      s.texts.push(text);
      expect(result.isError, `${tool} ${JSON.stringify(args)}`).toBe(true);
      expect(text, tool).toMatch(/Input validation error|Invalid arguments/);
    }
    // Extra arguments are ignored, never passed on: a plan with an unknown "out" writes only its own file.
    const extra = await s.call("plan", { out: w.path(".pmxform/approvals/x.json"), destroy: false });
    expect(extra.result.isError, JSON.stringify(extra.json)).toBeFalsy();
    expect(existsSync(w.path(".pmxform/approvals/x.json"))).toBe(false);
    // A target that looks like a flag stays a target: no file is written where it points.
    const flaggy = await s.call("plan", { targets: [`--out=${w.path("pwned.plan")}`] });
    expect(existsSync(w.path("pwned.plan"))).toBe(false);
    expect(JSON.stringify(flaggy.json)).not.toContain(SECRET);
    expect(created(w)).toBe(0);
  });
});
