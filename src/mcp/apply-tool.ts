// apply_plan, registered only under `pmxform mcp --allow-apply`. An agent names a saved plan; it
// is applied only when a person has approved exactly that file (pmxform approve: an approval
// record with the plan's id and sha256), or when the person at the client confirms through MCP
// elicitation by typing the plan's counts back. The apply itself is the CLI's `apply PLANFILE`
// (stale and tampered plans refused there, audit record with origin mcp), run on a private copy of
// the bytes that were checked, so the file cannot be swapped between the check and the apply.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import type { RequestHandlerExtra } from "@modelcontextprotocol/sdk/shared/protocol.js";
import type { CallToolResult, ServerNotification, ServerRequest } from "@modelcontextprotocol/sdk/types.js";
import { z } from "zod";
import { consumeApproval, readApproval, sha256OfBytes } from "./approvals.js";
import { jsonOf, runCli, type CliHost } from "./cli.js";
import { savedPlan } from "./read-tools.js";
import { cliFailed, countsOf, ok, refused } from "./results.js";

type Counts = ReturnType<typeof countsOf>;

/** Asks the person at the client to type the plan's counts back; true only for an exact echo. */
async function confirmedByPerson(server: McpServer, id: string, hash: string, counts: Counts): Promise<{ ok: boolean; why: string }> {
  const answer = await server.server.elicitInput({
    mode: "form",
    message:
      `An agent asks to apply pmxform plan ${id} (sha256 ${hash.slice(0, 16)}…): ${counts.add} to add, ${counts.change} to change, ${counts.destroy} to destroy` +
      `${counts.import ? `, ${counts.import} to import` : ""}. To approve, type these numbers into the fields; anything else refuses.`,
    requestedSchema: {
      type: "object",
      properties: {
        add: { type: "integer", title: "to add" },
        change: { type: "integer", title: "to change" },
        destroy: { type: "integer", title: "to destroy" },
      },
      required: ["add", "change", "destroy"],
    },
  });
  if (answer.action !== "accept") return { ok: false, why: `the person ${answer.action === "decline" ? "declined" : "cancelled"}` };
  // An exact echo: the three fields as integers and nothing else. A client that coerces or pads
  // the answer is not showing its user what was asked.
  const c = answer.content ?? {};
  const keys = Object.keys(c).sort();
  const echoed = keys.join(",") === "add,change,destroy" && c["add"] === counts.add && c["change"] === counts.change && c["destroy"] === counts.destroy;
  return echoed ? { ok: true, why: "" } : { ok: false, why: "the counts typed back do not match the plan's exactly (three integers: add, change, destroy, nothing else)" };
}

/** The elicitation's outcome; a client that fails or answers off-schema refuses, never throws. */
async function askPerson(server: McpServer, id: string, hash: string, counts: Counts): Promise<{ ok: boolean; why: string }> {
  try {
    return await confirmedByPerson(server, id, hash, counts);
  } catch (e) {
    return { ok: false, why: `the confirmation failed (${e instanceof Error ? e.message : String(e)})` };
  }
}

/** Plan ids this server is applying now: a second call for one of them is refused, not queued. */
const applying = new Set<string>();

export function registerApplyTool(server: McpServer, host: CliHost): void {
  server.registerTool(
    "apply_plan",
    {
      title: "Apply an approved plan",
      description:
        "Applies a saved plan by id, exactly as `pmxform apply PLANFILE`. Refused unless a person approved this plan file (`pmxform approve <plan_id>`) or confirms it now when asked (elicitation). Stale plans (the state changed since) and modified plan files are refused.",
      inputSchema: { plan_id: z.string().describe("a plan id returned by the plan tool") },
      annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: false, openWorldHint: true },
    },
    async ({ plan_id }, extra) => {
      const found = savedPlan(host, plan_id);
      if ("refusal" in found) return found.refusal;
      if (applying.has(plan_id)) return refused("The plan is being applied", `Plan ${plan_id} is being applied by another apply_plan call now. Nothing more was applied; wait for that call's result.`);
      applying.add(plan_id);
      try {
        return await applyChecked(server, host, plan_id, found.path, extra);
      } finally {
        applying.delete(plan_id);
      }
    },
  );
}

