// Shared command output helpers: colour decision and diagnostic printing.
import { hasErrors, sortDiagnostics, type Diagnostic } from "../diag/diagnostic.js";
import { renderCompact, renderHuman, renderJson } from "../diag/render.js";

export function useColor(opts: { color?: boolean }): boolean {
  return opts.color !== false && !process.env.NO_COLOR && Boolean(process.stdout.isTTY);
}

/**
 * Human diagnostics on stderr; with --json, a run that failed with errors prints the same
 * `{"errored": true, "diagnostics": [...]}` document plan --json does (so apply/destroy/show
 * --json never fail silently). Warnings alone belong in the command's own JSON document.
 */
export function printDiagnostics(diags: readonly Diagnostic[], opts: { color?: boolean; json?: boolean; compactWarnings?: boolean }, sources?: ReadonlyMap<string, string>): void {
  if (!diags.length) return;
  if (opts.json) {
    if (hasErrors(diags)) process.stdout.write(erroredJson(diags) + "\n");
    return;
  }
  // --compact-warnings (Terraform's): warnings one line each, errors in full.
  const compact = opts.compactWarnings ? diags.filter((d) => d.severity === "warning") : [];
  const full = sortDiagnostics(diags.filter((d) => !compact.includes(d)));
  if (full.length) process.stderr.write(renderHuman(full, { color: useColor(opts), ...(sources ? { sources } : {}) }) + "\n\n");
  if (compact.length) process.stderr.write(`Warnings:\n\n${renderCompact(sortDiagnostics(compact)).replace(/^/gm, "- ")}\n\n`);
}

/** The document a --json command prints when it stops on errors. */
export function erroredJson(diags: readonly Diagnostic[]): string {
  return JSON.stringify({ format_version: "1.0", errored: true, diagnostics: diagnosticsJson(diags) }, null, 2);
}

export function diagnosticsJson(diags: readonly Diagnostic[]): object[] {
  return renderJson(sortDiagnostics(diags));
}
