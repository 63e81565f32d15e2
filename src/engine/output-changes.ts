// Which outputs a plan changes against the state (Terraform's "Changes to Outputs"): new ones,
// ones whose value differs or is not known yet, and ones no longer in the configuration.
// Sensitive values are not kept in the state, so a sensitive output shows only when it appears,
// disappears or changes sensitivity.
import { containsSensitive, unmark, type Value } from "../config/value.js";
import type { StateFile } from "../state/types.js";
import { deepEqual } from "../plan/attr-diff.js";
import type { OutputChange } from "../plan/change.js";

export function outputChanges(planned: ReadonlyMap<string, { value: Value; sensitive: boolean }>, prior: StateFile["outputs"]): OutputChange[] {
  const out: OutputChange[] = [];
  for (const [name, o] of planned) {
    const sensitive = o.sensitive || containsSensitive(o.value);
    const after = unmark(o.value);
    const was = Object.hasOwn(prior, name) ? prior[name] : undefined;
    if (!was) out.push({ name, action: "create", before: null, after, sensitive });
    else if (sensitive || was.sensitive) {
      if (sensitive !== was.sensitive) out.push({ name, action: "update", before: was.value, after, sensitive: true });
    } else if (!deepEqual(was.value, after)) out.push({ name, action: "update", before: was.value, after, sensitive });
  }
  for (const [name, was] of Object.entries(prior)) {
    if (!planned.has(name)) out.push({ name, action: "delete", before: was.value, after: null, sensitive: was.sensitive });
  }
  return out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}
