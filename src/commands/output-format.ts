// Shared command output helpers: colour decision and diagnostic printing.
import { sortDiagnostics, type Diagnostic } from "../diag/diagnostic.js";
import { renderHuman, renderJson } from "../diag/render.js";

export function useColor(opts: { color?: boolean }): boolean {
  return opts.color !== false && !process.env.NO_COLOR && Boolean(process.stdout.isTTY);
}

export function printDiagnostics(diags: readonly Diagnostic[], opts: { color?: boolean; json?: boolean }, sources?: ReadonlyMap<string, string>): void {
  if (!diags.length) return;
  if (opts.json) return;
  process.stderr.write(renderHuman(sortDiagnostics(diags), { color: useColor(opts), ...(sources ? { sources } : {}) }) + "\n\n");
}

export function diagnosticsJson(diags: readonly Diagnostic[]): object[] {
  return renderJson(sortDiagnostics(diags));
}
