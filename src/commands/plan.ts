// `pmxform plan`: refresh, compare, print the plan; with --out, save it for `pmxform apply FILE`.
import { runAbortController } from "../exec/abort.js";
import { hasErrors } from "../diag/diagnostic.js";
import { renderPlan } from "../plan/render.js";
import { hasChanges } from "../engine/plan.js";
import { runPlan, type RunOptions } from "../engine/run.js";
import { savePlan, planJson, plannedOutputChanges, renderContext } from "./plan-output.js";
import { diagnosticsJson, printDiagnostics, useColor } from "./output-format.js";
import { writeGeneratedConfig } from "./generated-config.js";
import { commandPrefix, shellWord } from "./chdir.js";
import { planningOptionProblems } from "./planning-options.js";
import { refreshProgressOption } from "./refresh-progress.js";

export async function run(opts: RunOptions & { out?: string; detailedExitcode?: boolean }): Promise<number> {
  const refused = planningOptionProblems(opts, Boolean(opts.destroy));
  if (refused.length) return (printDiagnostics(refused, opts), 1);
  const ac = runAbortController();
  const { run: r, diagnostics, sources: configSources } = await runPlan({ ...opts, ...refreshProgressOption() }, "plan", ac.signal);
  try {
    const sources = r?.session.sources ?? configSources;
    if (!r || hasErrors(diagnostics)) {
      printDiagnostics(diagnostics, opts, sources);
      return 1;
    }
    const { result } = r;
    if (result.generated.length && opts.generateConfigOut) {
      const written = writeGeneratedConfig(opts.generateConfigOut, r.session.dir, result.generated);
      if (written.diagnostic) {
        printDiagnostics([written.diagnostic], opts);
        return 1;
      }
      // Under --json the note goes to stderr: stdout carries only the plan document.
      (opts.json ? process.stderr : process.stdout).write(
        `Generated configuration for ${result.generated.length} import target(s) in ${opts.generateConfigOut}. Review it; planning again with it:\n\n`,
      );
      await r.store.release();
      const { generateConfigOut: _done, ...rest } = opts;
      return run(rest);
    }
    if (!opts.json) for (const c of result.changes) if (c.importId !== undefined) process.stdout.write(`${c.address}: Preparing import... [id=${c.importId}]\n`);
    if (opts.json) {
      process.stdout.write(JSON.stringify({ ...planJson(r), diagnostics: diagnosticsJson(diagnostics) }, null, 2) + "\n");
    } else {
      printDiagnostics(diagnostics, opts, sources);
      process.stdout.write(renderPlan(result.changes, result.drift, renderContext(r.registry, useColor(opts)), { refreshOnly: r.options.refreshOnly, outputs: plannedOutputChanges(r) }));
    }
    if (opts.out) {
      await savePlan(opts.out, r);
      if (!opts.json)
        process.stdout.write(`\nSaved the plan to: ${opts.out}\n\nTo perform exactly these actions, run the following command to apply:\n    ${commandPrefix()}apply ${shellWord(opts.out)}\n`);
    }
    const changed = hasChanges(result.changes) || plannedOutputChanges(r).length > 0 || (r.options.refreshOnly && result.drift.length > 0);
    return opts.detailedExitcode && changed ? 2 : 0;
  } finally {
    await r?.store.release();
  }
}
