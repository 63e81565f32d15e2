// `pmxform approve PLANFILE|PLANID`: a person approves a saved plan so that `pmxform mcp
// --allow-apply` may apply it. Shows the plan, asks on the terminal (or --auto-approve), then
// writes .pmxform/approvals/<id>.json with the plan file's sha256. The MCP server has no tool that
// writes approvals: only this command creates them.
import { error } from "../diag/diagnostic.js";
import { readPlanFile } from "../plan/file.js";
import { renderPlan, summaryCounts } from "../plan/render.js";
import { changeFromFile } from "../engine/planfile.js";
import { workingDir, type CommonOptions } from "../engine/session.js";
import { buildRegistry } from "../registry-wiring.js";
import { auditUser } from "../audit/append.js";
import { resolvePlanArg, sha256OfBytes, writeApproval } from "../mcp/approvals.js";
import { existsSync, readFileSync } from "node:fs";
import { relative } from "node:path";
import { confirm } from "./apply-run.js";
import { planDecryptor } from "./state-read.js";
import { renderContext } from "./plan-output.js";
import { printDiagnostics, useColor } from "./output-format.js";

export async function run(opts: CommonOptions & { autoApprove?: boolean }, args: string[]): Promise<number> {
  const dir = workingDir(opts);
  const { id, path } = resolvePlanArg(dir, args[0]!);
  let bytes: Buffer;
  let plan;
  try {
    if (!existsSync(path)) throw new Error(`There is no plan ${id} in .pmxform/plans/ and no plan file ${path}.`);
    bytes = readFileSync(path);
    plan = await readPlanFile(path, planDecryptor(opts, path));
    // The checksum was verified on a second read: both reads must be the same bytes.
    if (!readFileSync(path).equals(bytes)) throw new Error(`The plan file ${path} changed while it was being approved.`);
  } catch (e) {
    printDiagnostics(
      [error("Failed to load the plan to approve", `${e instanceof Error ? e.message : String(e)} Give a plan id from pmxform mcp's plan tool (.pmxform/plans/ID.plan) or a plan file.`)],
      opts,
    );
    return 1;
  }
  // The hash is of the bytes whose checksum was just verified: a file swapped afterwards no longer matches.
  const hash = sha256OfBytes(bytes);
  const changes = plan.changes.map(changeFromFile);
  const counts = summaryCounts(changes);
  process.stdout.write(renderPlan(changes, [], renderContext(await buildRegistry(), useColor(opts)), { refreshOnly: plan.options.refresh_only }));
  process.stdout.write(`\nPlan ${id} (${relative(dir, path) || path}), sha256 ${hash}\n`);
  if (!opts.autoApprove) {
    const c = await confirm(
      `Do you approve this plan (${counts.add} to add, ${counts.change} to change, ${counts.destroy} to destroy)?`,
      "An agent connected to pmxform mcp --allow-apply may then apply exactly this plan file.",
    );
    if (!c.ok) {
      if (c.diagnostic) printDiagnostics([c.diagnostic], opts);
      else process.stdout.write("Approval cancelled.\n");
      return 1;
    }
  }
  const written = await writeApproval(dir, { plan_id: id, plan_hash: hash, user: auditUser(), time: new Date().toISOString() });
  process.stdout.write(`Approved plan ${id}: ${relative(dir, written)}\n`);
  return 0;
}
