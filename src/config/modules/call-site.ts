// Diagnostics raised inside a module's files say which call they came through, since the same
// module directory can be called from several places ("In module.media, called at main.pmx.hcl:12:1.").
import type { Diagnostic, Range } from "../../diag/diagnostic.js";

export function where(r: Range): string {
  return `${r.file}:${r.start.line}:${r.start.column}`;
}

export function callSiteText(modulePath: string, callRange: Range): string {
  return `In ${modulePath}, called at ${where(callRange)}.`;
}

/** The diagnostics with the call site put in front of their detail (which still ends with the fix). */
export function withCallSite(diags: readonly Diagnostic[], callSite: string | undefined): Diagnostic[] {
  if (!callSite) return [...diags];
  return diags.map((d) => (d.detail?.startsWith(callSite) ? d : { ...d, detail: d.detail ? `${callSite} ${d.detail}` : callSite }));
}
