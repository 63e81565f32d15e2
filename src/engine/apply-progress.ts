// Apply's progress lines, in Terraform's words: "Creating...", "Still creating... [10s
// elapsed]" every ten seconds, "Creation complete after 3s [vmid=105]" (the id from the type's
// progressId hook).
import type { Change } from "../plan/change.js";
import type { Attrs, ResourceType } from "../provider/types.js";

const VERBS = {
  create: ["Creating...", "Still creating...", "Creation complete"],
  update: ["Modifying...", "Still modifying...", "Modifications complete"],
  delete: ["Destroying...", "Still destroying...", "Destruction complete"],
} as const;

export type ProgressKind = keyof typeof VERBS;

/** "[vmid=105]", or "" when the type names no id. */
export function progressTag(type: ResourceType, attrs: Attrs | null): string {
  const id = attrs ? type.progressId?.(attrs) : undefined;
  return id ? `[${id}]` : "";
}

/** Runs `fn` between a start and a "complete" line, with a "still" line every ten seconds. `label` names the change in each line. */
export async function withProgress<T>(label: string, c: Change, type: ResourceType, kind: ProgressKind, out: (line: string) => void, fn: () => Promise<T>, tagOf: (r: T) => string): Promise<T> {
  const [start, still, done] = VERBS[kind];
  out(`${label}: ${kind === "delete" ? `${start.replace("...", "")}... ${progressTag(type, c.before)}`.trim() : start}`);
  const began = Date.now();
  const timer = setInterval(() => out(`${label}: ${still} [${Math.round((Date.now() - began) / 1000)}s elapsed]`), 10_000);
  try {
    const r = await fn();
    out(`${label}: ${done} after ${Math.round((Date.now() - began) / 1000)}s ${tagOf(r)}`.trimEnd());
    return r;
  } finally {
    clearInterval(timer);
  }
}
