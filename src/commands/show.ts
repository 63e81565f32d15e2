// `pmxform show [PLANFILE] [--json | --html]`: a saved plan as plan would print it, or the current state.
import { error } from "../diag/diagnostic.js";
import { readPlanFile } from "../plan/file.js";
import { renderPlan } from "../plan/render.js";
import { changeFromFile } from "../engine/planfile.js";
import type { CommonOptions } from "../engine/session.js";
import { planDecryptor, readStateOnly } from "./state-read.js";
import { buildRegistry } from "../registry-wiring.js";
import { hiddenOf, renderContext, savedPlanRepresentation } from "./plan-output.js";
import { JSON_FORMAT_VERSION, stateValuesJson } from "./plan-json.js";
import { pmxformVersion } from "../state/version.js";
import { printDiagnostics, useColor } from "./output-format.js";
import { renderStateResource } from "./state-render.js";
import { renderPlanHtml } from "../report/html.js";
import { asPlanDoc } from "../report/plan-doc.js";

export async function run(opts: CommonOptions & { json?: boolean; html?: boolean }, args: string[]): Promise<number> {
  const registry = await buildRegistry();
  const color = useColor(opts);
  if (opts.html && (!args[0] || opts.json)) {
    printDiagnostics(
      [
        error(
          "Invalid show options",
          opts.json ? "-html and -json each choose the output format: give one of them." : "-html reports a saved plan: give the plan file, as in `pmxform show -html plan.out > plan.html`.",
        ),
      ],
      opts,
    );
    return 1;
  }
  if (args[0]) {
    let plan;
    try {
      plan = await readPlanFile(args[0], planDecryptor(opts, args[0]));
    } catch (e) {
      printDiagnostics([error("Failed to load the saved plan", e instanceof Error ? e.message : String(e))], opts);
      return 1;
    }
    if (opts.json) {
      process.stdout.write(JSON.stringify(savedPlanRepresentation(plan, registry), null, 2) + "\n");
    } else if (opts.html) {
      process.stdout.write(renderPlanHtml(asPlanDoc(savedPlanRepresentation(plan, registry))!));
    } else {
      process.stdout.write(renderPlan(plan.changes.map(changeFromFile), [], renderContext(registry, color), { refreshOnly: plan.options.refresh_only }));
    }
    return 0;
  }
  const read = await readStateOnly(opts, "show");
  const state = read.state;
  if (read.diagnostics.length) {
    printDiagnostics(read.diagnostics, opts, read.sources);
    return 1;
  }
  if (opts.json) {
    // Terraform's `show -json` of a state: no `values` when there is no state yet.
    process.stdout.write(
      JSON.stringify({ format_version: JSON_FORMAT_VERSION, pmxform_version: pmxformVersion(), ...(state ? { values: stateValuesJson(state, hiddenOf(registry)) } : {}) }, null, 2) + "\n",
    );
    return 0;
  }
  if (!state || !state.resources.length) {
    process.stdout.write("The state is empty. No resources are managed yet.\n");
    return 0;
  }
  for (const r of state.resources) process.stdout.write(renderStateResource(r, registry, color) + "\n\n");
  const outs = Object.keys(state.outputs ?? {});
  if (outs.length) {
    process.stdout.write("Outputs:\n\n");
    for (const n of outs.sort()) process.stdout.write(`${n} = ${state.outputs[n]!.sensitive ? "(sensitive value)" : JSON.stringify(state.outputs[n]!.value)}\n`);
  }
  return 0;
}
