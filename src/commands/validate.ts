// `pmxform validate`: checks the configuration alone (syntax, references, types, schemas);
// no state, no nodes. Exit 0 when valid, 1 with diagnostics.
import { hasErrors } from "../diag/diagnostic.js";
import type { Diagnostic } from "../diag/diagnostic.js";
import { buildRegistry } from "../registry-wiring.js";
import { openSession, type CommonOptions } from "../engine/session.js";
import { validateWithUnknowns } from "../engine/walk-config.js";
import { diagnosticsJson, printDiagnostics } from "./output-format.js";

export async function run(opts: CommonOptions & { json?: boolean }): Promise<number> {
  const registry = await buildRegistry();
  const { session, diagnostics } = await openSession(opts, registry, { variables: "unknown" });
  const all: Diagnostic[] = [...diagnostics];
  let sources = new Map<string, string>();
  if (session) {
    sources = session.sources;
    all.push(...validateWithUnknowns(session.evaluation));
  }
  const ok = !hasErrors(all);
  if (opts.json) {
    process.stdout.write(
      JSON.stringify(
        {
          format_version: "1.0",
          valid: ok,
          error_count: all.filter((d) => d.severity === "error").length,
          warning_count: all.filter((d) => d.severity === "warning").length,
          diagnostics: diagnosticsJson(all),
        },
        null,
        2,
      ) + "\n",
    );
  } else {
    printDiagnostics(all, opts, sources);
    if (ok) process.stdout.write("Success! The configuration is valid.\n");
  }
  return ok ? 0 : 1;
}
