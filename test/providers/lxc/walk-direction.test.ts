// The walk from the configuration to pct's argv reads one way (docs/architecture.md, "Following
// memory and a mount's size from HCL to argv"): the plan's side (diff.ts and what it runs) never
// reaches the apply side's files (argv.ts, apply.ts, operations-check.ts), and each plan stage
// only hands its result to the next: operations.ts packages what changes.ts printed without
// calling back into changes.ts, and slot choice (slot-assign.ts) is apart from printing (slots.ts).
import { readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../../..");

/** Runtime imports (not `import type`) of a source file, as repository paths. */
function runtimeImports(file: string): string[] {
  const text = readFileSync(join(ROOT, file), "utf8");
  const out: string[] = [];
  for (const m of text.matchAll(/^import\s+(?!type\b)[^;]*?from\s+"(\.[^"]+)";/gms)) {
    const target = relative(ROOT, resolve(ROOT, dirname(file), m[1]!)).replace(/\.js$/, ".ts");
    out.push(target);
  }
  return out;
}

function reachable(from: string): Set<string> {
  const seen = new Set<string>();
  const todo = [from];
  while (todo.length) {
    const f = todo.pop()!;
    if (seen.has(f) || !f.startsWith("providers/")) continue;
    seen.add(f);
    todo.push(...runtimeImports(f));
  }
  return seen;
}

describe("the plan-to-argv walk reads one way", () => {
  it("nothing the plan runs reaches apply's files", () => {
    const plan = reachable("providers/lxc/diff.ts");
    for (const applySide of ["providers/lxc/argv.ts", "providers/lxc/apply.ts", "providers/lxc/operations-check.ts"]) expect(plan.has(applySide), applySide).toBe(false);
    expect(plan.has("providers/lxc/operations.ts")).toBe(true);
  });

  it("each plan stage hands on without calling back into an earlier one", () => {
    expect(runtimeImports("providers/lxc/operations.ts")).not.toContain("providers/lxc/changes.ts");
    expect(runtimeImports("providers/lxc/operations.ts")).not.toContain("providers/lxc/desired.ts");
    expect(runtimeImports("providers/lxc/changes.ts")).not.toContain("providers/lxc/desired.ts");
    expect(runtimeImports("providers/lxc/conf-map.ts")).not.toContain("providers/lxc/changes.ts");
    expect(runtimeImports("providers/lxc/desired.ts")).not.toContain("providers/mounts/slots.ts");
    expect(runtimeImports("providers/lxc/desired.ts")).toContain("providers/mounts/slot-assign.ts");
  });
});