type ToolExtra = RequestHandlerExtra<ServerRequest, ServerNotification>;

async function applyChecked(server: McpServer, host: CliHost, plan_id: string, planFilePath: string, extra: ToolExtra): Promise<CallToolResult> {
  const found = { path: planFilePath };
  let bytes: Buffer;
  try {
    bytes = readFileSync(found.path);
  } catch (e) {
    return refused("The plan file cannot be read", `${e instanceof Error ? e.message : String(e)}. Nothing was applied. Make a new plan with the plan tool.`);
  }
  const hash = sha256OfBytes(bytes);
  const work = mkdtempSync(join(tmpdir(), "pmxform-mcp-apply-"));
  try {
    // The checks and the apply read this private copy: what was approved is what runs.
    const copy = join(work, `${plan_id}.plan`);
    writeFileSync(copy, bytes, { mode: 0o600 });
    const approval = readApproval(host.dir, plan_id);
    let approvedBy: string;
    if (approval) {
      if (approval.plan_hash !== hash)
        return refused(
          "The plan file changed after it was approved",
          `The approval of plan ${plan_id} (by ${approval.user} at ${approval.time}) is for sha256 ${approval.plan_hash}, but the file now has sha256 ${hash}. Nothing was applied. Make a new plan and have a person approve it.`,
        );
      approvedBy = `approval by ${approval.user} at ${approval.time}`;
    } else {
      if (!server.server.getClientCapabilities()?.elicitation)
        return refused(
          "The plan is not approved",
          `Plan ${plan_id} has no approval, and this MCP client cannot ask its user (no elicitation support). Nothing was applied. A person approves it with: pmxform approve ${plan_id} (in ${host.dir}).`,
        );
      const shown = await runCli(host, ["show", "--json", copy]);
      const doc = jsonOf(shown);
      if (shown.code !== 0 || !doc) return cliFailed("reading the plan", shown);
      const asked = await askPerson(server, plan_id, hash, countsOf(doc));
      if (!asked.ok) return refused("The plan was not confirmed", `Plan ${plan_id} was not applied: ${asked.why}. A person can also approve it with: pmxform approve ${plan_id}.`);
      approvedBy = "confirmation by the client's user";
    }
    // Progress lines become progress notifications when the client asked for them, so a
    // client that resets its request timeout on progress waits out a long apply.
    const token = extra._meta?.progressToken;
    let step = 0;
    const onProgress =
      token === undefined
        ? undefined
        : (line: string) => void extra.sendNotification({ method: "notifications/progress", params: { progressToken: token, progress: ++step, message: line } }).catch(() => undefined);
    // The audit record says who let the agent apply (docs/audit.md: `approval`).
    const out = await runCli(host, ["apply", "--json", copy], { env: { PMXFORM_APPROVAL: approvedBy }, ...(onProgress ? { onProgress } : {}) });
    // Messages name the plan as the agent knows it, not the private copy.
    const shownPath = relative(host.dir, found.path);
    const text = { ...out, stdout: out.stdout.split(copy).join(shownPath), stderr: out.stderr.split(copy).join(shownPath) };
    const doc = jsonOf(text);
    // The state moved, so the plan is stale from now on anyway; spending the approval as well
    // makes a replay fail before it reaches the CLI.
    if (doc && (out.code === 0 || doc["apply_summary"] !== undefined)) consumeApproval(host.dir, plan_id);
    if (out.code !== 0 || !doc) return cliFailed("apply", text);
    return ok({
      plan_id,
      sha256: hash,
      approved_by: approvedBy,
      apply_summary: doc["apply_summary"],
      resource_outcomes: doc["resource_outcomes"],
      outputs: doc["outputs"],
      diagnostics: doc["diagnostics"],
    });
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
