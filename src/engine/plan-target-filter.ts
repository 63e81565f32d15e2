// Plan phase 5, targets: --target keeps the targeted changes and what they depend on (with
// Terraform's warning that the plan is partial); --replace addresses that match nothing are an
// error, since a typo would otherwise apply without the replacement asked for.
import type { Diagnostic } from "../diag/diagnostic.js";
import { error, warning } from "../diag/diagnostic.js";
import type { Change } from "../plan/change.js";
import { addressMatches } from "./address.js";
import type { PlanOptions } from "./plan-types.js";

export function keepTargeted(changes: Change[], targets: readonly string[], diagnostics: Diagnostic[]): Change[] {
  if (!targets.length) return changes;
  const wanted = new Set<string>();
  const byAddr = new Map(changes.map((c) => [c.address, c]));
  const addWithDeps = (c: Change): void => {
    if (wanted.has(c.address)) return;
    wanted.add(c.address);
    for (const d of c.dependencies) for (const other of changes) if (other.decl === d) addWithDeps(other);
  };
  for (const t of targets) {
    const matched = changes.filter((c) => addressMatches(t, c.address) || c.decl === t);
    if (!matched.length && !byAddr.has(t)) diagnostics.push(warning("Target not found", `--target ${t} matches no resource in the configuration or state.`));
    matched.forEach(addWithDeps);
  }
  diagnostics.push(
    warning(
      "Resource targeting is in effect",
      "You are creating a plan with the --target option, which means that the result of this plan may not represent all of the changes requested by the current configuration. The --target option is not for routine use, and is provided only for exceptional situations such as recovering from errors or mistakes.",
    ),
  );
  return changes.filter((c) => wanted.has(c.address));
}

export function checkReplaceAddresses(changes: readonly Change[], options: PlanOptions, diagnostics: Diagnostic[]): void {
  for (const r of options.replace) {
    if (!changes.some((c) => c.address === r))
      diagnostics.push(error("Replace target not found", `--replace ${r} matches no resource instance in the configuration or state. Check the address with pmxform state list.`));
  }
}
