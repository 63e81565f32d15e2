// Keeps the sensitive values of the resource being applied out of command errors: every command a
// provider runs for it gets them as `redact`, so a tool that echoes its arguments (pct's
// "invalid format - VALUE") cannot put a secret into an error message, a log line or the summary.
import type { RunOptions, RunResult, Runner } from "../exec/runner.js";
import { redactText } from "../exec/runner.js";
import { getPath } from "../plan/attr-diff.js";
import type { Attrs, AttrPath } from "../provider/types.js";

/** The secrets collected so far in a run (shared by every resource's redacting runner). */
export class SecretSet {
  private readonly values = new Set<string>();

  /** Adds every string (or number) found at `paths` of `attrs`, however deep. */
  addFrom(attrs: Attrs | null | undefined, paths: readonly AttrPath[]): void {
    if (!attrs) return;
    for (const p of paths) this.addDeep(getPath(attrs, p));
  }

  private addDeep(v: unknown): void {
    // Very short values would blank out ordinary words of every message; they are not secrets anyway.
    if ((typeof v === "string" && v.length >= 4) || (typeof v === "number" && String(v).length >= 4)) this.values.add(String(v));
    else if (Array.isArray(v)) v.forEach((x) => this.addDeep(x));
    else if (v && typeof v === "object") Object.values(v).forEach((x) => this.addDeep(x));
  }

  list(): string[] {
    // Longest first, so a secret containing another is replaced whole.
    return [...this.values].sort((a, b) => b.length - a.length);
  }

  redact(text: string): string {
    return redactText(text, this.list());
  }
}

/** A runner that adds the run's secrets to every command's redact list. */
export function redactingRunner(inner: Runner, secrets: SecretSet): Runner {
  return {
    description: inner.description,
    run(argv: string[], opts: RunOptions = {}): Promise<RunResult> {
      return inner.run(argv, { ...opts, redact: [...(opts.redact ?? []), ...secrets.list()] });
    },
  };
}
